"""The encoded law as browsable records (``dutybound law ...``, and the evaluation output).

One place decides how an instrument or an obligation is shown as JSON, so that a finding's
``instrument`` block and ``dutybound law show`` can never drift apart.
"""

from __future__ import annotations

from typing import Any

from dutybound.engine.law import Instrument, Role
from dutybound.engine.loading import LoadedObligation, RulePack


def instrument_json(inst: Instrument) -> dict[str, Any]:
    return {
        "id": inst.id,
        "title": inst.title,
        "title_original": inst.title_original,
        "citation": inst.citation,
        "url": inst.url,
        "binding": inst.binding,
        "verified": inst.verified,
    }


def instrument_detail(inst: Instrument) -> dict[str, Any]:
    return {
        **instrument_json(inst),
        "type": inst.type,
        "authority": inst.authority,
        "language": inst.language,
        "adopted": inst.adopted.isoformat() if inst.adopted else None,
        "in_force": inst.in_force.isoformat() if inst.in_force else None,
        "ended": inst.ended.isoformat() if inst.ended else None,
        "note": inst.note,
        "url_reason": inst.url_reason,
        "text_original": inst.text_original,
        "sources": [s.model_dump() for s in inst.sources],
    }


def obligation_json(item: LoadedObligation) -> dict[str, Any]:
    """An obligation with what a reader needs to check it: citation, dates, deadline rule,
    who and what it reaches, and whether it was verified."""
    ob = item.obligation
    start, end = item.window()
    deadline = None
    if ob.deadline is not None:
        deadline = {
            "date": ob.deadline.date.isoformat() if ob.deadline.date else None,
            "days": ob.deadline.days,
            "calendar": ob.deadline.calendar,
            "after": ob.deadline.after,
            "text": ob.deadline.describe(),
        }
    scope = None
    if ob.assets is not None:
        scope = ob.assets.model_dump(exclude_none=True, exclude_defaults=False)
    return {
        "obligation_id": ob.id,
        "jurisdiction": item.jurisdiction,
        "kind": ob.kind,
        "title": ob.title,
        "duty": ob.duty,
        "citation": ob.citation,
        "url": ob.url,
        "verified": ob.verified,
        "note": ob.note,
        "instrument": instrument_json(item.instrument),
        "roles": list(ob.roles),
        "effective": {"from": start.isoformat(), "ended": end.isoformat() if end else None},
        "deadline": deadline,
        "cap": ob.cap.model_dump() if ob.cap else None,
        "designation": item.designation.id if item.designation else None,
        "vendor_groups": list(item.designation.vendor_groups)
        if item.designation
        else (list(ob.assets.vendor_groups) if ob.assets and ob.assets.vendor_groups else None),
        "assets": scope,
        "source_file": item.source,
    }


def list_obligations(
    pack: RulePack, jurisdiction: str | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    items = [
        item
        for item in pack.obligations
        if (jurisdiction is None or item.jurisdiction == jurisdiction)
        and (kind is None or item.obligation.kind == kind)
    ]
    return [obligation_json(i) for i in sorted(items, key=lambda i: i.obligation.id)]


def role_json(role: Role) -> dict[str, Any]:
    return {
        "role": role.id,
        "title": role.title,
        "citation": role.citation,
        "verified": role.verified,
        "derived_from": [c.model_dump(exclude_none=True) for c in role.derive_all or []] or None,
        "note": role.note,
    }
