"""The link checker: classify every cited link, detect rot, content drift and lost evidence.

Front ends call :mod:`tracker.linkcheck.services`. The modules behind it each do one job:
``outcomes`` (classification), ``rot`` (what outcomes mean, the one definition of rot),
``retry`` (the retry policy), ``checker`` (one link over the network), ``soft404``, ``content``
(fingerprints, evidence), ``state`` (the state machine), ``schedule`` (next check times),
``archive``, ``store`` (database reads and writes), ``rereview`` (flagging verdicts), ``links``
(link rows), ``overrides`` and ``views``.
"""
