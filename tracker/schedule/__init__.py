"""Scheduled, unattended link checking that scales out over workers sharing one database.

``leases`` claims due links for one worker at a time, ``worker`` runs claim-and-check rounds
with a checker passed in, ``jobs`` is the plan, ``runner`` the foreground process behind
``fact-tracker schedule``, ``status`` what ``schedule status`` shows.
"""

from tracker.schedule.leases import claim_due, count_due, release, renew
from tracker.schedule.worker import Checker, RoundReport, check_due, load_checker

__all__ = [
    "Checker",
    "RoundReport",
    "check_due",
    "claim_due",
    "count_due",
    "load_checker",
    "release",
    "renew",
]
