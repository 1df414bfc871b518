"""Followed publications: RSS/Atom feeds and sitemaps polled on a schedule, new articles
ingested through the ingest service."""
