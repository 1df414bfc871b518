"""``fact-tracker report`` end to end through the CLI, on both backends."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from reports.json_report import ARTICLE_SCHEMA, LINKS_SCHEMA, load_schema
from tests.conftest import CliInvoker
from tests.support.reports import insert_sample
from tracker.db import Database


@pytest.fixture
def article_id(database: Database, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("FACT_TRACKER_ORGANIZATION_NAME", "Test Checks")
    monkeypatch.setenv("FACT_TRACKER_ORGANIZATION_URL", "https://checks.example/")
    return insert_sample(database).article_id


def test_numeric_shortcut_prints_html_by_default(run_cli: CliInvoker, article_id: int) -> None:
    result = run_cli("report", str(article_id))
    soup = BeautifulSoup(result.stdout, "lxml")
    assert soup.h1 is not None
    assert "Peacekeepers in Ukraine" in soup.h1.get_text()


def test_options_may_come_before_the_id(run_cli: CliInvoker, article_id: int) -> None:
    text = run_cli("report", "-f", "md", str(article_id)).stdout
    assert text.startswith("# Verification report:")
    assert run_cli("report", "--format=csv", str(article_id)).stdout.startswith("article_id,")


def test_shortcut_and_article_subcommand_agree(run_cli: CliInvoker, article_id: int) -> None:
    short = json.loads(run_cli("report", str(article_id), "-f", "json").stdout)
    long = json.loads(run_cli("report", "article", str(article_id), "--format", "json").stdout)
    short.pop("generated_at")
    long.pop("generated_at")
    assert short == long
    jsonschema.validate(
        short | {"generated_at": "2024-01-01T00:00:00+00:00"}, load_schema(ARTICLE_SCHEMA)
    )


@pytest.mark.parametrize("fmt", ["html", "md", "json", "csv", "claimreview"])
def test_output_file_for_every_format(
    run_cli: CliInvoker, article_id: int, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"report.{fmt}"
    result = run_cli("report", str(article_id), "-f", fmt, "-o", str(target))
    assert result.stdout == ""
    assert f"Wrote {target}" in result.stderr
    text = target.read_text(encoding="utf-8")
    if fmt == "json":
        assert json.loads(text)["article"]["id"] == article_id
    elif fmt == "claimreview":
        assert {review["@type"] for review in json.loads(text)} == {"ClaimReview"}
    elif fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(text)))) == 4
    elif fmt == "md":
        assert text.startswith("# Verification report: Peacekeepers in Ukraine")
    else:
        assert text.startswith("<!doctype html>")
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_unknown_article_is_exit_2_and_writes_nothing(
    run_cli: CliInvoker, article_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli("report", "999", "-o", str(out / "nothing.html"), exit_code=2)
    assert result.stderr.strip() == "error: article 999 not found"
    assert list(out.iterdir()) == []


def test_bad_format_is_a_usage_error(run_cli: CliInvoker, article_id: int) -> None:
    result = run_cli("report", str(article_id), "-f", "pdf", exit_code=2)
    assert "pdf" in result.stderr


def test_missing_directory_is_exit_2(run_cli: CliInvoker, article_id: int, tmp_path: Path) -> None:
    result = run_cli("report", str(article_id), "-o", str(tmp_path / "no" / "r.html"), exit_code=2)
    assert "does not exist" in result.stderr


def test_links_report_in_each_format(run_cli: CliInvoker, article_id: int) -> None:
    data = json.loads(run_cli("report", "links", "-f", "json", "--weeks", "520").stdout)
    jsonschema.validate(data, load_schema(LINKS_SCHEMA))
    assert [item["url"] for item in data["rotten"]] == ["https://think.example.com/air-defence"]
    assert "# Link rot report" in run_cli("report", "links", "-f", "md").stdout
    rows = list(csv.DictReader(io.StringIO(run_cli("report", "links", "-f", "csv").stdout)))
    assert rows[0]["link_state"] == "Dead"
    weekly = run_cli("report", "links", "-f", "csv", "--rot-rate", "--weeks", "520").stdout
    assert weekly.startswith("week_start,links_checked")
    assert "<h1>Link rot report</h1>" in run_cli("report", "links").stdout


def test_rot_rate_needs_csv(run_cli: CliInvoker) -> None:
    result = run_cli("report", "links", "--rot-rate", exit_code=2)
    assert "--rot-rate needs --format csv" in result.stderr


def test_help_lists_the_subcommands(run_cli: CliInvoker) -> None:
    text = run_cli("report", "--help").stdout
    assert "article" in text
    assert "links" in text
    assert "report 3 -f html" in text
