"""The demo site serves what its docstring promises: a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from bs4 import BeautifulSoup

from tracker.demo.site import (
    AIR_DEFENCE,
    ARTICLE_TITLE,
    BUDGETS,
    CITED_PAGES,
    LOGISTICS,
    MISSION,
    POLL,
    SPENDING,
    DemoSite,
)


@pytest.fixture
def site() -> Iterator[DemoSite]:
    with DemoSite() as demo:
        yield demo


def get(url: str, **kwargs: object) -> httpx.Response:
    return httpx.get(url, timeout=5, **kwargs)  # type: ignore[arg-type]


def test_listens_on_loopback_only(site: DemoSite) -> None:
    assert site.origin.startswith("http://127.0.0.1:")
    assert site.port > 0


def test_article_links_every_cited_page_and_keeps_an_unresolvable_anchor(site: DemoSite) -> None:
    response = get(site.article_url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.title is not None
    assert soup.title.string == ARTICLE_TITLE
    hrefs = {a["href"] for a in soup.find_all("a", href=True)}
    assert {site.url(page.path) for page in CITED_PAGES} <= hrefs
    assert any(not a.has_attr("href") for a in soup.find_all("a"))
    text = soup.get_text(" ")
    for figure in ("69% of Poles", "2% of their GDP", "5% of the air defenses"):
        assert figure in text
    assert soup.find("meta", attrs={"name": "author"}) is not None


def test_alive_page_carries_the_poll_figure(site: DemoSite) -> None:
    response = get(site.url(POLL.path))
    assert response.status_code == 200
    assert "69% of Poles" in response.text


def test_moved_page_redirects_permanently_to_a_live_copy(site: DemoSite) -> None:
    first = get(site.url(SPENDING.path))
    assert first.status_code == 301
    assert first.headers["location"] == site.url(str(SPENDING.moved_to))
    final = get(site.url(SPENDING.path), follow_redirects=True)
    assert final.status_code == 200
    assert str(final.url) == site.url(str(SPENDING.moved_to))
    assert "2% of GDP" in final.text


@pytest.mark.parametrize(("page", "status"), [(AIR_DEFENCE, 404), (LOGISTICS, 410)])
def test_dead_pages_answer_their_status(site: DemoSite, page: object, status: int) -> None:
    assert get(site.url(page.path)).status_code == status  # type: ignore[attr-defined]


def test_soft_404_answers_200_with_a_not_found_page(site: DemoSite) -> None:
    response = get(site.url(MISSION.path))
    assert response.status_code == 200
    assert "could not be found" in response.text
    assert MISSION.figure not in response.text


def test_edited_page_loses_its_figure_after_the_first_request(site: DemoSite) -> None:
    head = httpx.head(site.url(BUDGETS.path), timeout=5)
    assert head.status_code == 200
    assert "2% of GDP" in get(site.url(BUDGETS.path)).text
    second = get(site.url(BUDGETS.path))
    assert second.status_code == 200
    assert "2% of GDP" not in second.text
    assert "being revised" in second.text
    assert site.hits[BUDGETS.path] == 2


def test_edit_can_be_switched_by_hand() -> None:
    with DemoSite(edit_after=None) as site:
        for _ in range(3):
            assert "2% of GDP" in get(site.url(BUDGETS.path)).text
        assert not site.edited
        site.edit_figure()
        assert site.edited
        assert "2% of GDP" not in get(site.url(BUDGETS.path)).text


@pytest.mark.parametrize("page", [p for p in CITED_PAGES if p.archived], ids=lambda p: p.key)
def test_archive_api_finds_snapshots_that_hold_the_original_text(
    site: DemoSite, page: object
) -> None:
    url = site.url(page.path)  # type: ignore[attr-defined]
    answer = get(site.archive_api_url, params={"url": url, "timestamp": "20241111"}).json()
    closest = answer["archived_snapshots"]["closest"]
    assert closest["available"] is True
    assert closest["status"] == "200"
    assert closest["timestamp"] == "20241020120000"
    snapshot = get(closest["url"])
    assert snapshot.status_code == 200
    assert page.figure in snapshot.text  # type: ignore[attr-defined]
    assert "Archived copy" in snapshot.text


def test_archive_api_accepts_urls_without_a_scheme(site: DemoSite) -> None:
    bare = site.url(AIR_DEFENCE.path).removeprefix("http://")
    answer = get(site.archive_api_url, params={"url": bare}).json()
    assert answer["archived_snapshots"]["closest"]["available"] is True


@pytest.mark.parametrize(
    "url",
    [
        "{origin}/polls/2024/poles-oppose-sending-troops.html",
        "https://elsewhere.example/reports/air-defence-gap.html",
        "{origin}/nope",
    ],
)
def test_archive_api_has_nothing_for_live_foreign_or_unknown_pages(
    site: DemoSite, url: str
) -> None:
    answer = get(site.archive_api_url, params={"url": url.format(origin=site.origin)}).json()
    assert answer["archived_snapshots"] == {}


def test_unknown_snapshot_and_page_are_404(site: DemoSite) -> None:
    assert get(site.url("/web/19990101000000/" + site.url(AIR_DEFENCE.path))).status_code == 404
    assert get(site.url("/no/such/page")).status_code == 404
