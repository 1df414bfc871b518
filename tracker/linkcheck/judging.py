"""Reading fetched pages beside the event loop, in a pool of worker processes.

Parsing a 160 KB news page, fingerprinting its main text and matching evidence is CPU work in
the milliseconds; on the event loop it would serialize every check behind it (the first
release spent 12.6 ms of the loop per page). :func:`read_fetched` is a pure function of the
body, so it runs in a process pool sized to the cores (``page_workers``) or, where processes
are unwelcome, in threads (``page_judging = "threads"``; the C parser releases the GIL, the
fingerprint does not: ``benchmarks/link_check.py --page-judging threads`` measures both).

The pool is one per process, made on first use and reused by every later batch (the scheduler
runs many). Workers fork from a forkserver that has already imported this module, so a worker
costs a fork, not an interpreter start; they leave by themselves when their owner dies. A pool
that breaks (a worker killed) is replaced, and the page is read in a thread meanwhile: a check
never fails because of the pool.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from tracker.http.charset import decode_body
from tracker.linkcheck.content import (
    EvidenceMatch,
    binary_fingerprint,
    match_evidence,
    read_page,
    text_fingerprint,
)

log = logging.getLogger(__name__)
Judging = Literal["processes", "threads"]


@dataclass(frozen=True)
class PageReading:
    """What a check learns from a body: enough for soft-404 signals, drift and evidence."""

    text: bool
    """Read as a document (HTML or text); False: an opaque binary, hashed."""
    title: str
    headings: tuple[str, ...]
    fingerprint: str
    matches: tuple[EvidenceMatch, ...]
    """For each evidence spec asked about: found, partly found, missing or nothing to match,
    with the passage of the page where it was found."""


EvidenceSpecs = tuple[dict[str, Any] | None, ...]
"""Evidence specs (``EvidenceSpec.to_json()``), as they cross to the page-reading workers."""


def read_fetched(
    body: bytes,
    charset: str | None,
    *,
    html: bool,
    text: bool,
    evidence: EvidenceSpecs = (),
) -> PageReading:
    """Read ``body``: title and headings, main-text fingerprint, evidence (only if asked)."""
    if not text:
        return PageReading(False, "", (), binary_fingerprint(body), ())
    page = read_page(decode_body(body, charset, html=html), html=html, full=bool(evidence))
    matches = tuple(match_evidence(page.full_text, spec) for spec in evidence)
    fingerprint = text_fingerprint(page.main_text or page.full_text)
    return PageReading(True, page.title, page.headings, fingerprint, matches)


PARENT_CHECK_SECONDS = 1.0


def _follow_parent(parent: int) -> None:
    """Worker initializer: leave when the process that owns the pool is gone.

    A pool's workers hold both ends of its task queue, and the forkserver's liveness pipe: if
    the owner is killed (``kill -9`` of a scheduler), nothing would ever tell them to stop.
    """

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


_pools: dict[tuple[Judging, int], Executor] = {}
_lock = threading.Lock()


def _pool(judging: Judging, workers: int) -> Executor:
    key = (judging, workers)
    with _lock:
        pool = _pools.get(key)
        if pool is None:
            if judging == "threads":
                pool = ThreadPoolExecutor(workers, thread_name_prefix="page-judging")
            else:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload([__name__])
                pool = ProcessPoolExecutor(
                    workers,
                    mp_context=context,
                    initializer=_follow_parent,
                    initargs=(os.getpid(),),
                )
            _pools[key] = pool
        return pool


def _discard(pool: Executor) -> None:
    with _lock:
        for key, known in list(_pools.items()):
            if known is pool:
                del _pools[key]
    pool.shutdown(wait=False, cancel_futures=True)


class PageJudge:
    """Reads pages for one batch in the shared pool of ``judging`` kind."""

    def __init__(self, judging: Judging = "processes", workers: int = 0) -> None:
        self.judging = judging
        self.workers = workers or os.cpu_count() or 1

    async def read(
        self,
        body: bytes,
        charset: str | None,
        *,
        html: bool,
        text: bool,
        evidence: EvidenceSpecs = (),
    ) -> PageReading:
        job: Callable[[], PageReading] = partial(
            read_fetched, body, charset, html=html, text=text, evidence=evidence
        )
        loop = asyncio.get_running_loop()
        pool = _pool(self.judging, self.workers)
        try:
            return await loop.run_in_executor(pool, job)
        except BrokenProcessPool:
            log.warning("the page-reading pool broke; replacing it")
            _discard(pool)
            return await asyncio.to_thread(job)
