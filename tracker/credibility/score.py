"""The combined credibility score of a domain, always with the reasons behind it.

The score is the weighted mean, on 0..1, of whichever inputs exist for the domain:

- the reviewers' manual rating (weight ``credibility_weight_manual``);
- each imported rating set that rates it (``credibility_weight_external`` each);
- its own track record: link survival, 1 - link-rot rate (``credibility_weight_rot``), the
  share of checked evidence still found (``credibility_weight_evidence``), the verdict balance
  of claims that cited it (``credibility_weight_verdicts``) and of claims in articles it
  published (``credibility_weight_published_verdicts``).

A track-record figure counts only once it rests on ``credibility_min_sample`` checked links,
checked evidence or verdicts. Every input left out is listed with the reason, and a domain
with no input at all has no score (None), never a made-up default.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.credibility.domains import domain_of
from tracker.credibility.manual import manual_scale_value
from tracker.credibility.record import TrackRecord, track_records, verdict_balance
from tracker.enums import ClaimStatus
from tracker.errors import NotFound
from tracker.models import ExternalRating, RatingSet, Reviewer, Source
from tracker.settings import Settings


@dataclass(frozen=True)
class ScoreInput:
    """One input the score used: its value on 0..1, its weight and where both come from."""

    key: str
    label: str
    value: float
    weight: float
    setting: str
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "weight": self.weight,
            "setting": self.setting,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class MissingInput:
    """An input the score could have used, and why it did not."""

    key: str
    label: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"key": self.key, "label": self.label, "reason": self.reason}


@dataclass(frozen=True)
class ManualRating:
    score: float
    note: str | None
    rated_by: str | None
    rated_at: datetime | None


@dataclass(frozen=True)
class ExternalScore:
    rating_set: str
    score: float
    raw_score: float
    scale_min: float
    scale_max: float


@dataclass(frozen=True)
class ScoreExplanation:
    """A domain's score (None without inputs), the inputs used, and those missing."""

    domain: str
    record: TrackRecord
    manual: ManualRating | None = None
    external: list[ExternalScore] = field(default_factory=list)
    inputs: list[ScoreInput] = field(default_factory=list)
    missing: list[MissingInput] = field(default_factory=list)

    @property
    def total_weight(self) -> float:
        return sum(item.weight for item in self.inputs)

    @property
    def score(self) -> float | None:
        total = self.total_weight
        if not total:
            return None
        return sum(item.value * item.weight for item in self.inputs) / total

    @property
    def basis(self) -> str:
        """A short account of the inputs, for tables: ``manual, 2 sets, own record (3)``."""
        parts = []
        keys = [item.key for item in self.inputs]
        if "manual" in keys:
            parts.append("manual")
        sets = sum(1 for key in keys if key.startswith("external:"))
        if sets:
            parts.append(f"{sets} set" + ("s" if sets > 1 else ""))
        own = sum(1 for key in keys if key in OWN_RECORD_KEYS)
        if own:
            parts.append(f"own record ({own})")
        return ", ".join(parts) or "no inputs"

    def lines(self) -> list[str]:
        """The explanation as plain text lines (the caller escapes them for its medium)."""
        score = self.score
        if score is None:
            head = f"{self.domain}: no score (no inputs yet)"
        else:
            head = (
                f"{self.domain}: score {score:.2f} on 0..1, weighted mean of "
                f"{len(self.inputs)} input{'s' if len(self.inputs) != 1 else ''}"
            )
        out = [head]
        total = self.total_weight
        for item in self.inputs:
            share = item.weight / total if total else 0.0
            out.append(
                f"  used    {item.label}: {item.value:.2f} x weight {item.weight:g} "
                f"({share:.0%} of the weight; {item.setting}) - {item.detail}"
            )
        out.extend(f"  missing {item.label}: {item.reason}" for item in self.missing)
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "domain": self.domain,
            "score": self.score,
            "basis": self.basis,
            "inputs": [item.to_dict() for item in self.inputs],
            "missing": [item.to_dict() for item in self.missing],
        }


OWN_RECORD_KEYS = frozenset({"rot", "evidence", "verdicts_cited", "verdicts_published"})


def score_domain(session: Session, domain: str, settings: Settings) -> ScoreExplanation:
    """The explained score of one domain (any URL or host of it); NotFound if never seen."""
    registrable = domain_of(domain)
    found = score_domains(session, settings, [registrable])
    if registrable not in found:
        raise NotFound("source", registrable)
    return found[registrable]


def score_domains(
    session: Session, settings: Settings, domains: Collection[str] | None = None
) -> dict[str, ScoreExplanation]:
    """Explained scores of every source (or of the registrable ``domains``), by domain."""
    records = track_records(session, domains)
    if not records:
        return {}
    by_id = {record.source_id: record for record in records.values()}
    wanted = None if domains is None else list(by_id)

    manual_query = select(
        Source.id, Source.manual_rating, Source.manual_note, Reviewer.name, Source.rated_at
    ).outerjoin(Reviewer, Source.rated_by_id == Reviewer.id)
    manual_query = manual_query.where(Source.manual_rating.is_not(None))
    if wanted is not None:
        manual_query = manual_query.where(Source.id.in_(wanted))
    manual = {
        source_id: ManualRating(rating, note, rater, rated_at)
        for source_id, rating, note, rater, rated_at in session.execute(manual_query)
    }

    external_query = select(
        ExternalRating.source_id,
        RatingSet.name,
        ExternalRating.score,
        ExternalRating.raw_score,
        RatingSet.scale_min,
        RatingSet.scale_max,
    ).join(RatingSet, ExternalRating.rating_set_id == RatingSet.id)
    if wanted is not None:
        external_query = external_query.where(ExternalRating.source_id.in_(wanted))
    external: dict[int, list[ExternalScore]] = defaultdict(list)
    for source_id, name, score, raw, low, high in session.execute(
        external_query.order_by(RatingSet.name)
    ):
        external[source_id].append(ExternalScore(name, score, raw, low, high))
    set_names = list(session.scalars(select(RatingSet.name).order_by(RatingSet.name)))

    return {
        record.domain: explain(
            record,
            manual.get(record.source_id),
            external.get(record.source_id, []),
            set_names,
            settings,
        )
        for record in records.values()
    }


def explain(
    record: TrackRecord,
    manual: ManualRating | None,
    external: list[ExternalScore],
    rating_sets: list[str],
    settings: Settings,
) -> ScoreExplanation:
    """Combine the inputs of one domain; pure, so the rules are tested without a database."""
    result = ScoreExplanation(record.domain, record, manual, list(external))
    _manual_input(result, manual, settings)
    _external_inputs(result, external, rating_sets, settings)
    _rot_input(result, record, settings)
    _evidence_input(result, record, settings)
    _verdict_input(
        result,
        key="verdicts_cited",
        label="verdicts of claims citing it",
        verdicts=record.verdicts_cited,
        setting="credibility_weight_verdicts",
        settings=settings,
    )
    _verdict_input(
        result,
        key="verdicts_published",
        label="verdicts of claims it published",
        verdicts=record.verdicts_published,
        setting="credibility_weight_published_verdicts",
        settings=settings,
    )
    return result


def _add(
    result: ScoreExplanation,
    *,
    key: str,
    label: str,
    value: float,
    setting: str,
    settings: Settings,
    detail: str,
) -> None:
    weight = float(getattr(settings, setting))
    if weight <= 0:
        result.missing.append(MissingInput(key, label, f"given no weight; {detail}"))
        return
    result.inputs.append(ScoreInput(key, label, value, weight, setting, detail))


def _manual_input(
    result: ScoreExplanation, manual: ManualRating | None, settings: Settings
) -> None:
    label = "manual rating"
    if manual is None:
        result.missing.append(MissingInput("manual", label, "no reviewer has rated it"))
        return
    by = f" by {manual.rated_by}" if manual.rated_by else ""
    when = f" on {manual.rated_at:%Y-%m-%d}" if manual.rated_at else ""
    note = f": {manual.note}" if manual.note else ""
    detail = f"{manual_scale_value(manual.score):g}/5{by}{when}{note}"
    _add(
        result,
        key="manual",
        label=label,
        value=manual.score,
        setting="credibility_weight_manual",
        settings=settings,
        detail=detail,
    )


def _external_inputs(
    result: ScoreExplanation,
    external: list[ExternalScore],
    rating_sets: list[str],
    settings: Settings,
) -> None:
    rated = {item.rating_set for item in external}
    for item in external:
        detail = f"raw {item.raw_score:g} on {item.scale_min:g}..{item.scale_max:g}"
        _add(
            result,
            key=f"external:{item.rating_set}",
            label=f"rating set {item.rating_set}",
            value=item.score,
            setting="credibility_weight_external",
            settings=settings,
            detail=detail,
        )
    for name in rating_sets:
        if name not in rated:
            result.missing.append(
                MissingInput(f"external:{name}", f"rating set {name}", "does not rate it")
            )
    if not rating_sets:
        result.missing.append(
            MissingInput("external", "imported ratings", "no rating set imported")
        )


def _too_few(count: int, what: str, settings: Settings) -> str | None:
    if count == 0:
        return f"no {what} yet"
    if count < settings.credibility_min_sample:
        needed = settings.credibility_min_sample
        return f"{what}: {count} of the {needed} needed"
    return None


def _rot_input(result: ScoreExplanation, record: TrackRecord, settings: Settings) -> None:
    label = "link survival (1 - rot rate)"
    if record.ignore_failures:
        result.missing.append(
            MissingInput("rot", label, "check failures on this domain are ignored (bot walls)")
        )
        return
    reason = _too_few(record.counted_links, "checked links", settings)
    rot = record.rot_rate
    if reason or rot is None:
        result.missing.append(MissingInput("rot", label, reason or "no checked links yet"))
        return
    detail = f"{record.rotten_links} of {record.counted_links} checked links rotten (rot {rot:.0%})"
    _add(
        result,
        key="rot",
        label=label,
        value=1.0 - rot,
        setting="credibility_weight_rot",
        settings=settings,
        detail=detail,
    )


def _evidence_input(result: ScoreExplanation, record: TrackRecord, settings: Settings) -> None:
    label = "evidence still found"
    reason = _too_few(record.evidence_checked, "checked evidence", settings)
    share = record.evidence_share
    if reason or share is None:
        result.missing.append(MissingInput("evidence", label, reason or "no checked evidence"))
        return
    detail = f"found {record.evidence_found} of {record.evidence_checked} checked"
    _add(
        result,
        key="evidence",
        label=label,
        value=share,
        setting="credibility_weight_evidence",
        settings=settings,
        detail=detail,
    )


def _verdict_input(
    result: ScoreExplanation,
    *,
    key: str,
    label: str,
    verdicts: dict[ClaimStatus, int],
    setting: str,
    settings: Settings,
) -> None:
    balance, count = verdict_balance(verdicts)
    reason = _too_few(count, "rated verdicts", settings)
    if reason or balance is None:
        result.missing.append(MissingInput(key, label, reason or "no rated verdicts"))
        return
    counts = ", ".join(
        f"{verdicts[status]} {status}" for status in ClaimStatus if verdicts.get(status)
    )
    detail = f"mean of {count} verdicts (false 0 .. accurate 1): {counts}"
    _add(
        result,
        key=key,
        label=label,
        value=balance,
        setting=setting,
        settings=settings,
        detail=detail,
    )
