"""``reviewers passwd|token|tokens|revoke-token`` and ``serve --help``."""

from __future__ import annotations

import pytest

from tests.conftest import CliInvoker
from tests.support.web import quick_password_hashes
from tracker.accounts.services import login, token_account
from tracker.db import Database
from tracker.errors import NotAuthenticated


@pytest.fixture(autouse=True)
def _people(run_cli: CliInvoker, monkeypatch: pytest.MonkeyPatch) -> None:
    quick_password_hashes(monkeypatch)
    run_cli("reviewers", "add", "ana", "--role", "admin")
    run_cli("reviewers", "add", "bob", "--reviewer", "ana")


def test_a_reviewer_sets_a_password_and_logs_in(run_cli: CliInvoker, database: Database) -> None:
    result = run_cli("reviewers", "passwd", "bob", input="bob's long password\n" * 2)
    assert "Password set for bob" in result.stdout
    assert login(database, "bob", "bob's long password", address="t").account.name == "bob"
    with pytest.raises(NotAuthenticated):
        login(database, "bob", "another password", address="t")


def test_passwords_are_checked_and_only_an_admin_sets_another_s(run_cli: CliInvoker) -> None:
    short = run_cli("reviewers", "passwd", "bob", "--password-stdin", input="short\n", exit_code=2)
    assert "at least 10 characters" in short.stderr
    refused = run_cli(
        "reviewers",
        "passwd",
        "ana",
        "--password-stdin",
        "--reviewer",
        "bob",
        input="a long password\n",
        exit_code=2,
    )
    assert "may not set the password for ana" in refused.stderr
    run_cli(
        "reviewers",
        "passwd",
        "bob",
        "--password-stdin",
        "--reviewer",
        "ana",
        input="a long password\n",
    )


def test_tokens_are_issued_listed_and_revoked(run_cli: CliInvoker, database: Database) -> None:
    issued = run_cli("reviewers", "token", "bob", "--label", "bot")
    token = issued.stdout.strip()
    assert len(token) >= 40
    assert "shown once" in issued.stderr
    account = token_account(database, token)
    assert account is not None
    assert account.name == "bob"
    listing = run_cli("reviewers", "tokens", "bob", "--json").stdout
    assert '"label": "bot"' in listing
    assert token not in listing
    run_cli("reviewers", "revoke-token", "1", "--reviewer", "bob")
    assert token_account(database, token) is None


def test_serve_explains_itself(run_cli: CliInvoker) -> None:
    text = run_cli("serve", "--help").stdout
    assert "waitress" in text
    assert "--demo" in text
    assert "/openapi.json" in text
