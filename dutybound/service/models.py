"""Request and response models: the OpenAPI document generated from them is the API reference.

Vocabulary fields (category, function, ...) are enums built from ``engine.vocabulary``, so the
schema lists exactly the values the engine accepts. Law-dependent checks (roles, attributes,
jurisdictions of the rule pack) are done by the engine and reported as 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from dutybound.engine import vocabulary as vocab
from dutybound.service.values import QUANTITY_MAX, QUANTITY_MIN, check_value

MAX_CHECK_ITEMS = 1000
MAX_ASSETS = 20000
MAX_SCREEN_NAMES = 20000


def _enum(name: str, values: frozenset[str]) -> type[StrEnum]:
    return StrEnum(name, {v: v for v in sorted(values)})  # type: ignore[return-value]


Category = _enum("Category", vocab.CATEGORIES)
Function = _enum("Function", vocab.FUNCTIONS)
Network = _enum("Network", vocab.NETWORKS)
Use = _enum("Use", vocab.USES)
Status = _enum("Status", vocab.STATUSES)
Flag = _enum("Flag", vocab.FLAGS)

CountryCode = Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166 two-letter code")


class Strict(BaseModel):
    """Every request model: unknown fields refused, and every field's value within what the
    engine and both stores can hold (``values.check_value``: valid Unicode without NUL, whole
    numbers within ±2**53-1, finite numbers), so such input is a 422 naming the field, never a
    500 from deeper down."""

    model_config = ConfigDict(extra="forbid")

    _in_domain = field_validator("*", mode="after")(check_value)


class ProfileIn(Strict):
    """An operator profile, as in the profile YAML of the CLI."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Albion Mobile & Fibre plc",
                    "jurisdictions": ["GB"],
                    "sectors": ["telecoms"],
                    "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"],
                    "attributes": {"gb.relevant_turnover_gbp": 2000000000},
                }
            ]
        },
    )

    name: str = Field(
        min_length=1,
        max_length=500,
        description="Operator name.",
        examples=["Albion Mobile & Fibre plc"],
    )
    jurisdictions: list[str] = Field(
        min_length=1,
        max_length=50,
        description="ISO codes of the jurisdictions to evaluate (those of the rule pack, "
        "e.g. CZ, GB, US).",
        examples=[["GB"]],
    )
    sectors: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Sectors, e.g. telecoms, energy, government.",
    )
    roles: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="Jurisdiction-prefixed legal roles the operator holds (GET /law/roles... "
        "or `dutybound law roles`), e.g. gb.public_telecoms_provider.",
        examples=[["gb.public_telecoms_provider", "gb.dvd_addressee"]],
    )
    attributes: dict[str, bool | int | float | str] = Field(
        default_factory=dict,
        description="Numbers the law looks at, e.g. "
        "gb.relevant_turnover_gbp; some roles are derived from them.",
    )


class _AssetFields(Strict):
    vendor: str = Field(
        min_length=1,
        max_length=500,
        description="Vendor name as the inventory or bid has it.",
        examples=["HUAWEI TECHNOLOGIES CO.,LTD"],
    )
    category: Category = Field(description="Asset category.")  # type: ignore[valid-type]
    function: Function = Field(description="Network function.")  # type: ignore[valid-type]
    network: Network | None = Field(None, description="Network, e.g. 5g.")  # type: ignore
    use: Use | None = Field(  # type: ignore[valid-type]
        None, description="Use; purpose-limited US rules (Hikvision, Dahua, Hytera) need it."
    )
    quantity: int = Field(
        1,
        ge=QUANTITY_MIN,
        le=QUANTITY_MAX,
        description="Units; caps are measured by quantity.",
    )
    product: str | None = Field(None, max_length=500, description="Product name.")
    model: str | None = Field(None, max_length=500, description="Model number.")
    site: str | None = Field(None, max_length=500, description="Site.")
    origin: str | None = Field(
        None, pattern=r"^[A-Za-z]{2}$", description="ISO code of the country where it was produced."
    )
    flags: list[Flag] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=50, description="Facts some rules turn on, stated true."
    )
    flags_false: list[Flag] = Field(  # type: ignore[valid-type]
        default_factory=list,
        max_length=50,
        description="Facts stated false: a rule that turns on an unstated flag puts the item in "
        "review; naming it here closes that question (the inventory's 'name=no').",
    )
    installed_on: dt.date | None = Field(None, description="Installation date.")
    identified_on: dt.date | None = Field(
        None,
        description="Date the asset was identified; starts deadlines counted from "
        "identification (default: the evaluation date).",
    )

    def row(self, asset_id: str, country: str, status: str) -> dict[str, str]:
        """The inventory row (``engine.inputs.COLUMNS``) the engine validates."""
        return {
            "asset_id": asset_id,
            "vendor": self.vendor,
            "category": self.category.value,
            "function": self.function.value,
            "country": country,
            "status": status,
            "product": self.product or "",
            "network": self.network.value if self.network else "",
            "use": self.use.value if self.use else "",
            "quantity": str(self.quantity),
            "site": self.site or "",
            "model": self.model or "",
            "installed_on": self.installed_on.isoformat() if self.installed_on else "",
            "identified_on": self.identified_on.isoformat() if self.identified_on else "",
            "flags": ";".join(
                [f.value for f in self.flags] + [f"{f.value}=no" for f in self.flags_false]
            ),
            "origin": self.origin or "",
        }


class ItemIn(_AssetFields):
    """A proposed purchase (one line of a bid)."""

    asset_id: str | None = Field(
        None, min_length=1, max_length=200, description="Line id (default item-1, item-2, ...)."
    )
    country: str | None = Field(
        None,
        pattern=r"^[A-Za-z]{2}$",
        description="Where it will be used (ISO code); default: the profile's only jurisdiction.",
    )
    status: Status = Field(Status("in_procurement"), description="Status.")  # type: ignore


class AssetIn(_AssetFields):
    """One row of an asset inventory (the columns of the CSV inventory)."""

    asset_id: str = Field(min_length=1, max_length=200, description="Unique asset id.")
    country: str = Field(pattern=r"^[A-Za-z]{2}$", description="ISO code of where it is.")
    status: Status = Field(
        description="installed, planned, in_procurement, "  # type: ignore
        "decommissioned."
    )


MAX_WAIVERS = 1000


class WaiverIn(Strict):
    """A waiver or exception record, as in a waivers file of the CLI (docs/waivers.md). The
    service checks it against the law (basis, obligation, dates): a record the law did not
    allow is reported as refused and waives nothing."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "W-2025-001",
                    "operator": "Potomac Systems Integration LLC",
                    "obligation": "us.ndaa889.a1b-use",
                    "basis": "us.ndaa889.d2-dni",
                    "reference": "ODNI-889-2025-001",
                    "approver": "Director of National Intelligence",
                    "granted_on": "2025-01-01",
                    "expires_on": "2026-01-01",
                }
            ]
        },
    )

    id: str = Field(min_length=1, max_length=200, description="Record id, unique in the list.")
    operator: str = Field(
        min_length=1,
        max_length=500,
        description="The operator it was granted to: the profile's name.",
    )
    obligation: str = Field(
        min_length=1, max_length=200, description="Obligation id it excuses (GET /law/obligations)."
    )
    assets: list[str] | None = Field(
        None,
        min_length=1,
        max_length=MAX_ASSETS,
        description="Asset or item ids it covers (default: all).",
    )
    basis: str = Field(
        min_length=1,
        max_length=200,
        description="Legal basis id from the rule "
        "pack's waivers.yaml, e.g. us.ndaa889.d1-agency-head-use (docs/waivers.md).",
    )
    reference: str = Field(min_length=1, max_length=500, description="Document reference.")
    approver: str = Field(min_length=1, max_length=500, description="Who granted it.")
    granted_on: dt.date = Field(description="Day it took effect.")
    expires_on: dt.date | None = Field(
        None,
        description="First day it no longer applies (exclusive); required where the "
        "basis has a sunset.",
    )
    note: str | None = Field(None, max_length=5000, description="Free text.")


class _WithProfile(Strict):
    profile: ProfileIn | None = Field(None, description="The operator profile, inline.")
    profile_id: str | None = Field(
        None,
        max_length=64,
        description="Or the id of a profile stored with POST "
        "/profiles (of your tenant, or one you may read).",
    )
    as_of: dt.date = Field(
        description="Evaluate the law as it stood on this date.", examples=["2026-11-28"]
    )
    as_role: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="What-if: assume the operator also holds these roles (shown as hypothetical).",
    )
    vendor_decisions: list[dict[str, Any]] | None = Field(
        None,
        max_length=500,
        description="Recorded answers about vendor names (id, name, group or not_group, by, "
        "decided_on, note): a confirmed name is that group's equipment, a rejected one is not.",
    )
    assume_designation: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="What-if decisions under unused powers, JURISDICTION:vendor_group:YYYY-MM-DD "
        "(e.g. PL:huawei:2027-01-01): the duties they bring are findings marked hypothetical, "
        "counted apart.",
    )

    @model_validator(mode="after")
    def _one_profile(self) -> Any:
        if (self.profile is None) == (self.profile_id is None):
            raise ValueError("give exactly one of profile or profile_id")
        return self


_US_AGENCY = {
    "name": "Federal Building Office",
    "jurisdictions": ["US"],
    "roles": ["us.federal_agency"],
}
_CAMERA = {
    "vendor": "Dahua Technology",
    "category": "video_surveillance",
    "function": "physical_security",
    "use": "government_facility_security",
    "country": "US",
}


class CheckRequest(_WithProfile):
    """A procurement check: one item or a bid of items."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"profile": _US_AGENCY, "as_of": "2026-11-28", "item": _CAMERA}]
        }
    )

    item: ItemIn | None = Field(None, description="One proposed item.")
    waivers: list[WaiverIn] | None = Field(
        None,
        max_length=MAX_WAIVERS,
        description="Waivers and exceptions the operator holds; "
        "a binding finding they cover in effect gives `conditional`, naming the waiver.",
    )
    items: list[ItemIn] | None = Field(
        None,
        min_length=1,
        max_length=MAX_CHECK_ITEMS,
        description=f"Or a bid: up to {MAX_CHECK_ITEMS} items; the worst item decides the verdict.",
    )

    @model_validator(mode="after")
    def _one_of_items(self) -> Any:
        if (self.item is None) == (self.items is None):
            raise ValueError("give exactly one of item or items")
        return self


class _WithInventory(_WithProfile):
    """A profile, a date and an inventory (evaluations and reports)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "profile": {**_US_AGENCY, "roles": ["us.federal_contractor"]},
                    "as_of": "2026-11-28",
                    "assets": [{**_CAMERA, "asset_id": "cam-1", "status": "installed"}],
                }
            ]
        }
    )

    assets: list[AssetIn] = Field(max_length=MAX_ASSETS, description="The asset inventory.")
    waivers: list[WaiverIn] | None = Field(
        None,
        max_length=MAX_WAIVERS,
        description="Waivers and exceptions the operator holds: "
        "findings they cover in effect are marked waived; every record is listed with its "
        "standing.",
    )


class EvaluateRequest(_WithInventory):
    """An evaluation of an inventory; the result is stored for GET /results/{id}."""

    include_ended: bool = Field(False, description="Also list obligations that had ended.")


class CompareRequest(_WithProfile):
    """Jurisdictions side by side, or the vendor-by-jurisdiction matrix."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "profile": {
                        "name": "UK Mobile",
                        "jurisdictions": ["GB"],
                        "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"],
                    },
                    "as_of": "2026-11-28",
                    "vendors": ["Huawei"],
                    "jurisdictions": ["GB", "US"],
                }
            ]
        }
    )

    assets: list[AssetIn] | None = Field(
        None, max_length=MAX_ASSETS, description="Inventory; required unless vendors given."
    )
    jurisdictions: list[str] | None = Field(
        None,
        min_length=1,
        max_length=50,
        description="ISO codes to compare (default: the profile's), e.g. CZ, GB, US.",
    )
    vendors: list[str] | None = Field(
        None,
        min_length=1,
        max_length=20,
        description="Vendor-by-jurisdiction matrix for these vendors, e.g. Huawei.",
    )
    as_sector: str | None = Field(
        None,
        max_length=40,
        description="What-if: fill each compared jurisdiction's roles with the ones its law "
        "gives this sector (e.g. telecoms), marked hypothetical (as `compare --as-sector`).",
    )

    @model_validator(mode="after")
    def _assets_or_vendors(self) -> Any:
        if self.assets is None and not self.vendors:
            raise ValueError("give assets, or vendors for the law-level vendor matrix")
        return self


class ReportRequest(_WithInventory):
    """The obligation report (PDF/A-3b with the evaluation JSON and affected-asset CSV)."""

    lang: str = Field("en", pattern=r"^[a-z]{2}$", description="Interface language.")


def _named(value: str) -> str:
    """A vendor name with its surrounding blanks taken off; one of nothing but blanks is
    refused (it names no vendor), so the 422 points at that item of the list."""
    value = value.strip()
    if not value:
        raise ValueError("a vendor name must not be blank")
    return value


VendorName = Annotated[
    str, StringConstraints(max_length=500), AfterValidator(check_value), AfterValidator(_named)
]


class ScreenRequest(Strict):
    """A supplier list to screen: vendor names as the list writes them."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "names": ["HUAWEI TECHNOLOGIES CO.,LTD", "Nokia", "Huawai Tech", "Nokia"],
                    "as_of": "2026-11-28",
                }
            ]
        },
    )

    names: list[VendorName] = Field(
        min_length=1,
        max_length=MAX_SCREEN_NAMES,
        description=f"Up to {MAX_SCREEN_NAMES} vendor names; repeats are counted, each distinct "
        "name is resolved once.",
    )
    as_of: dt.date | None = Field(
        None,
        description="Match as the registry stood on this date (group membership changes); "
        "default: today.",
    )


# -- responses of the service's own (the engine's JSON is described in ``responses``) ----------


class RulepackInfo(BaseModel):
    version: str = Field(description="Rule pack version.")
    sha256: str = Field(description="SHA-256 of the rule pack's files.")
    law_as_of: str | None = Field(None, description="Date the law was encoded as of.")


class Health(BaseModel):
    status: Literal["ok"]
    rulepack: RulepackInfo
    engine: dict[str, str] = Field(description="Engine version and evaluator.")


class ProfileOut(BaseModel):
    id: str = Field(description="Profile id (random UUID).")
    tenant: str
    created_at: dt.datetime
    profile: ProfileIn


class ErrorOut(BaseModel):
    detail: Any = Field(description="What went wrong; for 422, a list naming each field (loc).")
