"""URL normalization and registrable domains: the one place every stored URL passes through.

Normalization makes two spellings of one resource into one row: lowercase scheme and host,
IDN hosts in their ASCII (punycode) form, default ports dropped, dot segments resolved,
percent-escapes uppercased, fragments dropped, tracking parameters removed, relative
references resolved against the page they appear on. Anything that is not an http(s) URL
with a valid host is not a citation and raises :class:`InvalidURL`.
"""

from __future__ import annotations

import ipaddress
import re
import string
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from tracker.errors import InvalidInput
from tracker.models import URL_MAX_LENGTH

if TYPE_CHECKING:
    import tldextract

DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "_ga",
        "_gl",
        "rb_clickid",
        "s_cid",
        "wt.mc_id",
        "ocid",
        "cmpid",
        "smid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
# RFC 3986 unreserved characters need no escaping; everything else that is not already
# allowed in a path or query is escaped.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = "/?:@!$'()*+,;=-._~%"
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


class InvalidURL(InvalidInput):
    """Not an http(s) URL we can store and fetch."""


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def normalize_url(url: str, base: str | None = None) -> str:
    """The canonical form of ``url`` (resolved against ``base`` when relative)."""
    raw = url.strip()
    if not raw:
        raise InvalidURL("empty URL")
    if any(ord(char) < 0x20 for char in raw):
        raise InvalidURL(f"URL contains control characters: {raw[:80]!r}")
    try:
        if base:
            raw = urljoin(base, raw)  # raises on a malformed link as urlsplit does
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"malformed URL {raw[:200]!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise InvalidURL(f"not an http(s) URL ({shown}): {raw[:200]!r}")
    host = normalize_host(parts.hostname or "")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    if parts.username or parts.password:
        raise InvalidURL(f"URLs with credentials are not stored: {scheme}://…@{host}")
    normalized = urlunsplit(
        (scheme, netloc, _normalize_path(parts.path), _normalize_query(parts.query), "")
    )
    if len(normalized) > URL_MAX_LENGTH:
        raise InvalidURL(f"URL longer than {URL_MAX_LENGTH} characters")
    return normalized


def normalize_host(host: str) -> str:
    """Lowercase ASCII host; IP addresses in their compact form; raises on invalid hosts."""
    host = host.strip().rstrip(".").lower()
    if not host:
        raise InvalidURL("URL has no host")
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidURL(f"invalid host name {host!r}") from None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise InvalidURL(f"invalid host name {host!r}")
    return ascii_host


def _normalize_path(path: str) -> str:
    return _normalize_escapes(_remove_dot_segments(path or "/"), _PATH_SAFE)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, for an absolute path; repeated slashes are kept."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    if path.endswith(("/.", "/..")):
        output.append("")
    return "/".join(output) if len(output) > 1 else "/"


def _normalize_escapes(text: str, safe: str) -> str:
    """Decode escaped unreserved characters, uppercase other escapes, escape what must be."""
    text = _LONE_PERCENT.sub("%25", text)
    text = _ESCAPE.sub(_unescape_unreserved, text)
    return quote(text, safe=safe)


def _unescape_unreserved(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _normalize_query(query: str) -> str:
    """Drop tracking parameters; keep the others in their order and spelling."""
    if not query:
        return ""
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = unquote(pair.split("=", 1)[0].replace("+", " "))
        if not is_tracking_param(name):
            kept.append(_normalize_escapes(pair, _QUERY_SAFE))
    return "&".join(kept)


def try_normalize_url(url: str | None, base: str | None = None) -> str | None:
    """``normalize_url`` for callers that skip what is not a URL (links found in pages)."""
    if not url:
        return None
    try:
        return normalize_url(url, base)
    except InvalidURL:
        return None


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # Imported on first use: it pulls in requests, which commands like `check` never need.
    import tldextract

    # The bundled Public Suffix List snapshot only: no network fetch at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domain(url_or_host: str) -> str:
    """The registrable domain (``news.bbc.co.uk`` -> ``bbc.co.uk``) of a URL or host.

    IP addresses and hosts without a public suffix (``localhost``) are their own domain.
    The result is ASCII (punycode) and lowercase, like normalized URLs.
    """
    host = urlsplit(url_or_host).hostname if "://" in url_or_host else url_or_host
    return _domain_of_host(host or "")


@lru_cache(maxsize=4096)
def _domain_of_host(raw_host: str) -> str:
    """Cached per host: a page citing thousands of links cites few hosts."""
    host = normalize_host(raw_host)
    if ":" in host or _is_ipv4(host):
        return host
    extracted = _extractor()(host)
    registrable: str = extracted.top_domain_under_public_suffix
    return registrable or host


def _is_ipv4(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True
