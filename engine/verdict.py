"""Procurement verdicts: may this buyer buy this item on this date?

A verdict reduces an evaluation of the proposed items to one word per item, with the findings and
citations behind it:

- ``prohibited``: a binding rule (law or contract) forbids it for this buyer on this date;
- ``review``: the vendor match is uncertain or a fact the law needs is missing (named);
- ``conditional``: allowed, but binding obligations attach (remove by, cap, notify, report, assess);
- ``allowed``: no binding obligation attaches (guidance may still be listed as advice).

For a whole bid the worst item decides, in that order. The exit codes follow it, so a pipeline can
branch: 0 allowed, 1 prohibited, 3 review, 4 conditional (2 is bad input).

Waivers. A binding obligation that a waiver in effect covers for the item (``engine.waivers``)
gives ``conditional``, never ``prohibited`` or ``allowed``:

- not ``prohibited``, because on that date the law excuses this buyer: the waiver is the legal
  exception the prohibition itself provides for (e.g. NDAA FY2019 s.889(d));
- not ``allowed``, because the purchase stands only on the waiver: it is limited in time (the
  obligation binds again the day it expires), rests on conditions set when it was granted (for an
  s.889 agency-head waiver, a phase-out plan) and may rest on an unverified basis. The waiver is
  the attached condition, named in the reasons with its basis, citation and expiry.

A waiver that covers only some items of a bid waives the finding for those items only.

Preconditions (review of Dec 2026, X-4). A duty of the buyer itself (no asset scope) does not turn
on what it buys, so it is no part of an item's verdict, unless the law data marks it as a
condition of buying from a designated vendor (``Obligation.precondition_of_purchase``): notify
the GCSB before the change (NZ TICSA s.48), comply with any s.41 BSIG order on the manufacturer's
components (DE). While such a binding duty applies, an item of a vendor group the registry lists,
used in that jurisdiction's territory, is never ``allowed``:

- a notification, measure or other duty makes it ``conditional``, naming the duty;
- a prohibition ("connect only trusted products", India's licence amendment of 2021) sends it to
  ``review``: whether the item falls under it is a fact the data does not hold.

The rule is the flag, not a guess from the instrument: instruments that name a vendor group also
carry duties that are no condition of any purchase (the FAR 52.204-25 flow-down, Sweden's duty to
keep central functions in Sweden, which reaches every supplier). Guidance so marked is listed as
advice, a marked duty not yet in effect as upcoming. Each item lists the preconditions applied to
it under ``preconditions``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dutybound.engine.evaluation import Evaluation, evaluate
from dutybound.engine.inputs import Asset, Profile
from dutybound.engine.loading import RulePack
from dutybound.engine.outcomes import (
    APPLYING,
    FindingStatus,
    NoticeCode,
    ReviewReason,
    Standing,
    Verdict,
)
from dutybound.engine.vendor_decisions import Decision
from dutybound.engine.vocabulary import BINDS, Binding, ObligationKind
from dutybound.engine.waivers import Waiver

SEVERITY: tuple[Verdict, ...] = tuple(Verdict)  # worst first
EXIT_CODES: dict[Verdict, int] = {
    Verdict.ALLOWED: 0,
    Verdict.PROHIBITED: 1,
    Verdict.REVIEW: 3,
    Verdict.CONDITIONAL: 4,
}


@dataclass
class ItemVerdict:
    asset: Asset
    verdict: Verdict
    reasons: list[str]
    findings: list[dict[str, Any]]
    review: list[dict[str, Any]]
    # the buyer's own duties that condition buying this item (module docstring)
    preconditions: list[dict[str, Any]] = field(default_factory=list)
    # how the item's vendor was resolved, with the reason in words ("EZVIZ: brand of Hikvision")
    vendor_match: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        a = self.asset
        return {
            "item": {
                "asset_id": a.asset_id,
                "vendor": a.vendor,
                "product": a.product,
                "model": a.model,
                "category": a.category,
                "function": a.function,
                "network": a.network or None,
                "use": a.use or None,
                "country": a.country,
                "status": a.status,
                "quantity": a.quantity,
            },
            "verdict": self.verdict,
            "reasons": self.reasons,
            "findings": self.findings,
            "review": self.review,
            "preconditions": [
                {k: v for k, v in p.items() if not k.startswith("_")} for p in self.preconditions
            ],
            **({} if self.vendor_match is None else {"vendor_match": self.vendor_match}),
        }


@dataclass
class CheckResult:
    evaluation: Evaluation
    items: list[ItemVerdict]
    # the evaluation's JSON, made once: building it is a third of a single check's time
    evaluation_json: dict[str, Any] | None = None

    @property
    def verdict(self) -> Verdict:
        return min((i.verdict for i in self.items), key=SEVERITY.index, default=Verdict.ALLOWED)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def to_json(self) -> dict[str, Any]:
        data = self.evaluation_json or self.evaluation.to_json()
        return {
            "verdict": self.verdict,
            "as_of": data["as_of"],
            "operator": data["operator"]["name"],
            "rulepack": data["rulepack"],
            "inputs": data["inputs"],
            "engine": data["engine"],
            "notices": data["notices"],
            "items": [i.to_json() for i in self.items],
        }


# the inventory status of an item the buyer already has; every other status is a proposal
HELD_STATUS = "installed"


def for_the_purchase(findings: list[dict[str, Any]], asset: Asset) -> list[dict[str, Any]]:
    """The findings that bear on buying ``asset``: a report duty only once the item is held.

    A report duty (FAR 52.204-25(d): report covered equipment *identified* during contract
    performance within one business day; Vermont's 30-day report of *existing* products) is
    triggered by equipment the operator has. An item only proposed (planned, in procurement)
    has nothing to report yet, and were it bought the duty would attach then, to an inventory
    line: listing "report within one business day" as a condition of a purchase that a
    prohibition bars, or that has not happened, tells the buyer to report what it does not own.
    The evaluation keeps the finding (the JSON of ``evaluate`` is unchanged); only the verdict,
    its reasons and the items' lists leave it out.
    """
    if asset.status == HELD_STATUS:
        return findings
    return [f for f in findings if f["kind"] != ObligationKind.REPORT]


def _waivers_for(finding: dict[str, Any], asset_id: str) -> list[dict[str, Any]]:
    """The waivers in effect that cover this asset of the finding."""
    return [
        w
        for w in finding.get("waivers", ())
        if w["standing"] == Standing.IN_EFFECT and (w["assets"] is None or asset_id in w["assets"])
    ]


def _waiver_reason(finding: dict[str, Any], waivers: list[dict[str, Any]]) -> str:
    parts = []
    for w in waivers:
        until = f"until {w['expires_on']}" if w["expires_on"] else "with no expiry date"
        mark = "" if w["verified"] else ", UNVERIFIED basis"
        parts.append(
            f"waiver {w['id']} (ref. {w['reference']}, {w['approver']}) under "
            f"{w['citation']} {until}{mark}"
        )
    return f"waived: {finding['title']} [{finding['citation']}], on condition of " + "; ".join(
        parts
    )


def _precondition_reason(p: dict[str, Any]) -> str:
    due = f", due {p['due']}" if p["due"] else ""
    return (
        f"precondition: {p['title']} [{p['citation']}]: the buyer {p['duty']}{due} "
        f"({p['jurisdiction']}, a duty of the buyer itself that conditions buying from "
        f"{p['_vendor']})"
    )


def _precondition_review(p: dict[str, Any]) -> str:
    return (
        f"{p['title']} [{p['citation']}] binds the buyer ({p['jurisdiction']}): it {p['duty']}. "
        f"Whether it forbids this {p['_vendor']} item is a fact the data does not hold; "
        "confirm before buying"
    )


def _item_verdict(
    asset: Asset,
    findings: list[dict[str, Any]],
    review: list[dict[str, Any]],
    doubts: list[str],
    preconditions: list[dict[str, Any]] | None = None,
) -> ItemVerdict:
    """The verdict for one item; ``doubts`` are the notices that make the profile itself
    uncertain for this item (a role of the buyer lapsed): they turn an otherwise clear answer into
    a review, never into "allowed". ``preconditions`` are the buyer's own duties that condition
    buying this item (module docstring), each with its ``effect``."""
    pre = preconditions or []
    live, waived = [], []
    for f in findings:
        if f["status"] not in APPLYING and f["status"] != FindingStatus.WAIVED:
            continue
        covering = _waivers_for(f, asset.asset_id)
        if covering:
            waived.append((f, covering))
        elif f["status"] in APPLYING:
            live.append(f)
    binding = [f for f in live if f["instrument"]["binding"] in BINDS]
    waived_binding = [(f, w) for f, w in waived if f["instrument"]["binding"] in BINDS]
    prohibitions = [f for f in binding if f["kind"] == ObligationKind.PROHIBITION]

    def verdict(word: Verdict, reasons: list[str]) -> ItemVerdict:
        return ItemVerdict(asset, word, reasons, findings, review, pre)

    if prohibitions:
        return verdict(
            Verdict.PROHIBITED, [f"{f['title']} [{f['citation']}]" for f in prohibitions]
        )
    to_confirm = [_precondition_review(p) for p in pre if p["effect"] == Verdict.REVIEW]
    if review or doubts or to_confirm:
        return verdict(Verdict.REVIEW, [r["detail"] for r in review] + doubts + to_confirm)
    conditions = [p for p in pre if p["effect"] == Verdict.CONDITIONAL]
    if binding or waived_binding or conditions:
        reasons = [
            f"{f['title']}" + (f" (due {f['due']})" if f["due"] else "") + f" [{f['citation']}]"
            for f in binding
        ]
        reasons += [_waiver_reason(f, w) for f, w in waived_binding]
        for p in conditions:
            covering = _waivers_for(p["_finding"], asset.asset_id)
            reasons.append(
                _waiver_reason(p["_finding"], covering) if covering else _precondition_reason(p)
            )
        return verdict(Verdict.CONDITIONAL, reasons)
    advice = [f"advice only: {f['title']} [{f['citation']}]" for f in live]
    advice += [f"advice only, {_waiver_reason(f, w)}" for f, w in waived]
    advice += [f"advice only, {_precondition_reason(p)}" for p in pre if p["effect"] == "advice"]
    upcoming = [
        f"from {f['effective']['from']}: {f['title']} [{f['citation']}]"
        for f in findings
        if f["status"] == FindingStatus.UPCOMING
    ]
    upcoming += [
        f"from {p['_finding']['effective']['from']}: {_precondition_reason(p)}"
        for p in pre
        if p["effect"] == "upcoming"
    ]
    return verdict(Verdict.ALLOWED, advice + upcoming)


def _precondition_effect(finding: dict[str, Any], binding: Binding) -> str | None:
    """What a marked duty of the buyer does to a purchase on the date, or None."""
    status, kind = finding["status"], finding["kind"]
    if status == FindingStatus.UPCOMING:
        return "upcoming"
    if status not in APPLYING and status != FindingStatus.WAIVED:
        return None  # ended, fulfilled, or guidance past its target
    if binding not in BINDS:
        return "advice"
    if status == FindingStatus.WAIVED:
        return Verdict.CONDITIONAL  # the waiver is the condition (module docstring)
    return Verdict.REVIEW if kind == ObligationKind.PROHIBITION else Verdict.CONDITIONAL


def _preconditions(pack: RulePack, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The buyer's own duties marked as conditions of buying from a designated vendor, with what
    each does to a purchase on the date (``effect``); items are matched to them by territory."""
    out = []
    for finding in data["findings"]:
        if finding["assets"]:
            continue
        item = pack.obligation(finding["obligation_id"])
        ob = item.obligation
        if not ob.precondition_of_purchase or ob.assets is not None:
            continue
        effect = _precondition_effect(finding, item.instrument.binding)
        if effect is None:
            continue
        out.append(
            {
                "obligation_id": ob.id,
                "jurisdiction": item.jurisdiction,
                "kind": ob.kind,
                "title": ob.title,
                "duty": ob.duty,
                "citation": ob.citation,
                "url": ob.url,
                "binding": item.instrument.binding,
                "verified": ob.verified and item.instrument.verified,
                "status": finding["status"],
                "due": finding["due"],
                "effect": effect,
                "_finding": finding,
                "_territory": frozenset(pack.jurisdictions[item.jurisdiction].territory),
            }
        )
    return out


def check_items(
    pack: RulePack,
    profile: Profile,
    items: Sequence[Asset],
    as_of: dt.date,
    hypothetical: frozenset[str] = frozenset(),
    inputs_sha256: str = "",
    waivers: Sequence[Waiver] | None = None,
    vendor_decisions: Sequence[Decision] | None = None,
) -> CheckResult:
    """Evaluate proposed items (one evaluation for the whole bid) and give each a verdict;
    ``waivers`` and ``vendor_decisions`` as for ``engine.evaluation.evaluate``."""
    result = evaluate(
        pack,
        profile,
        items,
        as_of,
        hypothetical=hypothetical,
        inputs_sha256=inputs_sha256,
        waivers=waivers,
        vendor_decisions=vendor_decisions,
    )
    data = result.to_json()
    by_asset: dict[str, list[dict[str, Any]]] = {}
    for finding in data["findings"]:
        for asset_id in finding["assets"]:
            by_asset.setdefault(asset_id, []).append(finding)
    # duties of the operator itself (register, assess, represent) do not turn on what it buys,
    # so they are not part of an item's verdict, except those the law data marks as conditions
    # of buying from a designated vendor (module docstring)
    marked = _preconditions(pack, data)
    # a fact that decides only guidance does not hold up a purchase: guidance binds no buyer;
    # nor does identified_on, which decides when a duty falls due, not whether it applies
    reviews: dict[str, list[dict[str, Any]]] = {}
    for row in data["review"]:
        if row["reason"] != ReviewReason.MISSING_FACT or (
            row["field"] != "identified_on"
            and any(pack.obligation(ob).instrument.binding in BINDS for ob in row["obligations"])
        ):
            reviews.setdefault(row["asset_id"], []).append(row)
    lapsed = [n.message for n in result.notices if n.code == NoticeCode.ROLE_LAPSED]
    verdicts = []
    # the items as the evaluation resolved them: an item known by its MAC has its vendor from
    # the IEEE registrant (engine.macs), in the same order as given
    for asset in result.assets:
        own = for_the_purchase(by_asset.get(asset.asset_id, []), asset)
        group = result.vendor_matches[asset.vendor].group
        designated = group is not None
        doubts = lapsed if designated else []
        pre = []
        if group is not None and asset.status != "decommissioned":
            vendor = pack.registry.groups[group].name
            pre = [{**p, "_vendor": vendor} for p in marked if asset.country in p["_territory"]]
        verdict = _item_verdict(asset, own, reviews.get(asset.asset_id, []), doubts, pre)
        verdict.vendor_match = result.identification(asset.vendor)
        verdicts.append(verdict)
    return CheckResult(result, verdicts, data)


def junit_xml(result: CheckResult) -> str:
    """Each item as a JUnit test case: prohibited fails, review errors, the rest pass."""
    from xml.sax.saxutils import escape, quoteattr

    data = result.to_json()
    failures = sum(1 for i in result.items if i.verdict == Verdict.PROHIBITED)
    errors = sum(1 for i in result.items if i.verdict == Verdict.REVIEW)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuite name="dutybound check" tests="{len(result.items)}" '
        f'failures="{failures}" errors="{errors}" skipped="0">',
        f'  <properties><property name="as_of" value="{data["as_of"]}"/>'
        f'<property name="rulepack" value={quoteattr(data["rulepack"]["version"])}/>'
        f'<property name="rulepack_sha256" value="{data["rulepack"]["sha256"]}"/>'
        "</properties>",
    ]
    for item in result.items:
        name = quoteattr(f"{item.asset.asset_id}: {item.asset.vendor} ({item.asset.category})")
        body = escape("\n".join(item.reasons))
        lines.append(f'  <testcase classname="dutybound.{item.verdict}" name={name}>')
        if item.verdict == Verdict.PROHIBITED:
            lines.append(f'    <failure message="prohibited">{body}</failure>')
        elif item.verdict == Verdict.REVIEW:
            lines.append(f'    <error message="review">{body}</error>')
        elif body:
            lines.append(f"    <system-out>{item.verdict}: {body}</system-out>")
        lines.append("  </testcase>")
    lines.append("</testsuite>")
    return "\n".join(lines) + "\n"
