"""Registrable domains as the unit of credibility: Public Suffix List edge cases."""

from __future__ import annotations

import pytest

from tracker.credibility.domains import display_domain, domain_of, is_public_suffix
from tracker.urls import InvalidURL


@pytest.mark.parametrize(
    ("given_value", "domain"),
    [
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("https://news.bbc.co.uk/world/article?id=1", "bbc.co.uk"),
        ("a.b.example.com.au", "example.com.au"),
        ("www.abc.net.au", "abc.net.au"),
        ("city.kawasaki.jp", "city.kawasaki.jp"),  # an exception rule in the PSL
        ("WWW.Example.COM.", "example.com"),  # uppercase and the root's trailing dot
        ("https://EXAMPLE.com./x", "example.com"),
        ("bbc.co.uk/news/world", "bbc.co.uk"),  # a host with a path but no scheme
        ("192.0.2.7", "192.0.2.7"),
        ("http://192.0.2.7:8080/page", "192.0.2.7"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("https://[2001:0db8:0000:0000::1]:8443/x", "2001:db8::1"),
        ("::1", "::1"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("www.BÜCHER.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("https://news.例え.jp/", "xn--r8jz45g.jp"),
        ("localhost", "localhost"),
    ],
)
def test_domain_of(given_value: str, domain: str) -> None:
    assert domain_of(given_value) == domain


@pytest.mark.parametrize("suffix", ["com", "co.uk", "com.au", "CO.UK.", "jp", "foo.kawasaki.jp"])
def test_public_suffixes_are_not_sources(suffix: str) -> None:
    with pytest.raises(InvalidURL, match="public suffix"):
        domain_of(suffix)


@pytest.mark.parametrize("bad", ["", "   ", "exa mple.com", "http://", "a..b.com", "-bad-.com"])
def test_invalid_domains_are_refused(bad: str) -> None:
    with pytest.raises(InvalidURL):
        domain_of(bad)


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("co.uk", True),
        ("bbc.co.uk", False),
        ("localhost", False),
        ("10.0.0.1", False),
        ("::1", False),
    ],
)
def test_is_public_suffix(name: str, suffix: bool) -> None:
    assert is_public_suffix(name) is suffix


def test_idns_are_shown_readably() -> None:
    assert display_domain("xn--bcher-kva.de") == "bücher.de (xn--bcher-kva.de)"
    assert display_domain("bbc.co.uk") == "bbc.co.uk"
    assert display_domain("xn--invalid--.de") == "xn--invalid--.de"
