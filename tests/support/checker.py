"""What the scheduling tests know about the real link checker they drive."""

from __future__ import annotations

# Requests the checker makes to a plain 200 HTML page's own path (the soft-404 probe goes to
# a random path of the host, not to the page).
REQUESTS_PER_CHECK = 1
