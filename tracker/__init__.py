"""fact-tracker: record claims, watch their cited sources for rot, log verdicts, report."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fact-tracker")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+unknown"
