"""``fact-tracker demo``: the whole product in one command, offline."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from tracker.cli._common import AppContext, pass_app, print_table, printable, say, stderr_console


@click.command()
@click.option(
    "-o",
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Folder for the HTML report.",
)
@pass_app
def demo(app: AppContext, output_dir: Path) -> None:
    """Run the end-to-end demo on a local site: ingest, check twice, review, report.

    Starts a web site on 127.0.0.1 with an opinion article and the pages it cites (alive,
    moved, dead, withdrawn, a soft-404, and one whose figure is edited away between two
    checks) plus two local archives (a Wayback-style availability API and a Memento one). It
    ingests the article, records verdicts from a demo reviewer, checks every link twice so
    rot is confirmed and the edited page flags its verdict for re-review, keeps our own
    captures of the live sources and the passages where evidence was found, finds archived
    copies of the dead links, and writes the HTML report and a WACZ of the captures.

    Uses a temporary SQLite database unless --db URL is given (before or after `demo`); then
    everything stays there to explore. Nothing leaves this machine.
    """
    from tracker.demo.services import run_demo

    console = stderr_console()
    result = run_demo(
        app.settings,
        output_dir=output_dir,
        database_url=app.db_url,
        step=lambda message: console.print(f"[bold]>[/bold] {escape(printable(message))}"),
    )
    rows = [("claims", status, count) for status, count in sorted(result.claims_by_status.items())]
    rows += [("links", state, count) for state, count in sorted(result.links_by_state.items())]
    rows.append(("claims", "needs re-review", result.flagged_for_rereview))
    rows.append(("links", "with an archived copy", result.archived_links))
    print_table(["what", "state", "count"], rows, title="Demo summary")
    print_table(
        ["capture", "source", "captured (UTC)"],
        [(capture_id, url, when) for url, capture_id, when in result.captures],
        title="Our captures of the live sources",
    )
    print_table(
        ["claim", "passage kept", "from capture"],
        [
            (claim_id, passage, capture_id or "-")
            for claim_id, passage, capture_id in result.passages
        ],
        title="Evidence passages, as the sources said them",
    )
    print_table(
        ["dead or at-risk link", "archived copy", "archive"],
        [(url, copy, name or "-") for url, copy, name in result.archived],
        title="Archived copies of the rotten links",
    )
    if result.captures_path is not None:
        say(f"Captures: {result.captures_path.resolve()} (WACZ: ReplayWeb.page, pywb)")
    say(f"Report: {result.report_path.resolve()}")
    say(
        "Browse the demo in the web workspace: fact-tracker serve --demo "
        "(it prints a password; then open http://127.0.0.1:8000/)"
    )


COMMANDS = [demo]
