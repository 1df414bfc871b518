"""The combined score's rules, without a database: weights, missing inputs, thresholds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker.credibility.record import TrackRecord, verdict_balance
from tracker.credibility.score import ExternalScore, ManualRating, explain
from tracker.enums import ClaimStatus, LinkState
from tracker.settings import Settings


def _record(**changes: object) -> TrackRecord:
    record = TrackRecord(source_id=1, domain="cited.org")
    for name, value in changes.items():
        setattr(record, name, value)
    return record


MANUAL = ManualRating(0.75, "careful corrections", "ana", datetime(2026, 11, 2, tzinfo=UTC))
EXTERNAL = [
    ExternalScore("quality", 0.9, 90.0, 0.0, 100.0),
    ExternalScore("trust", 0.2, -0.6, -1.0, 1.0),
]
RECORD = _record(
    links={LinkState.ALIVE: 7, LinkState.DEAD: 3},
    rotten_links=3,
    counted_links=10,
    evidence_checked=4,
    evidence_found=3,
    verdicts_cited={ClaimStatus.ACCURATE: 2, ClaimStatus.MOSTLY_FALSE: 2},
)


def test_weighted_mean_of_every_input(settings: Settings) -> None:
    result = explain(RECORD, MANUAL, EXTERNAL, ["quality", "trust", "unused"], settings)
    used = {item.key: (item.value, item.weight) for item in result.inputs}
    assert used == {
        "manual": (0.75, 3.0),
        "external:quality": (0.9, 1.0),
        "external:trust": (0.2, 1.0),
        "rot": (pytest.approx(0.7), 0.5),
        "evidence": (0.75, 1.0),
        "verdicts_cited": (pytest.approx(0.625), 2.0),  # (1 + 1 + .25 + .25) / 4
    }
    expected = (0.75 * 3 + 0.9 + 0.2 + 0.7 * 0.5 + 0.75 + 0.625 * 2) / (3 + 1 + 1 + 0.5 + 1 + 2)
    assert result.score == pytest.approx(expected)
    assert result.total_weight == pytest.approx(8.5)
    assert result.basis == "manual, 2 sets, own record (3)"
    assert {item.key: item.reason for item in result.missing} == {
        "external:unused": "does not rate it",
        "verdicts_published": "no rated verdicts yet",
    }
    text = "\n".join(result.lines())
    assert f"score {expected:.2f} on 0..1, weighted mean of 6 inputs" in text
    assert "manual rating: 0.75 x weight 3 (35% of the weight; credibility_weight_manual)" in text
    assert "4/5 by ana on 2026-11-02: careful corrections" in text
    assert "raw -0.6 on -1..1" in text
    assert "3 of 10 checked links rotten (rot 30%)" in text
    assert "missing rating set unused: does not rate it" in text
    as_dict = result.to_dict()
    assert as_dict["score"] == pytest.approx(expected)
    assert len(as_dict["inputs"]) == 6  # type: ignore[arg-type]


def test_weights_come_from_settings(settings: Settings) -> None:
    only_manual = settings.with_overrides(
        credibility_weight_external=0.0,
        credibility_weight_rot=0.0,
        credibility_weight_evidence=0.0,
        credibility_weight_verdicts=0.0,
    )
    result = explain(RECORD, MANUAL, EXTERNAL, ["quality", "trust"], only_manual)
    assert [item.key for item in result.inputs] == ["manual"]
    assert result.score == pytest.approx(0.75)
    reasons = {item.key: item.reason for item in result.missing}
    assert reasons["rot"].startswith("given no weight; 3 of 10 checked links rotten")
    assert reasons["external:quality"].startswith("given no weight;")

    heavy_record = settings.with_overrides(credibility_weight_manual=0.0)
    result = explain(RECORD, MANUAL, [], [], heavy_record)
    assert "manual" not in [item.key for item in result.inputs]
    assert result.score == pytest.approx((0.7 * 0.5 + 0.75 + 0.625 * 2) / 3.5)


def test_no_inputs_means_no_score(settings: Settings) -> None:
    result = explain(_record(), None, [], [], settings)
    assert result.score is None
    assert result.basis == "no inputs"
    assert result.lines()[0] == "cited.org: no score (no inputs yet)"
    assert {item.key for item in result.missing} == {
        "manual",
        "external",
        "rot",
        "evidence",
        "verdicts_cited",
        "verdicts_published",
    }


def test_small_samples_do_not_count(settings: Settings) -> None:
    record = _record(
        links={LinkState.DEAD: 2, LinkState.UNCHECKED: 40},
        rotten_links=2,
        counted_links=2,
        evidence_checked=2,
        evidence_found=0,
        verdicts_published={ClaimStatus.FALSE: 2, ClaimStatus.UNVERIFIABLE: 5},
    )
    result = explain(record, None, [], [], settings)
    assert result.score is None
    reasons = {item.key: item.reason for item in result.missing}
    assert reasons["rot"] == "checked links: 2 of the 3 needed"
    assert reasons["evidence"] == "checked evidence: 2 of the 3 needed"
    assert reasons["verdicts_published"] == "rated verdicts: 2 of the 3 needed"
    relaxed = explain(record, None, [], [], settings.with_overrides(credibility_min_sample=1))
    assert relaxed.score == 0.0
    assert len(relaxed.inputs) == 3


def test_ignored_domains_have_no_rot_input(settings: Settings) -> None:
    record = _record(
        ignore_failures=True, links={LinkState.DEAD: 10}, rotten_links=10, counted_links=10
    )
    result = explain(record, None, [], [], settings)
    assert result.score is None
    reasons = {item.key: item.reason for item in result.missing}
    assert reasons["rot"] == "check failures on this domain are ignored (bot walls)"


def test_verdict_balance_uses_the_claimreview_scale() -> None:
    assert verdict_balance({}) == (None, 0)
    assert verdict_balance({ClaimStatus.UNVERIFIABLE: 3, ClaimStatus.IN_REVIEW: 2}) == (None, 0)
    balance, count = verdict_balance(
        {
            ClaimStatus.ACCURATE: 1,
            ClaimStatus.MOSTLY_ACCURATE: 1,
            ClaimStatus.MIXED: 1,
            ClaimStatus.MISLEADING: 1,
            ClaimStatus.FALSE: 1,
            ClaimStatus.REJECTED: 4,
        }
    )
    assert count == 5
    assert balance == pytest.approx((1 + 0.75 + 0.5 + 0.25 + 0) / 5)
