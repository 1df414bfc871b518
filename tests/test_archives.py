"""Archives: Memento TimeMap/TimeGate look-ups, the availability API beside them, and saves
through Save Page Now 2 and Perma.cc, each against a local server speaking its protocol."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from tests.support.archives import MementoArchive, SaveArchive
from tests.support.linkdata import (
    add_claim,
    fresh_probes,  # noqa: F401 - autouse fixture
    link,
)
from tests.support.server import LocalServer, Reply
from tracker.actors import CHECKER
from tracker.archives.limits import RateLimit
from tracker.archives.lookup import find_copy
from tracker.archives.memento import closest, parse_timemap
from tracker.archives.saving import request_saves
from tracker.db import Database
from tracker.http import Fetcher
from tracker.linkcheck.services import check_links
from tracker.settings import MementoArchive as ArchiveSetting
from tracker.settings import Settings

JAN = datetime(2024, 1, 10, tzinfo=UTC)
JUN = datetime(2024, 6, 1, tzinfo=UTC)
DEC = datetime(2024, 12, 20, tzinfo=UTC)
GONE = "http://gone.example/story"


def run_find(settings: Settings, near: datetime | None, url: str = GONE) -> object:
    async def go() -> object:
        async with Fetcher(settings) as fetcher:
            return await find_copy(fetcher, settings, url, near)

    return asyncio.run(go())


def test_a_timemap_in_link_format_is_parsed_and_the_closest_memento_chosen() -> None:
    body = (
        '<http://a.example/x>; rel="original",\n'
        '<http://arc/20240110000000/http://a.example/x>; rel="first memento"; '
        'datetime="Wed, 10 Jan 2024 00:00:00 GMT",\n'
        '<http://arc/20241220000000/http://a.example/x>; rel="last memento"; '
        'datetime="Fri, 20 Dec 2024 00:00:00 GMT",\n'
        '<http://arc/timemap/http://a.example/x>; rel="self"; type="application/link-format"'
    )
    mementos = parse_timemap(body, "arc")
    assert [m.when for m in mementos] == [JAN, DEC]
    assert closest(mementos, JUN) == mementos[0]  # January is nearer to June than December
    assert closest(mementos, datetime(2024, 11, 1, tzinfo=UTC)) == mementos[1]
    assert closest(mementos, None) == mementos[1]  # no date: the latest


def test_the_timemap_gives_the_copy_closest_to_the_articles_date(settings: Settings) -> None:
    with MementoArchive([JAN, DEC]) as archive:
        use = settings.with_overrides(
            memento_archives=[{"name": "local", "timemap": archive.timemap}]
        )
        copy = run_find(use, datetime(2024, 11, 30, tzinfo=UTC))
    assert copy is not None
    assert copy.url == archive.memento_url(DEC, GONE)  # type: ignore[attr-defined]
    assert copy.timestamp == DEC  # type: ignore[attr-defined]
    assert copy.archive == "local"  # type: ignore[attr-defined]


def test_a_timegate_is_asked_with_accept_datetime(settings: Settings) -> None:
    with MementoArchive([JAN, JUN, DEC], timemap=False) as archive:
        use = settings.with_overrides(
            memento_archives=[{"name": "gate", "timegate": archive.timegate}]
        )
        copy = run_find(use, datetime(2024, 5, 20, tzinfo=UTC))
        sent = [r for r in archive.requests if r.path.startswith("/timegate/")]
    assert copy is not None
    assert copy.timestamp == JUN  # type: ignore[attr-defined]
    assert sent[0].headers["Accept-Datetime"] == "Mon, 20 May 2024 00:00:00 GMT"


def test_no_memento_is_no_copy_and_a_dead_archive_is_unavailable(settings: Settings) -> None:
    from tracker.linkcheck.archive import ArchiveUnavailable

    with MementoArchive([]) as archive:
        use = settings.with_overrides(
            memento_archives=[{"name": "empty", "timemap": archive.timemap}]
        )
        assert run_find(use, JUN) is None
    down = settings.with_overrides(
        memento_archives=[{"name": "down", "timemap": "http://127.0.0.1:1/timemap/"}]
    )
    with pytest.raises(ArchiveUnavailable):
        run_find(down, JUN)


def test_every_archive_is_asked_and_the_closest_copy_wins(settings: Settings) -> None:
    """A Memento archive and the availability API: the copy nearer the article's date wins."""
    with MementoArchive([DEC]) as memento, LocalServer() as availability:
        availability.fallback = Reply(
            body=json.dumps(
                {
                    "archived_snapshots": {
                        "closest": {
                            "available": True,
                            "url": "http://wayback.example/web/20240112000000/" + GONE,
                            "timestamp": "20240112000000",
                            "status": "200",
                        }
                    }
                }
            ),
            content_type="application/json",
        )
        both = settings.with_overrides(
            archive_url=availability.url("/available"),
            memento_archives=[{"name": "mem", "timemap": memento.timemap}],
        )
        early = run_find(both, JAN)
        late = run_find(both, DEC)
    assert early.archive == "availability"  # type: ignore[attr-defined]
    assert late.archive == "mem"  # type: ignore[attr-defined]


def test_a_failing_link_gets_its_memento_recorded(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    url = http_server.route("/vanished", Reply(404))
    _, link_id = add_claim(database, url, "4.2 %", published_at=JAN)
    with MementoArchive([JAN, DEC]) as archive:
        use = settings.with_overrides(
            memento_archives=[ArchiveSetting(name="local", timemap=archive.timemap)]
        )
        check_links(database, CHECKER, use, [link_id])
    found = link(database, link_id)
    assert found.archive_url == archive.memento_url(JAN, url)
    assert found.archive_timestamp == JAN
    assert found.archive_name == "local"


def test_archive_requests_keep_to_their_rate() -> None:
    limit = RateLimit(per_second=20)

    async def go() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.gather(*(limit.wait() for _ in range(5)))
        return loop.time() - started

    assert asyncio.run(go()) >= 4 / 20 - 0.01  # five requests need four intervals


def saves(settings: Settings, url: str = GONE) -> list[object]:
    async def go() -> list[object]:
        async with Fetcher(settings) as fetcher:
            return await request_saves(fetcher, settings, url, poll=0.01)  # type: ignore[return-value]

    return asyncio.run(go())


def test_save_page_now_2_is_submitted_with_keys_and_polled_until_done(
    settings: Settings,
) -> None:
    with SaveArchive(pending_polls=3) as archive:
        use = settings.with_overrides(
            archive_save=True,
            spn2_url=archive.url("/save"),
            spn2_access_key=SaveArchive.ACCESS,
            spn2_secret_key=SaveArchive.SECRET,
            archive_requests_per_second=1000,
        )
        [saved] = saves(use)
        submitted = next(r for r in archive.requests if r.path == "/save")
    assert saved.status == "success"  # type: ignore[attr-defined]
    assert archive.polls == 4  # three pending answers, then success
    assert parse_qs(submitted.body.decode()) == {"url": [GONE]}
    assert "20261201000000" in saved.url  # type: ignore[attr-defined]


def test_save_page_now_2_stops_polling_at_the_wait(settings: Settings) -> None:
    with SaveArchive(pending_polls=10_000) as archive:
        use = settings.with_overrides(
            archive_save=True,
            spn2_url=archive.url("/save"),
            spn2_access_key=SaveArchive.ACCESS,
            spn2_secret_key=SaveArchive.SECRET,
            archive_save_wait=0.2,
            archive_requests_per_second=1000,
        )
        [saved] = saves(use)
    assert saved.status == "pending"  # type: ignore[attr-defined]


def test_perma_cc_makes_a_record_with_the_api_key(settings: Settings) -> None:
    with SaveArchive() as archive:
        use = settings.with_overrides(
            archive_save=True,
            archive_save_url="",
            perma_api_url=archive.url("/v1/"),
            perma_api_key=SaveArchive.PERMA_KEY,
            perma_folder="42",
            archive_requests_per_second=1000,
        )
        [saved] = saves(use)
        sent = next(r for r in archive.requests if r.path == "/v1/archives/")
        wrong = settings.with_overrides(
            archive_save=True,
            archive_save_url="",
            perma_api_url=archive.url("/v1/"),
            perma_api_key="wrong",
            archive_requests_per_second=1000,
        )
        [refused] = saves(wrong)
    assert saved.status == "success"  # type: ignore[attr-defined]
    assert saved.url == "https://perma.cc/ABCD-1234"  # type: ignore[attr-defined]
    assert json.loads(sent.body) == {"url": GONE, "folder": "42"}
    assert refused.status == "error"  # type: ignore[attr-defined]
    assert "credentials" in refused.detail  # type: ignore[attr-defined]


def test_secret_keys_are_never_printed_by_config(settings: Settings) -> None:
    use = settings.with_overrides(spn2_secret_key="s3cret", perma_api_key="k3y")
    shown = {name: value for name, _, value, _ in use.describe()}
    assert shown["spn2_secret_key"] == "(set)"
    assert shown["perma_api_key"] == "(set)"
    assert "s3cret" not in json.dumps(shown)


def test_config_shows_the_memento_archives_as_they_are_written(settings: Settings) -> None:
    archives = [{"name": "a", "timegate": "http://a.example/tg/", "timemap": ""}]
    shown = {
        name: value
        for name, _, value, _ in settings.with_overrides(memento_archives=archives).describe()
    }
    assert json.loads(shown["memento_archives"]) == archives
