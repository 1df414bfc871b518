"""``sources``: the credibility of cited domains and publishers, with the reasons for it."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli._common import (
    AppContext,
    emit_json,
    json_option,
    pass_app,
    plural,
    print_table,
    reviewer_option,
    say,
)
from tracker.credibility.views import SORT_ORDERS, ScoreExplanation, SourceDetail, display_domain
from tracker.enums import ClaimStatus, LinkState


@click.group()
def sources() -> None:
    """Source credibility per registrable domain (news.bbc.co.uk counts as bbc.co.uk).

    Each domain's score is a weighted mean, on 0..1, of a reviewer's manual rating, imported
    rating sets and its own track record in our checks (link rot, evidence still found,
    verdicts). Weights are settings (`fact-tracker config`, credibility_weight_*); every score
    lists the inputs it used and the ones missing.
    """


@sources.command("list")
@click.option(
    "--sort",
    type=click.Choice(SORT_ORDERS),
    default="score",
    show_default=True,
    help="Highest first: combined score, citations in articles, or link-rot rate.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Show only the first N domains.")
@json_option
@pass_app
def list_command(app: AppContext, sort: str, limit: int | None, as_json: bool) -> None:
    """List every known domain with its score and track record.

    \b
    Columns: score (0..1, '-' without inputs) and what it rests on; articles published and
    citations; links, checked links, dead links and rot (dead / checked); evidence found /
    checked; verdicts of claims that cited the domain.

    \b
    Examples:
      fact-tracker sources list
      fact-tracker sources list --sort rot --limit 20
      fact-tracker sources list --json | jq '.[] | select(.score < 0.4)'
    """
    from tracker.credibility.services import list_sources

    items = list_sources(app.database(), app.reader, app.settings, sort=sort, limit=limit)
    if as_json:
        emit_json([_list_entry(item) for item in items])
        return
    print_table(
        [
            "domain",
            "score",
            "based on",
            "articles",
            "citations",
            "links",
            "checked",
            "dead",
            "rot",
            "evidence",
            "verdicts",
        ],
        [_row(item) for item in items],
    )


def _list_entry(item: ScoreExplanation) -> dict[str, object]:
    return {**item.to_dict(), "track_record": item.record.to_dict()}


def _row(item: ScoreExplanation) -> list[object]:
    record = item.record
    score = item.score
    rot = record.rot_rate
    evidence = (
        f"{record.evidence_found}/{record.evidence_checked}" if record.evidence_checked else None
    )
    return [
        display_domain(item.domain),
        None if score is None else f"{score:.2f}",
        item.basis,
        record.articles,
        record.citations,
        record.link_count,
        record.checked_links,
        record.dead_links,
        None if rot is None else f"{rot:.0%}",
        evidence,
        _verdict_counts(record.verdicts_cited) or None,
    ]


def _verdict_counts(counts: dict[ClaimStatus, int]) -> str:
    return ", ".join(
        f"{counts[status]} {status.value}" for status in ClaimStatus if counts.get(status)
    )


@sources.command("show")
@click.argument("domain")
@json_option
@pass_app
def show_command(app: AppContext, domain: str, as_json: bool) -> None:
    """Show DOMAIN's score with its explanation, track record, ratings and rating history.

    DOMAIN may be a URL or any host of the domain: news.bbc.co.uk shows bbc.co.uk.

    \b
    Examples:
      fact-tracker sources show bbc.co.uk
      fact-tracker sources show https://www.globalresearch.ca/some/article --json
    """
    from tracker.credibility.services import show_source

    detail = show_source(app.database(), app.reader, app.settings, domain)
    if as_json:
        emit_json(detail.to_dict())
        return
    for line in _detail_lines(detail):
        say(line)


def _detail_lines(detail: SourceDetail) -> list[str]:
    explanation = detail.explanation
    record = explanation.record
    title = display_domain(detail.domain)
    if detail.display_name:
        title = f"{title} - {detail.display_name}"
    score = explanation.score
    rot = record.rot_rate
    evidence = record.evidence_share
    lines = [
        title,
        "",
        "Score: " + ("none (no inputs yet)" if score is None else f"{score:.2f} on 0..1"),
        *explanation.lines()[1:],
        "",
        "Track record",
        f"  articles published: {record.articles}",
        f"  citations:          {record.citations}",
        "  links:              "
        + ", ".join(f"{record.links.get(state, 0)} {state.value}" for state in LinkState),
        "  link rot:           "
        + ("n/a" if rot is None else f"{rot:.0%}")
        + f" ({record.rotten_links} of {record.counted_links} checked links rotten, "
        + f"{record.dead_links} confirmed dead)"
        + (", check failures ignored for this domain" if record.ignore_failures else ""),
        "  evidence found:     "
        + ("n/a" if evidence is None else f"{evidence:.0%}")
        + f" ({record.evidence_found} of {record.evidence_checked} checked)",
        "  claims citing it:   " + (_verdict_counts(record.verdicts_cited) or "none"),
        "  claims it made:     " + (_verdict_counts(record.verdicts_published) or "none"),
    ]
    if detail.history:
        lines += ["", "History"]
        for entry in detail.history:
            change = f"{entry.old_value or '-'} -> {entry.new_value or '-'}"
            note = f": {entry.note}" if entry.note else ""
            lines.append(f"  {entry.at:%Y-%m-%d %H:%M} {entry.actor} {entry.action} {change}{note}")
    return lines


@sources.command("rate")
@click.argument("domain")
@click.argument("rating", type=float)
@click.option("--note", required=True, help="Why: kept in the rating's history.")
@reviewer_option
@pass_app
def rate_command(
    app: AppContext, domain: str, rating: float, note: str, reviewer: str | None
) -> None:
    """Rate DOMAIN by hand; every rating is kept in its history.

    \b
    RATING is on a 1..5 scale:
      1 unreliable  2 poor  3 mixed  4 generally reliable  5 highly reliable
    (decimals such as 3.5 allowed), stored as 0..1: (RATING - 1) / 4.

    \b
    Example:
      fact-tracker sources rate globalresearch.ca 1 --reviewer ana --note "fabricated quotes"
    """
    from tracker.credibility.services import rate_source

    actor = app.actor(reviewer)
    change = rate_source(app.database(), actor, app.settings, domain, rating, note=note)
    was = f" (was {change.old_value}/5)" if change.old_value else ""
    say(f"Rated {change.domain} {change.new_value}/5{was} by {change.actor}")
    for line in change.explanation.lines():
        say(line)


@sources.command("import-ratings")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="Label of the rating set; re-import replaces it.")
@click.option(
    "--domain-column", default="domain", show_default=True, help="Header of the domain column."
)
@click.option(
    "--score-column", default="score", show_default=True, help="Header of the score column."
)
@click.option(
    "--scale",
    default="0:1",
    show_default=True,
    metavar="MIN:MAX",
    help="The file's score scale; scores are normalized to 0..1 and must lie within it.",
)
@reviewer_option
@json_option
@pass_app
def import_command(
    app: AppContext,
    *,
    file: Path,
    name: str,
    domain_column: str,
    score_column: str,
    scale: str,
    reviewer: str | None,
    as_json: bool,
) -> None:
    """Import external domain ratings from a UTF-8 CSV file with a header row.

    Domains (URLs or hosts) are reduced to registrable domains; scores are normalized from
    --scale to 0..1. The file is imported whole or not at all: malformed rows, duplicate
    domains and scores outside the scale are reported by line number and nothing is written.
    Importing the same --name again replaces that set only.

    \b
    Example (a file with columns site,rating on 0..100):
      fact-tracker sources import-ratings quality.csv --name newsquality \\
          --domain-column site --score-column rating --scale 0:100
    """
    from tracker.credibility.services import import_ratings

    actor = app.actor(reviewer)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise click.FileError(str(file), exc.strerror) from None
    done = import_ratings(
        app.database(),
        actor,
        data,
        file_name=file.name,
        name=name,
        domain_column=domain_column,
        score_column=score_column,
        scale=scale,
    )
    result = done.result
    if as_json:
        emit_json(result.to_dict())
        return
    replaced = (
        "new set"
        if result.replaced_rows is None
        else f"replaced {plural(result.replaced_rows, 'rating')}"
    )
    imported = plural(result.rows, "rating")
    new = plural(result.new_sources, "new domain")
    say(
        f"Imported {imported} into set {result.name!r} from {done.file_name} "
        f"(scale {done.scale}; {replaced}; {new})"
    )


COMMANDS = [sources]
