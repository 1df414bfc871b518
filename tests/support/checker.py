"""The link checker the scheduling tests drive: the real one."""

from __future__ import annotations

from tracker.linkcheck import check_links

CHECKER = check_links
# Requests the checker makes to a plain 200 HTML page's own path (the soft-404 probe goes to
# a random path of the host, not to the page).
REQUESTS_PER_CHECK = 1
