"""CycloneDX SBOMs and HBOMs as inventories: the components, their types in dutybound's words.

An SBOM or HBOM says what a component is (``library``, ``device``, ...) but not how it is used, so
each component type is given the closest asset category (the table below, documented in
docs/inventories.md); a ``dutybound:category`` property on a component overrides it. The
component types are those of the official ``cyclonedx-python-lib`` (``ComponentType``), so a type
added to the standard shows up as a failing test here rather than as an empty category.

The BOM itself is read by the bounded walker below, not by the library's deserialiser: the JSON is
already parsed within ``engine.limits``' caps, the walker names the component (bom-ref) and field
of any value of the wrong type, and it is some twenty times faster (5,000 components: 0.23 s
against 5.4 s for ``Bom.from_json``, which says neither which component nor which field).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cyclonedx.model.component import ComponentType

from dutybound.engine import limits
from dutybound.engine.errors import InputError
from dutybound.engine.inputs import COLUMNS, VENDOR_STAND_INS, Row
from dutybound.engine.notices import Notice
from dutybound.engine.outcomes import NoticeCode

# CycloneDX component type -> dutybound category (an SBOM does not say how an asset is used).
CATEGORIES: dict[ComponentType, str] = {
    ComponentType.APPLICATION: "software",
    ComponentType.CONTAINER: "software",
    ComponentType.CRYPTOGRAPHIC_ASSET: "software",
    ComponentType.DATA: "software",
    ComponentType.DEVICE: "it_hardware",
    ComponentType.DEVICE_DRIVER: "software",
    ComponentType.FILE: "software",
    ComponentType.FIRMWARE: "software",
    ComponentType.FRAMEWORK: "software",
    ComponentType.LIBRARY: "software",
    ComponentType.MACHINE_LEARNING_MODEL: "ai_service",
    ComponentType.OPERATING_SYSTEM: "software",
    ComponentType.PLATFORM: "software",
}


def cyclonedx_category(component_type: str) -> str:
    """The category of a component type; '' for a type the standard does not have (the row
    then fails as 'category is empty', naming the component)."""
    try:
        return CATEGORIES[ComponentType(component_type)]
    except ValueError:
        return ""


def bom_notices(without_vendor: list[str]) -> list[Notice]:
    """The notice for components left out because none names a supplier or vendor."""
    if not without_vendor:
        return []
    shown = ", ".join(without_vendor[:5]) + (", ..." if len(without_vendor) > 5 else "")
    return [
        Notice(
            NoticeCode.COMPONENTS_WITHOUT_VENDOR,
            f"{len(without_vendor)} components without a supplier were not evaluated ({shown}); "
            "give a 'dutybound:vendor' property to include one.",
            {"count": len(without_vendor), "components": without_vendor},
        )
    ]


def _number_text(value: int | float) -> str:
    """A number as a CSV export would write it (2.0 -> '2')."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _component_where(comp: dict[str, Any], where: str) -> str:
    """How an error names a component: its bom-ref when it has a usable one, else its index."""
    ref = comp.get("bom-ref")
    return f"{where} (bom-ref {ref!r})" if isinstance(ref, str) and ref else where


def _component_text(path: Path, comp: dict[str, Any], key: str, where: str) -> str:
    """A component's text field, '' when absent; any other type is an error naming it."""
    value = comp.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value)
    raise InputError(
        path,
        f"{_component_where(comp, where)}: '{key}' must be a string, got {json_type(value)}",
        field=f"{where}.{key}",
    )


def _entity_name(path: Path, comp: dict[str, Any], key: str, where: str) -> str:
    """The ``name`` of a component's manufacturer or supplier object, '' when absent."""
    entity = comp.get(key)
    if entity is None:
        return ""
    if not isinstance(entity, dict):
        raise InputError(
            path,
            f"{_component_where(comp, where)}: '{key}' must be an object with a name, "
            f"got {json_type(entity)}",
            field=f"{where}.{key}",
        )
    return _component_text(path, entity, "name", f"{where}.{key}")


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _component_list(path: Path, value: Any, owner: str, field: str) -> list[Any]:
    """A ``components`` or ``properties`` value: a list, or nothing."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(
            path,
            f"{owner}: '{field.rsplit('.', 1)[-1]}' must be a list, got {json_type(value)}",
            field=field,
        )
    return value


def _component_properties(path: Path, comp: dict[str, Any], where: str) -> dict[str, str]:
    """The component's ``name: value`` properties; each must be an object with a string name
    and a string (or number) value."""
    owner = _component_where(comp, where)
    props: dict[str, str] = {}
    for i, prop in enumerate(
        _component_list(path, comp.get("properties"), owner, f"{where}.properties")
    ):
        at = f"{where}.properties[{i}]"
        if not isinstance(prop, dict):
            raise InputError(
                path, f"{owner}: a property is {json_type(prop)}, not an object", field=at
            )
        name = _component_text(path, prop, "name", at)
        props[name] = _component_text(path, prop, "value", at)
    return props


@dataclass
class BomRows:
    """The rows of a CycloneDX BOM, each row's component named for messages (bom-ref), and the
    components left out because nothing names who made them."""

    rows: list[Row] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)
    without_vendor: list[str] = field(default_factory=list)


def cyclonedx_rows(path: Path, bom: dict[str, Any]) -> tuple[list[tuple[str, str]], BomRows]:
    """One asset per component (nested components included). ``dutybound:<column>`` properties
    on a component set any column; otherwise the vendor comes from manufacturer, supplier,
    publisher or author, in that order, and the category from the component type. A field of
    the wrong JSON type is an error naming the component (bom-ref, else index) and the field.

    A component with no vendor at all (most open-source libraries name no supplier) is left
    out and counted (``BomRows.without_vendor``): the law asks who made a thing, and a component
    that does not say cannot be matched to a designated vendor; the caller turns the count into
    a notice. A ``dutybound:vendor`` property gives such a component its vendor."""
    out = BomRows()
    rows = out.rows
    cap = limits.limit(limits.Limit.ROWS)
    visited = 0

    def visit(components: list[Any], trail: str) -> None:
        nonlocal visited
        for i, comp in enumerate(components):
            where = f"{trail}[{i}]"
            if not isinstance(comp, dict):
                raise InputError(
                    path, f"a component is {json_type(comp)}, not an object", field=where
                )
            if visited == cap:
                raise limits.breach(path, limits.Limit.ROWS, "the components", field=where)
            visited += 1
            props = _component_properties(path, comp, where)
            text = {
                key: _component_text(path, comp, key, where)
                for key in ("bom-ref", "name", "version", "type", "publisher", "author")
            }
            vendor = (
                _entity_name(path, comp, "manufacturer", where)
                or _entity_name(path, comp, "manufacture", where)
                or _entity_name(path, comp, "supplier", where)
                or text["publisher"]
                or text["author"]
            )
            values = {
                "asset_id": text["bom-ref"] or f"{text['name']}@{text['version']}",
                "vendor": vendor,
                "product": text["name"],
                "model": text["version"],
                # an unknown type is kept, so the message names it ("unknown category 'x'")
                "category": cyclonedx_category(text["type"]) or text["type"],
                "status": "installed",
            }
            values.update(
                {
                    k.removeprefix("dutybound:"): v
                    for k, v in props.items()
                    if k.startswith("dutybound:") and k.removeprefix("dutybound:") in COLUMNS
                }
            )
            label = _component_where(comp, where)
            if not any((values.get(c) or "").strip() for c in ("vendor", *VENDOR_STAND_INS)):
                out.without_vendor.append(label)
            else:
                # the component's position stands in for a line number
                out.labels[len(rows) + 1] = label
                rows.append((len(rows) + 1, [(values.get(c) or "").strip() for c in COLUMNS]))
            children = _component_list(
                path, comp.get("components"), _component_where(comp, where), f"{where}.components"
            )
            visit(children, f"{where}.components")

    visit(_component_list(path, bom.get("components"), "the BOM", "components"), "components")
    mapping = [
        ("manufacturer/supplier/publisher/author", "vendor"),
        ("name", "product"),
        ("version", "model"),
        ("type", "category"),
        ("bom-ref", "asset_id"),
    ]
    return mapping, out
