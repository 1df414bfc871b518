"""The ``check`` and ``links`` commands on both backends."""

from __future__ import annotations

import json

from tests.conftest import CliInvoker
from tests.support.linkdata import (
    add_claim,
    add_links,
    fresh_probes,  # noqa: F401 - autouse fixture
)
from tests.support.server import LocalServer, Reply, html
from tracker.db import Database
from tracker.enums import Role
from tracker.models import Reviewer

PAGE = html("Report", "<article><p>Inflation reached 7.5 percent in 2022.</p></article>")


def test_check_all_json_and_exit_code(
    database: Database, run_cli: CliInvoker, http_server: LocalServer
) -> None:
    ok = http_server.route("/ok", PAGE)
    gone = http_server.route("/gone", Reply(404))
    add_links(database, ok, gone)
    result = run_cli("check", "--all", "--json", exit_code=3)
    report = json.loads(result.stdout)
    assert report["checked"] == 2
    assert report["broken"] == 1
    assert report["outcomes"] == {"not_found": 1, "ok": 1}
    assert report["states"] == {"alive": 1, "at_risk": 1}


def test_check_one_link_table_and_success_exit(
    database: Database, run_cli: CliInvoker, http_server: LocalServer
) -> None:
    ok = http_server.route("/ok", PAGE)
    add_links(database, ok, http_server.route("/other", PAGE))
    result = run_cli("check", "--link", ok)
    assert "Checked 1 link in" in result.stdout
    assert "ok\t1" in result.stdout
    assert http_server.hits["/other"] == 0


def test_check_article_and_due(
    database: Database, run_cli: CliInvoker, http_server: LocalServer
) -> None:
    url = http_server.route("/cited", PAGE)
    add_claim(database, url, "7.5%")
    result = run_cli("check", "--article", "1", "--json")
    assert json.loads(result.stdout)["checked"] == 1
    # Just checked, so nothing is due now.
    assert json.loads(run_cli("check", "--due", "--json").stdout)["checked"] == 0


def test_check_needs_exactly_one_selection(run_cli: CliInvoker) -> None:
    result = run_cli("check", exit_code=2)
    assert "choose exactly one" in result.stderr
    run_cli("check", "--all", "--due", exit_code=2)
    assert "article 99 not found" in run_cli("check", "--article", "99", exit_code=2).stderr


def test_links_list_and_show(
    database: Database, run_cli: CliInvoker, http_server: LocalServer
) -> None:
    url = http_server.route("/cited", PAGE)
    gone = http_server.route("/gone", Reply(410))
    claim_id, link_id = add_claim(database, url, "7,5 %")
    add_links(database, gone)
    run_cli("check", "--all", exit_code=3)
    listed = json.loads(run_cli("links", "list", "--json").stdout)
    assert [row["state"] for row in listed] == ["alive", "at_risk"]
    assert [len(row["evidence"]) for row in listed] == [1, 0]
    expected_keys = {
        "id",
        "url",
        "state",
        "last_outcome",
        "http_status",
        "final_url",
        "last_checked_at",
        "next_check_at",
        "consecutive_failures",
        "archive_url",
        "content_changed",
        "evidence",
    }
    assert expected_keys <= set(listed[0])
    dead_only = json.loads(run_cli("links", "list", "--outcome", "not_found", "--json").stdout)
    assert [row["url"] for row in dead_only] == [gone]
    assert json.loads(run_cli("links", "list", "--domain", "example.org", "--json").stdout) == []
    run_cli("links", "list", "--state", "bogus", exit_code=2)

    shown = json.loads(run_cli("links", "show", str(link_id), "--json").stdout)
    assert expected_keys <= set(shown["link"])
    assert {"checks", "override", "failing_since"} <= set(shown)
    # "7,5 %" is not "7.5 percent": different decimal notation is not normalized away.
    assert shown["link"]["evidence"] == [
        {
            "claim_id": claim_id,
            "expected": "7,5 %",
            "found": False,
            "state": "missing",
            "passage": None,
            "checked_at": shown["link"]["evidence"][0]["checked_at"],
        }
    ]
    assert [c["outcome"] for c in shown["checks"]] == ["ok"]
    text = run_cli("links", "show", url).stdout
    assert "state: alive" in text
    run_cli("links", "show", "http://127.0.0.1:1/none", exit_code=2)


def test_override_clear_and_ignore_domain(
    database: Database, run_cli: CliInvoker, http_server: LocalServer
) -> None:
    gone = http_server.route("/gone", Reply(403))
    add_links(database, gone)
    with database.transaction() as session:
        session.add(Reviewer(name="ana", role=Role.REVIEWER))
        session.add(Reviewer(name="vic", role=Role.VIEWER))
    run_cli("check", "--all")
    run_cli(
        "links",
        "override",
        gone,
        "--state",
        "dead",
        "--reviewer",
        "vic",
        "--note",
        "x",
        exit_code=2,
    )
    run_cli(
        "links",
        "override",
        gone,
        "--state",
        "dead",
        "--reviewer",
        "ana",
        "--note",
        " ",
        exit_code=2,
    )
    out = run_cli(
        "links", "override", gone, "--state", "alive", "--reviewer", "ana", "--note", "bot wall"
    )
    assert "pinned alive" in out.stdout
    shown = json.loads(run_cli("links", "show", gone, "--json").stdout)
    assert (shown["link"]["state"], shown["link"]["checker_state"]) == ("alive", "at_risk")
    assert shown["link"]["overridden"] is True
    assert shown["override"]["note"] == "bot wall"
    assert "alive (override; checker: at_risk)" in run_cli("links", "list").stdout
    out = run_cli("links", "clear-override", gone, "--reviewer", "ana")
    assert "now at_risk" in out.stdout
    run_cli("links", "clear-override", gone, "--reviewer", "ana", exit_code=2)
    ignore = ("links", "ignore-domain")
    # Stopping a whole domain's links from ever being marked dead needs a reviewer.
    assert "this command records who acted" in run_cli(*ignore, "127.0.0.1", exit_code=2).stderr
    assert "vic has role viewer" in run_cli(*ignore, gone, "--reviewer", "vic", exit_code=2).stderr
    ignored = run_cli(*ignore, gone, "--note", "wall", "--reviewer", "ana").stdout
    assert "Failures on 127.0.0.1 are ignored" in ignored  # a URL names its domain, as in sources
    assert "counted again" in run_cli(*ignore, "127.0.0.1", "--undo", "--reviewer", "ana").stdout
    run_cli(*ignore, "nowhere.example", "--reviewer", "ana", exit_code=2)
