"""The short phrase a comparison cell gives one obligation: its measure said with its own scope
and its own date ("no new 5G kit", "core out by 31 Dec 2023", "cap 5G RAN at 35% by 31 Jul
2023", "no kit for covered uses only").

A cell that says only "prohibited" misleads the consultant's audience: the UK prohibits only new
5G installations of Huawei kit, the US prohibits Hikvision cameras only for the covered uses. The
phrase is made from one obligation's asset scope and the date the caller gives for that same
obligation, so what it says and when it says it can never come from two rules.
"""

from __future__ import annotations

import datetime as dt

from dutybound.engine.law import AssetScope, Obligation
from dutybound.engine.vocabulary import ObligationKind, label

# Function words short enough for a slide cell ("core", "RAN"); the rest use vocabulary labels.
FUNCTION_WORDS: dict[str, str] = {
    "core": "core",
    "ran": "RAN",
    "access_fttp": "full-fibre access",
    "access_other": "access",
    "transmission": "transmission",
    "management": "management",
    "security_function": "security functions",
    "physical_security": "physical security",
    "office_it": "office IT",
    "ot": "OT",
    "other": "other",
}
# Categories that are all software: a scope of only these reads "software", not "kit".
SOFTWARE: frozenset[str] = frozenset(
    {"software", "security_software", "cloud_service", "managed_service", "mobile_app"}
)
# An asset status set without "installed" is about what the operator has not yet deployed.
NEW_ONLY: frozenset[str] = frozenset({"planned", "in_procurement"})


def day_text(day: dt.date) -> str:
    """A date as a slide prints it: 31 Dec 2023."""
    return f"{day.day} {day:%b %Y}"


def _noun(scope: AssetScope) -> str:
    """What the scope reaches, in as few words as a slide allows: '5G RAN', 'core', '4G/5G
    kit', 'software', 'video-surveillance equipment', 'kit'."""
    words = []
    if scope.networks:
        words.append("/".join(label(n) for n in sorted(scope.networks)))
    if scope.functions:
        words.append("/".join(FUNCTION_WORDS.get(f, label(f)) for f in sorted(scope.functions)))
        return " ".join(words)
    if scope.categories and len(scope.categories) == 1:
        return " ".join([*words, label(scope.categories[0])])
    if scope.categories and set(scope.categories) <= SOFTWARE:
        return " ".join([*words, "software"])
    # several categories of kit and services: the law's list, not everything the vendor sells
    return " ".join([*words, "covered kit" if scope.categories else "kit"])


def _where(scope: AssetScope) -> str:
    """The limits of the scope a slide must not drop: covered uses, designated sites."""
    parts = []
    if scope.flags_all and "national_security_site" in scope.flags_all:
        parts.append(" at national-security sites")
    if scope.uses:
        parts.append(" for covered uses only")
    return "".join(parts)


def scope_phrase(ob: Obligation, due: dt.date | None) -> str:
    """The obligation's measure, scope and date in a few words. ``due`` is this obligation's own
    deadline (the caller's finding or law-level date), never another rule's."""
    scope = ob.assets
    when = f" by {day_text(due)}" if due else ""
    if scope is None:
        # a duty of the operator itself: the title is the scope
        if ob.kind is ObligationKind.PROHIBITION:
            return "restricted" + when
        return _duty(ob.kind) + when
    noun, where = _noun(scope), _where(scope)
    new_only = "installed" not in scope.statuses and set(scope.statuses) <= NEW_ONLY
    if ob.kind is ObligationKind.PROHIBITION:
        since = f" from {day_text(due)}" if due else ""
        return f"no {'new ' if new_only else ''}{noun}{where}{since}"
    if ob.kind is ObligationKind.REMOVAL:
        return f"{noun}{where} out{when}"
    if ob.kind is ObligationKind.CAP and ob.cap is not None:
        return f"cap {noun}{where} at {ob.cap.max_share:.0%}{when}"
    duty = _duty(ob.kind)
    if duty == "report":
        # what is reported is the law's list; the date is what a slide needs
        return f"report{where}{when}"
    subject = "" if noun in ("kit", "covered kit") else f" {noun}"
    return f"{duty}{subject}{where}{when}"


def _duty(kind: ObligationKind) -> str:
    if kind in (ObligationKind.RISK_ASSESSMENT, ObligationKind.MEASURE):
        return "assess"
    if kind in (ObligationKind.NOTIFICATION, ObligationKind.REPORT, ObligationKind.DISCLOSURE):
        return "report"
    return label(kind.value)
