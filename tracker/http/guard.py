"""SSRF guard: refuse to connect to private, loopback, link-local or reserved addresses.

The check runs inside the connection layer (:mod:`tracker.http.wire`), after DNS resolution and
on the very address we connect to, so it covers every redirect hop and leaves no window for
DNS rebinding.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddress(Exception):
    """The host resolved to an address the guard refuses."""


def is_public_address(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public_address(address.ipv4_mapped)
    return address.is_global and not address.is_multicast
