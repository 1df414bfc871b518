"""SSRF guard: refuse to connect to private, loopback, link-local or reserved addresses.

The guard sits inside aiohttp's connection layer at two hooks, so no request can reach an
address it did not check, and nothing can change between the check and the connect:

* :class:`GuardedResolver` wraps the resolver: a host name that resolves to any refused
  address is refused as a whole, with a clear message, before a socket exists;
* :func:`guarded_socket` is the connector's socket factory: it is handed the very address the
  socket is about to connect to (also for IP literals, which aiohttp never resolves), so even
  a resolver answer that changed (DNS rebinding) or a literal written as ``2130706433`` meets
  the guard on the address actually used.

IPv6 addresses that carry an IPv4 address (mapped, compatible, translated, NAT64, 6to4) are
judged by the IPv4 address they lead to; Teredo and the deprecated site-local ``fec0::/10``
are always refused.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOW_HINT = "(set FACT_TRACKER_ALLOW_PRIVATE_NETWORKS=1 to allow)"

_SITE_LOCAL = ipaddress.ip_network("fec0::/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")


class BlockedAddress(OSError):
    """The host resolved to an address the guard refuses.

    An :class:`OSError`, because that is what aiohttp's connector lets through from a
    resolver or socket factory (it wraps it, and we find it again as ``os_error``).
    """


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to, for the forms that embed one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if any(address in network for network in (_NAT64, _IPV4_TRANSLATED, _IPV4_COMPATIBLE)):
        return low32
    return None


def is_public_address(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id or address in _SITE_LOCAL or address in _NAT64_LOCAL:
            return False
        if address.teredo is not None:
            return False  # the client's real address is obfuscated: never judge it public
        embedded = embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
    return address.is_global and not address.is_multicast


def refusal(host: str, address: object) -> BlockedAddress:
    return BlockedAddress(f"{host} resolves to {address}, a non-public address {ALLOW_HINT}")


def check_address(host: str, address: str) -> None:
    """Raise :class:`BlockedAddress` unless ``address`` (an IP, maybe with a scope) is public."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        raise BlockedAddress(f"{host} resolves to {address!r}, not an IP address") from None
    if not is_public_address(parsed):
        raise refusal(host, parsed)


class GuardedResolver(AbstractResolver):
    """The system resolver, refusing names that resolve to any non-public address."""

    def __init__(self) -> None:
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        try:
            answers = await self._inner.resolve(host, port, family)
        except UnicodeError as exc:  # an IDNA label the codec refuses
            raise OSError(f"cannot resolve {host}: {exc}") from None
        for answer in answers:
            check_address(host, answer["host"])
        return answers

    async def close(self) -> None:
        await self._inner.close()


def guarded_socket(addr_info: tuple[Any, ...]) -> socket.socket:
    """The connector's socket factory: a socket only for a public destination."""
    family, kind, proto, _canonical, sockaddr = addr_info
    check_address(str(sockaddr[0]), str(sockaddr[0]))
    return socket.socket(family=family, type=kind, proto=proto)
