"""One typed settings object, read once at start-up and passed down.

Precedence: command-line options (applied by the CLI with :meth:`Settings.with_overrides`)
> ``FACT_TRACKER_*`` environment variables > a TOML settings file > the defaults below.
The settings file is ``$FACT_TRACKER_CONFIG`` or ``config.toml`` in the user's config directory.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from tracker import __version__
from tracker.errors import InvalidInput
from tracker.setting_sources import (
    ENV_PREFIX,
    default_database_url,
    settings_file,
)

__all__ = ["Settings", "load_settings", "redact_url", "settings_file"]


class MementoArchive(BaseModel):
    """An archive spoken to through Memento (RFC 7089): a TimeGate and/or a TimeMap prefix,
    each followed by the original URL."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=100)
    timegate: str = ""
    timemap: str = ""


class Settings(BaseSettings):
    """Every knob of the tracker, with its default and what it is for."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL: sqlite:///path (default, in the user data dir) or "
        "postgresql+psycopg://user@host/db",
    )
    reviewer: str = Field(
        "",
        max_length=200,
        description="Reviewer the CLI acts as when a command that records who acted is not "
        "given --reviewer",
    )
    timeout: float = Field(10.0, gt=0, description="Seconds allowed for one HTTP request")
    concurrency: int = Field(32, ge=1, description="Links checked at once, in all")
    per_host_concurrency: int = Field(
        2, ge=1, description="Requests in flight to one host, across all workers"
    )
    per_host_rate: float = Field(
        1.0, gt=0, description="Requests per second to one host, across all workers"
    )
    per_domain_limits: str = Field(
        "",
        description="Per-domain concurrency/rate overrides, e.g. 'example.org=4/10, "
        "slow.example=1/0.2' (a domain covers its subdomains)",
    )
    host_pause_seconds: float = Field(
        60.0, ge=0, description="How long a 429 or 503 without Retry-After pauses its host"
    )
    max_host_pause_seconds: float = Field(
        3600.0, ge=0, description="Cap on how long one answer may pause a host"
    )
    user_agent: str = Field(
        f"fact-tracker/{__version__} (+https://github.com/fact-tracker/fact-tracker)",
        description="User-Agent sent with every request",
    )
    allow_private_networks: bool = Field(
        False,
        description="Allow fetching loopback/private/link-local addresses (tests and demo only)",
    )
    ca_bundle: str = Field(
        "",
        description="PEM file of the certificate authorities HTTPS servers are checked against "
        "(default: $SSL_CERT_FILE or $SSL_CERT_DIR when set, else the certifi bundle)",
    )
    page_judging: Literal["processes", "threads"] = Field(
        "processes",
        description="Where fetched pages are parsed, fingerprinted and searched for evidence: "
        "a pool of worker processes (all cores) or threads (one core, no extra processes)",
    )
    page_workers: int = Field(
        0, ge=0, description="Workers that read fetched pages (0: one per CPU core)"
    )
    max_body_bytes: int = Field(
        5 * 1024 * 1024, ge=1024, description="Largest body read, after decompression"
    )
    max_redirects: int = Field(10, ge=0, description="Redirect hops followed before giving up")
    max_retries: int = Field(2, ge=0, description="Retries for timeouts, 5xx and 429")
    retry_backoff: float = Field(0.5, ge=0, description="First retry delay in seconds (doubles)")
    max_retry_after: float = Field(30.0, ge=0, description="Cap on a server's Retry-After")
    archive_url: str = Field(
        "https://archive.org/wayback/available",
        description="Wayback-compatible availability API; empty disables archive lookups",
    )
    archive_save: bool = Field(
        False,
        description="Ask archives to save new links (Save Page Now 2 when its keys are set, "
        "else archive_save_url; and Perma.cc when its key is set)",
    )
    archive_save_url: str = Field(
        "https://web.archive.org/save/",
        description="Plain save endpoint, without keys (the URL is appended)",
    )
    memento_archives: tuple[MementoArchive, ...] = Field(
        (
            MementoArchive(
                name="internet-archive",
                timegate="https://web.archive.org/web/",
                timemap="https://web.archive.org/web/timemap/link/",
            ),
        ),
        description="Archives asked through Memento (RFC 7089), as a JSON list of "
        '{"name", "timegate", "timemap"}; the copy closest to the article\'s date wins; '
        "[] disables them",
    )
    archive_requests_per_second: float = Field(
        1.0, gt=0, description="Requests per second sent to each archive host (lookups and saves)"
    )
    spn2_url: str = Field(
        "https://web.archive.org/save",
        description="Save Page Now 2 endpoint (status at <url>/status/<job id>)",
    )
    spn2_access_key: str = Field("", description="Save Page Now 2 S3-style access key")
    spn2_secret_key: str = Field("", description="Save Page Now 2 S3-style secret key")
    perma_api_url: str = Field("https://api.perma.cc/v1/", description="Perma.cc API root")
    perma_api_key: str = Field("", description="Perma.cc API key (saving to Perma.cc needs it)")
    perma_folder: str = Field("", description="Perma.cc folder id new records go to")
    archive_save_wait: float = Field(
        120.0, ge=0, description="Seconds a save job is polled for before it is left running"
    )
    capture: bool = Field(
        True,
        description="Keep our own WARC copy of each live source, when first checked alive "
        "and whenever its content changes",
    )
    capture_dir: str = Field(
        "",
        description="Folder of the WARC captures; empty: `<database>.captures` beside the "
        "SQLite file, or `captures` in the user data dir for PostgreSQL",
    )
    capture_max_bytes: int = Field(
        5 * 1024 * 1024, ge=0, description="Largest response body captured (as received)"
    )
    capture_file_bytes: int = Field(
        1024 * 1024 * 1024,
        ge=1024 * 1024,
        description="Size at which a day's WARC file is closed and the next one started",
    )
    capture_content_types: str = Field(
        "text/html,application/xhtml+xml,text/plain,application/pdf",
        description="Comma-separated media types captured (a type ending in / takes them all)",
    )
    capture_skip_domains: str = Field(
        "",
        description="Comma-separated domains never captured (any host under them)",
    )
    claims_model_path: str = Field(
        "",
        description="The newsroom's refitted claim detector (`fact-tracker model fit`); "
        "empty: beside the SQLite file, or in the user data dir for PostgreSQL",
    )
    check_interval_hours: float = Field(24.0, gt=0, description="Normal gap between checks")
    max_check_interval_hours: float = Field(
        24.0 * 14, gt=0, description="Longest gap for long-stable links"
    )
    dead_recheck_hours: float = Field(
        24.0 * 7, gt=0, description="Gap between checks of dead links"
    )
    dead_after_checks: int = Field(3, ge=1, description="Failing checks in a row that confirm rot")
    dead_after_hours: float = Field(
        72.0, ge=0, description="Hours the failures must span to confirm rot"
    )
    lease_seconds: int = Field(
        300, ge=1, description="How long a worker holds claimed links (renewed while checking)"
    )
    schedule_every_minutes: float = Field(
        5.0, gt=0, description="How often `fact-tracker schedule` looks for due links"
    )
    schedule_batch_size: int = Field(
        100, ge=1, le=10_000, description="Most links of a host claimed ahead of its checks"
    )
    schedule_worker_id: str = Field(
        "",
        max_length=100,
        description="Name of this scheduler among the workers sharing a database "
        "(default: the host name); each running worker needs its own",
    )
    alerts_every_seconds: float = Field(
        60.0, gt=0, description="How often `fact-tracker schedule` delivers pending alerts"
    )
    alerts_max_attempts: int = Field(
        8, ge=1, description="Attempts at one alert delivery before it is given up as failed"
    )
    alerts_retry_seconds: float = Field(
        30.0, ge=0, description="Wait before retrying a failed alert delivery (doubles, up to 6 h)"
    )
    alerts_pause_after_failures: int = Field(
        5, ge=1, description="Failed deliveries in a row after which a channel is paused"
    )
    alerts_lease_seconds: int = Field(
        120, ge=1, description="How long a worker holds the alert deliveries it is sending"
    )
    smtp_host: str = Field("", description="SMTP server for email alerts (empty: email is off)")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP server port")
    smtp_username: str = Field("", description="SMTP login (empty: no login)")
    smtp_password: str = Field("", description="SMTP password")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS")
    smtp_from: str = Field("fact-tracker@localhost", description="Sender address of email alerts")
    feeds_poll_minutes: float = Field(
        60.0, gt=0, description="How often each followed feed or sitemap is polled"
    )
    feeds_max_entries: int = Field(
        50, ge=1, description="New articles ingested from one feed per poll (the rest wait)"
    )
    organization_name: str = Field(
        "",
        description="Publisher named as author of ClaimReview markup (required for ClaimReview)",
    )
    organization_url: str = Field(
        "", description="URL of the publishing organization (required for ClaimReview)"
    )
    claimreview_url_template: str = Field(
        "{organization_url}fact-checks/article-{article_id}.html#claim-{claim_id}",
        description="Where a published claim review lives (ClaimReview url); may use "
        "{organization_url}, {article_id} and {claim_id}",
    )
    credibility_weight_manual: float = Field(
        3.0,
        ge=0,
        description="Weight of a reviewer's manual rating in a source's score (0: unused)",
    )
    credibility_weight_external: float = Field(
        1.0, ge=0, description="Weight of each imported rating set in a source's score"
    )
    credibility_weight_rot: float = Field(
        0.5, ge=0, description="Weight of a source's link survival (1 - link-rot rate) in its score"
    )
    credibility_weight_evidence: float = Field(
        1.0, ge=0, description="Weight of the share of checked evidence still found on the source"
    )
    credibility_weight_verdicts: float = Field(
        2.0, ge=0, description="Weight of the verdicts of claims that cited the source"
    )
    credibility_weight_published_verdicts: float = Field(
        2.0, ge=0, description="Weight of the verdicts of claims in articles the source published"
    )
    credibility_min_sample: int = Field(
        3,
        ge=1,
        description="Fewest checked links, checked evidence or verdicts before that part of a "
        "source's own record counts toward its score",
    )

    web_session_key: str = Field(
        "",
        description="Key that signs the web workspace's session cookies (default: a random key "
        "kept in the user data dir, made on first use)",
    )
    web_secure_cookies: bool = Field(
        False,
        description="Send the workspace's session cookie over HTTPS only (set it when a "
        "TLS proxy serves `fact-tracker serve`)",
    )

    @field_validator("per_domain_limits")
    @classmethod
    def _domain_limits_parse(cls, value: str) -> str:
        from tracker.politeness.limits import parse_domain_limits

        parse_domain_limits(value)  # a ValueError names the part that is wrong
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=settings_file())
        return (init_settings, env_settings, toml)

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given (non-None) values replaced, validated like every other source
        (an option can no more set ``concurrency=0`` than the environment can)."""
        changes = {key: value for key, value in overrides.items() if value is not None}
        if not changes:
            return self
        unknown = sorted(set(changes) - set(type(self).model_fields))
        if unknown:
            raise InvalidInput(f"unknown setting {unknown[0]!r}")
        try:
            return type(self).model_validate({**self.model_dump(), **changes})
        except ValidationError as exc:
            raise InvalidInput(_invalid(exc)) from None

    def describe(self) -> list[tuple[str, str, str, str]]:
        """(name, environment variable, effective value, help) for every setting."""
        rows = []
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            shown = redact_url(value) if name == "database_url" else str(value)
            if name == "smtp_password" and value:
                shown = "***"
            if isinstance(value, tuple) and all(isinstance(item, BaseModel) for item in value):
                shown = json.dumps([item.model_dump() for item in value])  # as it is written
            if name.endswith("_key") and value:
                shown = "(set)"  # a secret (an API key, the web session key): never printed
            rows.append((name, f"{ENV_PREFIX}{name.upper()}", shown, field.description or ""))
        return rows


def redact_url(url: str) -> str:
    """Hide a password inside a database URL before printing it."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def load_settings(**overrides: Any) -> Settings:
    """Read the environment and settings file once; apply command-line overrides."""
    try:
        return Settings().with_overrides(**overrides)
    except ValidationError as exc:
        raise InvalidInput(_invalid(exc)) from None
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read settings file {settings_file()}: {exc}") from None


def _invalid(exc: ValidationError) -> str:
    error = exc.errors()[0]
    name = ".".join(str(part) for part in error["loc"]) or "?"
    return f"invalid setting {name} ({ENV_PREFIX}{name.upper()}): {error['msg']}"
