"""Whose equipment it is, by its MAC address: the IEEE registry of OUI prefixes.

Network-discovery tools export MAC addresses, not vendor names. The first three octets of a MAC
(the OUI, "organisationally unique identifier") are registered with the IEEE to one organisation,
and that registrant is resolved to a group through the vendor registry like any vendor name
(``Registry.match``). The IEEE list is the copy bundled with the netaddr package, netaddr 1.3.0
(released May 2024; its ``netaddr/eui/oui.txt`` is the IEEE MA-L file as of that release): the
version is named in every reason (``REGISTRY``), so a user can tell how old the list was.

An inventory row may give a ``mac`` (aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or
aabbccddeeff) or an ``oui`` (aa:bb:cc, aa-bb-cc or aabbcc). ``resolve_macs`` then:
- fills an empty ``vendor`` from the MAC (a Huawei OUI makes the asset Huawei's; method
  ``mac_oui``, with the reason naming the prefix and the registrant);
- sends the asset to review when its ``vendor`` and its MAC resolve to different groups (or one to
  a group and the other to none).
A MAC registered to a company says who made the network interface, which is nearly always but not
certainly who made the equipment; a vendor name and a MAC that disagree are therefore never
decided silently.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import netaddr

from dutybound.engine.asset_table import AssetTable
from dutybound.engine.outcomes import MatchMethod
from dutybound.engine.vendors import Registry, VendorMatch

if TYPE_CHECKING:
    from dutybound.engine.inputs import Asset

REGISTRY = f"IEEE OUI registry, netaddr {netaddr.__version__}"

_HEX2 = "[0-9a-f]{2}"
_MAC_FORMS = (
    re.compile(rf"^{_HEX2}(?P<s>[:-]){_HEX2}(?:(?P=s){_HEX2}){{4}}$"),
    re.compile(r"^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$"),
    re.compile(r"^[0-9a-f]{12}$"),
)
_OUI_FORMS = (
    re.compile(rf"^{_HEX2}(?P<s>[:-]){_HEX2}(?P=s){_HEX2}$"),
    re.compile(r"^[0-9a-f]{6}$"),
)


def parse_mac(text: str) -> str:
    """A MAC address or a bare OUI in canonical form: 'aa:bb:cc:dd:ee:ff' or 'aa:bb:cc'.
    ValueError if it is neither."""
    value = text.strip().lower()
    forms = [*_MAC_FORMS, *_OUI_FORMS]
    if not any(form.match(value) for form in forms):
        raise ValueError(
            f"not a MAC address or OUI: {text!r} (expected aa:bb:cc:dd:ee:ff, "
            "aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff, or a 6-hex-digit OUI such as 00e0fc)"
        )
    digits = re.sub(r"[^0-9a-f]", "", value)
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def oui_of(mac: str) -> str:
    """The OUI ('aa:bb:cc') of a canonical MAC or OUI."""
    return mac[:8]


@functools.lru_cache(maxsize=65_536)
def _registrant(oui: str) -> str | None:
    try:
        org = netaddr.OUI(oui.replace(":", "-")).registration().org
    except netaddr.NotRegisteredError:
        return None
    return str(org).strip() or None


def organisation(mac_or_oui: str) -> str | None:
    """The organisation the IEEE registry lists for this MAC address or OUI, None if the prefix
    is not registered. ValueError if the text is not a MAC address or OUI."""
    return _registrant(oui_of(parse_mac(mac_or_oui)))


@dataclass(frozen=True, slots=True)
class MacMatch(VendorMatch):
    """A vendor resolved (or put up for review) through the asset's MAC address."""

    why: str = ""

    def reason(self) -> str:
        return self.why


def _group_name(registry: Registry, match: VendorMatch) -> str:
    return registry.groups[match.group].name if match.group else "no group in the registry"


def _from_mac(
    registry: Registry, vendor: str, oui: str, org: str | None, as_of: dt.date
) -> tuple[str, MacMatch]:
    """The vendor key and match for an asset known only by its MAC."""
    shown = f"{oui}:…"
    if org is None:
        key = f"[MAC {oui}: not in the IEEE registry]"
        why = f"no vendor name given, and MAC {shown} is not in the {REGISTRY}"
        return key, MacMatch(key, None, None, None, 0.0, MatchMethod.MAC_OUI, True, why=why)
    key = f"{org} [MAC {oui}]"
    found = registry.match(org, as_of)
    why = f"MAC {shown} is registered to {org} ({REGISTRY}); {found.reason()}"
    return key, MacMatch(
        key,
        found.group,
        found.entity,
        found.relationship,
        found.score,
        MatchMethod.MAC_OUI,
        found.needs_review,
        found.note,
        why=why,
    )


def _disagreement(
    registry: Registry,
    vendor: str,
    named: VendorMatch,
    oui: str,
    org: str | None,
    as_of: dt.date,
) -> tuple[str, MacMatch] | None:
    """A review match when the vendor name and the MAC resolve to different groups."""
    if org is None:
        return None  # an unregistered prefix says nothing against the vendor name
    by_mac = registry.match(org, as_of)
    if named.group == by_mac.group:
        return None
    # the key does not hold the registrant's name: a stored inventory keeps the vendor key and not
    # the MAC, and re-matching "Nokia [... HUAWEI ...]" would find Huawei without review
    key = f"{vendor} [MAC {oui} disputed]"
    why = (
        f"the vendor name {vendor!r} resolves to {_group_name(registry, named)}, but MAC "
        f"{oui}:… is registered to {org} ({REGISTRY}), which resolves to "
        f"{_group_name(registry, by_mac)}; confirm who made it"
    )
    return key, MacMatch(key, None, None, None, 0.5, MatchMethod.MAC_OUI, True, why=why)


def given_vendor(vendor: str, mac: str, match: VendorMatch | None) -> str:
    """The vendor column as the inventory gave it, for an asset ``resolve_macs`` gave a key of
    its own (the inverse of the keys made above): '' for an asset known only by its MAC, the
    name before ' [MAC ... disputed]' for a disputed one, ``vendor`` itself otherwise. The store
    keeps the inventory as given, so that a stored evaluation re-runs to the same result."""
    if not mac or not isinstance(match, MacMatch):
        return vendor
    disputed = f" [MAC {oui_of(mac)} disputed]"
    return vendor[: -len(disputed)] if vendor.endswith(disputed) else ""


def resolve_macs(
    assets: Sequence[Asset],
    matches: Mapping[str, VendorMatch],
    registry: Registry,
    as_of: dt.date,
) -> tuple[Sequence[Asset], dict[str, VendorMatch]]:
    """Assets with a MAC or OUI, resolved through the IEEE registry (see the module docstring).

    ``matches`` holds ``registry.match`` for every vendor string of ``assets``. The result is the
    assets, those with a MAC-derived or disputed vendor given a vendor key of their own (e.g.
    'HUAWEI TECHNOLOGIES CO.,LTD [MAC 00:e0:fc]'), and the matches for exactly the vendor keys
    in use, sorted. Assets already resolved (their match is a ``MacMatch``) are left alone, so
    applying it twice changes nothing.
    """
    decided: dict[tuple[str, str], tuple[str, MacMatch] | None] = {}
    extra: dict[str, VendorMatch] = {}

    def resolved(vendor: str, mac: str) -> str | None:
        """The vendor key of an asset with this vendor and MAC; None to leave it as it is."""
        if not mac or isinstance(matches.get(vendor), MacMatch):
            return None
        oui = oui_of(mac)
        key = (vendor, oui)
        if key not in decided:
            org = _registrant(oui)
            if vendor:
                decided[key] = _disagreement(registry, vendor, matches[vendor], oui, org, as_of)
            else:
                decided[key] = _from_mac(registry, vendor, oui, org, as_of)
        result = decided[key]
        if result is None:
            return None
        extra[result[0]] = result[1]
        return result[0]

    out: Sequence[Asset]
    if isinstance(assets, AssetTable):
        # worked per key: a table's rows share a few keys (engine.asset_table)
        at, mac_at = assets.field("vendor"), assets.field("mac")
        if not any(key[mac_at] for key in assets.keys):
            return assets, dict(matches)
        keys = []
        for key in assets.keys:
            vendor = resolved(key[at], key[mac_at])
            keys.append(key if vendor is None else (*key[:at], vendor, *key[at + 1 :]))
        out = assets.with_keys(keys)
        used = out.vendors()
    else:
        if not any(a.mac for a in assets):
            return assets, dict(matches)
        rows: list[Asset] = []
        for asset in assets:
            vendor = resolved(asset.vendor, asset.mac)
            rows.append(asset if vendor is None else asset._replace(vendor=vendor))
        out = rows
        used = {a.vendor for a in out}
    merged = {**matches, **extra}
    return out, {v: merged[v] for v in sorted(used)}
