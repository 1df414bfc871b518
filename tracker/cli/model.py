"""``model fit|reset``: the newsroom's own claim detector (``claims export-labels`` writes the
labels it learns from)."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli._common import (
    AppContext,
    emit_json,
    json_option,
    pass_app,
    reviewer_option,
    say,
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
@reviewer_option
@json_option
@pass_app
def fit_model(
    app: AppContext, labels_file: Path | None, reviewer: str | None, as_json: bool
) -> None:
    """Refit the detector on reviewers' decisions and use it from now on.

    Prints F1 on the newsroom's labels before (shipped model) and after (refit), both
    cross-validated by article. The refit is stored beside the database.

    \b
    Example:
      fact-tracker model fit --reviewer ana
    """
    from tracker.extraction.services import fit_model

    report = fit_model(app.database(), app.actor(reviewer), app.settings, labels_file=labels_file)
    if as_json:
        emit_json(report)
        return
    say(f"refitted on {report.labels} labels ({report.claims} claims)")
    say(
        f"F1 on them, cross-validated by article: before {report.before.f1:.3f} "
        f"({report.before}), after {report.after.f1:.3f} ({report.after})"
    )
    say(f"stored in {report.path}; `fact-tracker model reset` goes back")


@model.command("reset")
@reviewer_option
@pass_app
def reset_model(app: AppContext, reviewer: str | None) -> None:
    """Go back to the shipped detector (deletes the refit)."""
    from tracker.extraction.services import reset_model

    removed = reset_model(app.database(), app.actor(reviewer), app.settings).removed
    say(
        f"removed {removed}: using the shipped model"
        if removed
        else "no refit: already using the shipped model"
    )


COMMANDS = [model]
