"""fact-tracker: record claims, watch their cited sources for rot, log verdicts, report."""

__version__ = "0.1.0"
"""The one place the version is written (pyproject.toml reads it): ``--version`` needs no
package metadata lookup, which costs a short command a noticeable share of its start-up."""
