"""Reviewing claims: verdicts, notes, edits and the append-only history that proves them.

Front ends call :mod:`tracker.review.services`. Behind it: ``reviewers`` (who may do what),
``claims`` (finding claims, writing their history), ``workflow`` (statuses and moves),
``locking`` (the version compare-and-swap), ``edits`` (sources and evidence), ``views``.
"""
