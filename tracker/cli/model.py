"""``model fit|reset|show`` and ``claims export-labels``: the newsroom's own claim detector."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli._common import AppContext, emit_json, json_option, pass_app
from tracker.cli.groups import claims


@claims.command("export-labels")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV file to write (claim_id, group, label, reason, text).",
)
@pass_app
def export_labels(app: AppContext, output: Path) -> None:
    """Write reviewers' decisions as labels: rejected claims 0, added or judged claims 1.

    \b
    Example:
      fact-tracker claims export-labels -o labels.csv
    """
    from tracker.extraction import refit

    labels = refit.newsroom_labels(app.database())
    refit.write_labels(labels, output)
    positives = sum(item.label for item in labels)
    click.echo(
        f"wrote {len(labels)} labels ({positives} claims, {len(labels) - positives} not) "
        f"to {output}"
    )


@click.group()
def model() -> None:
    """The claim detector: refit it on the newsroom's labels, or go back to the shipped one."""


@model.command("fit")
@click.option(
    "--labels",
    "labels_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Extra labels: a CSV with text and label (0/1) columns, e.g. from export-labels.",
)
@json_option
@pass_app
def fit_model(app: AppContext, labels_file: Path | None, as_json: bool) -> None:
    """Refit the detector on reviewers' decisions and use it from now on.

    Prints F1 on the newsroom's labels before (shipped model) and after (refit), both
    cross-validated by article. The refit is stored beside the database.
    """
    from tracker.extraction import refit

    extra = refit.read_labels(labels_file) if labels_file else []
    report = refit.fit(app.settings, app.database(), extra)
    if as_json:
        emit_json(
            {
                "labels": report.labels,
                "claims": report.claims,
                "path": str(report.path),
                "before": vars(report.before),
                "after": vars(report.after),
            }
        )
        return
    click.echo(f"refitted on {report.labels} labels ({report.claims} claims)")
    click.echo(
        f"F1 on them, cross-validated by article: before {report.before.f1:.3f} "
        f"({report.before}), after {report.after.f1:.3f} ({report.after})"
    )
    click.echo(f"stored in {report.path}; `fact-tracker model reset` goes back")


@model.command("reset")
@pass_app
def reset_model(app: AppContext) -> None:
    """Go back to the shipped detector (deletes the refit)."""
    from tracker.extraction import refit

    removed = refit.reset(app.settings)
    click.echo(
        f"removed {removed}: using the shipped model"
        if removed
        else "no refit: already using the shipped model"
    )


COMMANDS = [model]
