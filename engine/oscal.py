"""An evaluation as OSCAL assessment results, the JSON that GRC tools take in.

NIST's Open Security Controls Assessment Language has no notion of a vendor law, so the mapping
is stated once, here:

- one ``result``: the assessment of the operator's inventory against the rule pack on the as-of
  date; its ``reviewed-controls`` are the obligations that produced findings (an obligation id is
  a valid OSCAL token), all of them when there is none;
- each finding of the evaluation is an OSCAL ``finding`` whose target is the obligation
  (``objective-id``), ``not-satisfied`` while a duty binds, ``satisfied`` once it is done or met;
- each finding has one ``observation``: the explanation, the assets it rests on as subjects
  (inventory items defined in the result, or the operator as a party for its own duties) and the
  inventory file as evidence;
- the evaluation's notices (what qualifies all of it) are the result's ``remarks``;
- each finding has one ``risk``: open while the duty binds, ``deviation-approved`` when waived,
  ``closed`` when done, met or ended, with the due date as deadline.

The same inputs give the same bytes: every uuid is a version-5 uuid of the ids it stands for
(document: the inputs' and rule pack's digests and the date; finding: the document and the
finding id; asset: the asset id), and every timestamp is the as-of date at 00:00 UTC, the
moment the assessment describes, not the wall-clock time it ran. The document names no
assessment plan (dutybound works from a profile and an inventory): ``import-ap`` points at the
profile, with a remark saying so.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dutybound.engine.notices import notice_message
from dutybound.engine.outcomes import Position
from dutybound.engine.sarif import artifact_uri

if TYPE_CHECKING:
    from dutybound.engine.inputs import Asset

OSCAL_VERSION = "1.1.2"
# the namespace of every dutybound uuid and property ("urn:" is a URI, as ``ns`` requires)
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:dutybound:oscal")
PROPS_NS = "urn:dutybound"

NOT_SATISFIED = frozenset({Position.BREACH, Position.ACTION_REQUIRED})
SATISFIED = frozenset({Position.FULFILLED, Position.COMPLIANT, Position.CLOSED})
RISK_STATUS: Mapping[Position, str] = {
    Position.BREACH: "open",
    Position.ACTION_REQUIRED: "open",
    Position.PREPARE: "open",
    Position.ADVICE: "open",
    Position.WAIVED: "deviation-approved",
    Position.FULFILLED: "closed",
    Position.COMPLIANT: "closed",
    Position.CLOSED: "closed",
}


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def _prop(name: str, value: object) -> dict[str, str]:
    return {"name": name, "ns": PROPS_NS, "value": str(value)}


def _moment(day: str) -> str:
    return f"{day}T00:00:00+00:00"


def _objective_status(position: Position) -> dict[str, str]:
    if position in SATISFIED:
        return {"state": "satisfied", "reason": "pass"}
    if position in NOT_SATISFIED:
        return {"state": "not-satisfied", "reason": "fail"}
    return {
        "state": "not-satisfied",
        "reason": "other",
        "remarks": f"{position.value}: not a failure; see the finding's position",
    }


def assessment_results(
    data: Mapping[str, Any], assets: Iterable[Asset], inventory: Path | str, profile: Path | str
) -> dict[str, Any]:
    """The evaluation JSON (``Evaluation.to_json``) as an OSCAL assessment-results document."""
    as_of = data["as_of"]
    moment = _moment(as_of)
    doc_key = _uuid(
        "assessment-results", data["inputs"]["sha256"], data["rulepack"]["sha256"], as_of
    )
    operator = data["operator"]
    party = _uuid(doc_key, "party", operator["name"])
    by_id: dict[str, Asset] = {}
    for asset in assets:
        by_id.setdefault(asset.asset_id, asset)
    inventory_uri = artifact_uri(inventory)
    reached = sorted({a for f in data["findings"] for a in f["assets"] if a in by_id})
    items = [
        {
            "uuid": _uuid(doc_key, "asset", asset_id),
            "description": ", ".join(
                p
                for p in (
                    f"asset {asset_id}",
                    by_id[asset_id].vendor,
                    by_id[asset_id].product,
                    by_id[asset_id].site,
                )
                if p
            ),
            "props": [
                _prop("asset-id", asset_id),
                _prop("inventory-line", by_id[asset_id].line),
            ],
        }
        for asset_id in reached
    ]
    findings, observations, risks = [], [], []
    for f in data["findings"]:
        position = Position(f.get("position") or Position.ACTION_REQUIRED)
        finding_uuid = _uuid(doc_key, "finding", f["id"])
        observation_uuid = _uuid(doc_key, "observation", f["id"])
        risk_uuid = _uuid(doc_key, "risk", f["id"])
        props = [
            _prop("jurisdiction", f["jurisdiction"]),
            _prop("kind", f["kind"]),
            _prop("binding", f["instrument"]["binding"]),
            _prop("status", f["status"]),
            _prop("position", position.value),
            _prop("verified", "true" if f["verified"] else "false"),
        ]
        if f.get("hypothetical"):
            props.append(_prop("hypothetical", "true"))
        links = [{"href": f["url"], "rel": "reference", "text": f["citation"]}] if f["url"] else []
        subjects = [
            {"subject-uuid": _uuid(doc_key, "asset", a), "type": "inventory-item", "title": a}
            for a in f["assets"]
            if a in by_id
        ] or [{"subject-uuid": party, "type": "party", "title": operator["name"]}]
        observations.append(
            {
                "uuid": observation_uuid,
                "title": f["title"],
                "description": f["explanation"],
                "methods": ["EXAMINE"],
                "types": ["finding"],
                "subjects": subjects,
                "relevant-evidence": [
                    {
                        "href": inventory_uri,
                        "description": "the asset inventory the evaluation read",
                    }
                ],
                "collected": moment,
            }
        )
        risk: dict[str, Any] = {
            "uuid": risk_uuid,
            "title": f["title"],
            "description": f"{f['title']} [{f['citation']}]",
            "statement": f["explanation"],
            "props": props,
            "status": RISK_STATUS[position],
            "related-observations": [{"observation-uuid": observation_uuid}],
        }
        if f["due"]:
            risk["deadline"] = _moment(f["due"])
        if links:
            risk["links"] = links
        risks.append(risk)
        finding: dict[str, Any] = {
            "uuid": finding_uuid,
            "title": f["title"],
            "description": f["explanation"],
            "props": [_prop("finding-id", f["id"]), *props],
            "target": {
                "type": "objective-id",
                "target-id": f["obligation_id"],
                "status": _objective_status(position),
            },
            "related-observations": [{"observation-uuid": observation_uuid}],
            "related-risks": [{"risk-uuid": risk_uuid}],
        }
        if links:
            finding["links"] = links
        findings.append(finding)
    obligations = sorted({f["obligation_id"] for f in data["findings"]})
    selection: dict[str, Any] = (
        {"include-controls": [{"control-id": o} for o in obligations]}
        if obligations
        else {"include-all": {}}
    )
    result: dict[str, Any] = {
        "uuid": _uuid(doc_key, "result"),
        "title": f"High-risk-vendor obligations as of {as_of}",
        "description": (
            f"The obligations of {operator['name']} under the laws of "
            f"{', '.join(operator['jurisdictions'])} on {as_of}, evaluated by dutybound "
            f"{data['engine']['version']} against rule pack {data['rulepack']['version']} "
            f"(law as of {data['rulepack']['law_as_of']}); not legal advice."
        ),
        "start": moment,
        "end": moment,
        "props": [
            _prop("rulepack-version", data["rulepack"]["version"]),
            _prop("rulepack-sha256", data["rulepack"]["sha256"]),
            _prop("inputs-sha256", data["inputs"]["sha256"]),
        ],
        "reviewed-controls": {"control-selections": [selection]},
    }
    if data["notices"]:
        # what qualifies the whole evaluation (a lapsed role, components skipped for want of a
        # supplier): a reader of the findings must see it before relying on them
        result["remarks"] = "\n\n".join(notice_message(n) for n in data["notices"])
    if items:
        result["local-definitions"] = {"inventory-items": items}
    if observations:
        result["observations"] = observations
    if risks:
        result["risks"] = risks
    if findings:
        result["findings"] = findings
    return {
        "assessment-results": {
            "uuid": doc_key,
            "metadata": {
                "title": f"dutybound: obligations of {operator['name']} as of {as_of}",
                "last-modified": moment,
                "version": data["rulepack"]["version"],
                "oscal-version": OSCAL_VERSION,
                "parties": [{"uuid": party, "type": "organization", "name": operator["name"]}],
            },
            "import-ap": {
                "href": artifact_uri(profile),
                "remarks": "No OSCAL assessment plan: this points at the operator profile the "
                "assessment was made from, with the inventory named in each observation.",
            },
            "results": [result],
        }
    }
