"""The offline end-to-end demo: a local site to ingest and check (the flow is wired later)."""
