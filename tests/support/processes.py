"""``fact-tracker schedule`` as a real OS process, with its structured log read back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class SchedulerProcess:
    """One scheduler process; stderr (its logfmt events) goes to a file we can poll."""

    def __init__(self, db_url: str, log_path: Path, *args: str, **env: str) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tracker", "--db", db_url, "schedule", *args],
            cwd=REPO,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def events(self, name: str) -> list[dict[str, str]]:
        found = []
        for line in self.log.splitlines():
            fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
            if fields.get("event") == name:
                found.append(fields)
        return found

    def wait_for_event(self, name: str, timeout: float = 30.0) -> dict[str, str]:
        wait_until(lambda: bool(self.events(name)), timeout, f"event={name}", self)
        return self.events(name)[0]

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float = 60.0) -> int:
        try:
            return self.process.wait(timeout)
        finally:
            self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.wait()


def wait_until(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    process: SchedulerProcess | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.process.poll() is not None:
            raise AssertionError(f"scheduler exited before {what}:\n{process.log}")
        if time.monotonic() > deadline:
            log = process.log if process is not None else ""
            raise AssertionError(f"timed out waiting for {what}\n{log}")
        time.sleep(0.05)
