"""``python -m tests.support.schedule_cli ARGS``: the real CLI, with the test checker.

Lets the scheduling tests run ``fact-tracker schedule`` as real OS processes before the link
checker is part of the build (see :mod:`tests.support.checker`).
"""

from __future__ import annotations

from tests.support.checker import CHECKER
from tracker.schedule import worker

worker.load_checker = lambda: CHECKER  # type: ignore[assignment]

if __name__ == "__main__":
    from tracker.cli import main

    main()
