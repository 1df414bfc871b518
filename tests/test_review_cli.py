"""The review commands through the real CLI: output, exit codes, and nothing written on refusal."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from tests.conftest import CliInvoker
from tests.support.review_factories import Seed, make_article, make_claim, seed, snapshot
from tracker.actors import Actor
from tracker.cli import review_queue
from tracker.db import Database
from tracker.enums import ClaimStatus
from tracker.models import Claim, ClaimEvent
from tracker.review.services import add_note, load_claim
from tracker.review.views import ClaimView


@pytest.fixture
def data(database: Database) -> Seed:
    return seed(database)


def _status(database: Database, claim_id: int) -> tuple[ClaimStatus, int]:
    with database.reading() as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        return claim.status, claim.version


def _notes(database: Database, claim_id: int) -> list[tuple[str, str | None]]:
    with database.reading() as session:
        events = session.scalars(
            select(ClaimEvent).where(ClaimEvent.claim_id == claim_id).order_by(ClaimEvent.id)
        )
        return [(event.actor, event.note) for event in events]


def test_reviewers_add_and_list(run_cli: CliInvoker) -> None:
    assert "Added reviewer ana (reviewer)" in run_cli("reviewers", "add", "ana").stdout
    run_cli("reviewers", "add", "bo", "--email", "bo@example.org", "--role", "admin")
    listed = json.loads(run_cli("reviewers", "list", "--json").stdout)
    assert [(r["name"], r["email"], r["role"]) for r in listed] == [
        ("ana", None, "reviewer"),
        ("bo", "bo@example.org", "admin"),
    ]
    table = run_cli("reviewers", "list").stdout.splitlines()
    assert table[0].split("\t") == ["id", "name", "email", "role", "added"]
    assert table[2].split("\t")[1:4] == ["bo", "bo@example.org", "admin"]
    for args, message in [
        (("ana", "--reviewer", "bo"), "error: reviewer ana already exists"),
        (("cy", "--role", "owner"), "error: invalid role 'owner'"),
        (("cy",), "error: system:local may not add reviewers"),  # bo is an admin now
        (("cy", "--reviewer", "ana"), "error: reviewer ana has role reviewer"),
    ]:
        result = run_cli("reviewers", "add", *args, exit_code=2)
        assert result.stderr.startswith(message)
        assert len(result.stderr.splitlines()) == 1
    assert len(json.loads(run_cli("reviewers", "list", "--json").stdout)) == 2


def test_verdict_note_reject_and_history(
    run_cli: CliInvoker, database: Database, data: Seed
) -> None:
    claim = str(data.claim_id)
    result = run_cli("verdict", claim, "in_review", "--reviewer", "ana")
    assert result.stdout.strip() == f"claim {claim}: unverified -> in_review; now at version 2"
    run_cli("note", claim, "GUS table 4 has the figure", "--reviewer", "ana")
    result = run_cli(
        "verdict", claim, "accurate", "--reviewer", "root", "--note", "69%", "--expect-version", "3"
    )
    assert "in_review -> accurate (Accurate, 5/5); now at version 4" in result.stdout
    rejected = run_cli("claims", "reject", str(data.bare_claim_id), "--reviewer", "ana")
    assert "unverified -> rejected" in rejected.stdout
    assert _status(database, data.claim_id) == (ClaimStatus.ACCURATE, 4)
    assert _status(database, data.bare_claim_id) == (ClaimStatus.REJECTED, 2)

    history = json.loads(run_cli("claims", "history", claim, "--json").stdout)
    assert history["claim"]["status"] == "accurate"
    assert history["claim"]["rating"] == {"value": 5, "name": "Accurate"}
    assert [s["state"] for s in history["claim"]["sources"]] == ["alive", "dead"]
    assert [
        (e["version"], e["actor"], e["action"], e["old_status"], e["new_status"], e["note"])
        for e in history["events"]
    ] == [
        (2, "ana", "status", "unverified", "in_review", None),
        (3, "ana", "note", "in_review", "in_review", "GUS table 4 has the figure"),
        (4, "root", "status", "in_review", "accurate", "69%"),
    ]
    text = run_cli("claims", "history", claim).stdout
    assert "status: accurate (Accurate, 5/5); version 4; needs re-review: no" in text
    assert f"source: {data.dead_url} [dead]; evidence 'most Poles oppose'" in text
    assert "4\t" in text
    assert "root\tstatus\tin_review -> accurate (Accurate, 5/5)\t69%" in text


def test_claims_edit(run_cli: CliInvoker, database: Database, data: Seed) -> None:
    result = run_cli(
        "claims",
        "edit",
        str(data.claim_id),
        "--text",
        "68.7% oppose",
        "--remove-source",
        data.dead_url,
        "--reviewer",
        "ana",
    )
    assert "text: '69% of Poles oppose the plan' -> '68.7% oppose'" in result.stdout
    assert f"sources: -{data.dead_url}" in result.stdout
    history = json.loads(run_cli("claims", "history", str(data.claim_id), "--json").stdout)
    assert history["claim"]["text"] == "68.7% oppose"
    assert [s["url"] for s in history["claim"]["sources"]] == [data.alive_url]
    assert history["events"][-1]["changes"]["sources"] == {
        "before": [data.alive_url, data.dead_url],
        "after": [data.alive_url],
    }


def test_stale_expect_version_is_a_conflict(
    run_cli: CliInvoker, database: Database, data: Seed
) -> None:
    run_cli("verdict", str(data.claim_id), "in_review", "--reviewer", "root")
    before = snapshot(database)
    result = run_cli(
        "verdict",
        str(data.claim_id),
        "false",
        "--reviewer",
        "ana",
        "--note",
        "39%",
        "--expect-version",
        "1",
        exit_code=1,
    )
    assert result.stderr.startswith(
        f"error: claim {data.claim_id} was changed since version 1 by root (last: status "
        "in_review at "
    )
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(database) == before


BAD_INPUTS = [
    (["verdict", "999", "in_review", "--reviewer", "ana"], "claim 999 not found"),
    (["verdict", "{c}", "in_review", "--reviewer", "nobody"], "reviewer nobody not found"),
    (["verdict", "{c}", "maybe", "--reviewer", "ana"], "invalid status 'maybe'"),
    (["verdict", "{c}", "accurate", "--reviewer", "ana"], "needs a note"),
    (["verdict", "{c}", "false", "--reviewer", "ana", "--note", " "], "the note is empty"),
    (["verdict", "{c}", "unverified", "--reviewer", "ana"], "already unverified"),
    (["verdict", "{c}", "accurate", "--reviewer", "vic", "--note", "x"], "vic has role viewer"),
    (["note", "{c}", "", "--reviewer", "ana"], "the note is empty"),
    (["note", "{c}", "hm", "--reviewer", "vic"], "vic has role viewer"),
    (["note", "999", "hm", "--reviewer", "ana"], "claim 999 not found"),
    (["claims", "edit", "{c}", "--reviewer", "ana"], "nothing to edit"),
    (["claims", "edit", "{c}", "--text", "", "--reviewer", "ana"], "text cannot be empty"),
    (["claims", "edit", "{c}", "--add-source", "ftp://x", "--reviewer", "ana"], "URL"),
    (["claims", "edit", "{c}", "--text", "x", "--reviewer", "vic"], "vic has role viewer"),
    (["claims", "reject", "999", "--reviewer", "ana"], "claim 999 not found"),
    (["claims", "reject", "{c}", "--reviewer", "vic"], "vic has role viewer"),
    (["claims", "history", "999"], "claim 999 not found"),
    (["review", "--reviewer", "vic"], "vic has role viewer"),
    (["review", "--reviewer", "nobody"], "reviewer nobody not found"),
    (["review", "--article", "999", "--reviewer", "ana"], "article 999 not found"),
]


def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    run_cli: CliInvoker, database: Database, data: Seed
) -> None:
    """One database for the whole table: a refusal that wrote anything would show up."""
    before = snapshot(database)
    for argv, message in BAD_INPUTS:
        args = [arg.replace("{c}", str(data.claim_id)) for arg in argv]
        result = run_cli(*args, exit_code=2)
        assert result.stderr.startswith("error: "), args
        assert message in result.stderr, args
        assert len(result.stderr.splitlines()) == 1, args
        assert snapshot(database) == before, args


def test_usage_errors_exit_2_and_change_nothing(
    run_cli: CliInvoker, database: Database, data: Seed
) -> None:
    before = snapshot(database)
    for argv in [
        ["verdict", "abc", "accurate", "--reviewer", "ana"],
        ["verdict", str(data.claim_id), "accurate"],
        ["verdict", str(data.claim_id), "in_review", "--reviewer", "ana", "--expect-version", "0"],
    ]:
        run_cli(*argv, exit_code=2)
    assert snapshot(database) == before


def test_review_queue_records_verdicts_through_prompts(
    run_cli: CliInvoker, database: Database, data: Seed
) -> None:
    answers = [
        "maybe",  # not a choice: asked again
        "accurate",
        "",  # a verdict needs a note: asked again
        "   ",  # blank: asked again, with the reason
        "GUS table 4: 69%",
        "skip",
    ]
    result = run_cli(
        "review",
        "--article",
        str(data.article_id),
        "--reviewer",
        "ana",
        input="\n".join(answers) + "\n",
    )
    out = result.stdout
    assert "2 unverified claim(s) in article" in out
    assert "69% of Poles oppose the plan" in out
    # The sources table: link state, last outcome, evidence and what the checker found of it.
    for cell in ("alive", "ok (200)", "dead", "not_found (404)", "69 per cent"):
        assert cell in out, cell
    assert re.search(r"│ 69 per cent\s+│ found\s+│", out), out
    assert re.search(r"│ most Poles\s+│ missing\s+│", out), out
    assert "No sources recorded for this claim." in out  # the bare claim
    assert "the note is empty" in result.stderr or "the note is empty" in out
    assert f"claim {data.claim_id}: accurate (Accurate, 5/5) recorded (version 2)" in out
    assert "Done: 1 recorded, 1 skipped, 0 changed by someone else meanwhile." in out
    assert _status(database, data.claim_id) == (ClaimStatus.ACCURATE, 2)
    assert _notes(database, data.claim_id) == [("ana", "GUS table 4: 69%")]
    assert _status(database, data.bare_claim_id) == (ClaimStatus.UNVERIFIED, 1)
    assert _status(database, data.other_claim_id) == (ClaimStatus.UNVERIFIED, 1)


def test_review_queue_optional_notes_and_quit(
    run_cli: CliInvoker, database: Database, data: Seed
) -> None:
    result = run_cli(
        "review", "--reviewer", "root", input="unverifiable\n\nrejected\nnot a claim\nquit\n"
    )
    assert "3 unverified claim(s)." in result.stdout
    assert "Done: 2 recorded, 0 skipped" in result.stdout
    assert _notes(database, data.claim_id) == [("root", None)]
    assert _notes(database, data.bare_claim_id) == [("root", "not a claim")]
    assert _status(database, data.other_claim_id) == (ClaimStatus.UNVERIFIED, 1)
    empty = run_cli("review", "--article", str(data.article_id), "--reviewer", "ana")
    assert empty.stdout.strip() == f"No unverified claims in article {data.article_id}."


def test_review_queue_refuses_a_verdict_on_a_claim_changed_meanwhile(
    run_cli: CliInvoker, database: Database, data: Seed, monkeypatch: pytest.MonkeyPatch
) -> None:
    def load_then_someone_notes(db: Database, actor: Actor, claim_id: int) -> ClaimView:
        view = load_claim(db, actor, claim_id)
        add_note(database, Actor.reviewer("root"), claim_id, "I am on this one")
        return view

    monkeypatch.setattr(review_queue, "load_claim", load_then_someone_notes)
    result = run_cli(
        "review", "--article", str(data.article_id), "--reviewer", "ana", input="false\n39%\nquit\n"
    )
    assert f"not recorded: claim {data.claim_id} was changed since version 1 by root" in (
        result.stderr
    )
    assert "Done: 0 recorded, 0 skipped, 1 changed by someone else meanwhile." in result.stdout
    assert _notes(database, data.claim_id) == [("root", "I am on this one")]


def test_review_queue_shows_article_text_literally(run_cli: CliInvoker, database: Database) -> None:
    with database.transaction() as session:
        from tests.support.review_factories import make_reviewer

        make_reviewer(session, "ana")
        article = make_article(session, title="[red]Breaking[/red]")
        make_claim(session, article, "[bold]All[/bold] voters \x1b[31mlied\x1b[0m")
    result = run_cli("review", "--reviewer", "ana", input="quit\n")
    assert "[bold]All[/bold] voters ?[31mlied?[0m" in result.stdout
    assert "[red]Breaking[/red]" in result.stdout
    assert "\x1b" not in result.stdout
