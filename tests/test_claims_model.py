"""Learning from reviewers: labels out of the database, a refit stored beside it, a reset."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.conftest import CliInvoker
from tests.support.factories import make_article, make_claim
from tracker.db import Database
from tracker.enums import ClaimStatus
from tracker.extraction.model import shipped_model
from tracker.extraction.refit import Label, model_for, model_path, refit
from tracker.models import Claim
from tracker.settings import load_settings

# This newsroom checks what residents report and never checks scores or product specs: the
# shipped model, fitted on debates, thinks the opposite of most of these.
CLAIMS = [
    "Residents say the tap water has tasted of chlorine since the treatment plant reopened.",
    "Neighbours complain that the new bus lane has made the morning commute slower for drivers.",
    "Commuters say trains on the northern line have run late almost every day this month.",
    "Farmers in the valley say the river flooded their fields twice this spring.",
    "Parents say the school has merged classes because of staff shortages this term.",
    "Tenants say the landlord has not repaired the heating in the tower since the winter began.",
    "Cyclists say the new lane on the bridge floods whenever it rains.",
    "Nurses say the ward has been short of staff every night this month.",
    "Drivers say the toll on the bridge has doubled since the spring.",
    "Residents say the bins on their street have not been emptied for three weeks.",
]
OPINIONS = [
    "The Lions beat the Bears 24 to 10 on Sunday in front of a home crowd of 60,000.",
    "The striker scored twice in the second half as the visitors won 3 to 1 on Saturday.",
    "The recipe takes 40 minutes and serves four people with two cups of rice.",
    "The hotel has 120 rooms, two pools and a spa on the 14th floor.",
    "The phone comes in three colors and ships with a 25 watt charger in the box.",
    "The Tigers lost 2 to 5 to the Sharks on Friday night after leading at half time.",
    "The Rovers won 4 to 0 on Sunday with two goals from their captain.",
    "The Eagles beat the Hawks 31 to 17 on Monday night in the rain.",
    "The laptop weighs 1.2 kilograms and has 16 gigabytes of memory.",
    "The City drew 1 to 1 with the United on Saturday after a late penalty.",
]


def _seed(database: Database) -> None:
    with database.transaction() as session:
        for number, text in enumerate(CLAIMS + OPINIONS):
            article = make_article(session, url=f"https://news.example.org/{number}")
            claim = make_claim(session, article, text, position=0)
            if text in CLAIMS:
                claim.status = ClaimStatus.ACCURATE
            else:
                claim.status = ClaimStatus.REJECTED
        added = make_article(session, url="https://news.example.org/added")
        reviewer_claim = Claim(article_id=added.id, text=CLAIMS[0] + " Again.", created_by="ana")
        session.add(reviewer_claim)


def test_export_labels_writes_reviewers_decisions(
    run_cli: CliInvoker, database: Database, tmp_path: Path
) -> None:
    _seed(database)
    out = tmp_path / "labels.csv"
    result = run_cli("claims", "export-labels", "-o", str(out))
    assert "wrote 21 labels (11 claims, 10 not)" in result.stdout
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    reasons = {row["text"]: (row["label"], row["reason"]) for row in rows}
    assert reasons[CLAIMS[1]] == ("1", "verdict accurate")
    assert reasons[OPINIONS[0]] == ("0", "rejected")
    assert reasons[CLAIMS[0] + " Again."] == ("1", "added by a reviewer")


@pytest.mark.usefixtures("acting_as_ana")
def test_model_fit_reports_before_and_after_and_is_used_until_reset(
    run_cli: CliInvoker, database: Database, db_url: str
) -> None:
    _seed(database)
    settings = load_settings(database_url=db_url)
    path = model_path(settings)
    assert not path.exists()
    result = run_cli("model", "fit", "--json")
    report = json.loads(result.stdout)
    assert report["labels"] == 21
    assert report["path"] == str(path)
    assert 0.0 <= report["before"]["f1"] <= 1.0
    assert report["after"]["f1"] > report["before"]["f1"]
    assert path.is_file()
    refitted = model_for(settings)
    shipped = shipped_model()
    for text in OPINIONS:
        assert refitted.probability(text) < shipped.probability(text)
    for text in CLAIMS:
        assert refitted.probability(text) > shipped.probability(text)
    assert json.loads(path.read_text(encoding="utf-8"))["refit"] == "21 newsroom labels"
    assert "removed" in run_cli("model", "reset").stdout
    assert model_for(settings) is shipped
    assert "already using the shipped model" in run_cli("model", "reset").stdout


def test_refitting_and_resetting_need_a_reviewer(run_cli: CliInvoker, database: Database) -> None:
    _seed(database)
    assert "records who acted" in run_cli("model", "fit", exit_code=2).stderr
    assert "records who acted" in run_cli("model", "reset", exit_code=2).stderr
    refused = run_cli("model", "fit", "--reviewer", "nobody", exit_code=2)
    assert "nobody" in refused.stderr


@pytest.mark.usefixtures("acting_as_ana")
def test_model_fit_needs_both_kinds_of_labels(run_cli: CliInvoker) -> None:
    result = run_cli("model", "fit", exit_code=2)
    assert "a refit needs at least 10" in result.stderr


@pytest.mark.usefixtures("acting_as_ana")
def test_extra_labels_file_is_validated(run_cli: CliInvoker, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nsomething,maybe\n", encoding="utf-8")
    result = run_cli("model", "fit", "--labels", str(bad), exit_code=2)
    assert "bad.csv:2: need a text and a label of 0 or 1" in result.stderr


def test_refit_moves_the_model_towards_the_labels() -> None:
    base = shipped_model()
    labels = [Label(text, 1, f"a{n}", "file") for n, text in enumerate(CLAIMS)]
    labels += [Label(text, 0, f"b{n}", "file") for n, text in enumerate(OPINIONS)]
    model = refit(base, labels)
    for text in CLAIMS:
        assert model.probability(text) >= base.probability(text)
    for text in OPINIONS:
        assert model.probability(text) <= base.probability(text)
    assert model.threshold == base.threshold
