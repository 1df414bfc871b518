"""init, db and config through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import make_cli_invoker
from tracker import __version__, migrate


def test_init_creates_schema_and_is_idempotent(fresh_db_url: str) -> None:
    run = make_cli_invoker(fresh_db_url)
    first = run("init")
    assert f"Initialised database at {migrate.head_revision()}" in first.stdout
    second = run("init")
    assert "already initialised" in second.stdout
    current = json.loads(run("db", "current", "--json").stdout)
    assert current["current"] == current["head"] == migrate.head_revision()


def test_init_defaults_to_the_configured_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "data" / "ft.sqlite3"
    monkeypatch.setenv("FACT_TRACKER_DATABASE_URL", f"sqlite:///{target}")
    result = make_cli_invoker(None)("init")
    assert str(target) in result.stdout
    assert target.exists()


def test_downgrade_to_base_and_upgrade_again(fresh_db_url: str) -> None:
    run = make_cli_invoker(fresh_db_url)
    run("init")
    assert "Database at base" in run("db", "downgrade", "base", "--yes").stdout
    assert migrate.head_revision() in run("db", "upgrade").stdout


def test_commands_refuse_an_uninitialised_database(backend: str, fresh_db_url: str) -> None:
    run = make_cli_invoker(fresh_db_url)
    if backend == "sqlite":  # no file yet: nothing creates one but init
        result = run("db", "current", exit_code=1)
        assert "no database at" in result.stderr
        assert "run `fact-tracker init`" in result.stderr
        assert not Path(fresh_db_url.removeprefix("sqlite:///")).exists()
        return
    result = run("db", "current")
    assert "none (run fact-tracker init)" in result.stdout
    assert "has no fact-tracker schema" in run("claims", "list", exit_code=1).stderr


def test_config_shows_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACT_TRACKER_TIMEOUT", "3.5")
    data = json.loads(make_cli_invoker(None)("config", "--json").stdout)
    assert data["settings"]["timeout"] == "3.5"
    assert data["settings"]["allow_private_networks"] == "True"


def test_config_reads_a_toml_file_below_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('timeout = 7.0\nuser_agent = "from-file"\n', encoding="utf-8")
    monkeypatch.setenv("FACT_TRACKER_CONFIG", str(config_file))
    monkeypatch.setenv("FACT_TRACKER_USER_AGENT", "from-env")
    data = json.loads(make_cli_invoker(None)("config", "--json").stdout)
    assert data["settings"]["timeout"] == "7.0"
    assert data["settings"]["user_agent"] == "from-env"


def test_invalid_setting_is_one_line_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACT_TRACKER_TIMEOUT", "soon")
    result = make_cli_invoker(None)("config", exit_code=2)
    assert result.stderr.startswith("error: invalid setting")
    assert len(result.stderr.strip().splitlines()) == 1


def test_config_hides_database_passwords() -> None:
    # (not "secret": a setting is named spn2_secret_key)
    result = make_cli_invoker("postgresql://u:pa55w0rd@127.0.0.1/x")("config", "--json")
    assert "pa55w0rd" not in result.stdout


def test_version_and_help() -> None:
    run = make_cli_invoker(None)
    assert __version__ in run("--version").stdout
    assert "Typical session" in run("--help").stdout


def test_unreachable_database_is_one_line_error(tmp_path: Path) -> None:
    run = make_cli_invoker("postgresql://postgres@127.0.0.1:1/none")
    result = run("db", "current", exit_code=1)
    assert result.stderr.startswith("error: database error")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch"], "error: No such command 'nosuch'. (see 'fact-tracker --help')"),
        (
            ["db", "current", "--bogus"],
            "error: No such option '--bogus'. (see 'fact-tracker db current --help')",
        ),
        (["db", "downgrade"], "error: Missing argument 'REVISION'."),
    ],
)
def test_usage_errors_are_one_line(args: list[str], message: str) -> None:
    result = make_cli_invoker(None)(*args, exit_code=2)
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("environment", "file_text"),
    [
        ({}, None),
        ({"FACT_TRACKER_DATABASE_URL": "sqlite:////tmp/from-env.db"}, None),
        ({"fact_tracker_database_url": "sqlite:////tmp/lower.db"}, None),
        ({}, 'database_url = "sqlite:////tmp/from-file.db"\n'),
        ({"FACT_TRACKER_DATABASE_URL": "sqlite:////tmp/env-wins.db"}, "timeout = 3.0\n"),
    ],
)
def test_the_quick_database_url_agrees_with_the_settings(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    file_text: str | None,
) -> None:
    """``claims list`` reads the URL without pydantic when it can: never a different one."""
    from tracker.setting_sources import quick_database_url
    from tracker.settings import load_settings

    monkeypatch.delenv("FACT_TRACKER_DATABASE_URL")
    config = tmp_path / "config.toml"
    monkeypatch.setenv("FACT_TRACKER_CONFIG", str(config))
    if file_text is not None:
        config.write_text(file_text, encoding="utf-8")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    quick = quick_database_url()
    assert quick in (None, load_settings().database_url)
    assert (quick is None) == (file_text is not None and not environment)


def test_overrides_of_settings_are_validated() -> None:
    """An override is checked like the environment or the file (it used to be copied in)."""
    from tracker.errors import InvalidInput
    from tracker.settings import load_settings

    base = load_settings()
    assert base.with_overrides(concurrency=5).concurrency == 5
    with pytest.raises(InvalidInput, match=r"invalid setting concurrency .*greater than or equal"):
        base.with_overrides(concurrency=0)
    with pytest.raises(InvalidInput, match="unknown setting 'concurrence'"):
        base.with_overrides(concurrence=5)
