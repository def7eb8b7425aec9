"""Which legal roles an operator holds: those it declares, and those the law derives from numbers.

A UK provider does not declare itself "Tier 1"; the Code of Practice makes it one when its relevant
turnover is £1bn or more. Derivations are data in each ``jurisdiction.yaml``; this module applies
them and records why, so the trace can say "Tier 1 because relevant turnover 2,000,000,000 ≥
1,000,000,000".
"""

from __future__ import annotations

from dataclasses import dataclass

from dutybound.engine.inputs import Profile
from dutybound.engine.law import RoleCondition
from dutybound.engine.loading import RulePack
from dutybound.engine.outcomes import RoleSource


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


def derive_roles(
    pack: RulePack, profile: Profile, hypothetical: frozenset[str] = frozenset()
) -> dict[str, HeldRole]:
    """Declared roles plus every derivable role, repeated until nothing new follows.

    ``hypothetical`` roles are among ``profile.roles`` but were assumed for a what-if question
    ("as if this operator were a public telecoms provider in GB"); the trace says so.
    """
    held = {
        r: HeldRole(r, RoleSource.HYPOTHETICAL if r in hypothetical else RoleSource.DECLARED, ())
        for r in profile.roles
    }
    derivable = [
        role
        for code in profile.jurisdictions
        for role in pack.jurisdictions[code].roles
        if role.derive_all
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


def assume_roles(
    pack: RulePack, profile: Profile, roles: list[str], source: str = "--as-role"
) -> Profile:
    """The profile with extra roles assumed (and their jurisdictions added), for what-if runs."""
    from dutybound.engine.errors import InputError

    for role in roles:
        if role not in pack.roles:
            raise InputError(source, f"unknown role {role!r}; see 'dutybound law roles'")
    codes = [r.split(".")[0].upper() for r in roles]
    return profile.model_copy(
        update={
            "roles": sorted({*profile.roles, *roles}),
            "jurisdictions": sorted({*profile.jurisdictions, *codes}),
        }
    )
