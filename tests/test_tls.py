"""HTTPS with a local certificate authority made by the test (trustme): the reason a
certificate is refused survives to the check record and to ``ingest``, and the CA bundle can
be chosen by setting or by ``SSL_CERT_FILE``."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme

from tests.conftest import CliInvoker
from tests.support.linkdata import add_links, checks
from tests.support.server import LocalServer, html
from tracker.actors import CHECKER
from tracker.db import Database
from tracker.enums import CheckOutcome
from tracker.linkcheck.services import check_links
from tracker.settings import Settings

PAGE = html("Secure story", "<article><p>The survey found 69% agree.</p></article>")


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(authority: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "local-ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def trusting(settings: Settings, ca_file: Path) -> Settings:
    """The test settings, trusting the local authority through the ca_bundle setting."""
    return settings.with_overrides(ca_bundle=str(ca_file))


def _https(authority: trustme.CA, *identities: str, **validity: datetime) -> LocalServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(*identities, **validity).configure_cert(context)
    server = LocalServer(tls=context)
    server.route("/story", PAGE)
    return server


@pytest.fixture
def good_site(authority: trustme.CA) -> Iterator[LocalServer]:
    with _https(authority, "127.0.0.1") as server:
        yield server


@pytest.fixture
def expired_site(authority: trustme.CA) -> Iterator[LocalServer]:
    past = datetime.now(UTC) - timedelta(days=30)
    with _https(
        authority, "127.0.0.1", not_before=past - timedelta(days=60), not_after=past
    ) as server:
        yield server


@pytest.fixture
def misnamed_site(authority: trustme.CA) -> Iterator[LocalServer]:
    with _https(authority, "news.example.org") as server:
        yield server


def _check(database: Database, settings: Settings, url: str) -> tuple[CheckOutcome, str]:
    [link_id] = add_links(database, url)
    check_links(database, CHECKER, settings, [link_id])
    [record] = checks(database, link_id)
    return record.outcome, record.error or ""


def test_a_certificate_from_an_unknown_authority_says_so(
    database: Database, settings: Settings, good_site: LocalServer
) -> None:
    outcome, error = _check(database, settings, good_site.url("/story"))
    assert outcome is CheckOutcome.UNREACHABLE
    assert "TLS certificate of 127.0.0.1 refused" in error
    assert "unable to get local issuer certificate" in error or "self-signed" in error
    assert good_site.hits["/story"] == 0


def test_the_ca_bundle_setting_is_honoured(
    database: Database, trusting: Settings, good_site: LocalServer
) -> None:
    outcome, error = _check(database, trusting, good_site.url("/story"))
    assert (outcome, error) == (CheckOutcome.OK, "")


def test_ssl_cert_file_is_honoured(
    database: Database,
    settings: Settings,
    good_site: LocalServer,
    ca_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    outcome, _ = _check(database, settings, good_site.url("/story"))
    assert outcome is CheckOutcome.OK


@pytest.mark.parametrize(
    ("site", "reason"),
    [("expired_site", "certificate has expired"), ("misnamed_site", "mismatch")],
)
def test_a_refused_certificate_keeps_its_reason(
    database: Database, trusting: Settings, request: pytest.FixtureRequest, site: str, reason: str
) -> None:
    """Trusted authority, but expired, or issued for another name: each says which."""
    server: LocalServer = request.getfixturevalue(site)
    outcome, error = _check(database, trusting, server.url("/story"))
    assert outcome is CheckOutcome.UNREACHABLE
    assert reason in error.lower()


@pytest.mark.usefixtures("acting_as_ana")
def test_ingest_names_the_certificate_problem(
    run_cli: CliInvoker,
    expired_site: LocalServer,
    ca_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FACT_TRACKER_CA_BUNDLE", str(ca_file))
    result = run_cli("ingest", expired_site.url("/story"), exit_code=1)
    assert result.stderr.count("\n") == 1
    assert "certificate has expired" in result.stderr
    result = run_cli("ingest", expired_site.url("/story").replace("https", "http"), exit_code=1)
    assert result.stderr.startswith("error: cannot fetch")


@pytest.mark.usefixtures("acting_as_ana")
def test_a_missing_ca_bundle_is_a_clear_error(
    run_cli: CliInvoker, good_site: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACT_TRACKER_CA_BUNDLE", str(tmp_path / "missing.pem"))
    result = run_cli("ingest", good_site.url("/story"), exit_code=2)
    assert result.stderr.startswith("error: cannot load the CA certificates")
    assert result.stderr.count("\n") == 1
