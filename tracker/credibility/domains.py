"""Turning what a user types (a URL, a host, ``BBC.co.uk.``) into the registrable domain we store.

The Public Suffix List work is :func:`tracker.urls.registrable_domain`; this module only makes
user input acceptable to it and refuses what names no registrable domain (a bare ``co.uk``).
"""

from __future__ import annotations

from tracker.urls import InvalidURL, registrable_domain

_PROBE = "probe"


def domain_of(text: str) -> str:
    """The registrable domain named by ``text``: a URL, a host, or a host with a path.

    Raises :class:`~tracker.urls.InvalidURL` (exit 2) for empty input, invalid hosts and bare
    public suffixes (``co.uk``, ``com``), which belong to no single publisher.
    """
    value = text.strip()
    if not value:
        raise InvalidURL("empty domain")
    if "://" not in value and "/" in value:
        value = f"http://{value}"
    elif value.startswith("[") and value.endswith("]"):
        value = value[1:-1]  # a bracketed IPv6 host, as written in URLs
    domain = registrable_domain(value)
    if is_public_suffix(domain):
        raise InvalidURL(f"{domain} is a public suffix, not a registrable domain")
    return domain


def is_public_suffix(domain: str) -> bool:
    """True for ``com``, ``co.uk``: names under which anyone can register a domain.

    Asked of the list itself: a name is a public suffix when ``a.probe.<name>`` registers as
    ``probe.<name>``. Hosts the list does not know (``localhost``) and IPs are not suffixes.
    """
    if ":" in domain or domain.replace(".", "").isdigit():
        return False
    return registrable_domain(f"a.{_PROBE}.{domain}") == f"{_PROBE}.{domain}"


def display_domain(domain: str) -> str:
    """``xn--bcher-kva.de`` shown as ``bücher.de (xn--bcher-kva.de)``; others unchanged."""
    if "xn--" not in domain:
        return domain
    try:
        readable = domain.encode("ascii").decode("idna")
    except UnicodeError:
        return domain
    return f"{readable} ({domain})" if readable != domain else domain


__all__ = ["InvalidURL", "display_domain", "domain_of", "is_public_suffix"]
