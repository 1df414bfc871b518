"""The review workflow's rules, in one place: valid statuses, allowed moves, required notes.

A claim starts ``unverified``, a reviewer may take it ``in_review``, and it ends with a verdict
(``accurate`` .. ``false``, ``unverifiable``) or ``rejected`` when the candidate is no claim.
Verdicts may be revised or re-affirmed (a re-affirmed verdict clears ``needs_rereview``);
a judged claim goes back to work through ``in_review``, never silently to ``unverified``.
"""

from __future__ import annotations

from tracker.enums import VERDICTS, ClaimStatus
from tracker.errors import InvalidInput

FINAL_STATUSES = VERDICTS | {ClaimStatus.REJECTED}
"""Statuses that end a review: setting one clears ``needs_rereview``."""

NOTE_OPTIONAL_VERDICTS = frozenset({ClaimStatus.UNVERIFIABLE, ClaimStatus.REJECTED})

_REOPENABLE = frozenset({ClaimStatus.UNVERIFIED, ClaimStatus.IN_REVIEW, ClaimStatus.REJECTED})


def parse_status(value: str | ClaimStatus) -> ClaimStatus:
    """``mostly-accurate``, ``Mostly Accurate`` and ``mostly_accurate`` all name one status."""
    if isinstance(value, ClaimStatus):
        return value
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return ClaimStatus(key)
    except ValueError:
        choices = ", ".join(status.value for status in ClaimStatus)
        raise InvalidInput(f"invalid status {value!r}: choose one of {choices}") from None


def needs_note(status: ClaimStatus) -> bool:
    """A verdict must say why (the evidence); unverifiable and rejected need not."""
    return status in VERDICTS and status not in NOTE_OPTIONAL_VERDICTS


def clean_note(note: str | None, *, required: bool) -> str | None:
    """The note stripped; a given-but-blank note is bad input, a missing required one too."""
    if note is not None:
        note = note.strip()
        if not note:
            raise InvalidInput("the note is empty: say why (the evidence)")
    if note is None and required:
        raise InvalidInput("this needs a note saying why (the evidence)")
    return note


def check_transition(claim_id: int, old: ClaimStatus, new: ClaimStatus) -> None:
    """Refuse moves the workflow does not allow, with the reason."""
    if old == new and new not in FINAL_STATUSES:
        raise InvalidInput(f"claim {claim_id} is already {old.value}")
    if old == new == ClaimStatus.REJECTED:
        raise InvalidInput(f"claim {claim_id} is already rejected")
    if new == ClaimStatus.UNVERIFIED and old not in _REOPENABLE:
        raise InvalidInput(
            f"claim {claim_id} has the verdict {old.value}: reopen it with in_review, "
            "not unverified"
        )
