"""Logging in under attack: the rate limit holds against guesses racing in parallel, and a
name no database can store is refused like any wrong name."""

from __future__ import annotations

import threading

import pytest

from tests.support.web import PASSWORD, add_people, quick_password_hashes
from tracker.accounts.services import MAX_FAILURES_PER_NAME, login
from tracker.db import Database
from tracker.errors import NotAuthenticated, TooManyAttempts


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_password_hashes(monkeypatch)


@pytest.mark.real_database
def test_parallel_guesses_get_no_more_password_checks_than_the_limit(database: Database) -> None:
    add_people(database)
    racers = 16
    start = threading.Barrier(racers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def guess(number: int) -> None:
        start.wait()
        try:
            login(database, "rob", f"guess {number}", address=f"10.0.0.{number}")
            outcome = "logged in"
        except TooManyAttempts:
            outcome = "refused"
        except NotAuthenticated:
            outcome = "checked"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=guess, args=(number,)) for number in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == racers
    assert outcomes.count("checked") <= MAX_FAILURES_PER_NAME
    assert outcomes.count("refused") >= racers - MAX_FAILURES_PER_NAME
    with pytest.raises(TooManyAttempts):
        login(database, "rob", PASSWORD, address="10.0.1.1")  # locked, right password or not


def test_a_name_with_a_nul_is_a_wrong_name_not_a_server_error(database: Database) -> None:
    add_people(database)
    with pytest.raises(NotAuthenticated):
        login(database, "ro\x00b-not", "whatever", address="10.0.0.1\x00")
    assert login(database, "rob\x00", PASSWORD, address="10.0.0.2").account.name == "rob"
