"""URL normalization and registrable domains."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.provisional import urls

from tracker.urls import InvalidURL, normalize_url, registrable_domain, try_normalize_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM:80/a/../b/./c#frag", "http://example.com/b/c"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://ex.com/p?utm_source=x&id=7&fbclid=abc&gclid=1", "https://ex.com/p?id=7"),
        ("https://ex.com/p?utm_medium=a", "https://ex.com/p"),
        ("https://ex.com/a%2fb?x=%41", "https://ex.com/a%2Fb?x=A"),
        ("https://ex.com/%7Euser/", "https://ex.com/~user/"),
        ("https://bücher.de/ä", "https://xn--bcher-kva.de/%C3%A4"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("  https://ex.com/x  ", "https://ex.com/x"),
        ("https://ex.com/100%/", "https://ex.com/100%25/"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "base", "expected"),
    [
        ("/x", "https://site.org/dir/page", "https://site.org/x"),
        ("y", "https://site.org/dir/page", "https://site.org/dir/y"),
        ("../z", "https://site.org/a/b/page", "https://site.org/a/z"),
        ("//other.org/p", "https://site.org/", "https://other.org/p"),
        ("?q=1", "https://site.org/p", "https://site.org/p?q=1"),
    ],
)
def test_relative_links_resolve_against_the_article(raw: str, base: str, expected: str) -> None:
    assert normalize_url(raw, base) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "mailto:editor@example.org",
        "tel:+123",
        "ftp://example.org/file",
        "data:text/html,hi",
        "http://",
        "http://exa mple.com/",
        "http://ex.com:99999/",
        "https://user:pw@ex.com/",
        "",
        "   ",
        "http://ex.com/\x00",
        "https://" + "a" * 3000 + ".com/",
    ],
)
def test_not_urls_are_refused(raw: str) -> None:
    with pytest.raises(InvalidURL):
        normalize_url(raw)
    assert try_normalize_url(raw) is None


@given(urls())
def test_normalization_is_idempotent(url: str) -> None:
    normalized = try_normalize_url(url)
    if normalized is not None:
        assert normalize_url(normalized) == normalized


@given(urls(), st.sampled_from(["utm_source", "fbclid", "gclid", "utm_campaign"]))
def test_tracking_parameters_never_survive(url: str, param: str) -> None:
    base = url.split("#", 1)[0]
    joiner = "&" if "?" in base else "?"
    normalized = try_normalize_url(f"{base}{joiner}{param}=tracking")
    if normalized is not None:
        assert f"{param}=" not in normalized


@given(urls())
def test_fragments_and_case_do_not_matter(url: str) -> None:
    base = url.split("#", 1)[0]
    normalized = try_normalize_url(base)
    if normalized is not None:
        scheme, rest = base.split("://", 1)
        host, sep, path = rest.partition("/")
        assert try_normalize_url(f"{scheme.upper()}://{host.upper()}{sep}{path}#x") == normalized


@pytest.mark.parametrize(
    ("given_value", "domain"),
    [
        ("https://news.bbc.co.uk/world", "bbc.co.uk"),
        ("www.globalresearch.ca", "globalresearch.ca"),
        ("korybko.substack.com", "substack.com"),
        ("https://127.0.0.1:8080/x", "127.0.0.1"),
        ("http://[::1]/", "::1"),
        ("localhost", "localhost"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("a.b.example.com.au", "example.com.au"),
    ],
)
def test_registrable_domain(given_value: str, domain: str) -> None:
    assert registrable_domain(given_value) == domain
