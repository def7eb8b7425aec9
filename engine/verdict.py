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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
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
from dutybound.engine.vocabulary import BINDS, ObligationKind
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


def _item_verdict(
    asset: Asset,
    findings: list[dict[str, Any]],
    review: list[dict[str, Any]],
    doubts: list[str],
) -> ItemVerdict:
    """The verdict for one item; ``doubts`` are the notices that make the profile itself
    uncertain for this item (a role of the buyer lapsed): they turn an otherwise clear answer into
    a review, never into "allowed"."""
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
    if prohibitions:
        reasons = [f"{f['title']} [{f['citation']}]" for f in prohibitions]
        return ItemVerdict(asset, Verdict.PROHIBITED, reasons, findings, review)
    if review or doubts:
        details = [r["detail"] for r in review] + doubts
        return ItemVerdict(asset, Verdict.REVIEW, details, findings, review)
    if binding or waived_binding:
        reasons = [
            f"{f['title']}" + (f" (due {f['due']})" if f["due"] else "") + f" [{f['citation']}]"
            for f in binding
        ]
        reasons += [_waiver_reason(f, w) for f, w in waived_binding]
        return ItemVerdict(asset, Verdict.CONDITIONAL, reasons, findings, review)
    advice = [f"advice only: {f['title']} [{f['citation']}]" for f in live]
    advice += [f"advice only, {_waiver_reason(f, w)}" for f, w in waived]
    upcoming = [
        f"from {f['effective']['from']}: {f['title']} [{f['citation']}]"
        for f in findings
        if f["status"] == FindingStatus.UPCOMING
    ]
    return ItemVerdict(asset, Verdict.ALLOWED, advice + upcoming, findings, review)


def check_items(
    pack: RulePack,
    profile: Profile,
    items: list[Asset],
    as_of: dt.date,
    hypothetical: frozenset[str] = frozenset(),
    inputs_sha256: str = "",
    waivers: Sequence[Waiver] | None = None,
) -> CheckResult:
    """Evaluate proposed items (one evaluation for the whole bid) and give each a verdict;
    ``waivers`` as for ``engine.evaluation.evaluate``."""
    result = evaluate(
        pack,
        profile,
        items,
        as_of,
        hypothetical=hypothetical,
        inputs_sha256=inputs_sha256,
        waivers=waivers,
    )
    data = result.to_json()
    by_asset: dict[str, list[dict[str, Any]]] = {}
    for finding in data["findings"]:
        for asset_id in finding["assets"]:
            by_asset.setdefault(asset_id, []).append(finding)
    # duties of the operator itself (register, assess, represent) do not turn on what it buys,
    # so they are not part of an item's verdict
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
    for asset in items:
        own = by_asset.get(asset.asset_id, [])
        designated = result.vendor_matches[asset.vendor].group is not None
        doubts = lapsed if designated else []
        verdicts.append(_item_verdict(asset, own, reviews.get(asset.asset_id, []), doubts))
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
