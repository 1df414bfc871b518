"""Source credibility: each registrable domain's own track record, manual and imported ratings,
and a combined score that always says what it rests on.

Front ends call :mod:`tracker.credibility.services`; reports call
:func:`tracker.credibility.score.score_domains` and
:func:`tracker.credibility.record.track_records` in the caller's session. The modules:
``domains`` (what a user types, as a registrable domain), ``sources`` (source rows and their
history), ``record`` (the track record), ``score`` (the explained score), ``manual`` and
``imports`` (ratings), ``listing`` (sorting), ``views``.
"""
