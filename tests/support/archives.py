"""Local servers speaking the archives' protocols (fakes of the protocols, never the services).

* :class:`MementoArchive`: a TimeMap in link format (RFC 6690/7089) and a TimeGate that
  redirects to the memento closest to ``Accept-Datetime``, which answers with
  ``Memento-Datetime``.
* :class:`SaveArchive`: Save Page Now 2 (form POST with ``Authorization: LOW a:s`` answers a
  ``job_id``; the status endpoint says ``pending`` a few times, then ``success``) and the
  Perma.cc API (``POST /v1/archives/`` with ``Authorization: ApiKey K`` answers a ``guid``).
"""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from tests.support.server import LocalServer, Reply, Request, html


def _path_url(path: str, prefix: str) -> str:
    return path[len(prefix) :]


class MementoArchive(LocalServer):
    """Mementos of any URL at the given times; ``/web/<14 digits>/<url>`` serves each."""

    def __init__(self, times: list[datetime], *, timemap: bool = True) -> None:
        super().__init__()
        self.times = sorted(times)
        self.fallback = self._answer  # type: ignore[assignment]
        self.has_timemap = timemap

    @property
    def timegate(self) -> str:
        return self.url("/timegate/")

    @property
    def timemap(self) -> str:
        return self.url("/timemap/")

    def memento_url(self, when: datetime, url: str) -> str:
        return self.url(f"/web/{when:%Y%m%d%H%M%S}/{url}")

    def _answer(self, request: Request) -> Reply:
        path = request.path
        if path.startswith("/timemap/") and self.has_timemap:
            url = _path_url(path, "/timemap/")
            if not self.times:
                return Reply(404, "no mementos", content_type="text/plain")
            lines = [f'<{url}>; rel="original"']
            lines += [
                f'<{self.memento_url(when, url)}>; rel="memento"; '
                f'datetime="{format_datetime(when, usegmt=True)}"'
                for when in self.times
            ]
            lines.append(f'<{self.timemap}{url}>; rel="self"; type="application/link-format"')
            return Reply(body=",\n".join(lines), content_type="application/link-format")
        if path.startswith("/timegate/"):
            url = _path_url(path, "/timegate/")
            if not self.times:
                return Reply(404, "no mementos", content_type="text/plain")
            wanted = parsedate_to_datetime(request.headers.get("Accept-Datetime", ""))
            when = min(self.times, key=lambda t: abs(t - wanted))
            return Reply(
                302,
                b"",
                headers={"Location": self.memento_url(when, url), "Vary": "accept-datetime"},
                content_type=None,
            )
        if path.startswith("/web/"):
            stamp = path.split("/")[2]
            when = next(t for t in self.times if f"{t:%Y%m%d%H%M%S}" == stamp)
            return html(
                "Archived",
                "<p>archived copy</p>",
                headers={"Memento-Datetime": format_datetime(when, usegmt=True)},
            )
        return Reply(404, "not found", content_type="text/plain")


class SaveArchive(LocalServer):
    """SPN2 and Perma.cc; ``pending_polls`` status answers say pending before success."""

    ACCESS, SECRET, PERMA_KEY = "acc", "sec", "perma-key"

    def __init__(self, pending_polls: int = 2) -> None:
        super().__init__()
        self.pending_polls = pending_polls
        self.polls = 0
        self.saved: list[str] = []
        self.bodies: list[bytes] = []
        self.fallback = self._answer  # type: ignore[assignment]

    def _answer(self, request: Request) -> Reply:  # noqa: PLR0911 - one answer per endpoint
        auth = request.headers.get("Authorization", "")
        if request.path == "/save" and request.method == "POST":
            if auth != f"LOW {self.ACCESS}:{self.SECRET}":
                return _json({"message": "bad keys"}, 401)
            self.saved.append("spn2")
            return _json({"url": "submitted", "job_id": "spn2-job-1"})
        if request.path == "/save/status/spn2-job-1":
            self.polls += 1
            if self.polls <= self.pending_polls:
                return _json({"status": "pending", "job_id": "spn2-job-1"})
            return _json({"status": "success", "timestamp": "20261201000000"})
        if request.path == "/v1/archives/" and request.method == "POST":
            if auth != f"ApiKey {self.PERMA_KEY}":
                return _json({"detail": "Authentication credentials were not provided."}, 401)
            self.saved.append("perma")
            return _json({"guid": "ABCD-1234", "url": "submitted"}, 201)
        return _json({"message": "no such endpoint"}, 404)


def _json(data: object, status: int = 200) -> Reply:
    return Reply(status, json.dumps(data), content_type="application/json")
