"""Alerts: subscriptions to what checks and reviews find, delivered by webhook, email or Atom.

Changes are written to an outbox (``alert_events``) in the same transaction as the change
itself; scheduler jobs (:mod:`tracker.alerts.jobs`) match them to subscriptions and deliver
them under leases, never inside a check.
"""
