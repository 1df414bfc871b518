"""Terminal injection: text from pages, files and people never reaches the terminal raw.

Titles, claims, anchors, notes and URLs may carry ESC/OSC/CSI sequences meant to retitle the
window, clear the screen or fake output. Every CLI output path (plain lines, tab-separated
tables, rich tables on a terminal, JSON) makes them printable.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliInvoker
from tracker.cli import _common

ESCAPES = ("\x1b", "\x07", "\x9b", "\x90", "\r")
HOSTILE = (
    "Evil \x1b]0;pwned\x07 title \x1b[31mred\n\n"
    "Poland now spends 4.1% of GDP on defence\x1b[2K, up from 2.4% in 2022, according to "
    "<u>the \x1b[5mministry</u>.\n"
)


pytestmark = pytest.mark.usefixtures("acting_as_ana")


def clean(text: str) -> bool:
    return not any(code in text for code in ESCAPES)


@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "rich"])
def test_no_escape_sequence_reaches_the_terminal(
    run_cli: CliInvoker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    monkeypatch.setattr(_common, "stdout_is_terminal", lambda: terminal)
    story = tmp_path / "story.txt"
    story.write_text(HOSTILE, encoding="utf-8")
    outputs = [run_cli("ingest", str(story))]
    [claim] = json.loads(run_cli("claims", "list", "--json").stdout)
    assert "\x1b" in claim["text"]  # stored as written: escaping is the terminal's edge
    run_cli("note", str(claim["id"]), "asked \x1b]8;;http://x.example\x07here\x1b]8;;\x07\x9b2J")
    outputs += [
        run_cli("articles", "list"),
        run_cli("articles", "show", "1"),
        run_cli("citations", "list"),
        run_cli("claims", "list"),
        run_cli("claims", "show", str(claim["id"])),
        run_cli("claims", "history", str(claim["id"])),
        run_cli("claims", "list", "--json"),
        run_cli("articles", "show", "1", "--json"),
        run_cli("verdict", str(claim["id"]), "nonsense\x1b[2J", exit_code=2),
    ]
    for result in outputs:
        assert clean(result.stdout), result.stdout
        assert clean(result.stderr), result.stderr
    shown = outputs[2].stdout
    assert "Evil ?]0;pwned? title ?[31mred" in shown  # visible, not executed


def test_printable_keeps_text_and_marks_what_it_removed() -> None:
    assert _common.printable("Zürich 69 %\tok\nnext") == "Zürich 69 % ok next"
    assert _common.printable("a\x1b[31mb\x07c\x9bd") == "a?[31mb?c?d"


@pytest.mark.parametrize("fmt", ["md", "csv", "html"])
def test_a_report_printed_on_a_terminal_is_printable(
    run_cli: CliInvoker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    story = tmp_path / "story.txt"
    story.write_text(HOSTILE, encoding="utf-8")
    run_cli("ingest", str(story))
    monkeypatch.setattr(_common, "stdout_is_terminal", lambda: True)
    shown = run_cli("report", "article", "1", "--format", fmt).stdout
    assert clean(shown), shown
    assert "pwned" in shown
