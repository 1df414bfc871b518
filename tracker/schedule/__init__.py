"""Scheduled, unattended link checking that scales out over workers sharing one database.

Front ends call :mod:`tracker.schedule.services`. Behind it: ``leases`` claims due links for
one worker at a time, ``worker`` runs claim-and-check rounds with a checker passed in, ``jobs``
is the plan, ``runner`` the foreground process behind ``fact-tracker schedule``, ``status``
what ``schedule status`` shows.
"""
