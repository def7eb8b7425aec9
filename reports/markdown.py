"""The obligation report as Markdown, for pasting into a ticket or a wiki page."""

from __future__ import annotations

import re
from typing import Any

from dutybound.reports.context import Bucket

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md(text: object) -> str:
    """Inventory text as literal Markdown: no links, images, HTML or table breaks."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def obligation_markdown(context: dict[str, Any]) -> str:
    d = context["data"]
    counts = context["counts"]
    lines = [
        f"# High-risk-vendor obligations: {md(d['operator']['name'])}",
        "",
        f"As of **{d['as_of']}** · rule pack {md(d['rulepack']['version'])} "
        f"(law as of {d['rulepack']['law_as_of']}, sha256 `{d['rulepack']['sha256'][:16]}`) · "
        "not legal advice",
        "",
        f"**{counts[Bucket.OVERDUE]}** overdue · **{counts[Bucket.DUE_SOON]}** due within "
        f"{context['soon_days']} days · **{counts[Bucket.DUE_LATER]}** due later · "
        f"**{counts[Bucket.IN_FORCE]}** in force · "
        + (f"**{counts[Bucket.WAIVED]}** waived · " if counts[Bucket.WAIVED] else "")
        + f"**{counts[Bucket.UPCOMING]}** upcoming",
        "",
        "| Status | Due | Obligation | Citation | Assets |",
        "|---|---|---|---|---|",
    ]
    for j in context["jurisdictions"]:
        for f in j["findings"]:
            flag = " (UNVERIFIED)" if not f["verified"] else ""
            shown = f["assets"][:8]
            assets = ", ".join(md(a) for a in shown)
            rest = f.get("assets_count", len(f["assets"])) - len(shown)  # compact JSON: counted
            if rest:
                assets += f" +{rest}"
            lines.append(
                f"| {f['status']} | {f['due'] or '—'} | {md(f['title'])}{flag} "
                f"(`{f['obligation_id']}`) | {md(f['citation'])} | "
                f"{assets or 'operator'} |"
            )
    if context["review"]:  # grouped as in the PDF; every item is in the evaluation JSON
        lines += ["", "**Needs review:**", ""]
        for g in context["review"]:
            ids = ", ".join(md(i) for i in g["ids"]) + (f" +{g['more']}" if g["more"] else "")
            vendors = ", ".join(f"{md(v)} ({n})" for v, n in g["vendors"])
            noun = "asset" if g["count"] == 1 else "assets"
            lines.append(
                f"- {g['count']} {noun}: {md(g['detail'])}. {ids} (vendor names: {vendors})"
            )
    if context["waivers"]:
        lines += ["", "**Waivers and exceptions:**", ""]
        for w in context["waivers"]:
            expiry = f"expires {w['expires_on']}" if w["expires_on"] else "no expiry date"
            flag = " (UNVERIFIED basis)" if not w["verified"] else ""
            lines.append(
                f"- {md(w['id'])} ({w['standing'].replace('_', ' ')}): "
                f"`{w['obligation']}`, ref. {md(w['reference'])}, approved by "
                f"{md(w['approver'])}, granted {w['granted_on']}, {expiry}; "
                f"{md(w['citation'])}{flag}. {md(w['reason'])}"
            )
    return "\n".join(lines) + "\n"
