"""Source credibility: each registrable domain's own track record, manual and imported ratings,
and a combined score that always says what it rests on.

Other code (reports, the web app) calls :func:`score_domain` / :func:`score_domains` and
:func:`track_records`; the CLI module ``tracker.cli.sources`` is a thin layer over this package.
"""

from __future__ import annotations

from tracker.credibility.domains import display_domain, domain_of, is_public_suffix
from tracker.credibility.imports import (
    ImportResult,
    ParsedRatings,
    Scale,
    parse_ratings,
    parse_scale,
    read_ratings_file,
    store_ratings,
)
from tracker.credibility.listing import SORTS, SourceDetail, list_sources, show_source
from tracker.credibility.manual import (
    MANUAL_MAX,
    MANUAL_MIN,
    HistoryEntry,
    get_source,
    normalize_manual,
    rate_source,
    source_history,
)
from tracker.credibility.record import TrackRecord, track_records, verdict_balance
from tracker.credibility.score import (
    MissingInput,
    ScoreExplanation,
    ScoreInput,
    explain,
    score_domain,
    score_domains,
)

__all__ = [
    "MANUAL_MAX",
    "MANUAL_MIN",
    "SORTS",
    "HistoryEntry",
    "ImportResult",
    "MissingInput",
    "ParsedRatings",
    "Scale",
    "ScoreExplanation",
    "ScoreInput",
    "SourceDetail",
    "TrackRecord",
    "display_domain",
    "domain_of",
    "explain",
    "get_source",
    "is_public_suffix",
    "list_sources",
    "normalize_manual",
    "parse_ratings",
    "parse_scale",
    "rate_source",
    "read_ratings_file",
    "score_domain",
    "score_domains",
    "show_source",
    "source_history",
    "store_ratings",
    "track_records",
    "verdict_balance",
]
