"""The README's typical session works verbatim for a newcomer.

Every command of it runs as written, in a fresh place with the default database, except the
three that reach the internet (``check``, ``follow``, ``schedule``): tests never leave
127.0.0.1; and ``serve``, which serves until Ctrl-C (tests/test_web*.py serve the workspace).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import cli

ROOT = Path(__file__).resolve().parents[1]
NETWORK = {"check", "follow", "schedule"}
SERVES = {"serve"}  # until Ctrl-C


def typical_session() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"A typical session.*?```sh\n(.*?)```", readme, re.DOTALL)
    assert block is not None, "the README has lost its typical session"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_typical_session_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tests").symlink_to(ROOT / "tests")  # the session runs in the repository
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FACT_TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'ft.db'}")
    outputs: dict[str, str] = {}
    ran = []
    for line in typical_session():
        words = shlex.split(line, comments=True)
        if words[0] == "source":
            continue
        if words[0] == "export":
            name, value = words[1].split("=", 1)
            monkeypatch.setenv(name, value)
            continue
        assert words[0] == "fact-tracker", line
        if words[1] in NETWORK | SERVES:
            continue
        typed = "a long password\n" * 2 if words[1:3] == ["reviewers", "passwd"] else None
        result = CliRunner().invoke(cli, words[1:], input=typed, prog_name="fact-tracker")
        assert result.exit_code == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        outputs[words[1]] = result.stdout
        ran.append(words[1])
    assert ran == [
        "init",
        "reviewers",
        "reviewers",
        "ingest",
        "claims",
        "verdict",
        "report",
        "captures",
        "alerts",
    ]
    [poll] = [row for row in outputs["claims"].splitlines() if row.startswith("2\t")]
    assert "69% of Poles" in poll
    assert "accurate" in outputs["verdict"]
    assert "<h1>Verification report" in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "desk@example.org" in outputs["alerts"]
