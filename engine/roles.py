"""Which legal roles an operator holds: those it declares, and those the law derives from numbers.

A UK provider does not declare itself "Tier 1"; the Code of Practice makes it one when its relevant
turnover is £1bn or more. Derivations are data in each ``jurisdiction.yaml``; this module applies
them and records why, so the trace can say "Tier 1 because relevant turnover 2,000,000,000 ≥
1,000,000,000".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dutybound.engine.asset_table import AssetTable
from dutybound.engine.inputs import Asset, Profile
from dutybound.engine.law import RoleCondition
from dutybound.engine.loading import RulePack
from dutybound.engine.notices import Notice
from dutybound.engine.outcomes import NoticeCode, RoleSource
from dutybound.engine.vendors import VendorMatch


@dataclass(frozen=True, slots=True)
class HeldRole:
    role: str
    source: RoleSource
    reasons: tuple[str, ...]  # for derived roles: each condition that held


def _holds(cond: RoleCondition, profile: Profile, held: dict[str, HeldRole]) -> str | None:
    """The reason the condition holds, or None."""
    if cond.role is not None:
        return f"holds role {cond.role}" if cond.role in held else None
    if cond.sector is not None:
        return f"sector {cond.sector}" if cond.sector in profile.sectors else None
    value = profile.attributes.get(cond.attribute or "")
    if value is None:
        return None
    if cond.equals is not None:
        return f"{cond.attribute} = {value}" if value == cond.equals else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    parts = []
    if cond.gte is not None:
        if value < cond.gte:
            return None
        parts.append(f"≥ {cond.gte:,.0f}")
    if cond.lt is not None:
        if value >= cond.lt:
            return None
        parts.append(f"< {cond.lt:,.0f}")
    return f"{cond.attribute} {value:,.0f} " + " and ".join(parts)


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def role_exists(pack: RulePack, role_id: str, day: dt.date) -> bool:
    """Whether the law that defines the role existed on ``day`` (adopted, not yet ended)."""
    start, ended = pack.role_window(role_id)
    return (start is None or start <= day) and (ended is None or day < ended)


def _out_of_time(pack: RulePack, role_id: str, day: dt.date) -> Notice | None:
    """The notice for a declared role whose defining law did not exist on ``day``, or None."""
    role = pack.roles[role_id]
    start, ended = pack.role_window(role_id)
    if ended is not None and day >= ended:
        successors = list(role.successors)
        then = (
            f" Its successor roles are {', '.join(successors)}: declare the one the operator "
            "holds now."
            if successors
            else ""
        )
        return Notice(
            NoticeCode.ROLE_LAPSED,
            f"Role {role_id} ({role.title}) ended on {_fmt(ended)}, when the law defining it "
            f"ceased to apply; no obligation addressed to it is shown.{then}",
            {"role": role_id, "ended": ended.isoformat(), "successors": successors},
        )
    if start is not None and day < start:
        return Notice(
            NoticeCode.ROLE_NOT_YET,
            f"Role {role_id} ({role.title}) does not exist yet on this date: the law defining "
            f"it dates from {_fmt(start)}; no obligation addressed to it is shown.",
            {"role": role_id, "starts": start.isoformat()},
        )
    return None


def derive_roles(
    pack: RulePack,
    profile: Profile,
    hypothetical: frozenset[str] = frozenset(),
    law_on: dt.date | None = None,
    notices: list[Notice] | None = None,
) -> dict[str, HeldRole]:
    """Declared roles plus every derivable role, repeated until nothing new follows.

    ``hypothetical`` roles are among ``profile.roles`` but were assumed for a what-if question
    ("as if this operator were a public telecoms provider in GB"); the trace says so.

    With ``law_on``, a role exists only within the window of the law that defines it: a declared
    role outside it is not held, and a notice (appended to ``notices``) says it lapsed, and what
    succeeded it, or that it does not exist yet. Silently keeping a lapsed role would show law
    that no longer applies; silently dropping it would print an all-clear.
    """
    held: dict[str, HeldRole] = {}
    for r in profile.roles:
        notice = _out_of_time(pack, r, law_on) if law_on is not None else None
        if notice is not None:
            if notices is not None:
                notices.append(notice)
            continue
        source = RoleSource.HYPOTHETICAL if r in hypothetical else RoleSource.DECLARED
        held[r] = HeldRole(r, source, ())
    derivable = [
        role
        for code in profile.jurisdictions
        for role in pack.jurisdictions[code].roles
        if role.derive_all and (law_on is None or role_exists(pack, role.id, law_on))
    ]
    changed = True
    while changed:
        changed = False
        for role in derivable:
            if role.id in held:
                continue
            reasons = [_holds(c, profile, held) for c in role.derive_all or []]
            if all(r is not None for r in reasons):
                held[role.id] = HeldRole(
                    role.id, RoleSource.DERIVED, tuple(r for r in reasons if r)
                )
                changed = True
    return dict(sorted(held.items()))


def coverage_notices(
    pack: RulePack,
    profile: Profile,
    roles: dict[str, HeldRole],
    assets: Sequence[Asset],
    matches: Mapping[str, VendorMatch],
) -> list[Notice]:
    """Notices for a profile that no law can reach: no role at all, or none in a jurisdiction
    it lists. Without them such a profile gets an empty report that reads as an all-clear; the
    notice counts the inventory's assets of designated vendors, which is what is at stake."""
    vendors = {v for v, m in matches.items() if m.group and not m.needs_review}
    if isinstance(assets, AssetTable):
        at = assets.field("vendor")
        stake_count = assets.count_where(lambda key: key[at] in vendors)
    else:
        stake_count = sum(1 for a in assets if a.vendor in vendors)
    groups = sorted({pack.registry.groups[m].name for v in vendors if (m := matches[v].group)})
    stake = (
        f" The inventory holds {stake_count} asset{'s' if stake_count != 1 else ''} of "
        f"designated vendors ({', '.join(groups)})."
        if stake_count
        else ""
    )
    details = {"designated_assets": stake_count, "vendor_groups": groups}
    if not roles:
        codes = sorted(profile.jurisdictions)
        return [
            Notice(
                NoticeCode.NO_ROLES,
                f"The profile holds no role under the law of {', '.join(codes)} on this date, so "
                f"no obligation in this rule pack can reach it.{stake} If the operator is "
                "addressed by this law, declare its roles ('dutybound law roles' lists them).",
                {"jurisdictions": codes, **details},
            )
        ]
    # a jurisdiction is reached by a role of its own or by a role its law addresses: German law
    # implementing NIS2 addresses the EU's essential and important entities
    addressed: dict[str, set[str]] = {}
    for item in pack.obligations:
        addressed.setdefault(item.jurisdiction, set()).update(item.obligation.roles)
    held_in = {r.split(".")[0].upper() for r in roles} | {
        code for code, wanted in addressed.items() if not wanted.isdisjoint(roles)
    }
    return [
        Notice(
            NoticeCode.JURISDICTION_WITHOUT_ROLE,
            f"The profile lists {pack.jurisdictions[code].name} ({code}) but holds no role "
            f"under its law on this date, so none of its obligations can reach the operator."
            f"{stake}",
            {"jurisdiction": code, **details},
        )
        for code in sorted(profile.jurisdictions)
        if code not in held_in
    ]


def assume_roles(
    pack: RulePack, profile: Profile, roles: list[str], source: str = "--as-role"
) -> Profile:
    """The profile with extra roles assumed (and their jurisdictions added), for what-if runs."""
    from dutybound.engine.errors import InputError
    from dutybound.engine.suggest import unknown

    for role in roles:
        if role not in pack.roles:
            raise InputError(
                source,
                unknown("role", role, pack.roles, listing=False) + "; see 'dutybound law roles'",
            )
    codes = [r.split(".")[0].upper() for r in roles]
    return profile.model_copy(
        update={
            "roles": sorted({*profile.roles, *roles}),
            "jurisdictions": sorted({*profile.jurisdictions, *codes}),
        }
    )
