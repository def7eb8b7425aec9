"""The roles the law of each jurisdiction gives an operator of a sector, for a consultant's
comparison (``compare --as-sector telecoms``): assumed, never declared.

A consultant comparing eleven countries for "a telecoms operator" should not have to write a role
per country. The rule pack's roles say who holds them (a carrier licence, a public network, the
NIS2 size classes) but do not, as data, name the sector they belong to: no role's derivation tests
a sector. This table is that link, kept apart from the law so that it never changes a real
evaluation: every role it gives is marked hypothetical (``RoleSource.HYPOTHETICAL``) and printed
as "roles assumed for sector telecoms: ...".

What it assumes, and what it does not:

- a role held by the sector's activity itself (a UK public network provider, an Indian Unified
  Licence holder, a US broadband provider) is assumed with no condition;
- a role that also needs a size (the NIS2 classes, KRITIS thresholds, the Czech higher regime) is
  assumed for a medium or large operator, and the condition is printed with it;
- a role given only to named addressees (the 35 addressees of the UK Huawei direction, the three
  parties to Germany's 2024 agreements, Spark's 2018 decision, Sweden's four 2021 licensees) or
  by a subsidy, grant or contract (US Universal Service Fund, federal contracts) is never assumed:
  whether the client is one is a fact, declared with ``--as-role``.

A role whose law did not exist on the date is left out (engine.roles.role_exists), with a note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dutybound.engine.errors import InputError
from dutybound.engine.inputs import SECTORS
from dutybound.engine.loading import RulePack
from dutybound.engine.roles import role_exists
from dutybound.engine.suggest import unknown

MEDIUM_OR_LARGE = "medium or large entity (NIS2 size thresholds)"
ABOVE_THRESHOLDS = "above the KRITIS thresholds"


@dataclass(frozen=True)
class Assumption:
    """One role assumed for a sector, with the condition beyond the sector it rests on."""

    role: str
    condition: str | None = None

    @property
    def jurisdiction(self) -> str:
        return self.role.split(".")[0].upper()


def _nis2_annex_1(*extra: Assumption) -> tuple[Assumption, ...]:
    """The NIS2 Annex I sectors: the essential-entity classes of the EU and the member states
    in the pack, for a medium or large operator, plus the sector's own roles."""
    return (
        Assumption("eu.nis2_essential_entity", MEDIUM_OR_LARGE),
        Assumption("de.kritis_operator", ABOVE_THRESHOLDS),
        Assumption("cz.regulated_service_higher", MEDIUM_OR_LARGE),
        Assumption("pl.key_entity", MEDIUM_OR_LARGE),
        *extra,
    )


def _nis2_annex_2(*extra: Assumption) -> tuple[Assumption, ...]:
    """The NIS2 Annex II sectors: the important-entity classes, for a medium or large operator."""
    return (
        Assumption("eu.nis2_important_entity", MEDIUM_OR_LARGE),
        Assumption("de.important_entity", MEDIUM_OR_LARGE),
        Assumption("cz.regulated_service_lower", MEDIUM_OR_LARGE),
        Assumption("pl.important_entity", MEDIUM_OR_LARGE),
        *extra,
    )


AU_CIRMP = "responsible entity for a critical infrastructure asset under the CIRMP Rules"

# sector -> roles assumed (the module docstring says which are and are not)
SECTOR_ROLES: dict[str, tuple[Assumption, ...]] = {
    "telecoms": _nis2_annex_1(
        Assumption("eu.mobile_network_operator", "runs a public mobile network"),
        Assumption("au.carrier"),
        Assumption("au.carriage_service_provider"),
        Assumption("ca.telecom_service_provider"),
        Assumption("gb.public_telecoms_provider"),
        Assumption("in.unified_licence_holder"),
        Assumption("nz.network_operator"),
        Assumption("us.acs_provider"),
    ),
    "energy": _nis2_annex_1(Assumption("au.soci_responsible_entity", AU_CIRMP)),
    "water": _nis2_annex_1(Assumption("au.soci_responsible_entity", AU_CIRMP)),
    "transport": _nis2_annex_1(Assumption("au.soci_responsible_entity", AU_CIRMP + " (freight)")),
    "health": _nis2_annex_1(Assumption("au.soci_responsible_entity", AU_CIRMP + " (hospital)")),
    "finance": _nis2_annex_1(),
    "digital_infrastructure": _nis2_annex_1(
        Assumption("au.soci_responsible_entity", AU_CIRMP + " (data storage or processing)")
    ),
    "space": (
        Assumption("eu.nis2_essential_entity", MEDIUM_OR_LARGE),
        Assumption("de.particularly_important_entity", MEDIUM_OR_LARGE),
        Assumption("cz.regulated_service_higher", MEDIUM_OR_LARGE),
        Assumption("pl.key_entity", MEDIUM_OR_LARGE),
    ),
    "government": (
        Assumption("eu.nis2_essential_entity", "central public administration"),
        Assumption("gb.central_government_department", "a central government department"),
        Assumption("ca.federal_institution", "a federal institution"),
        Assumption("cz.state_administration", "a body of the state administration"),
        Assumption("us.federal_agency", "a federal executive agency"),
    ),
    "manufacturing": _nis2_annex_2(),
    "defence": (
        Assumption("us.federal_contractor", "supplies the Department of Defense"),
        Assumption("us.dod_contractor", "supplies the Department of Defense"),
    ),
    # no law in the pack gives "other" a role: nothing is assumed
    "other": (),
}
# Roles of a sector held only by named addressees: never assumed, but named in the output so that
# a "nothing" cell is read with them in mind (Germany's Huawei exit binds only the 2024 parties).
NAMED_ADDRESSEES: dict[str, tuple[str, ...]] = {
    "telecoms": (
        "gb.dvd_addressee",
        "de.huawei_agreement_party_2024",
        "nz.spark_5g_decision_addressee",
        "se.pts_2020_licensee",
        "us.usf_recipient",
        "us.fcc_subsidy_recipient",
        "us.reimbursement_recipient",
    ),
}


@dataclass(frozen=True)
class SectorRoles:
    """The roles assumed for a sector in the compared jurisdictions, as the output states them."""

    sector: str
    assumed: tuple[Assumption, ...]
    # jurisdictions compared where the sector gets no role
    none: tuple[str, ...]
    # assumed roles left out because their law did not exist on the date
    not_yet: tuple[str, ...]
    # the sector's roles held only by named addressees or by a subsidy: not assumed
    not_assumed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "sector": self.sector,
            "hypothetical": True,
            "roles": [
                {"role": a.role, "jurisdiction": a.jurisdiction, "condition": a.condition}
                for a in self.assumed
            ],
            "no_role_in": list(self.none),
            "not_yet_in_law": list(self.not_yet),
            "not_assumed": list(self.not_assumed),
        }


def sector_roles(pack: RulePack, sector: str, codes: list[str], day: dt.date) -> SectorRoles:
    """The roles assumed for ``sector`` in the jurisdictions ``codes`` on ``day``.

    Raises ``InputError`` (``--as-sector``) for a sector outside the vocabulary, or a role the
    rule pack does not define (a table out of step with the law).
    """
    if sector not in SECTORS:
        raise InputError("--as-sector", unknown("sector", sector, SECTORS))
    wanted = set(codes)
    assumed, not_yet = [], []
    for a in SECTOR_ROLES[sector]:
        if a.role not in pack.roles:
            raise InputError(
                "--as-sector",
                f"role {a.role!r} assumed for sector {sector!r} is not in this rule pack "
                "(engine/sector_roles.py is out of step with the law)",
            )
        if a.jurisdiction not in wanted:
            continue
        if role_exists(pack, a.role, day):
            assumed.append(a)
        else:
            not_yet.append(a.role)
    for role in NAMED_ADDRESSEES.get(sector, ()):
        if role not in pack.roles:
            raise InputError(
                "--as-sector",
                f"role {role!r} named for sector {sector!r} is not in this rule pack "
                "(engine/sector_roles.py is out of step with the law)",
            )
    held = {a.jurisdiction for a in assumed}
    return SectorRoles(
        sector,
        tuple(sorted(assumed, key=lambda a: a.role)),
        tuple(c for c in codes if c not in held),
        tuple(sorted(not_yet)),
        tuple(
            r
            for r in NAMED_ADDRESSEES.get(sector, ())
            if r.split(".")[0].upper() in wanted and role_exists(pack, r, day)
        ),
    )
