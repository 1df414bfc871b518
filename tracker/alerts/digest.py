"""Email digests: the pending alerts of one address in one message, plain text and HTML,
sent over SMTP (``smtplib``; settings ``smtp_*``)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from jinja2 import Environment

from tracker.alerts.delivery import Answer, Claimed
from tracker.models import utcnow
from tracker.settings import Settings

SMTP_TIMEOUT = 30.0

_HTML = Environment(autoescape=True).from_string(
    """<!doctype html>
<html><body style="font-family: sans-serif">
<h1 style="font-size: 1.2em">{{ title }}</h1>
{% for event in events %}
<div style="margin: 1em 0; padding-left: .6em; border-left: 3px solid #888">
<p><strong>{{ event.kind }}</strong> &middot; {{ event.when }}
{%- if event.retry %} &middot; resent{% endif %}</p>
<p>{{ event.summary }}</p>
{% if event.claims %}<ul>{% for claim in event.claims %}
<li>claim {{ claim.id }} ({{ claim.status }}): &ldquo;{{ claim.text }}&rdquo;</li>
{% endfor %}</ul>{% endif %}
{% if event.left_out %}<p>and {{ event.left_out }} more claims</p>{% endif %}
{% for article in event.articles %}
<p>in {{ article.title or article.url or ("article " ~ article.id) }}</p>
{% endfor %}
<p style="color: #666; font-size: .8em">event {{ event.uid }}</p>
</div>
{% endfor %}
</body></html>
"""
)


def _lines(item: Claimed) -> list[str]:
    payload = item.event.payload
    lines = [f"[{item.event.kind}] {payload.get('summary', '')}"]
    lines += [
        f"  claim {claim['id']} ({claim['status']}): \u201c{claim['text']}\u201d"
        for claim in payload.get("claims", [])
    ]
    if payload.get("claims_left_out"):
        lines.append(f"  and {payload['claims_left_out']} more claims")
    for article in payload.get("articles", []):
        lines.append(f"  in {article.get('title') or article.get('url') or article['id']}")
    lines.append(f"  event {item.event.uid}" + (" (resent)" if item.retry else ""))
    return lines


def compose(settings: Settings, to: str, items: Sequence[Claimed]) -> EmailMessage:
    """One message for the deliveries ``items`` to address ``to``."""
    count = len(items)
    if count == 1:
        title = f"fact-tracker: {items[0].event.payload.get('summary', items[0].event.kind)}"
    else:
        title = f"fact-tracker: {count} alerts"
    title = " ".join(title.split())[:200]
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain="fact-tracker.invalid")
    message["X-Fact-Tracker-Events"] = ", ".join(item.event.uid for item in items)
    if any(item.retry for item in items):
        message["X-Fact-Tracker-Retry"] = "true"
    text = "\n\n".join("\n".join(_lines(item)) for item in items)
    message.set_content(f"{title}\n\n{text}\n")
    events: list[dict[str, Any]] = [
        {
            "kind": item.event.kind,
            "when": item.event.occurred_at.strftime("%Y-%m-%d %H:%M UTC"),
            "retry": item.retry,
            "summary": item.event.payload.get("summary", ""),
            "claims": item.event.payload.get("claims", []),
            "left_out": item.event.payload.get("claims_left_out", 0),
            "articles": item.event.payload.get("articles", []),
            "uid": item.event.uid,
        }
        for item in items
    ]
    message.add_alternative(_HTML.render(title=title, events=events), subtype="html")
    return message


def send(settings: Settings, to: str, items: Sequence[Claimed]) -> Answer:
    """Send the digest; the SMTP server's answer (or why there was none)."""
    if not settings.smtp_host:
        return Answer(False, None, "email is off: the smtp_host setting is empty")
    message = compose(settings, to, items)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password)
            refused = smtp.send_message(message)
            code, reply = smtp.noop()
    except (smtplib.SMTPException, OSError) as exc:
        return Answer(False, getattr(exc, "smtp_code", None), f"SMTP: {exc}")
    if refused:
        return Answer(False, None, f"SMTP refused {', '.join(sorted(refused))}")
    said = reply.decode(errors="replace")
    return Answer(True, code, f"SMTP accepted ({count_text(len(items))}): {said}")


def count_text(count: int) -> str:
    return f"{count} alert" + ("" if count == 1 else "s")
