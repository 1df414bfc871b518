"""``fact-tracker sources ...`` end to end on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliInvoker
from tests.support.credibility import seed
from tracker.db import Database
from tracker.enums import Role
from tracker.models import Reviewer

pytestmark = pytest.mark.usefixtures("acting_as_ana")


@pytest.fixture(autouse=True)
def viewer(database: Database) -> None:
    """vic only views."""
    with database.transaction() as session:
        session.add(Reviewer(name="vic", role=Role.VIEWER))


@pytest.fixture
def seeded(database: Database) -> Database:
    seed(database)
    return database


def test_list_on_an_empty_database(run_cli: CliInvoker) -> None:
    assert json.loads(run_cli("sources", "list", "--json").stdout) == []
    assert run_cli("sources", "list").stdout.startswith("domain\tscore\tbased on\t")


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("score", ["cited.org", "example.com", "other.net"]),
        ("citations", ["cited.org", "other.net", "example.com"]),
        ("rot", ["cited.org", "example.com", "other.net"]),
    ],
)
def test_list_sorts(seeded: Database, run_cli: CliInvoker, sort: str, order: list[str]) -> None:
    listed = json.loads(run_cli("sources", "list", "--sort", sort, "--json").stdout)
    assert [item["domain"] for item in listed] == order


def test_list_shows_scores_and_records(seeded: Database, run_cli: CliInvoker) -> None:
    listed = json.loads(run_cli("sources", "list", "--json").stdout)
    cited = listed[0]
    assert cited["score"] == pytest.approx((0.4 * 0.5 + 0.8 + 2 * 2 / 3) / 3.5)
    assert cited["basis"] == "own record (3)"
    assert {item["key"] for item in cited["missing"]} == {
        "manual",
        "external",
        "verdicts_published",
    }
    assert cited["track_record"]["rot_rate"] == pytest.approx(0.6)
    assert (cited["track_record"]["rotten_links"], cited["track_record"]["counted_links"]) == (3, 5)
    assert cited["track_record"]["links"]["dead"] == 2
    assert listed[2]["score"] is None

    table = run_cli("sources", "list", "--limit", "2").stdout.splitlines()
    assert len(table) == 3
    assert table[1].split("\t") == [
        "cited.org",
        "0.67",
        "own record (3)",
        "0",
        "4",
        "6",
        "5",
        "2",
        "60%",
        "4/5",
        "2 accurate, 1 false, 1 unverifiable",
    ]


def test_show(seeded: Database, run_cli: CliInvoker) -> None:
    out = run_cli("sources", "show", "https://www.cited.org/anything").stdout
    assert out.startswith("cited.org\n\nScore: 0.67 on 0..1\n")
    assert "used    link survival (1 - rot rate): 0.40 x weight 0.5" in out
    assert "missing manual rating: no reviewer has rated it" in out
    assert "  links:              1 unchecked, 2 alive, 1 at_risk, 2 dead" in out
    assert "  link rot:           60% (3 of 5 checked links rotten, 2 confirmed dead)" in out
    assert "  evidence found:     80% (4 of 5 checked)" in out
    assert "  claims citing it:   2 accurate, 1 false, 1 unverifiable" in out

    detail = json.loads(run_cli("sources", "show", "example.com", "--json").stdout)
    assert detail["domain"] == "example.com"
    assert detail["track_record"]["articles"] == 2
    assert detail["score"]["score"] == pytest.approx(0.5)
    assert detail["history"] == []


def test_show_unknown_domains(run_cli: CliInvoker) -> None:
    result = run_cli("sources", "show", "news.nowhere.org", exit_code=2)
    assert result.stderr == "error: source nowhere.org not found\n"
    result = run_cli("sources", "show", "co.uk", exit_code=2)
    assert "co.uk is a public suffix" in result.stderr


def test_rate_and_history(seeded: Database, run_cli: CliInvoker) -> None:
    out = run_cli(
        "sources", "rate", "cited.org", "5", "--reviewer", "ana", "--note", "primary data"
    ).stdout
    assert out.splitlines()[0] == "Rated cited.org 5/5 by ana"
    assert "used    manual rating: 1.00 x weight 3" in out
    out = run_cli(
        "sources", "rate", "cited.org", "3.5", "--reviewer", "ana", "--note", "a \x1b[31mfix"
    ).stdout
    assert out.splitlines()[0] == "Rated cited.org 3.5/5 (was 5/5) by ana"
    assert "\x1b" not in out
    shown = run_cli("sources", "show", "cited.org").stdout
    assert "History\n" in shown
    assert "ana rated - -> 5: primary data" in shown
    assert "ana rated 5 -> 3.5: a ?[31mfix" in shown
    detail = json.loads(run_cli("sources", "show", "cited.org", "--json").stdout)
    assert detail["manual_rating"]["score"] == pytest.approx(0.625)
    assert [entry["new_value"] for entry in detail["history"]] == ["5", "3.5"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["9", "--reviewer", "ana", "--note", "x"], "rating 9 is outside the manual scale 1..5"),
        (["3", "--reviewer", "vic", "--note", "x"], "vic has role viewer"),
        (["3", "--reviewer", "ana", "--note", ""], "a rating needs a note saying why"),
    ],
)
def test_rate_refusals(
    seeded: Database, run_cli: CliInvoker, args: list[str], message: str
) -> None:
    result = run_cli("sources", "rate", "cited.org", *args, exit_code=2)
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    detail = json.loads(run_cli("sources", "show", "cited.org", "--json").stdout)
    assert detail["manual_rating"] is None
    assert detail["history"] == []


def test_rate_help_documents_the_scale(run_cli: CliInvoker) -> None:
    out = run_cli("sources", "rate", "--help").stdout
    assert "RATING is on a 1..5 scale" in out
    assert "(RATING - 1) / 4" in out


def test_import_ratings(seeded: Database, run_cli: CliInvoker, tmp_path: Path) -> None:
    path = tmp_path / "quality.csv"
    path.write_text("site,rating\nwww.cited.org,80\nexample.com,30\nfresh.net,55\n")
    args = ["sources", "import-ratings", str(path), "--name", "quality"]
    columns = ["--domain-column", "site", "--score-column", "rating", "--scale", "0:100"]
    out = run_cli(*args, *columns).stdout
    assert out == (
        "Imported 3 ratings into set 'quality' from quality.csv "
        "(scale 0..100; new set; 1 new domain)\n"
    )
    detail = json.loads(run_cli("sources", "show", "cited.org", "--json").stdout)
    assert detail["external_ratings"] == [
        {"rating_set": "quality", "score": 0.8, "raw_score": 80.0, "scale": [0.0, 100.0]}
    ]
    used = {item["key"]: item["value"] for item in detail["score"]["inputs"]}
    assert used["external:quality"] == pytest.approx(0.8)

    path.write_text("site,rating\ncited.org,20\n")
    again = json.loads(run_cli(*args, *columns, "--json").stdout)
    assert again == {"name": "quality", "rows": 1, "new_sources": 0, "replaced_rows": 3}
    listed = json.loads(run_cli("sources", "list", "--json").stdout)
    fresh = next(item for item in listed if item["domain"] == "fresh.net")
    assert fresh["score"] is None
    assert {
        "key": "external:quality",
        "label": "rating set quality",
        "reason": "does not rate it",
    } in fresh["missing"]


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (b"domain,score\na.org,1\n", ["--scale", "5:1"], "invalid scale '5:1': MIN must be less"),
        (b"site,score\na.org,1\n", [], "bad.csv has no domain column 'domain'"),
        (b"domain,score\na.org,1\nwww.a.org,1\n", [], "line 3: duplicate domain a.org"),
        (b"domain,score\nb\xe9.org,1\n", [], "bad.csv is not UTF-8 text (byte 0xe9 on line 2)"),
        (b"domain,score\na.org,2\nb.org,x\n", [], "line 2: score 2 is outside the scale 0..1"),
    ],
)
def test_import_refusals_write_nothing(
    run_cli: CliInvoker, tmp_path: Path, content: bytes, extra: list[str], message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = run_cli("sources", "import-ratings", str(path), "--name", "x", *extra, exit_code=2)
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert json.loads(run_cli("sources", "list", "--json").stdout) == []


def test_import_of_a_missing_file(run_cli: CliInvoker, tmp_path: Path) -> None:
    result = run_cli(
        "sources", "import-ratings", str(tmp_path / "nope.csv"), "--name", "x", exit_code=2
    )
    assert "does not exist" in result.stderr
