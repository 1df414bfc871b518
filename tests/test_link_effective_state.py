"""``Link.effective_state``: one definition of "the override wins", in Python and in SQL."""

from __future__ import annotations

from sqlalchemy import select

from tracker.db import Database
from tracker.enums import LinkState
from tracker.linkcheck.links import get_or_create_link
from tracker.models import Link

CASES = [
    (LinkState.ALIVE, None, LinkState.ALIVE),
    (LinkState.DEAD, None, LinkState.DEAD),
    (LinkState.ALIVE, LinkState.DEAD, LinkState.DEAD),
    (LinkState.DEAD, LinkState.ALIVE, LinkState.ALIVE),
    (LinkState.UNCHECKED, LinkState.AT_RISK, LinkState.AT_RISK),
]


def test_python_side_prefers_the_override() -> None:
    for state, override, expected in CASES:
        assert (
            Link(url="https://a.example/", state=state, override_state=override).effective_state
            == expected
        )


def test_sql_side_agrees_with_the_python_side(database: Database) -> None:
    with database.transaction() as session:
        for index, (state, override, _expected) in enumerate(CASES):
            link = get_or_create_link(session, f"https://a.example/{index}")
            link.state = state
            link.override_state = override
    with database.reading() as session:
        rows = session.execute(select(Link.url, Link.effective_state).order_by(Link.url)).all()
        assert [LinkState(state) for _url, state in rows] == [expected for *_x, expected in CASES]
        dead = session.scalars(select(Link.url).where(Link.effective_state == LinkState.DEAD))
        assert list(dead) == ["https://a.example/1", "https://a.example/2"]
        for link in session.scalars(select(Link)):
            assert link.effective_state == LinkState(
                session.scalar(select(Link.effective_state).where(Link.id == link.id))
            )
