"""CycloneDX component types in dutybound's words, and what a BOM's reader says about it.

An SBOM or HBOM says what a component is (``library``, ``device``, ...) but not how it is used, so
each component type is given the closest asset category (the table below, documented in
docs/inventories.md); a ``dutybound:category`` property on a component overrides it. The
component types are those of the official ``cyclonedx-python-lib`` (``ComponentType``), so a type
added to the standard shows up as a failing test here rather than as an empty category.
"""

from __future__ import annotations

from cyclonedx.model.component import ComponentType

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
