"""A real browser: headless Chromium (the Debian package) driven by Playwright, against the
workspace served by waitress on a real database.

Log in, open an article, select a claim, record a verdict with a note, see it in the history;
a second reviewer's stale write is refused with the current state and their draft kept. A
screenshot of the article page is saved as a test artifact (``test-artifacts/``, or
``$FACT_TRACKER_TEST_ARTIFACTS``). Skipped only when no Chromium is installed (``.ci/run``
installs the ``chromium`` package).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.web import PASSWORD, Serving, add_article, add_people, make_app
from tracker.actors import Actor
from tracker.db import Database
from tracker.review.services import claim_detail, list_claims
from tracker.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.real_database]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-extensions",
    "--disable-sync",
    "--metrics-recording-only",
    "--no-first-run",
    "--no-default-browser-check",
]
ARTIFACTS = Path(
    os.environ.get("FACT_TRACKER_TEST_ARTIFACTS")
    or Path(__file__).resolve().parent.parent / "test-artifacts"
)


@pytest.fixture
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip(
            "no chromium executable on PATH: install the Debian package "
            "(apt-get install -y chromium; .ci/run does it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def test_review_an_article_in_a_browser(
    browser: object, database: Database, settings: Settings
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    add_people(database)
    article_id = add_article(database, settings)
    claim = list_claims(database, Actor.reviewer("vic"), article_id=article_id)[1]
    with Serving(make_app(settings, database)) as served:
        rita = browser.new_page()
        rita.goto(f"{served.origin}/articles/{article_id}")
        expect(rita).to_have_url(f"{served.origin}/login?next=/articles/{article_id}")
        rita.fill("input[name=name]", "rita")
        rita.fill("input[name=password]", PASSWORD)
        rita.click("button[type=submit]")
        expect(rita).to_have_url(f"{served.origin}/articles/{article_id}")

        # Select the second claim: its sources and the verdict form show beside the text.
        rita.click(f"a.claim-mark[data-claim='{claim.id}']")
        panel = rita.locator("#panel")
        expect(panel.locator("blockquote.claim-text")).to_have_text(claim.text)
        expect(panel).to_contain_text("https://budget.example.org/2024")

        # Rob opens the same claim now: his form is based on version 1.
        rob = browser.new_page()
        rob.goto(f"{served.origin}/login?next=/claims/{claim.id}")
        rob.fill("input[name=name]", "rob")
        rob.fill("input[name=password]", PASSWORD)
        rob.click("button[type=submit]")
        expect(rob.locator("form.verdict-form")).to_be_visible()

        # Rita records a verdict with a note; it is in the history.
        form = panel.locator("form.verdict-form")
        form.locator("select[name=status]").select_option("mostly_accurate")
        form.locator("textarea[name=note]").fill("The budget office table shows 2.0% for 2024.")
        form.locator("button[type=submit]").click()
        expect(rita.locator(".flash")).to_contain_text("mostly accurate recorded")
        history = rita.locator("#panel ol.events")
        expect(history).to_contain_text("The budget office table shows 2.0% for 2024.")
        expect(history).to_contain_text("rita")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "article-page.png"
        rita.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000

        # Rob's stale write is refused: who changed it, the current state, his draft kept.
        rob_form = rob.locator("form.verdict-form")
        rob_form.locator("select[name=status]").select_option("false")
        rob_form.locator("textarea[name=note]").fill("Rob's reasoning, typed with care.")
        rob_form.locator("button[type=submit]").click()
        conflict = rob.locator(".conflict")
        expect(conflict).to_contain_text("changed since version 1 by rita")
        expect(rob.locator("form.verdict-form textarea[name=note]")).to_have_value(
            "Rob's reasoning, typed with care."
        )
        expect(rob.locator("form.verdict-form select[name=status]")).to_have_value("false")
        expect(rob.locator("ol.events")).to_contain_text("The budget office table shows")

    detail = claim_detail(database, Actor.reviewer("vic"), claim.id)
    assert detail.claim.status.value == "mostly_accurate"
    assert [event.actor for event in detail.events][-1] == "rita"
