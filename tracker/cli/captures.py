"""``captures``: our own copies of cited sources (WARC), listed, read back and exported."""

from __future__ import annotations

import click

from tracker.cli._common import (
    AppContext,
    emit_json,
    json_option,
    pass_app,
    plural,
    print_table,
    printable,
    say,
)


@click.group()
def captures() -> None:
    """Our own copies of the cited sources, kept as WARC records.

    A live source is captured when a check first finds it alive and whenever its content
    changes (the request and response as received, in a WARC file of the capture folder,
    `capture_dir`). A payload already stored is written once: later captures of it are
    revisit records. Reports quote the evidence passages from these captures after the page
    is gone.
    """


def _selection(func: click.decorators.FC) -> click.decorators.FC:
    func = click.option(
        "--article", "article_id", type=int, metavar="ID", help="Captures of one article's links."
    )(func)
    return click.option("--link", metavar="URL|ID", help="Captures of one link.")(func)


@captures.command("list")
@_selection
@click.option("--limit", type=click.IntRange(min=1), help="Show only the first N captures.")
@json_option
@pass_app
def list_command(
    app: AppContext, link: str | None, article_id: int | None, limit: int | None, as_json: bool
) -> None:
    """List captures, oldest first: of one link, one article's links, or all.

    \b
    Examples:
      fact-tracker captures list
      fact-tracker captures list --article 1
      fact-tracker captures list --link https://example.org/report --json
    """
    from tracker.captures.services import list_captures

    items = list_captures(app.database(), app.reader, link=link, article_id=article_id, limit=limit)
    if as_json:
        emit_json(items)
        return
    print_table(
        ["id", "captured", "link", "status", "type", "bytes", "stored"],
        [
            (
                item.id,
                item.captured_at.strftime("%Y-%m-%d %H:%M"),
                item.link_url,
                item.http_status,
                item.content_type or "-",
                item.payload_length,
                "revisit" if item.revisit else item.warc_file,
            )
            for item in items
        ],
    )


@captures.command("show")
@click.argument("capture_id", type=int)
@json_option
@pass_app
def show_command(app: AppContext, capture_id: int, as_json: bool) -> None:
    """Show one capture read back from its WARC file: the answer's head and the page's text.

    \b
    Example:
      fact-tracker captures show 3
    """
    from tracker.captures.services import show_capture

    detail = show_capture(app.database(), app.reader, app.settings, capture_id)
    if as_json:
        emit_json(detail)
        return
    item = detail.capture
    say(f"capture {item.id} of {printable(item.link_url)}")
    say(f"  captured  {item.captured_at:%Y-%m-%d %H:%M:%S} UTC (check {item.check_id or '-'})")
    say(f"  answer    {printable(detail.status_line)}")
    say(f"  payload   {item.payload_length} bytes, {item.payload_digest}")
    stored = f"{item.warc_file} @ {item.warc_offset}"
    say(f"  stored    {stored}" + (" (revisit: payload stored earlier)" if item.revisit else ""))
    for name, value in detail.headers:
        say(f"  | {printable(name)}: {printable(value)}")
    for passage in detail.passages:
        say(f"  passage   “{printable(passage)}”")
    if detail.text:
        say()
        say(printable(detail.text))


@captures.command("export")
@_selection
@click.option("--all", "every", is_flag=True, help="Every capture.")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["warc", "wacz"]),
    default=None,
    help="WARC (.warc.gz) or a WACZ package (default: from the file name, else warc).",
)
@click.option("-o", "--output", required=True, metavar="FILE", help="Where to write it.")
@pass_app
def export_command(  # noqa: PLR0917 - click passes options positionally
    app: AppContext,
    link: str | None,
    article_id: int | None,
    every: bool,
    fmt: str | None,
    output: str,
) -> None:
    """Export captures as one WARC file or a WACZ package (ReplayWeb.page, pywb).

    \b
    Examples:
      fact-tracker captures export --article 1 -o article-1.wacz
      fact-tracker captures export --link https://example.org/report -o report.warc.gz
      fact-tracker captures export --all -o everything.wacz
    """
    from tracker.captures.services import export_captures

    if sum((link is not None, article_id is not None, every)) != 1:
        raise click.UsageError("choose one of --link, --article or --all")
    chosen = fmt or ("wacz" if output.lower().endswith(".wacz") else "warc")
    report = export_captures(
        app.database(),
        app.reader,
        app.settings,
        output,
        fmt=chosen,
        link=link,
        article_id=article_id,
    )
    say(
        f"wrote {printable(report.path)}: {plural(report.captures, 'capture')}, "
        f"{plural(report.records, 'record')} ({report.format}, {report.bytes} bytes)"
    )


COMMANDS = [captures]
