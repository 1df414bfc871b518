"""Our own captures: WARC records written while checking, deduplicated, read back, exported."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.captures import payload_records, warc_records
from tests.support.linkdata import (
    FakeClock,
    add_claim,
    add_links,
    fresh_probes,  # noqa: F401 - autouse fixture
)
from tests.support.server import LocalServer, Reply, html
from tracker.actors import CHECKER
from tracker.captures.export import validate_wacz
from tracker.captures.warcs import Original, Pending, WarcStore, capture_dir, payload_digest
from tracker.db import Database
from tracker.http import Exchange
from tracker.linkcheck.services import check_links
from tracker.models import Capture, ClaimSource
from tracker.settings import Settings

STORY = (
    "<article><h1>Unemployment report</h1><p>Unemployment fell to 4.2 % in March, "
    "with 1,250,000 people out of work according to the statistics office.</p>"
    + "<p>Analysts had expected a smaller fall after a difficult winter season.</p>" * 5
    + "</article>"
)
OTHER = (
    "<article><h1>Weather report</h1><p>Heavy rain is expected across the north on Sunday, "
    "the national weather service said.</p>"
    + "<p>Farmers welcomed the rain after a long dry summer in the valleys.</p>" * 5
    + "</article>"
)


class Switch:
    def __init__(self, reply: Reply) -> None:
        self.reply = reply

    def __call__(self, request: object) -> Reply:
        return self.reply


def captures_of(database: Database, link_id: int) -> list[Capture]:
    with database.reading() as session:
        found = list(
            session.scalars(select(Capture).where(Capture.link_id == link_id).order_by(Capture.id))
        )
        session.expunge_all()
        return found


def test_a_live_page_is_captured_as_received(
    database: Database, http_server: LocalServer, settings: Settings
) -> None:
    body = html("Story", STORY).body
    url = http_server.route("/story", Reply(body=body, headers={"X-Served-By": "test"}))
    [link_id] = add_links(database, url)
    check_links(database, CHECKER, settings, [link_id])

    [capture] = captures_of(database, link_id)
    assert capture.http_status == 200
    assert capture.revisit_of is None
    assert capture.check_id is not None
    assert capture.payload_digest == payload_digest(str(body).encode())
    records = warc_records(capture_dir(settings))
    assert [record.type for record in records] == ["warcinfo", "response", "request"]
    response, request = records[1], records[2]
    assert response.uri == url
    assert response.record_id == capture.record_id
    assert response.payload == str(body).encode()
    assert ("X-Served-By", "test") in response.http_headers
    assert response.headers["WARC-Payload-Digest"] == capture.payload_digest
    assert request.headers["WARC-Concurrent-To"] == capture.record_id
    assert any(name.lower() == "user-agent" for name, _ in request.http_headers)


def test_a_gzipped_answer_is_stored_as_received_and_reads_back_decoded(
    database: Database, http_server: LocalServer, settings: Settings
) -> None:
    page = html("Story", STORY).body
    coded = gzip.compress(str(page).encode())
    url = http_server.route("/gz", Reply(body=coded, headers={"Content-Encoding": "gzip"}))
    [link_id] = add_links(database, url)
    check_links(database, CHECKER, settings, [link_id])

    [capture] = captures_of(database, link_id)
    assert capture.payload_length == len(coded)  # the bytes on the wire, not the page
    [response] = payload_records(capture_dir(settings))
    assert response.payload == str(page).encode()  # warcio undoes the content coding


def test_an_unchanged_page_checked_ten_times_stores_one_payload(
    database: Database, http_server: LocalServer, settings: Settings
) -> None:
    url = http_server.route("/same", html("Story", STORY))
    [link_id] = add_links(database, url)
    clock = FakeClock()
    for _ in range(10):
        check_links(database, CHECKER, settings, [link_id], clock=clock)
        clock.advance(24)
    assert http_server.hits["/same"] == 10
    assert len(captures_of(database, link_id)) == 1
    assert len(payload_records(capture_dir(settings))) == 1


def test_a_changed_page_is_captured_again(
    database: Database, http_server: LocalServer, settings: Settings
) -> None:
    page = Switch(html("Story", STORY))
    url = http_server.route("/changing", page)
    [link_id] = add_links(database, url)
    clock = FakeClock()
    check_links(database, CHECKER, settings, [link_id], clock=clock)
    page.reply = html("Story", OTHER)
    clock.advance(24)
    check_links(database, CHECKER, settings, [link_id], clock=clock)
    clock.advance(24)
    check_links(database, CHECKER, settings, [link_id], clock=clock)

    first, second = captures_of(database, link_id)
    assert first.payload_digest != second.payload_digest
    assert len(payload_records(capture_dir(settings))) == 2


def test_identical_payloads_are_stored_once_as_revisits(
    database: Database, http_server: LocalServer, settings: Settings
) -> None:
    urls = [http_server.route(f"/copy/{n}", html("Story", STORY)) for n in range(3)]
    ids = add_links(database, *urls)
    check_links(database, CHECKER, settings, ids[:2])  # two in one write batch
    check_links(database, CHECKER, settings, ids[2:])  # one later, found in the table

    captures = [capture for link_id in ids for capture in captures_of(database, link_id)]
    full = [capture for capture in captures if capture.revisit_of is None]
    assert len(captures) == 3
    assert len(full) == 1
    assert {c.revisit_of for c in captures if c.revisit_of} == {full[0].record_id}
    records = warc_records(capture_dir(settings))
    assert len([r for r in records if r.type == "response"]) == 1
    revisits = [r for r in records if r.type == "revisit"]
    assert len(revisits) == 2
    assert all(r.headers["WARC-Refers-To"] == full[0].record_id for r in revisits)
    assert all(r.headers["WARC-Payload-Digest"] == full[0].payload_digest for r in revisits)


@pytest.mark.parametrize(
    ("overrides", "reply"),
    [
        ({"capture": False}, html("Story", STORY)),
        ({"capture_content_types": "application/pdf"}, html("Story", STORY)),
        ({"capture_max_bytes": 100}, html("Story", STORY)),
        ({}, Reply(body='{"a": 1}', content_type="application/json")),
    ],
    ids=["off", "type-not-listed", "too-large", "json-by-default"],
)
def test_caps_leave_answers_uncaptured(
    database: Database,
    http_server: LocalServer,
    settings: Settings,
    overrides: dict[str, object],
    reply: Reply,
) -> None:
    url = http_server.route("/page", reply)
    [link_id] = add_links(database, url)
    check_links(database, CHECKER, settings.with_overrides(**overrides), [link_id])
    assert captures_of(database, link_id) == []


def test_a_domain_opted_out_is_not_captured(
    database: Database, http_server: LocalServer, settings: Settings
) -> None:
    url = http_server.route("/page", html("Story", STORY))
    [link_id] = add_links(database, url)
    check_links(database, CHECKER, settings.with_overrides(capture_skip_domains="0.0.1"), [link_id])
    assert captures_of(database, link_id) == []  # 127.0.0.1 ends in .0.0.1
    check_links(
        database, CHECKER, settings.with_overrides(capture_skip_domains="example.org"), [link_id]
    )
    assert len(captures_of(database, link_id)) == 1


def test_failures_and_soft_404s_are_not_captured(
    database: Database, http_server: LocalServer, settings: Settings
) -> None:
    gone = http_server.route("/gone", Reply(404, "gone"))
    soft = http_server.route("/soft", html("Page not found", "<p>Sorry, nothing here.</p>"))
    ids = add_links(database, gone, soft)
    check_links(database, CHECKER, settings, ids)
    assert all(captures_of(database, link_id) == [] for link_id in ids)


def test_the_found_passage_is_kept_with_its_capture_after_the_page_changes(
    database: Database, http_server: LocalServer, settings: Settings
) -> None:
    page = Switch(html("Story", STORY))
    url = http_server.route("/evidence", page)
    _, link_id = add_claim(database, url, "4.2 %")
    clock = FakeClock()
    check_links(database, CHECKER, settings, [link_id], clock=clock)
    [capture] = captures_of(database, link_id)
    with database.reading() as session:
        source = session.scalars(select(ClaimSource).where(ClaimSource.link_id == link_id)).one()
        assert source.evidence_state == "found"
        assert source.found_passage is not None
        assert "4.2 %" in source.found_passage
        assert source.found_capture_id == capture.id
        kept = source.found_passage
        session.expunge_all()

    page.reply = html("Story", OTHER)
    clock.advance(24)
    check_links(database, CHECKER, settings, [link_id], clock=clock)
    with database.reading() as session:
        source = session.scalars(select(ClaimSource).where(ClaimSource.link_id == link_id)).one()
        assert source.evidence_state == "missing"
        assert source.found_passage == kept
        assert source.found_capture_id == capture.id


def test_warc_files_roll_at_their_size_cap(tmp_path: Path) -> None:
    store = WarcStore(tmp_path, file_bytes=1)
    exchange = Exchange(
        "GET",
        "http://example.org/a",
        (("Host", "example.org"),),
        (1, 1),
        200,
        "OK",
        ((b"Content-Type", b"text/plain"),),
        b"hello",
    )
    when = datetime(2026, 12, 1, tzinfo=UTC)
    first = store.write([Pending(exchange, when, payload_digest(b"hello"), None)])
    second = store.write(
        [
            Pending(
                exchange,
                when,
                payload_digest(b"hello"),
                Original(first[0].record_id, exchange.url, when),
            )
        ]
    )
    assert first[0].warc_file != second[0].warc_file
    assert len(list(tmp_path.glob("*.warc.gz"))) == 2
    # each file starts with its warcinfo record
    assert [r.type for r in warc_records(tmp_path / second[0].warc_file)] == [
        "warcinfo",
        "revisit",
        "request",
    ]


@pytest.mark.usefixtures("acting_as_ana")
def test_captures_cli_lists_shows_and_exports(
    database: Database,
    http_server: LocalServer,
    settings: Settings,
    run_cli: object,
    tmp_path: Path,
) -> None:
    urls = [http_server.route(f"/p/{n}", html("Story", STORY)) for n in range(2)]
    urls.append(http_server.route("/other", html("Weather", OTHER)))
    ids = add_links(database, *urls)
    check_links(database, CHECKER, settings, ids)

    listed = json.loads(run_cli("captures", "list", "--json").output)  # type: ignore[operator]
    assert sorted(item["link_url"] for item in listed) == sorted(urls)
    [revisit] = [item for item in listed if item["revisit"]]
    one = json.loads(run_cli("captures", "list", "--link", urls[2], "--json").output)  # type: ignore[operator]
    assert [item["link_id"] for item in one] == [ids[2]]

    shown = run_cli("captures", "show", str(revisit["id"])).output  # type: ignore[operator]
    assert "revisit" in shown
    assert "Unemployment fell to 4.2 %" in shown  # the payload, from the original record

    warc = tmp_path / "out.warc.gz"
    said = run_cli("captures", "export", "--link", revisit["link_url"], "-o", str(warc)).output  # type: ignore[operator]
    assert "1 capture" in said
    records = warc_records(warc)
    # the revisit brings the record holding its payload along
    assert [r.type for r in records] == ["warcinfo", "response", "request", "revisit", "request"]
    assert b"Unemployment fell" in records[1].payload

    wacz = tmp_path / "all.wacz"
    run_cli("captures", "export", "--all", "-o", str(wacz))  # type: ignore[operator]
    assert validate_wacz(wacz)
    import zipfile

    with zipfile.ZipFile(wacz) as package:
        names = package.namelist()
    assert "datapackage.json" in names
    assert any(name.startswith("archive/") for name in names)


@pytest.mark.usefixtures("acting_as_ana")
def test_captures_cli_errors_are_one_line(run_cli: object, tmp_path: Path) -> None:
    said = run_cli("captures", "show", "999", exit_code=2)  # type: ignore[operator]
    assert said.output.count("\n") <= 1
    said = run_cli("captures", "export", "-o", str(tmp_path / "x.warc.gz"), exit_code=2)  # type: ignore[operator]
    assert "choose one of" in said.output
    said = run_cli("captures", "export", "--all", "-o", str(tmp_path / "x.wacz"), exit_code=2)  # type: ignore[operator]
    assert not (tmp_path / "x.wacz").exists()


@pytest.mark.usefixtures("acting_as_ana")
def test_an_export_to_an_unwritable_place_is_one_line(
    database: Database,
    http_server: LocalServer,
    settings: Settings,
    run_cli: object,
    tmp_path: Path,
) -> None:
    [link_id] = add_links(database, http_server.route("/p", html("Story", STORY)))
    check_links(database, CHECKER, settings, [link_id])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    said = run_cli("captures", "export", "--all", "-o", str(blocker / "x.warc.gz"), exit_code=2)  # type: ignore[operator]
    assert said.stderr.startswith("error: cannot write")
    assert len(said.stderr.strip().splitlines()) == 1


def test_reports_carry_our_capture_the_archive_copy_and_the_kept_passage(
    database: Database, http_server: LocalServer, settings: Settings
) -> None:
    import csv
    import io

    import jsonschema

    from reports.json_report import ARTICLE_SCHEMA, load_schema
    from reports.render import article_report

    url = http_server.route("/evidence", html("Story", STORY))
    claim_id, link_id = add_claim(database, url, "4.2 %")
    check_links(database, CHECKER, settings, [link_id])
    with database.transaction() as session:  # an archive copy, as a look-up would record it
        from tracker.models import Link

        stored = session.get(Link, link_id)
        assert stored is not None
        stored.archive_url = "http://archive.example/web/20240101000000/" + url
        stored.archive_timestamp = datetime(2024, 1, 1, tzinfo=UTC)
        stored.archive_name = "local-memento"
    [capture] = captures_of(database, link_id)
    record_uri = capture.record_id.strip("<>")  # reports show the URI without its brackets
    publish = settings.with_overrides(
        organization_name="Desk", organization_url="https://desk.example/"
    )
    with database.reading() as session:
        from tracker.models import Claim

        article_id = session.get(Claim, claim_id).article_id  # type: ignore[union-attr]
        page = article_report(session, article_id, "html", publish)
        data = json.loads(article_report(session, article_id, "json", publish))
        table = list(
            csv.DictReader(io.StringIO(article_report(session, article_id, "csv", publish)))
        )
        text = article_report(session, article_id, "md", publish)
        reviews = json.loads(article_report(session, article_id, "claimreview", publish))

    assert f'data-capture-id="{capture.id}"' in page
    assert f'data-capture-record="{record_uri}"' in page
    assert 'data-versionurl="http://archive.example/web/20240101000000/' in page
    assert 'id="captures"' in page
    assert "Unemployment fell to 4.2 % in March" in page  # the passage, quoted

    jsonschema.validate(data, load_schema(ARTICLE_SCHEMA))
    [link_data] = data["links"]
    assert link_data["archive_name"] == "local-memento"
    assert [c["record_id"] for c in link_data["captures"]] == [record_uri]
    [source] = data["claims"][0]["sources"]
    assert source["found_capture_id"] == capture.id
    assert "4.2 %" in source["found_passage"]

    assert table[0]["capture_record_id"] == record_uri
    assert table[0]["archive_name"] == "local-memento"
    assert "4.2 %" in table[0]["found_passage"]

    assert f"our capture {capture.id}" in text
    assert "the source said" in text

    [cited] = reviews[0]["citation"]
    assert cited["url"] == url
    assert cited["archivedAt"]["url"].startswith("http://archive.example/")
    assert cited["identifier"]["value"] == record_uri


@pytest.mark.usefixtures("acting_as_ana")
@pytest.mark.parametrize("name", ["absolute", "../secret.txt"])
def test_a_warc_file_name_from_the_database_cannot_leave_the_store(
    database: Database,
    http_server: LocalServer,
    settings: Settings,
    run_cli: object,
    name: str,
) -> None:
    """A row naming a file outside the capture folder is not read nor exported."""
    [link_id] = add_links(database, http_server.route("/p", html("Story", STORY)))
    check_links(database, CHECKER, settings, [link_id])
    secret = capture_dir(settings).parent / "secret.txt"
    secret.write_bytes(b"TOP-SECRET " * 10)
    with database.transaction() as session:
        capture = session.scalars(select(Capture)).one()
        capture.warc_file = str(secret) if name == "absolute" else name
        capture.warc_offset, capture.warc_length = 0, secret.stat().st_size
        capture_id = capture.id
    out = capture_dir(settings).parent / "out.warc.gz"
    said = run_cli("captures", "export", "--all", "-o", str(out), exit_code=2)  # type: ignore[operator]
    assert "WARC file" in said.stderr
    assert not out.exists() or b"TOP-SECRET" not in out.read_bytes()
    said = run_cli("captures", "show", str(capture_id), exit_code=2)  # type: ignore[operator]
    assert "TOP-SECRET" not in said.output


def test_a_stored_gzip_bomb_is_read_back_cut_at_the_cap(tmp_path: Path) -> None:
    """20 MB of zeros in 20 kB of gzip: read back decoded to the cap, not expanded whole."""
    from tracker.captures.reading import read_record

    bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
    exchange = Exchange(
        "GET",
        "http://example.org/bomb",
        (("Host", "example.org"),),
        (1, 1),
        200,
        "OK",
        ((b"Content-Type", b"text/html"), (b"Content-Encoding", b"gzip")),
        bomb,
    )
    when = datetime(2026, 12, 1, tzinfo=UTC)
    [stored] = WarcStore(tmp_path, file_bytes=1 << 30).write(
        [Pending(exchange, when, payload_digest(bomb), None)]
    )
    assert stored is not None
    where = (stored.warc_file, stored.offset, stored.length)
    assert len(read_record(tmp_path, *where).payload) == 5 * 1024 * 1024  # was 20 000 000
    assert read_record(tmp_path, *where, max_bytes=1_000_000).payload == b"\0" * 1_000_000
