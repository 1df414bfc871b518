"""Every outcome of one check, against real local servers (several ports act as several hosts)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.support.hostile import response
from tests.support.linkdata import (
    add_links,
    checks,
    fresh_probes,  # noqa: F401 - autouse fixture
    link,
)
from tests.support.rawserver import Answer, RawRequest, RawServer
from tests.support.server import LocalServer, Reply, endless, html, redirect
from tracker.actors import CHECKER
from tracker.db import Database
from tracker.enums import CheckOutcome, LinkState
from tracker.linkcheck.services import check_links
from tracker.models import Link
from tracker.settings import Settings

ARTICLE = html(
    "Budget report", "<article><p>" + "The deficit fell to 3.1 percent. " * 20 + "</p></article>"
)


@pytest.fixture
def other_server() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def outcome_of(database: Database, settings: Settings, url: str) -> CheckOutcome:
    [link_id] = add_links(database, url)
    report = check_links(database, CHECKER, settings, [link_id])
    assert report.checked == 1
    found = link(database, link_id).last_outcome
    assert found is not None
    return found


STATUS_CASES = [
    (ARTICLE, CheckOutcome.OK),
    (Reply(404, "gone"), CheckOutcome.NOT_FOUND),
    (Reply(410, "gone"), CheckOutcome.NOT_FOUND),
    (Reply(400), CheckOutcome.NOT_FOUND),
    (Reply(401), CheckOutcome.BLOCKED),
    (Reply(403), CheckOutcome.BLOCKED),
    (Reply(451), CheckOutcome.BLOCKED),
    (Reply(429), CheckOutcome.RATE_LIMITED),
    (Reply(500), CheckOutcome.SERVER_ERROR),
    (Reply(503), CheckOutcome.SERVER_ERROR),
]


def test_status_outcomes(database: Database, settings: Settings, http_server: LocalServer) -> None:
    urls = [http_server.route(f"/s{i}", reply) for i, (reply, _) in enumerate(STATUS_CASES)]
    ids = add_links(database, *urls)
    report = check_links(database, CHECKER, settings, ids)
    assert report.checked == len(STATUS_CASES)
    assert [link(database, i).last_outcome for i in ids] == [want for _, want in STATUS_CASES]
    assert [link(database, i).http_status for i in ids] == [r.status for r, _ in STATUS_CASES]
    assert report.broken == 5  # not_found x3 and server_error x2 count; blocked/429 do not
    assert report.states == {"alive": 1, "at_risk": 9}


def test_permanent_redirect_is_redirected_and_temporary_is_ok(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    http_server.route("/new", ARTICLE)
    moved = http_server.route("/moved", redirect("/new", 301))
    temporary = http_server.route("/temp", redirect("/new", 302))
    ids = add_links(database, moved, temporary)
    check_links(database, CHECKER, settings, ids)
    moved_link, temp_link = link(database, ids[0]), link(database, ids[1])
    assert moved_link.last_outcome is CheckOutcome.REDIRECTED
    assert moved_link.final_url == http_server.url("/new")
    assert temp_link.last_outcome is CheckOutcome.OK
    assert checks(database, ids[0])[0].redirect_chain == [
        {"url": moved, "status": 301, "location": "/new"}
    ]


def test_redirect_loop(database: Database, settings: Settings, http_server: LocalServer) -> None:
    http_server.route("/a", redirect("/b"))
    http_server.route("/b", redirect("/a"))
    assert outcome_of(database, settings, http_server.url("/a")) is CheckOutcome.REDIRECT_LOOP


def test_too_many_redirects_is_a_loop(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    for hop in range(30):
        http_server.route(f"/r{hop}", redirect(f"/r{hop + 1}"))
    limited = settings.with_overrides(max_redirects=3)
    assert outcome_of(database, limited, http_server.url("/r0")) is CheckOutcome.REDIRECT_LOOP
    assert http_server.hits["/r5"] == 0


def test_timeout_and_unreachable(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    slow = http_server.route("/slow", Reply(body="late", delay=2))
    fast = settings.with_overrides(timeout=0.3)
    assert outcome_of(database, fast, slow) is CheckOutcome.TIMEOUT
    assert outcome_of(database, settings, "http://127.0.0.1:1/x") is CheckOutcome.UNREACHABLE


def test_endless_body_and_gzip_bomb_are_capped(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    endless_url = http_server.route("/endless", Reply(body=endless()))
    bomb = gzip.compress(b"<p>" + b"a" * 30_000_000)
    bomb_url = http_server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    capped = settings.with_overrides(max_body_bytes=100_000)
    ids = add_links(database, endless_url, bomb_url)
    report = check_links(database, CHECKER, capped, ids)
    assert report.outcomes == {"ok": 2}
    assert [checks(database, i)[0].content_length for i in ids] == [100_000, 100_000]


def test_head_refused_falls_back_to_get(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    def pdf(request: object) -> Reply:
        if getattr(request, "method", "") == "HEAD":
            return Reply(405)
        return Reply(body=b"%PDF-1.4 data", content_type="application/pdf")

    url = http_server.route("/report.pdf", pdf)
    [link_id] = add_links(database, url)
    check_links(database, CHECKER, settings, [link_id])  # first check: GET, learns it is a PDF
    check_links(database, CHECKER, settings, [link_id])  # then HEAD, refused, then GET
    methods = [request.method for request in http_server.requests]
    assert methods == ["GET", "HEAD", "GET"]
    assert [c.outcome for c in checks(database, link_id)] == [CheckOutcome.OK] * 2
    assert checks(database, link_id)[0].fingerprint.startswith("b:")


def test_invalid_url_is_recorded(database: Database, settings: Settings) -> None:
    # A stored link whose host cannot be fetched: the guard refuses loopback by default.
    strict = settings.with_overrides(allow_private_networks=False)
    assert outcome_of(database, strict, "http://127.0.0.1:9/x") is CheckOutcome.INVALID_URL


def test_ssrf_guard_at_a_redirect_hop(
    database: Database,
    settings: Settings,
    http_server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """127.0.0.1 is treated as public here; the hop to 127.0.0.2 must be refused."""
    import ipaddress

    from tracker.http import guard

    with LocalServer(host="127.0.0.2") as internal:
        internal.route("/secret", html("secret", "metadata"))
        http_server.route("/go", redirect(internal.url("/secret")))
        monkeypatch.setattr(
            guard, "is_public_address", lambda address: address == ipaddress.ip_address("127.0.0.1")
        )
        strict = settings.with_overrides(allow_private_networks=False)
        [link_id] = add_links(database, http_server.url("/go"))
        check_links(database, CHECKER, strict, [link_id])
        assert link(database, link_id).last_outcome is CheckOutcome.INVALID_URL
        assert "non-public" in (checks(database, link_id)[0].error or "")
        assert internal.hits["/secret"] == 0


def test_retries_with_backoff_then_success(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    answers = iter([Reply(503), Reply(429, headers={"Retry-After": "0"}), ARTICLE])
    url = http_server.route("/flaky", lambda _request: next(answers))
    retrying = settings.with_overrides(max_retries=2, retry_backoff=0.01)
    assert outcome_of(database, retrying, url) is CheckOutcome.OK
    assert http_server.hits["/flaky"] == 3


def test_retry_after_is_capped(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    url = http_server.route("/busy", Reply(429, headers={"Retry-After": "3600"}))
    capped = settings.with_overrides(max_retries=1, retry_backoff=0.01, max_retry_after=0.2)
    [link_id] = add_links(database, url)
    report = check_links(database, CHECKER, capped, [link_id])
    assert report.outcomes == {"rate_limited": 1}
    assert report.seconds < 3
    assert http_server.hits["/busy"] == 2


def test_hostile_server_does_not_stall_the_batch(
    database: Database, settings: Settings, http_server: LocalServer, other_server: LocalServer
) -> None:
    drip = http_server.route("/drip", Reply(body=endless(b"x"), chunk_delay=0.05))
    healthy = [other_server.route(f"/p{i}", ARTICLE) for i in range(10)]
    ids = add_links(database, drip, *healthy)
    report = check_links(database, CHECKER, settings.with_overrides(timeout=0.5), ids)
    assert report.checked == 11
    assert report.outcomes == {"timeout": 1, "ok": 10}
    assert link(database, ids[0]).state is LinkState.AT_RISK


def test_soft_404_signals(
    database: Database, settings: Settings, http_server: LocalServer, other_server: LocalServer
) -> None:
    http_server.route("/", html("Home", "<p>Welcome to our site, lots of news here.</p>"))
    bounced = http_server.route("/old-story", redirect("/", 301))
    titled = http_server.route("/missing", html("Page not found", "<p>Sorry.</p>"))
    # A host that answers 200 with the same page to everything.
    other_server.fallback = html(
        "Example News", "<main>" + "Latest headlines today. " * 30 + "</main>"
    )
    everything = other_server.url("/2019/05/some-story")
    ids = add_links(database, bounced, titled, everything)
    report = check_links(database, CHECKER, settings, ids)
    assert report.outcomes == {"soft_404": 3}
    assert all(checks(database, i)[0].soft_404 for i in ids)
    probes = [r.path for r in other_server.requests if "fact-tracker-probe" in r.path]
    assert len(probes) == 1


def test_real_page_on_honest_host_is_not_soft_404(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    urls = [http_server.route(f"/story{i}", ARTICLE) for i in range(3)]
    report = check_links(database, CHECKER, settings, add_links(database, *urls))
    assert report.outcomes == {"ok": 3}
    probes = [r.path for r in http_server.requests if "fact-tracker-probe" in r.path]
    assert len(probes) == 1  # probed once per host, cached


def test_per_host_concurrency_is_respected(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    import threading

    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def counted(request: object) -> Reply:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        import time

        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return ARTICLE

    urls = [http_server.route(f"/c{i}", counted) for i in range(12)]
    polite = settings.with_overrides(per_host_concurrency=2, concurrency=32)
    report = check_links(database, CHECKER, polite, add_links(database, *urls))
    assert report.outcomes == {"ok": 12}
    assert state["peak"] == 2


def test_links_slow_last_time_are_started_first(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    fast = [http_server.route(f"/fast{i}", ARTICLE) for i in range(3)]
    slow = http_server.route("/slow", html("Slow", "<p>late</p>", delay=0.3))
    ids = add_links(database, *fast, slow)
    one_at_a_time = settings.with_overrides(concurrency=1)
    check_links(database, CHECKER, one_at_a_time, ids)
    http_server.requests.clear()
    check_links(database, CHECKER, one_at_a_time, ids)
    pages = [r.path for r in http_server.requests if "probe" not in r.path]
    assert pages[0] == "/slow"
    assert sorted(pages[1:]) == ["/fast0", "/fast1", "/fast2"]


def test_a_stored_etag_with_a_line_feed_is_not_sent_back(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    """A validator stored by an older release (or written by hand) must not become a second
    request header: it is dropped, the check goes on unconditionally."""
    url = http_server.route("/story", ARTICLE)
    [link_id] = add_links(database, url)
    check_links(database, CHECKER, settings, [link_id])
    with database.transaction() as session:
        session.execute(
            update(Link)
            .where(Link.id == link_id)
            .values(etag='"v1"\nX-Injected: yes', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
        )
    check_links(database, CHECKER, settings, [link_id])
    second = [request for request in http_server.requests if request.path == "/story"][-1]
    assert second.method == "GET"
    assert "X-Injected" not in second.headers
    assert "If-None-Match" not in second.headers
    assert second.headers.get("If-Modified-Since") == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert link(database, link_id).last_outcome is CheckOutcome.OK


def test_unicode_digits_in_head_and_retry_answers_are_not_numbers(
    database: Database, settings: Settings
) -> None:
    """'²' passes str.isdigit(). A HEAD answer with a Content-Length of '²' is not HTTP (the
    check asks again with a GET); a Retry-After of '²' is no delay."""

    def pdf(request: RawRequest) -> Answer:
        if request.method == "HEAD":
            return Answer(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n"
                b"Content-Length: \xc2\xb2\r\n\r\n"
            )
        return Answer(response(body=b"%PDF-1.4", content_type="application/pdf"))

    with RawServer() as server:
        url = server.route("/report.pdf", pdf)
        busy = server.route("/busy", Answer(response("HTTP/1.1 503 Busy", "Retry-After: \u00b2")))
        ids = add_links(database, url, busy)
        retrying = settings.with_overrides(max_retries=1, retry_backoff=0.01)
        check_links(database, CHECKER, retrying, ids)  # the PDF: a GET, which learns its type
        check_links(database, CHECKER, retrying, ids)  # HEAD, Content-Length: ², then GET
        methods = [request.method for request in server.requests if request.path == "/report.pdf"]
        assert methods == ["GET", "HEAD", "GET"]
    second = checks(database, ids[0])[-1]
    assert second.outcome is CheckOutcome.OK
    assert second.content_length == len(b"%PDF-1.4")
    busy_checks = checks(database, ids[1])
    assert [check.outcome for check in busy_checks] == [CheckOutcome.SERVER_ERROR] * 2
    assert all("internal error" not in (check.error or "") for check in busy_checks)


def test_page_readers_leave_when_their_owner_is_killed() -> None:
    """kill -9 of a checking process (a scheduler, say) must not leave its page readers."""
    code = (
        "import json, os, time\n"
        "from tracker.linkcheck import judging\n"
        "pool = judging._pool('processes', 2)\n"
        "pids = {pool.submit(os.getpid).result() for _ in range(8)}\n"
        "print(json.dumps(sorted(pids)), flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as owner:
        try:
            assert owner.stdout is not None
            workers = json.loads(owner.stdout.readline())
            assert workers
            assert all(_alive(pid) for pid in workers)
        finally:
            owner.kill()
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
