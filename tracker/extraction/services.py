"""The claim detector's services: reviewers' decisions as labels, a refit, a reset.

Every function takes ``(database, actor, ...)``. Exporting labels reads claims (any role);
refitting and resetting change how every later ingest finds claims, so they need the reviewer
role, as the decisions they learn from do.
"""

from __future__ import annotations

from pathlib import Path

from tracker.actors import Actor
from tracker.db import Database
from tracker.extraction.views import LabelExport, ModelFit, ModelReset
from tracker.review.reviewers import may_change, may_read
from tracker.settings import Settings


def export_labels(database: Database, actor: Actor, output: Path) -> LabelExport:
    """Write reviewers' decisions to ``output`` (CSV): rejected claims 0, added or judged 1."""
    from tracker.extraction import refit

    with database.reading() as session:
        may_read(session, actor, "claims")
        labels = refit.newsroom_labels(session)
    refit.write_labels(labels, output)
    return LabelExport(len(labels), sum(item.label for item in labels), str(output))


def fit_model(
    database: Database, actor: Actor, settings: Settings, *, labels_file: Path | None = None
) -> ModelFit:
    """Refit the detector on reviewers' decisions (and ``labels_file``), used from then on."""
    from tracker.extraction import refit

    extra = refit.read_labels(labels_file) if labels_file else []
    with database.reading() as session:
        may_change(session, actor, "refit the claim detector")
        labels = refit.newsroom_labels(session)
    return refit.fit(settings, [*labels, *extra])


def reset_model(database: Database, actor: Actor, settings: Settings) -> ModelReset:
    """Go back to the shipped detector (deletes the refit)."""
    from tracker.extraction import refit

    with database.reading() as session:
        may_change(session, actor, "reset the claim detector")
    removed = refit.reset(settings)
    return ModelReset(str(removed) if removed else None)
