"""Politeness shared by every worker: per-host concurrency, rate and pauses, in the database.

``limits`` says what each host allows (settings, per-domain overrides); ``hosts`` holds hosts
and their due links under leases shared through the database; ``gate`` applies a held host's
limits to every request this process makes and notices when a host asks to be left alone.
"""
