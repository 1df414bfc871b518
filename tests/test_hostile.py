"""The hostile web, for real: every case of tests/support/hostile.py through the checker and
through ``ingest URL``, served byte for byte by a raw-socket server. No traceback, no crash,
and the outcome each case earns."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.conftest import CliInvoker
from tests.support.hostile import BODY_CAP, TIMEOUT_SECONDS, Case, cases, serve_cases
from tests.support.links import add_links
from tests.support.rawserver import RawServer
from tracker.actors import CHECKER
from tracker.db import Database
from tracker.linkcheck.services import check_links
from tracker.models import Article, Link, LinkCheck
from tracker.settings import Settings, load_settings

HOSTILE = list(cases())


@pytest.fixture(scope="module")
def hostile_web() -> Iterator[tuple[RawServer, dict[str, str]]]:
    with RawServer() as server:
        yield server, serve_cases(server)


@pytest.fixture
def hostile_settings() -> Settings:
    return load_settings(
        timeout=TIMEOUT_SECONDS,
        max_retries=0,
        max_body_bytes=BODY_CAP,
        concurrency=48,
        per_host_concurrency=48,
    )


def test_the_suite_is_large_and_covers_every_kind_of_hostility() -> None:
    assert len(HOSTILE) >= 100
    categories = {case.category for case in HOSTILE}
    expected = {"framing", "status", "headers", "encodings", "bombs", "charsets", "location"}
    assert categories >= {*expected, "slow"}


def test_every_case_through_the_checker(
    database: Database,
    hostile_settings: Settings,
    hostile_web: tuple[RawServer, dict[str, str]],
) -> None:
    _server, urls = hostile_web
    ids = add_links(database, [urls[case.name] for case in HOSTILE])
    report = check_links(database, CHECKER, hostile_settings, ids)
    assert report.checked == len(HOSTILE)
    with database.reading() as session:
        outcomes = dict(session.execute(select(Link.url, Link.last_outcome)).tuples().all())
        errors = dict(
            session.execute(
                select(Link.url, LinkCheck.error).join(LinkCheck, LinkCheck.link_id == Link.id)
            )
            .tuples()
            .all()
        )
    wrong = [
        f"{case.name}: expected {case.expect.value}, got {outcomes[urls[case.name]]} "
        f"({errors.get(urls[case.name])})"
        for case in HOSTILE
        if outcomes[urls[case.name]] is not case.expect
    ]
    assert wrong == []
    assert not [error for error in errors.values() if error and "internal error" in error]
    assert all("\n" not in (error or "") for error in errors.values())


def test_header_values_are_stored_clean_and_within_their_columns(
    database: Database,
    hostile_settings: Settings,
    hostile_web: tuple[RawServer, dict[str, str]],
) -> None:
    """A 5,000-character Last-Modified or a 3,000-character ETag fit PostgreSQL's VARCHARs;
    an ETag with an escape sequence is stored without it."""
    _server, urls = hostile_web
    names = [
        "header-long-last-modified",
        "header-long-etag",
        "header-control-chars-in-etag",
        "header-escape-in-content-type",
        "header-long-content-type",
    ]
    ids = add_links(database, [urls[name] for name in names])
    check_links(database, CHECKER, hostile_settings, ids)
    with database.reading() as session:
        links = {
            row.url: row for row in session.execute(select(Link.url, Link.etag, Link.last_modified))
        }
        types = dict(
            session.execute(
                select(Link.url, LinkCheck.content_type).join(Link, Link.id == LinkCheck.link_id)
            )
            .tuples()
            .all()
        )
    modified = links[urls["header-long-last-modified"]].last_modified
    assert modified is not None
    assert modified.startswith("Wed, 21 Oct 2015 07:28:00 GMT")
    assert len(modified) == 100
    assert len(links[urls["header-long-etag"]].etag or "") == 500
    assert links[urls["header-control-chars-in-etag"]].etag == '"ab[31mc"'
    assert types[urls["header-escape-in-content-type"]] == "text/html]0"
    assert len(types[urls["header-long-content-type"]] or "") <= 200


def _ingest_expectation(case: Case) -> str:
    return "stored" if case.should_ingest else "refused"


@pytest.mark.usefixtures("acting_as_ana")
@pytest.mark.parametrize("case", HOSTILE, ids=[case.name for case in HOSTILE])
def test_every_case_through_ingest(
    case: Case,
    run_cli: CliInvoker,
    database: Database,
    hostile_web: tuple[RawServer, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _server, urls = hostile_web
    monkeypatch.setenv("FACT_TRACKER_TIMEOUT", str(TIMEOUT_SECONDS))
    monkeypatch.setenv("FACT_TRACKER_MAX_BODY_BYTES", str(BODY_CAP))
    if case.should_ingest:
        result = run_cli("ingest", urls[case.name], "--json")
        assert '"article_id"' in result.stdout
    else:
        result = run_cli("ingest", urls[case.name], exit_code=_refusal_code(case))
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error:")
        assert "Traceback" not in result.output
    with database.reading() as session:
        stored = session.scalars(select(Article.id)).all()
    assert (len(stored) == 1) is case.should_ingest, _ingest_expectation(case)


def _refusal_code(case: Case) -> int:
    """Input we refuse (too large, empty, binary) exits 2; a fetch that failed exits 1."""
    from tests.support.hostile import OK, REDIRECTED

    return 2 if case.expect in (OK, REDIRECTED) else 1
