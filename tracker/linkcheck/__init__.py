"""The link checker: classify every cited link, detect rot, content drift and lost evidence.

``check_links`` is the service the CLI and the scheduler call; the modules behind it each do
one job: ``outcomes`` (classification), ``retry`` (the retry policy), ``checker`` (one link
over the network), ``soft404``, ``content`` (fingerprints, evidence), ``state`` (the state
machine), ``schedule`` (next check times), ``archive``, ``store`` (database reads and writes),
``rereview`` (flagging verdicts), ``overrides`` and ``views``. The exports load on first use,
so the page readers (``judging``, ``content``) start without the database and HTTP stacks.
"""

from typing import TYPE_CHECKING

from tracker.lazy import lazy_exports

if TYPE_CHECKING:
    from tracker.linkcheck.archive import Snapshot
    from tracker.linkcheck.outcomes import BROKEN, INCONCLUSIVE, SUCCESS
    from tracker.linkcheck.select import all_links, article_links, one_link, select_links
    from tracker.linkcheck.service import CheckReport, check_links, lookup_archives

__all__ = [
    "BROKEN",
    "INCONCLUSIVE",
    "SUCCESS",
    "CheckReport",
    "Snapshot",
    "all_links",
    "article_links",
    "check_links",
    "lookup_archives",
    "one_link",
    "select_links",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "Snapshot": "tracker.linkcheck.archive",
        **dict.fromkeys(["BROKEN", "INCONCLUSIVE", "SUCCESS"], "tracker.linkcheck.outcomes"),
        **dict.fromkeys(
            ["all_links", "article_links", "one_link", "select_links"], "tracker.linkcheck.select"
        ),
        **dict.fromkeys(
            ["CheckReport", "check_links", "lookup_archives"], "tracker.linkcheck.service"
        ),
    },
)
