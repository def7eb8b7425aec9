"""NetBox device lists as inventories: the CSV the device table exports and the REST API's JSON.

NetBox is the network source of truth many operators keep; its device list already says who made
each device (the device type's manufacturer), what it is for (the role), where it is (the site)
and whether it runs (the status). Both forms are recognised by their shape, with no option:

- the CSV export of the Devices table (headers as NetBox 4 writes them: ``Name``, ``Status``,
  ``Tenant``, ``Site``, ``Location``, ``Rack``, ``Role``, ``Manufacturer``, ``Type``,
  ``Platform``, ``Serial number``, ``Asset tag``, ...);
- a page of ``GET /api/dcim/devices/`` (``{"count", "next", "previous", "results": [...]}``,
  the manufacturer under ``device_type.manufacturer.name``, ``role.name``, ``site.name``,
  ``status.value``).

The role becomes the category and the network function through ``ROLES`` (the roles NetBox's
demo data and most installations use); a mapping file's ``values: {category: {...}, function:
{...}}`` entries, keyed by role name, win over it. NetBox keeps no country on a device: give one
with ``--default country=CZ`` or a ``Country`` custom column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dutybound.engine import limits
from dutybound.engine.errors import InputError
from dutybound.engine.inputs import COLUMNS, Row
from dutybound.engine.mapping import Mapping, key

# NetBox device role (normalised name) -> (category, function).
ROLES: dict[str, tuple[str, str]] = {
    "core switch": ("telecom_equipment", "core"),
    "core router": ("router", "core"),
    "router": ("router", "core"),
    "edge router": ("router", "core"),
    "border router": ("router", "core"),
    "spine": ("telecom_equipment", "core"),
    "leaf": ("telecom_equipment", "core"),
    "distribution switch": ("telecom_equipment", "transmission"),
    "access switch": ("telecom_equipment", "access_other"),
    "switch": ("telecom_equipment", "access_other"),
    "management switch": ("telecom_equipment", "management"),
    "wireless ap": ("telecom_equipment", "access_other"),
    "access point": ("telecom_equipment", "access_other"),
    "wireless controller": ("telecom_equipment", "management"),
    "firewall": ("it_hardware", "security_function"),
    "vpn": ("it_hardware", "security_function"),
    "load balancer": ("it_hardware", "core"),
    "console server": ("it_hardware", "management"),
    "server": ("it_hardware", "office_it"),
    "storage": ("it_hardware", "office_it"),
    "pdu": ("it_hardware", "other"),
    "patch panel": ("it_hardware", "other"),
    "camera": ("video_surveillance", "physical_security"),
    "ip camera": ("video_surveillance", "physical_security"),
    "plc": ("ot_control", "ot"),
    "rtu": ("ot_control", "ot"),
}

# The CSV export's headers that make a file a NetBox device list.
_CSV_SIGNATURE = frozenset({"name", "status", "site", "role", "manufacturer", "type"})

MAPPING_USED = [
    ("Asset tag, else Name", "asset_id"),
    ("Manufacturer", "vendor"),
    ("Type", "product"),
    ("Role", "category"),
    ("Role", "function"),
    ("Status", "status"),
    ("Site", "site"),
    ("Type", "model"),
]


def _row(line: int, mapping: Mapping, fields: dict[str, str]) -> Row:
    """One device as a row in ``COLUMNS`` order."""
    role = fields.get("role", "")
    category, function = ROLES.get(key(role), (role, role))
    values = {
        "asset_id": fields.get("asset tag") or fields.get("name") or fields.get("id", ""),
        "vendor": fields.get("manufacturer", ""),
        "product": fields.get("type", ""),
        "category": mapping.values.get("category", {}).get(key(role), category),
        "function": mapping.values.get("function", {}).get(key(role), function),
        "status": fields.get("status", ""),
        "site": fields.get("site", ""),
        "model": fields.get("type", ""),
        "country": fields.get("country", ""),
    }
    return line, [values.get(c, "").strip() for c in COLUMNS]


def netbox_csv(
    path: Path, text: str, mapping: Mapping
) -> tuple[list[tuple[str, str]], list[Row]] | None:
    """The rows of a NetBox device CSV export; None if the file is not one."""
    records = limits.csv_records(path, text)
    first = next(records, None)
    if first is None:
        return None
    header = [key(h) for h in first[1]]
    if not set(header) >= _CSV_SIGNATURE or mapping.columns:
        return None  # an explicit column mapping means the user reads it as a plain inventory
    rows: list[Row] = []
    cap = limits.limit(limits.Limit.ROWS)
    for line, values in records:
        if not any(v.strip() for v in values):
            continue
        if len(rows) == cap:
            raise limits.breach(path, limits.Limit.ROWS, "the rows", line=line)
        fields = dict(zip(header, (v.strip() for v in values), strict=False))
        rows.append(_row(line, mapping, fields))
    return MAPPING_USED, rows


def is_netbox_page(data: Any) -> bool:
    """Whether parsed JSON is a page of NetBox's ``/api/dcim/devices/``."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("results"), list)
        and "count" in data
        and all(isinstance(d, dict) and "device_type" in d for d in data["results"][:5])
    )


def _name(value: Any, *path: str) -> str:
    """A nested ``name``/``value`` of the API's brief objects, '' where absent."""
    for part in path:
        if not isinstance(value, dict):
            return ""
        value = value.get(part)
    if value is None:
        return ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def device_label(row: Row) -> str:
    """How a message names a NetBox device: by its name (or asset tag) as NetBox shows it."""
    return f"device {row[1][0]!r}"


def netbox_page_rows(path: Path, data: dict[str, Any], mapping: Mapping) -> list[Row]:
    """The rows of one API page; the device's position in ``results`` stands in for a line
    (messages also name the device, ``device_label``)."""
    results = data["results"]
    limits.check_rows(path, len(results))
    rows: list[Row] = []
    for n, device in enumerate(results, start=1):
        if not isinstance(device, dict):
            raise InputError(path, f"device #{n} is not an object", field=f"results[{n - 1}]")
        fields = {
            "id": _name(device, "id"),
            "name": _name(device, "name"),
            "asset tag": _name(device, "asset_tag"),
            "manufacturer": _name(device, "device_type", "manufacturer", "name"),
            "type": _name(device, "device_type", "model"),
            "role": _name(device, "role", "name") or _name(device, "device_role", "name"),
            "status": _name(device, "status", "value"),
            "site": _name(device, "site", "name"),
            "country": _name(device, "custom_fields", "country"),
        }
        rows.append(_row(n, mapping, fields))
    return rows
