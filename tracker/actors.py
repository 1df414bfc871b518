"""Who acts: every service takes an :class:`Actor` and records its name in the history it writes.

Two kinds. A *reviewer* actor names a row of ``reviewers``; the service looks it up and checks
its role (:func:`tracker.review.reviewers.authorize`). A *system* actor is the tracker itself
doing unattended work (``system:checker``, ``system:scheduler``, ``system:extractor``); front
ends that serve people (the web app) never build one from user input. The local terminal reads
as ``system:local``: reading records nothing, and the person at the terminal already has the
database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SYSTEM_PREFIX = "system:"

ActorKind = Literal["reviewer", "system"]


@dataclass(frozen=True)
class Actor:
    name: str
    kind: ActorKind

    @classmethod
    def reviewer(cls, name: str) -> Actor:
        return cls(name.strip(), "reviewer")

    @classmethod
    def system(cls, role: str) -> Actor:
        return cls(f"{SYSTEM_PREFIX}{role}", "system")

    @property
    def is_system(self) -> bool:
        return self.kind == "system"

    def __str__(self) -> str:
        return self.name


EXTRACTOR = Actor.system("extractor")
CHECKER = Actor.system("checker")
SCHEDULER = Actor.system("scheduler")
FOLLOWER = Actor.system("follower")
"""Ingests the new articles of followed publications (``fact-tracker follow``)."""
LOCAL_READER = Actor.system("local")

SYSTEM_ACTOR_NAMES = frozenset(actor.name for actor in (EXTRACTOR, CHECKER, SCHEDULER, FOLLOWER))
"""Actors whose history events are the tracker's own, never a person's decision."""


def is_system_name(name: str) -> bool:
    """True for the names system actors write into history (``system:...``)."""
    return name.startswith(SYSTEM_PREFIX)
