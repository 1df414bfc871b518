"""Report renderers (HTML, Markdown, JSON, CSV, ClaimReview) and their templates."""
