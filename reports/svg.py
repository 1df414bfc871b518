"""Geometry of the inline SVG charts; the templates draw these shapes (and escape the text).

Plain numbers and labels only, no markup: the chart is drawn by ``templates/_charts.html.j2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reports.common import fmt_datetime, state_label
from reports.data import CheckEntry
from reports.links_data import WeekRate
from tracker.enums import LinkState

STATE_ORDER = (LinkState.ALIVE, LinkState.AT_RISK, LinkState.DEAD, LinkState.UNCHECKED)
TIMELINE_MAX_CHECKS = 120


@dataclass(frozen=True)
class Bar:
    label: str
    css: str
    count: int
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: tuple[Bar, ...]


def state_chart(links_by_state: dict[str, int], *, width: int = 280) -> BarChart:
    """One horizontal bar per link state, scaled to the largest count."""
    label_width, bar_height, gap = 64, 16, 6
    most = max(links_by_state.values(), default=0) or 1
    room = width - label_width - 40
    bars = tuple(
        Bar(
            label=state_label(state),
            css=state.value.replace("_", "-"),
            count=links_by_state.get(state.value, 0),
            y=index * (bar_height + gap),
            width=round(room * links_by_state.get(state.value, 0) / most, 1),
        )
        for index, state in enumerate(STATE_ORDER)
    )
    height = len(bars) * (bar_height + gap) - gap
    return BarChart(width, height, label_width, bar_height, bars)


@dataclass(frozen=True)
class Mark:
    x: float
    css: str
    title: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    y: float
    start_label: str
    end_label: str
    marks: tuple[Mark, ...]
    omitted: int
    caption: str
    """The timeline in words, for paper and screen readers: how many checks, when, which."""


def _title(check: CheckEntry) -> str:
    status = f" (HTTP {check.http_status})" if check.http_status else ""
    return f"{fmt_datetime(check.checked_at)}: {check.outcome.value.replace('_', ' ')}{status}"


def timeline(checks: tuple[CheckEntry, ...], *, width: int = 420) -> Timeline | None:
    """Checks placed by time on one line (the latest ``TIMELINE_MAX_CHECKS``); None if none."""
    if not checks:
        return None
    shown = checks[-TIMELINE_MAX_CHECKS:]
    pad, height = 10, 30
    first: datetime = shown[0].checked_at
    span = (shown[-1].checked_at - first).total_seconds()
    room = width - 2 * pad
    marks = tuple(
        Mark(
            x=round(
                pad
                + (room * (check.checked_at - first).total_seconds() / span if span else room / 2),
                1,
            ),
            css=check.outcome_class,
            title=_title(check),
        )
        for check in shown
    )
    last = shown[-1].checked_at
    if span < 86400:  # within a day the dates alone say nothing: the labels give the times
        clock = _clock(span)
        start_label = f"{first:%Y-%m-%d} {first.strftime(clock)}"
        same_day = last.date() == first.date()
        end_label = last.strftime(clock) if same_day else f"{last:%Y-%m-%d} {last.strftime(clock)}"
    else:
        start_label, end_label = f"{first:%Y-%m-%d}", f"{last:%Y-%m-%d}"
    return Timeline(
        width=width,
        height=height,
        y=12,
        start_label=start_label,
        end_label=end_label,
        marks=marks,
        omitted=len(checks) - len(shown),
        caption=_caption(shown),
    )


def _clock(span_seconds: float) -> str:
    """Minutes, or seconds when the checks are minutes apart or less."""
    return "%H:%M:%S" if span_seconds < 600 else "%H:%M"


def _caption(checks: tuple[CheckEntry, ...]) -> str:
    """``2 checks, 2024-11-11 09:00 to 09:05 UTC: 1 reachable, 1 failed; last: not found
    (HTTP 404)``."""
    first, last = checks[0].checked_at, checks[-1].checked_at
    clock = _clock((last - first).total_seconds())
    when = f"{first:%Y-%m-%d} {first.strftime(clock)}"
    if len(checks) > 1:
        end = last.strftime(clock)
        when += f" to {end}" if last.date() == first.date() else f" to {last:%Y-%m-%d} {end}"
    names = {"ok": "reachable", "failed": "failed", "inconclusive": "blocked or rate-limited"}
    counts = [
        f"{sum(check.outcome_class == key for check in checks)} {name}"
        for key, name in names.items()
        if any(check.outcome_class == key for check in checks)
    ]
    noun = "check" if len(checks) == 1 else "checks"
    latest = _title(checks[-1]).split(": ", 1)[1]
    return f"{len(checks)} {noun}, {when} UTC: {', '.join(counts)}; last: {latest}"


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    height: float
    title: str


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    base: float
    column_width: float
    columns: tuple[Column, ...]
    start_label: str
    end_label: str


def rot_chart(weeks: tuple[WeekRate, ...], *, width: int = 420) -> ColumnChart | None:
    """One column per week, its height the rot rate (0..100%); None without data."""
    if not weeks:
        return None
    plot, top, pad = 80, 6, 4
    step = (width - 2 * pad) / len(weeks)
    columns = []
    for index, week in enumerate(weeks):
        rate = week.rate or 0.0
        height = round(plot * rate, 1)
        shown = "no conclusive checks" if week.rate is None else f"{week.rate:.0%}"
        columns.append(
            Column(
                x=round(pad + index * step + step * 0.1, 1),
                y=round(top + plot - height, 1),
                height=height,
                title=f"Week of {week.week_start.isoformat()}: {shown} "
                f"({week.links_failing} of {week.links_checked} links failing)",
            )
        )
    return ColumnChart(
        width=width,
        height=top + plot + 16,
        base=top + plot,
        column_width=round(step * 0.8, 1),
        columns=tuple(columns),
        start_label=weeks[0].week_start.isoformat(),
        end_label=weeks[-1].week_start.isoformat(),
    )
