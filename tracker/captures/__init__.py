"""Our own copies of cited sources: WARC captures, their store, reading back and export."""
