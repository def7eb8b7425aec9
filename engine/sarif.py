"""Findings as SARIF 2.1.0, the format CI systems and code-scanning dashboards read.

A pipeline that gates an inventory or a bid shows results beside the file that caused them. In
SARIF terms the obligations are the rules (``tool.driver.rules``: id, the title as short
description, the citation as full description, the official URL as ``helpUri``), and each finding
on each asset is a result pointing at the inventory file and the asset's row
(``physicalLocation.artifactLocation.uri`` + ``region.startLine``). A duty of the operator itself
points at the profile, with no line.

The level says how bad it is, from the finding's position (``engine.positions``): a breach is an
``error``, a duty that binds now a ``warning``, advice and time to prepare a ``note``; a duty
recorded as done or met is ``kind: pass``; a waived one keeps its level with an accepted external
suppression naming the waivers, so dashboards show it as dealt with. A what-if finding
(``--assume-designation``) is a ``note`` whatever its position. An item a person must look at
(an uncertain vendor match, a missing fact) is a ``warning`` under the rule ``dutybound/review``.

One run, one tool: the whole log is built from the evaluation JSON (``Evaluation.to_json``) and
the rows' line numbers, with no field a consumer must know dutybound to read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from dutybound.engine.outcomes import Position

if TYPE_CHECKING:
    from dutybound.engine.inputs import Asset

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
REVIEW_RULE = "dutybound/review"


class Level(StrEnum):
    """SARIF ``result.level``."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    NONE = "none"


LEVEL_BY_POSITION: Mapping[Position, Level] = {
    Position.BREACH: Level.ERROR,
    Position.ACTION_REQUIRED: Level.WARNING,
    Position.WAIVED: Level.WARNING,  # still binds; suppressed by the waiver (module docstring)
    Position.PREPARE: Level.NOTE,
    Position.ADVICE: Level.NOTE,
    Position.FULFILLED: Level.NONE,
    Position.COMPLIANT: Level.NONE,
    Position.CLOSED: Level.NONE,
}
# positions that are a pass (SARIF result.kind "pass"): nothing left to do
PASSED = frozenset({Position.FULFILLED, Position.COMPLIANT, Position.CLOSED})


def artifact_uri(path: Path | str) -> str:
    """A URI reference for a file as the user named it: relative paths stay relative (the
    dashboard resolves them against the checkout), absolute ones become ``file://`` URIs."""
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(p.as_posix(), safe="/")


def _rule(finding: Mapping[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": finding["obligation_id"],
        "name": finding["obligation_id"],
        "shortDescription": {"text": finding["title"]},
        "fullDescription": {"text": f"{finding['title']} [{finding['citation']}]"},
        "properties": {
            "jurisdiction": finding["jurisdiction"],
            "kind": finding["kind"],
            "binding": finding["instrument"]["binding"],
            "citation": finding["citation"],
            "verified": finding["verified"],
        },
    }
    if finding.get("url"):
        rule["helpUri"] = finding["url"]
    return rule


_REVIEW_RULE: dict[str, Any] = {
    "id": REVIEW_RULE,
    "name": "review",
    "shortDescription": {"text": "A person must look at this row"},
    "fullDescription": {
        "text": "The vendor match is uncertain, or a fact that decides whether an obligation "
        "applies is missing from the row."
    },
}


def _location(uri: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if line is not None and line >= 1:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


class _Log:
    """The rules and results of one run, rules in order of first use."""

    def __init__(self) -> None:
        self.rules: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}
        self.results: list[dict[str, Any]] = []

    def rule_index(self, rule: dict[str, Any]) -> int:
        if rule["id"] not in self.index:
            self.index[rule["id"]] = len(self.rules)
            self.rules.append(rule)
        return self.index[rule["id"]]

    def finding(self, finding: Mapping[str, Any], location: dict[str, Any], subject: str) -> None:
        position = Position(finding.get("position") or Position.ACTION_REQUIRED)
        due = f", due {finding['due']}" if finding.get("due") else ""
        what_if = " (what-if: an assumed designation, not law in force)"
        result: dict[str, Any] = {
            "ruleId": finding["obligation_id"],
            "ruleIndex": self.rule_index(_rule(finding)),
            # a what-if finding (an assumed designation) is never more than a note: it is not law
            # in force, and a dashboard must not fail a build on it
            "level": (
                Level.NOTE if finding.get("hypothetical") else LEVEL_BY_POSITION[position]
            ).value,
            "message": {
                "text": f"{subject}: {finding['title']} ({position.value}, "
                f"{finding['status']}{due}) [{finding['citation']}]"
                + (what_if if finding.get("hypothetical") else "")
            },
            "locations": [location],
            "properties": {
                "finding": finding["id"],
                "status": finding["status"],
                "position": position.value,
                "due": finding.get("due"),
            },
        }
        if position in PASSED:
            result["kind"] = "pass"
        if position is Position.WAIVED:
            ids = ", ".join(w["id"] for w in finding.get("waivers", ())) or "a waiver"
            result["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": f"waived: {ids}"}
            ]
        self.results.append(result)

    def review(self, row: Mapping[str, Any], location: dict[str, Any]) -> None:
        self.results.append(
            {
                "ruleId": REVIEW_RULE,
                "ruleIndex": self.rule_index(_REVIEW_RULE),
                "level": Level.WARNING.value,
                "message": {"text": f"asset {row['asset_id']} ({row['vendor']}): {row['detail']}"},
                "locations": [location],
                "properties": {"reason": row["reason"]},
            }
        )

    def to_json(self, data: Mapping[str, Any], artifacts: Sequence[str]) -> dict[str, Any]:
        return {
            "$schema": SCHEMA_URI,
            "version": SARIF_VERSION,
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "dutybound",
                            "version": data["engine"]["version"],
                            "rules": self.rules,
                        }
                    },
                    "artifacts": [{"location": {"uri": uri}} for uri in artifacts],
                    "results": self.results,
                    "properties": {
                        "as_of": data["as_of"],
                        "rulepack": data["rulepack"],
                        "inputs_sha256": data["inputs"]["sha256"],
                    },
                }
            ],
        }


def _lines(assets: Iterable[Asset]) -> dict[str, int]:
    lines: dict[str, int] = {}
    for asset in assets:
        lines.setdefault(asset.asset_id, asset.line)
    return lines


def evaluation_sarif(
    data: Mapping[str, Any], assets: Iterable[Asset], inventory: Path | str, profile: Path | str
) -> dict[str, Any]:
    """The evaluation JSON as a SARIF log: a result per finding and asset at the asset's row of
    ``inventory``, a duty of the operator itself at ``profile``; the items to review as
    warnings."""
    lines = _lines(assets)
    inventory_uri, profile_uri = artifact_uri(inventory), artifact_uri(profile)
    log = _Log()
    for finding in data["findings"]:
        if not finding["assets"]:
            log.finding(finding, _location(profile_uri, None), "the operator")
        for asset_id in finding["assets"]:
            log.finding(finding, _location(inventory_uri, lines.get(asset_id)), f"asset {asset_id}")
    for row in data["review"]:
        log.review(row, _location(inventory_uri, lines.get(row["asset_id"])))
    return log.to_json(data, [inventory_uri, profile_uri])


def check_sarif(
    data: Mapping[str, Any], assets: Iterable[Asset], items: Path | str
) -> dict[str, Any]:
    """A procurement check (``CheckResult.to_json``) as a SARIF log: for each item, a result per
    finding bearing on its purchase and per point to review, at the item's row of ``items``.
    An allowed item with nothing to review gives no result."""
    lines = _lines(assets)
    uri = artifact_uri(items)
    log = _Log()
    for entry in data["items"]:
        item = entry["item"]
        location = _location(uri, lines.get(item["asset_id"]))
        subject = f"item {item['asset_id']} ({item['vendor']}, verdict {entry['verdict']})"
        for finding in entry["findings"]:
            log.finding(finding, location, subject)
        for row in entry["review"]:
            log.review(row, location)
    return log.to_json(data, [uri])
