"""Articles: loading a document, ingesting it, and reading or editing what ingest recorded."""
