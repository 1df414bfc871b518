"""ingest, articles, citations and claims list/show/add through the CLI, on both backends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import CliInvoker
from tests.support.server import LocalServer, Reply
from tracker.db import Database
from tracker.models import Reviewer

FIXTURES = Path(__file__).parent / "fixtures"
GR_URL = "https://www.globalresearch.ca/10-obstacles/5872069"
STORY = """Budget Story

The council approved a budget of $4.2 billion, an increase of 12% over last year, according to
<u>the budget document</u>.
"""


pytestmark = pytest.mark.usefixtures("acting_as_ana")


def ingest_json(run_cli: CliInvoker, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run_cli("ingest", *args, "--json").stdout)
    return data


def test_ingest_prints_summary_and_json(run_cli: CliInvoker) -> None:
    out = run_cli("ingest", str(FIXTURES / "globalresearch.html"), "--url", GR_URL).stdout
    assert "Ingested article 1: 10 Obstacles" in out
    assert "citations: 4 (0 without URL)" in out
    data = ingest_json(run_cli, str(FIXTURES / "globalresearch.html"), "--url", GR_URL)
    assert data["article"]["id"] == 1
    assert data["created"] is False
    assert data["article"]["citation_count"] == len(data["citations"]) == 4
    assert isinstance(data["claims"], list)
    assert data["article"]["claim_count"] == len(data["claims"]) > 0


def test_articles_list_and_show(run_cli: CliInvoker) -> None:
    run_cli("ingest", str(FIXTURES / "substack.html"), "--url", "https://korybko.substack.com/p/x")
    rows = json.loads(run_cli("articles", "list", "--json").stdout)
    assert [(r["id"], r["source"], r["citation_count"]) for r in rows] == [(1, "substack.com", 2)]
    shown = json.loads(run_cli("articles", "show", "1", "--json").stdout)
    assert shown["article"]["authors"] == ["Andrew Korybko"]
    assert "roughly 18%" in shown["text"]
    assert run_cli("articles", "show", "1").stdout.count("wsj.com") == 1
    result = run_cli("articles", "show", "99", exit_code=2)
    assert "error: article 99 not found" in result.stderr


def test_citations_list_and_resolve(run_cli: CliInvoker, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    run_cli("ingest", str(story))
    rows = json.loads(run_cli("citations", "list", "--unresolved", "--json").stdout)
    assert [(r["anchor_text"], r["url"]) for r in rows] == [("the budget document", None)]
    citation_id = str(rows[0]["id"])
    out = run_cli("citations", "resolve", citation_id, "https://City.example.org/budget?utm_id=1")
    assert "-> https://city.example.org/budget" in out.stdout
    assert json.loads(run_cli("citations", "list", "--unresolved", "--json").stdout) == []
    claim = json.loads(run_cli("claims", "list", "--json").stdout)[0]
    shown = json.loads(run_cli("claims", "show", str(claim["id"]), "--json").stdout)
    assert shown["claim"]["sources"][0]["url"] == "https://city.example.org/budget"
    assert shown["claim"]["sources"][0]["state"] == "unchecked"
    assert [(e["action"], e["actor"]) for e in shown["events"]] == [
        ("created", "system:extractor"),
        ("source_added", "ana"),
    ]
    run_cli("citations", "resolve", citation_id, "javascript:alert(1)", exit_code=2)
    run_cli("citations", "resolve", "999", "https://example.org/", exit_code=2)
    # Re-ingesting the same text keeps the resolved URL.
    run_cli("ingest", str(story))
    assert json.loads(run_cli("citations", "list", "--unresolved", "--json").stdout) == []


def test_claims_list_filters_and_show(run_cli: CliInvoker) -> None:
    run_cli("ingest", str(FIXTURES / "globalresearch.html"), "--url", GR_URL)
    claims = json.loads(run_cli("claims", "list", "--article", "1", "--json").stdout)
    poll = next(c for c in claims if "69% of Poles" in c["text"])
    assert poll["status"] == "unverified"
    assert poll["kind"] == "statistic"
    assert json.loads(run_cli("claims", "list", "--status", "accurate", "--json").stdout) == []
    assert json.loads(run_cli("claims", "list", "--needs-rereview", "--json").stdout) == []
    run_cli("claims", "list", "--status", "bogus", exit_code=2)
    run_cli("claims", "list", "--article", "42", exit_code=2)
    shown = json.loads(run_cli("claims", "show", str(poll["id"]), "--json").stdout)
    assert shown["claim"]["sources"][0]["evidence"] == "69% · Poles"
    assert shown["claim"]["sources"][0]["evidence_state"] is None  # not checked yet
    assert shown["events"][0]["actor"] == "system:extractor"
    assert json.loads(run_cli("claims", "history", str(poll["id"]), "--json").stdout) == shown
    text = run_cli("claims", "show", str(poll["id"])).stdout
    assert "69%" in text
    assert "system:extractor" in text
    run_cli("claims", "show", "999", exit_code=2)


def test_claims_add(run_cli: CliInvoker, database: Database) -> None:
    run_cli("ingest", str(FIXTURES / "globalresearch.html"), "--url", GR_URL)
    out = run_cli(
        "claims", "add", "1", "Poland spends 4% of GDP on defense.",
        "--source", "https://notesfrompoland.com/2024/07/10/poll-troops/",
        "--source", "https://nato.example.int/spending",
        "--evidence", "4%", "--reviewer", "ana",
    ).stdout  # fmt: skip
    assert "Added claim" in out
    claim_id = out.split()[2]
    shown = json.loads(run_cli("claims", "show", claim_id, "--json").stdout)
    claim = shown["claim"]
    assert claim["created_by"] == "ana"
    assert claim["figures"][0]["text"] == "4%"
    assert [s["evidence"] for s in claim["sources"]] == ["4%", "4%"]
    assert claim["sources"][0]["citation_id"] is not None  # the article cites that URL
    assert claim["sources"][1]["citation_id"] is None
    assert shown["events"][0]["actor"] == "ana"
    with database.reading() as session:
        assert session.scalars(select(Reviewer.name)).all() == ["ana"]


def test_claims_add_rejects_bad_input_and_writes_nothing(run_cli: CliInvoker) -> None:
    run_cli("ingest", str(FIXTURES / "globalresearch.html"), "--url", GR_URL)
    before = json.loads(run_cli("claims", "list", "--json").stdout)
    cases = [
        ("1", "   "),
        ("1", "A claim.", "--source", "mailto:x@example.org"),
        ("1", "A claim.", "--evidence", "4%"),
        ("1", "A claim.", "--reviewer", "nobody"),
        ("77", "A claim."),
    ]
    for args in cases:
        result = run_cli("claims", "add", *args, exit_code=2)
        assert result.stderr.startswith("error: ")
        assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(run_cli("claims", "list", "--json").stdout) == before


def test_ingest_bad_input_exit_codes(run_cli: CliInvoker, tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = run_cli("ingest", str(empty), exit_code=2)
    assert result.stderr == f"error: {empty} is empty\n"
    run_cli("ingest", str(tmp_path / "missing.txt"), exit_code=2)
    run_cli("ingest", str(empty), "--format", "pdf", exit_code=2)
    assert json.loads(run_cli("articles", "list", "--json").stdout) == []


def test_ingest_url_failures_exit_codes(run_cli: CliInvoker, http_server: LocalServer) -> None:
    result = run_cli("ingest", http_server.url("/missing"), exit_code=1)
    assert (
        result.stderr
        == f"error: {http_server.url('/missing')} answered HTTP 404: no article to ingest\n"
    )
    image = http_server.route("/photo.jpg", Reply(body=b"\xff\xd8\xff", content_type="image/jpeg"))
    result = run_cli("ingest", image, exit_code=2)
    assert "is not an article (content type image/jpeg)" in result.stderr
    assert json.loads(run_cli("articles", "list", "--json").stdout) == []
