"""The peer addresses a node knows, and the hosts it refuses.

An address book holds at most :data:`MAX_KNOWN_ADDRESSES` addresses (the oldest learned is
forgotten first), so a peer flooding ADDRESSES cannot grow it. Addresses travel as 16-byte IPv6
(IPv4 mapped into ``::ffff:0:0/96``) and a port.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from typing import Final

from reference.errors import Code, PeerError
from reference.p2p.messages import MAX_ADDRESSES, NetAddress

MAX_KNOWN_ADDRESSES: Final = 4_096
"""Most addresses an address book keeps."""
BAN_SECONDS: Final = 24 * 3600.0
"""How long a banned host is refused (Bitcoin Core's default)."""


def net_address(host: str, port: int) -> NetAddress:
    """The wire form of ``host:port`` (``host`` an IPv4 or IPv6 literal)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise PeerError(Code.MALFORMED_MESSAGE, f"{host!r} is not an IP address") from None
    if isinstance(ip, ipaddress.IPv4Address):
        ip = ipaddress.IPv6Address(b"\0" * 10 + b"\xff\xff" + ip.packed)
    return NetAddress(ip.packed, port)


def host_port(address: NetAddress) -> tuple[str, int]:
    """``(host, port)`` of a wire address, IPv4-mapped addresses written as IPv4."""
    ip = ipaddress.IPv6Address(address.host)
    mapped = ip.ipv4_mapped
    return (str(mapped) if mapped is not None else str(ip)), address.port


class AddressBook:
    """Known peer addresses, bounded, most recently learned last."""

    __slots__ = ("_addresses",)

    def __init__(self) -> None:
        self._addresses: OrderedDict[NetAddress, None] = OrderedDict()

    def add(self, address: NetAddress) -> None:
        """Learn ``address`` (a port of 0 is no listening address and is ignored)."""
        if address.port == 0:
            return
        self._addresses.pop(address, None)
        self._addresses[address] = None
        while len(self._addresses) > MAX_KNOWN_ADDRESSES:
            self._addresses.popitem(last=False)

    def sample(self) -> tuple[NetAddress, ...]:
        """At most :data:`MAX_ADDRESSES` addresses to share, most recent first."""
        return tuple(reversed(self._addresses))[:MAX_ADDRESSES]

    def __len__(self) -> int:
        return len(self._addresses)


class BanList:
    """Hosts refused until a time, except those exempt (for example loopback in tests)."""

    __slots__ = ("_exempt", "_until")

    def __init__(self, exempt: frozenset[str] = frozenset()) -> None:
        self._until: dict[str, float] = {}
        self._exempt = exempt

    def ban(self, host: str, seconds: float = BAN_SECONDS) -> None:
        """Refuse ``host`` for ``seconds``."""
        self._until[host] = time.monotonic() + seconds

    def is_banned(self, host: str) -> bool:
        """True while ``host`` is refused."""
        if host in self._exempt:
            return False
        until = self._until.get(host)
        if until is None:
            return False
        if until <= time.monotonic():
            del self._until[host]
            return False
        return True

    def banned_hosts(self) -> tuple[str, ...]:
        """Every host banned (exempt ones included: they were banned, only not refused)."""
        now = time.monotonic()
        return tuple(host for host, until in self._until.items() if until > now)
