"""Turning an evaluation into what a report shows. No law is computed here: the findings, their
statuses and due dates come from the engine; this module only sorts, counts and summarises them
for people (what is overdue, what falls due within 90 days, which assets, which sources).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dutybound.engine.cells import spreadsheet_writer
from dutybound.engine.evaluation import Evaluation
from dutybound.engine.explain import vendor_phrase
from dutybound.engine.jsontext import json_text
from dutybound.engine.outcomes import FindingStatus, Position
from dutybound.engine.sources import is_official
from dutybound.engine.vocabulary import BINDS, ObligationKind
from dutybound.reports.timeline import COLOURS, Mark, timeline_svg

SOON_DAYS = 90
ASSET_LIST_LIMIT = 25  # above this, a finding's assets are summarised (by vendor, function and
#                        site) and listed in full only in the attached CSV (a thousand-page
#                        table helps nobody; the engine's explanation already names examples)
TOP = 8  # values shown per summary dimension (vendor, function, site); the rest are counted
REVIEW_IDS = 12  # asset ids printed per review group; every item is in the attached JSON


class Bucket(StrEnum):
    """How the report groups findings, most urgent first: by status, with ``due`` split into
    due within ``SOON_DAYS`` and due later (the templates style and label each)."""

    OVERDUE = FindingStatus.OVERDUE.value
    DUE_SOON = "due_soon"
    DUE_LATER = "due_later"
    IN_FORCE = FindingStatus.IN_FORCE.value
    WAIVED = FindingStatus.WAIVED.value
    FULFILLED = FindingStatus.FULFILLED.value
    PAST_TARGET = FindingStatus.PAST_TARGET.value
    UPCOMING = FindingStatus.UPCOMING.value
    ENDED = FindingStatus.ENDED.value


class Tile(StrEnum):
    """The executive summary's tiles: where the operator stands (engine.positions), worst first.
    Waived, fulfilled and compliant findings share one tile: each is settled for now."""

    BREACH = Position.BREACH.value
    ACTION_REQUIRED = Position.ACTION_REQUIRED.value
    SETTLED = "settled"
    ADVICE = Position.ADVICE.value
    PREPARE = Position.PREPARE.value


_TILE = {
    Position.BREACH: Tile.BREACH,
    Position.ACTION_REQUIRED: Tile.ACTION_REQUIRED,
    Position.WAIVED: Tile.SETTLED,
    Position.FULFILLED: Tile.SETTLED,
    Position.COMPLIANT: Tile.SETTLED,
    Position.ADVICE: Tile.ADVICE,
    Position.PREPARE: Tile.PREPARE,
}


# the buckets with a deadline, shown as the most urgent findings
_DATED = (Bucket.OVERDUE, Bucket.DUE_SOON, Bucket.DUE_LATER)


# the nouns a count takes in the short answer, singular and plural (the templates translate
# them through ``tn``, which knows the language's plural forms)
KIND_NOUNS: dict[str, tuple[str, str]] = {
    ObligationKind.PROHIBITION: ("prohibition", "prohibitions"),
    ObligationKind.REMOVAL: ("removal", "removals"),
    ObligationKind.CAP: ("cap", "caps"),
    ObligationKind.RISK_ASSESSMENT: ("risk assessment", "risk assessments"),
    ObligationKind.MEASURE: ("measure", "measures"),
    ObligationKind.NOTIFICATION: ("notification", "notifications"),
    ObligationKind.REPORT: ("report", "reports"),
    ObligationKind.DISCLOSURE: ("disclosure", "disclosures"),
}
NAMED_ASSETS = 6  # assets named on a summary line; the finding card and the CSV list them all


@dataclass(frozen=True)
class Provenance:
    """What the signed report rests on beyond the evaluation itself: who prepares, reviews and
    approves it (``report --prepared-by`` ...), its version and classification, the inventory
    file's own hash and row count, and, when the evaluation was stored (``--db``), its id and the
    audit chain's head after storing it, so the paper can be matched to the record later. Every
    field is optional: an unset sign-off field prints as a blank line to sign on."""

    prepared_by: str | None = None
    reviewed_by: str | None = None
    approved_by: str | None = None
    version: str | None = None
    classification: str | None = None
    inventory_sha256: str | None = None
    inventory_rows: int | None = None
    evaluation_id: int | None = None
    audit_head: str | None = None


def _binding(finding: dict[str, Any]) -> bool:
    return finding["instrument"]["binding"] in BINDS


def summary_agenda(findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary page: every breach, every binding duty overdue, every binding duty due within
    ``SOON_DAYS``, guidance apart, and the counts of the one-paragraph short answer.

    Nothing is cut to a "top three": a signer who sees three of six overdue removals believes
    there are three. Guidance is listed apart because it binds no one: a Code of Practice tranche
    must not outrank a removal the law orders. ``findings`` are the real (not what-if) findings
    with ``bucket`` and ``days`` set.
    """

    def by_date(f: dict[str, Any]) -> tuple[str, str]:
        return (f["due"] or "9999-12-31", f["obligation_id"])

    breaches = sorted((f for f in findings if f["position"] == Position.BREACH), key=by_date)
    acting = [f for f in findings if f["position"] == Position.ACTION_REQUIRED and _binding(f)]
    overdue = sorted((f for f in acting if f["bucket"] == Bucket.OVERDUE), key=by_date)
    due_soon = sorted((f for f in acting if f["bucket"] == Bucket.DUE_SOON), key=by_date)
    continuing = [f for f in acting if f["bucket"] == Bucket.IN_FORCE]
    guidance = sorted((f for f in findings if f["position"] == Position.ADVICE), key=by_date)
    ahead = sorted(
        (
            f
            for f in findings
            if _binding(f)
            and f["due"]
            and f["days"] is not None
            and f["days"] >= 0
            and f["position"] in (Position.ACTION_REQUIRED, Position.BREACH, Position.PREPARE)
        ),
        key=by_date,
    )
    kinds = Counter(f["kind"] for f in breaches)
    return {
        "breaches": breaches,
        "overdue": overdue,
        "due_soon": due_soon,
        "guidance": guidance,
        "short_answer": {
            "breaches": len(breaches),
            "breach_kinds": [
                {"n": n, "one": KIND_NOUNS[k][0], "many": KIND_NOUNS[k][1]}
                for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "overdue": len(overdue),
            "due_soon": len(due_soon),
            "continuing": len(continuing),
            "next": ahead[0] if ahead else None,
            "guidance": len(guidance),
            "prepare": sum(1 for f in findings if f["position"] == Position.PREPARE),
        },
    }


def _named(ids: list[str], by_id: dict[str, Any]) -> list[dict[str, Any]]:
    """The first assets of a finding, with what an officer recognises them by."""
    return [
        {
            "id": i,
            "vendor": by_id[i].vendor,
            "product": by_id[i].product,
            "site": by_id[i].site,
        }
        for i in ids[:NAMED_ASSETS]
        if i in by_id
    ]


def _bucket(finding: dict[str, Any], as_of: dt.date) -> Bucket:
    if finding["status"] == FindingStatus.DUE:
        due = dt.date.fromisoformat(finding["due"])
        return Bucket.DUE_SOON if (due - as_of).days <= SOON_DAYS else Bucket.DUE_LATER
    return Bucket(finding["status"])


def _summarise(ids: list[str], by_id: dict[str, Any], evaluation: Evaluation) -> dict[str, Any]:
    assets = [by_id[i] for i in ids]
    registry = evaluation.pack.registry

    def vendor(asset: Any) -> str:
        match = evaluation.vendor_matches[asset.vendor]
        return (
            registry.groups[match.group].name
            if match.group and not match.needs_review
            else asset.vendor
        )

    def top(counter: Counter[str]) -> dict[str, Any]:
        """The eight largest values, and how many other values (and assets) are left out."""
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        return {
            "top": ranked[:TOP],
            "others": len(ranked[TOP:]),
            "others_count": sum(n for _, n in ranked[TOP:]),
        }

    return {
        "count": len(assets),
        "units": sum(a.quantity for a in assets),
        "listed": [
            {
                "id": a.asset_id,
                "vendor": a.vendor,
                "product": a.product,
                "function": a.function,
                "network": a.network,
                "site": a.site,
                "quantity": a.quantity,
            }
            for a in (assets if len(assets) <= ASSET_LIST_LIMIT else [])
        ],
        "by_vendor": top(Counter(vendor(a) for a in assets)),
        "by_function": top(Counter(a.function for a in assets)),
        "by_site": top(Counter(a.site or "(no site)" for a in assets)),
    }


def duty_text(finding: dict[str, Any]) -> str:
    """The explanation without its opening "As <roles>, the operator is addressed by
    <instrument> [<citation>]: it", for the report's card.

    The card states those facts already, each once: the role in the table of conditions, the
    citation on its own line, the instrument under "Instruments cited". What is left is the
    duty, its date, the assets and any caveat ("It must remove ... by 28 Jan 2023. It concerns
    asset S-001 of Huawei. UNVERIFIED: ..."). The opening ends where engine.findings'
    duty sentence puts the citation in brackets; an explanation of another shape is kept whole.
    """
    text: str = finding["explanation"]
    marker = f"[{finding['citation']}]: it "
    if marker not in text:
        return text
    return "It " + text.split(marker, 1)[1]


# conditions on one inventory column each: met, they read as one row ("function is core;
# status is installed; country is GB") without losing a fact
_SCOPE_TESTS = frozenset({"category", "function", "network", "use", "status", "country", "origin"})


def card_conditions(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conditions as the report's card draws them: the same facts in fewer rows.

    Conditions the date alone meets are left out (the card's header gives the window); the
    met conditions on single inventory columns are joined into one row. The vendor, the role,
    the flags and every condition not met or unknown keep their own row: those are what a
    reader checks. The evaluation JSON attached to the PDF keeps every condition as it is.
    """
    rows: list[dict[str, Any]] = []
    scope: list[dict[str, Any]] = []
    for c in conditions:
        if c["met"] is True and c["source"] == "date":
            continue
        if c["met"] is True and c["test"] in _SCOPE_TESTS:
            scope.append(c)
            continue
        rows.append(c)
    if len(scope) > 1:
        rows.append(
            {
                "test": "scope",
                "condition": "; ".join(c["condition"] for c in scope),
                "fact": " · ".join(c["fact"] for c in scope),
                "met": True,
                "source": "inventory",
            }
        )
    else:
        rows.extend(scope)
    return rows


def review_groups(review: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The review items grouped by what must be checked (reason and detail), largest first.

    One inventory gap usually repeats across hundreds of assets (the same empty 'network'
    column on every asset of a site, say): one group per question with its vendors, asset count
    and the first ids reads better than a page of near-identical lines, and is a fraction of the
    layout work. Every item stays in the attached evaluation.json.
    """
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for item in review:
        group = groups.setdefault(
            (item["reason"], item["detail"]),
            {"reason": item["reason"], "detail": item["detail"], "ids": [], "vendors": Counter()},
        )
        group["ids"].append(item["asset_id"])
        group["vendors"][item["vendor"]] += 1
    out = []
    for group in sorted(groups.values(), key=lambda g: (-len(g["ids"]), g["reason"], g["detail"])):
        out.append(
            {
                "reason": group["reason"],
                "detail": group["detail"],
                "count": len(group["ids"]),
                "ids": group["ids"][:REVIEW_IDS],
                "more": max(len(group["ids"]) - REVIEW_IDS, 0),
                "vendors": sorted(group["vendors"].items(), key=lambda kv: (-kv[1], kv[0])),
            }
        )
    return out


def assets_csv(evaluation: Evaluation) -> str:
    """Every affected asset with the findings that reach it: the report's full asset list."""
    reach: dict[str, list[str]] = {}
    for finding in evaluation.findings:
        for asset_id in finding.assets:
            reach.setdefault(asset_id, []).append(finding.id)
    out = io.StringIO()
    writer = spreadsheet_writer(out)  # inventory text: never a live formula (engine.cells)
    writer.writerow(
        [
            "asset_id",
            "vendor",
            "vendor_group",
            "product",
            "category",
            "function",
            "network",
            "country",
            "site",
            "status",
            "quantity",
            "findings",
        ]
    )
    for asset in evaluation.assets:
        if asset.asset_id in reach:
            match = evaluation.vendor_matches[asset.vendor]
            writer.writerow(
                [
                    asset.asset_id,
                    asset.vendor,
                    match.group or "",
                    asset.product,
                    asset.category,
                    asset.function,
                    asset.network,
                    asset.country,
                    asset.site,
                    asset.status,
                    asset.quantity,
                    " ".join(sorted(reach[asset.asset_id])),
                ]
            )
    return out.getvalue()


def obligation_report(
    evaluation: Evaluation, data: dict[str, Any], provenance: Provenance | None = None
) -> dict[str, Any]:
    """The template context of the obligation report. ``data`` is ``evaluation.to_json()``."""
    as_of = evaluation.as_of
    by_id = {a.asset_id: a for a in evaluation.assets}
    findings = []
    for f in data["findings"]:
        f = dict(f)
        f["bucket"] = _bucket(f, as_of)
        f["duty_text"] = duty_text(f)
        f["card_conditions"] = card_conditions(f.get("conditions", []))
        f["asset_summary"] = _summarise(f["assets"], by_id, evaluation) if f["assets"] else None
        f["days"] = (dt.date.fromisoformat(f["due"]) - as_of).days if f["due"] else None
        f["named"] = _named(f["assets"], by_id)
        findings.append(f)
    counts = Counter(f["bucket"] for f in findings)
    # what-if findings (an assumed decision) have their own section, never the tiles or lists
    real = [f for f in findings if not f.get("hypothetical")]
    tiles = Counter(_TILE.get(f["position"]) for f in real)
    agenda = summary_agenda(real)
    jurisdictions = []
    for code in data["operator"]["jurisdictions"]:
        mine = [f for f in real if f["jurisdiction"] == code]
        jurisdictions.append(
            {"code": code, "name": evaluation.pack.jurisdictions[code].name, "findings": mine}
        )
    instruments: dict[str, dict[str, Any]] = {}
    for f in findings:
        inst = evaluation.pack.instruments[f["instrument"]["id"]]
        instruments.setdefault(
            inst.id,
            {
                "id": inst.id,
                "title": inst.title,
                "title_original": inst.title_original,
                "language": inst.language,
                "type": inst.type,
                "authority": inst.authority,
                "citation": inst.citation,
                "adopted": inst.adopted,
                "in_force": inst.in_force,
                "ended": inst.ended,
                "binding": inst.binding,
                "verified": inst.verified,
                "url": inst.url,
                "official": is_official(
                    inst.url, evaluation.pack.jurisdictions[f["jurisdiction"]].official_domains
                ),
                "url_reason": inst.url_reason,
                "text_original": inst.text_original,
                "sources": [s.model_dump() for s in inst.sources],
            },
        )
    marks = [
        Mark(dt.date.fromisoformat(f["due"]), f["title"], f["status"], _binding(f))
        for f in real
        if f["due"]
    ]
    marks = sorted(marks, key=lambda m: (abs((m.day - as_of).days), m.label))[:18]
    return {
        "data": data,
        "as_of": as_of,
        "counts": {b.value: counts.get(b, 0) for b in Bucket},
        "tiles": {t.value: tiles.get(t, 0) for t in Tile},
        # overdue duties that are not breaches (a report or registration with no record of it)
        "overdue_actions": sum(
            1
            for f in real
            if f["position"] == Position.ACTION_REQUIRED and f["status"] == FindingStatus.OVERDUE
        ),
        # a breach is shown first and in full: it is what the officer signing must act on
        "breaches": agenda["breaches"],
        "soon_days": SOON_DAYS,
        "overdue": agenda["overdue"],
        "due_soon": agenda["due_soon"],
        "guidance": agenda["guidance"],
        "short_answer": agenda["short_answer"],
        "provenance": provenance or Provenance(),
        "jurisdictions": jurisdictions,
        "instruments": sorted(instruments.values(), key=lambda i: i["id"]),
        "unverified": [f for f in findings if not f["verified"]],
        "timeline": timeline_svg(marks, as_of),
        # the legend's colours: only the statuses the chart shows, in the order of severity
        "timeline_keys": [
            {"status": s.value, "colour": COLOURS[s]}
            for s in FindingStatus
            if s in COLOURS and any(m.status == s for m in marks)
        ],
        "timeline_guidance": any(not m.binding for m in marks),
        "affected": len({a for f in findings for a in f["assets"]}),
        "asset_list_limit": ASSET_LIST_LIMIT,
        "review": review_groups(data["review"]),
        # Every waiver record given, with its standing on the date (in effect, expired, not yet
        # in effect, refused): the register a regulator asks for, not only the ones that bite.
        "waivers": data.get("waivers", []),
        "identified": identified(evaluation, data),
    }


def identified(evaluation: Evaluation, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The vendor identifications the findings rest on, in words ("EZVIZ: a brand of
    Hikvision"), with the registry's reason and source: a fact the signer relies on. Names up
    for review are in the review section, not here."""
    rows = []
    for row in data["vendors"]:
        if row["needs_review"] or row["group"] is None:
            continue
        rows.append(
            {
                **row,
                "phrase": vendor_phrase(evaluation.pack, row["group"], row["relationship"] or ""),
            }
        )
    return rows


def evaluation_json(data: dict[str, Any]) -> str:
    """The attachment: the evaluation exactly as ``dutybound evaluate --format json`` prints."""
    return json_text(data)


def comparison_report(
    *,
    operator: str,
    as_of: dt.date,
    pack_version: str,
    roles: list[dict[str, Any]],
    notices: list[dict[str, Any] | str],
    blocks: list[tuple[str, list[Any]]],
    names: dict[str, str],
    assumed_sector: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The comparison report's context: ``blocks`` are (title, cells) pairs from
    ``engine.compare`` (one per vendor with ``--vendor``, else one for the operator).

    ``matrix`` is the landscape slide page (engine.compare_matrix: rows, jurisdiction columns,
    each cell a phrase or two with its footnote number); ``blocks`` are the portrait detail
    tables beneath it, every line with its own footnote, numbered on from the matrix's. The
    assets column is shown only for a block where some cell reaches an asset: without an
    inventory there is nothing to count, and "0 affected assets" would read as an all-clear.
    """
    import dataclasses

    from dutybound.engine.compare import OPERATOR_BLOCK, Cell
    from dutybound.engine.compare_matrix import assumption_text, slide_matrix

    codes = list(names)
    vendor_rows = not (len(blocks) == 1 and blocks[0][0] == OPERATOR_BLOCK)
    as_json = [(title, [c.to_json() for c in cells]) for title, cells in blocks]
    data: dict[str, Any] = {"jurisdictions": codes, "operator": operator}
    if vendor_rows:
        data["vendors"] = [{"vendor": title, "cells": cells} for title, cells in as_json]
    else:
        data["cells"] = as_json[0][1]
    matrix = slide_matrix(data, names)
    numbers = {n.obligation_id: n.number for n in matrix.footnotes}
    footnotes: list[dict[str, Any]] = [dataclasses.asdict(n) for n in matrix.footnotes]

    def number(line: dict[str, Any]) -> int:
        ident = line["obligation_id"]
        if ident not in numbers:
            numbers[ident] = len(numbers) + 1
            footnotes.append(
                {
                    "number": numbers[ident],
                    "obligation_id": ident,
                    "title": line.get("title") or "",
                    "binding": line["binding"],
                    "citation": line["citation"] or "",
                    "url": line["url"] or "",
                    "verified": line["verified"] is not False,
                }
            )
        return numbers[ident]

    rendered = []
    for (title, cells), (_, source) in zip(as_json, blocks, strict=True):
        rows = []
        for cell, raw in zip(cells, source, strict=True):
            assert isinstance(raw, Cell)
            row = {**cell, "footnote": number(cell) if cell["obligation_id"] else None}
            if cell["guidance"]:
                row["guidance"] = {**cell["guidance"], "footnote": number(cell["guidance"])}
            row["more"] = [{**m, "footnote": number(m)} for m in cell["more"]]
            rows.append(row)
        rendered.append(
            {"title": title, "cells": rows, "assets": any(c["all_assets"] for c in cells)}
        )
    if assumed_sector is None:
        sector_rows = [r for r in roles if r.get("sector")]
        if sector_rows:
            assumed_sector = {
                "sector": sector_rows[0]["sector"],
                "roles": [
                    {"role": r["role"], "condition": r.get("condition")} for r in sector_rows
                ],
                "no_role_in": [],
            }
    return {
        "operator": operator,
        "as_of": as_of,
        "pack_version": pack_version,
        "roles": roles,
        "notices": notices,
        "blocks": rendered,
        "matrix": matrix,
        "vendor_rows": vendor_rows,
        "assumption": assumption_text(assumed_sector),
        "footnotes": footnotes,
        "names": names,
    }
