"""Copies of sources in public archives: Memento look-ups, the availability API, saves."""
