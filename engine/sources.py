"""Whether the law data cites official texts: the check behind ``dutybound law sources``.

A lawyer opening a report follows the URL of each instrument. It must lead to the law itself
(a legislation site, a gazette, the issuing authority's own page), not to a law firm's note or a
news report: commentary belongs in ``sources``. Each jurisdiction lists its official hosts in
``jurisdiction.yaml`` (``official_domains``). An instrument that binds (law or contract) must cite
an official text, or say in ``url_reason`` why none is published (a direction given only to its
addressees, contracts the government never released).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from dutybound.engine.law import Instrument
from dutybound.engine.loading import RulePack
from dutybound.engine.vocabulary import BINDS


def is_official(url: str, domains: list[str]) -> bool:
    """Whether ``url`` is on one of ``domains`` or a subdomain of one."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))


@dataclass
class JurisdictionSources:
    code: str
    instruments: int = 0
    official: int = 0
    obligations: int = 0
    obligations_official: int = 0
    # binding instruments citing no official text and giving no reason: the check fails on these
    missing: list[str] = field(default_factory=list)
    # instruments citing no official text, with the reason they give
    explained: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "jurisdiction": self.code,
            "instruments": self.instruments,
            "official": self.official,
            "obligations": self.obligations,
            "obligations_official": self.obligations_official,
            "missing": self.missing,
            "explained": [{"instrument": i, "reason": r} for i, r in self.explained],
        }


def _official(inst: Instrument, domains: list[str]) -> bool:
    return is_official(inst.url, domains)


def source_report(pack: RulePack) -> list[JurisdictionSources]:
    """Per jurisdiction, in code order: how many instruments and obligations cite an official
    text, the binding instruments that cite none without a reason, and the stated reasons."""
    rows = {code: JurisdictionSources(code) for code in sorted(pack.jurisdictions)}
    code_of = {}
    for item in pack.obligations:
        code_of[item.instrument.id] = item.jurisdiction
        row = rows[item.jurisdiction]
        row.obligations += 1
        domains = pack.jurisdictions[item.jurisdiction].official_domains
        row.obligations_official += is_official(item.obligation.url, domains)
    for inst in sorted(pack.instruments.values(), key=lambda i: i.id):
        code = code_of.get(inst.id, inst.id.split(".")[0].upper())
        if code not in rows:
            continue
        row = rows[code]
        row.instruments += 1
        if _official(inst, pack.jurisdictions[code].official_domains):
            row.official += 1
        elif inst.url_reason:
            row.explained.append((inst.id, inst.url_reason))
        elif inst.binding in BINDS:
            row.missing.append(inst.id)
    return list(rows.values())


def official_share(report: list[JurisdictionSources]) -> float:
    total = sum(r.instruments for r in report)
    return sum(r.official for r in report) / total if total else 1.0
