"""Reviewing claims: verdicts, notes, edits and the append-only history that proves them.

Services only; the CLI (``tracker/cli/review.py``, ``tracker/cli/reviewers.py``) is a thin
layer over these functions.
"""

from tracker.review.actions import (
    Change,
    add_note,
    edit_claim,
    reject_claim,
    set_status,
)
from tracker.review.history import (
    ClaimHistory,
    ClaimView,
    EventView,
    SourceView,
    claim_history,
    load_claim,
)
from tracker.review.locking import ClaimChanged
from tracker.review.queue import review_queue
from tracker.review.reviewers import (
    ReviewerView,
    add_reviewer,
    list_reviewers,
    parse_role,
    require_reviewer,
)
from tracker.review.workflow import FINAL_STATUSES, needs_note, parse_status

__all__ = [
    "FINAL_STATUSES",
    "Change",
    "ClaimChanged",
    "ClaimHistory",
    "ClaimView",
    "EventView",
    "ReviewerView",
    "SourceView",
    "add_note",
    "add_reviewer",
    "claim_history",
    "edit_claim",
    "list_reviewers",
    "load_claim",
    "needs_note",
    "parse_role",
    "parse_status",
    "reject_claim",
    "require_reviewer",
    "review_queue",
    "set_status",
]
