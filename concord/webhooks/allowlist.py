"""Where webhooks may send: the administrator's allow-list (``CONCORD_WEBHOOK_ALLOWED_HOSTS``).

Entries are host names (``hooks.example.org``; ``.example.org`` or ``*.example.org`` for
its subdomains) and address ranges in CIDR notation (``203.0.113.0/24``, ``127.0.0.1/32``).
Empty (the default): webhooks are refused until the administrator configures it.

Two checks, so the server cannot be used to reach internal addresses:

- when a URL is subscribed: its host is a listed name, or an address inside a listed range;
- when a delivery is sent: the host is resolved, and every address it resolves to must be
  inside a listed range, or, for a host allowed by name, a public (globally routable)
  address. A name that resolves to an internal address (DNS rebinding) is refused, and the
  connection goes to the address that was checked, never to a second resolution.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SCHEMES = ("http", "https")


class Refused(Exception):
    """A delivery may not go to this URL (the message says why)."""


@dataclass(frozen=True)
class Rules:
    names: tuple[str, ...]
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    @property
    def empty(self) -> bool:
        return not self.names and not self.networks


def rules(value=None) -> Rules:
    """The allow-list, from ``value`` or the setting (a list or a comma-separated string)."""
    raw = settings.CONCORD_WEBHOOK_ALLOWED_HOSTS if value is None else value
    if isinstance(raw, str):
        raw = raw.split(",")
    names, networks = [], []
    for item in (str(i).strip().lower() for i in raw):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            names.append(item.removeprefix("*"))
    return Rules(tuple(names), tuple(networks))


def _ip(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def name_allowed(host: str, r: Rules) -> bool:
    host = host.lower().rstrip(".")
    for name in r.names:
        if name.startswith("."):
            if host.endswith(name) and host != name[1:]:
                return True
        elif host == name:
            return True
    return False


def in_ranges(address, r: Rules) -> bool:
    return any(address.version == n.version and address in n for n in r.networks)


def check_url(url: str, field: str = "url") -> None:
    """Raise a ValidationError naming ``field`` unless ``url`` may be subscribed."""
    r = rules()
    if r.empty:
        raise ValidationError(
            {
                field: _(
                    "Webhooks are turned off on this server: its administrator has not "
                    "allowed any destination (CONCORD_WEBHOOK_ALLOWED_HOSTS)."
                )
            }
        )
    parts = urlsplit(url or "")
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValidationError({field: _("Give an http:// or https:// address.")})
    if parts.username or parts.password:
        raise ValidationError({field: _("Leave credentials out of the address.")})
    host = parts.hostname
    address = _ip(host)
    allowed = in_ranges(address, r) if address is not None else name_allowed(host, r)
    if not allowed:
        raise ValidationError(
            {
                field: _(
                    "%(host)s is not among the destinations this server's administrator "
                    "allows for webhooks (CONCORD_WEBHOOK_ALLOWED_HOSTS)."
                )
                % {"host": host}
            }
        )


def resolve(url: str) -> tuple[str, int, str]:
    """(host, port, address to connect to) for a delivery, or :class:`Refused`."""
    r = rules()
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in SCHEMES or not host:
        raise Refused(_("not an http(s) address"))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    literal = _ip(host)
    by_name = literal is None and name_allowed(host, r)
    if literal is not None:
        found = [literal]
    elif not by_name:
        raise Refused(_("%(host)s is not on the allow-list") % {"host": host})
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise Refused(
                _("%(host)s does not resolve (%(error)s)") % {"host": host, "error": exc}
            ) from None
        found = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in found:
        if in_ranges(address, r):
            continue
        if by_name and address.is_global:
            continue
        raise Refused(
            _("%(host)s resolves to %(address)s, an address outside the allow-list")
            % {"host": host, "address": address}
        )
    if not found:
        raise Refused(_("%(host)s does not resolve") % {"host": host})
    return host, port, str(found[0])
