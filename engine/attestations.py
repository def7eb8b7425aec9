"""Attestations: an operator's records that a duty was done (fulfilment records).

Without them a registration made a year ago reads "overdue (332 days)" forever: the law says what
must be done by when, and nothing said that it was. An attestation names the operator, the
obligation, the assets it was done for (none for a duty of the operator itself), the day it was
done, the evidence (a document reference a person can pull out of a file) and who attests it.

Three outcomes, kept apart as for waivers (``engine.waivers``):

- an **error** (``InputError`` naming file, line and field; every problem of a file at once):
  the record is malformed, names an unknown obligation, names assets for a duty of the operator
  itself, or names none for a duty about assets. Nothing runs.
- a **refusal** (``NoticeCode.ATTESTATION_REFUSED``, with the reason and the obligation's
  citation): the record is well formed but cannot record this duty as done on the date. The
  obligation is a prohibition or a cap (the inventory meets those, not a record), it does not
  apply to the operator on the date (not yet adopted or in effect, or no finding of it; or it
  had ended before the record's date), or the record names assets that no finding of the
  obligation covers. A record done while an obligation applied is not refused once the
  obligation ends: it is history, shown on the ended finding, with no notice.
- **applied**: the record is attached to every finding of its obligation that it covers; where
  records done by the date cover every asset of the finding (or the operator's own duty), a
  finding that binds becomes ``fulfilled``.

Assets are required for an obligation about assets: a record covers exactly the assets it names,
so equipment added to the inventory later is never taken as done. A removal is therefore
fulfilled only for the assets its records name, and stays open for the others.

Records done after the evaluation date do not count yet; they are shown on the findings they
cover as not yet effective, with no notice (a future evaluation will count them).

Parsing is separate from reading files, as for waivers: ``check_attestations`` validates parsed
mappings with a ``line_of`` callback, so the register (``engine.store.attestation_register``) and
an HTTP request can use it unchanged; ``load_attestations`` reads a YAML file.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dutybound.engine.errors import InputError, InputErrors
from dutybound.engine.findings import Finding
from dutybound.engine.loading import LoadedObligation, RulePack
from dutybound.engine.notices import Notice
from dutybound.engine.outcomes import APPLYING, FindingStatus, NoticeCode
from dutybound.engine.vocabulary import ObligationKind
from dutybound.engine.yamlfile import load_yaml

LineOf = Callable[[Sequence[str | int]], int | None]

# The statuses under which an attestation can make a finding "fulfilled": the obligation binds
# (APPLYING), or it is guidance whose target date passed (advice followed is advice done).
FULFILLABLE: frozenset[FindingStatus] = APPLYING | {FindingStatus.PAST_TARGET}
# The statuses under which the obligation applies on the date, so that a record of it is not
# refused: a waived finding still applies (the record is kept with it; the waiver decides).
APPLIES: frozenset[FindingStatus] = FULFILLABLE | {FindingStatus.WAIVED}

# Obligations that the inventory meets, not a record of something done.
_MET_BY_INVENTORY: dict[ObligationKind, str] = {
    ObligationKind.PROHIBITION: (
        "a prohibition is met by the inventory, not by a record: mark the assets it reaches "
        "decommissioned (or drop the planned and in-procurement lines) and no finding remains"
    ),
    ObligationKind.CAP: (
        "a cap is met by the inventory, not by a record: the designated vendor's share is "
        "measured from the inventory's quantities and statuses, so record the removed units there"
    ),
}


def _iso_date(value: Any) -> Any:
    # a date only as YAML's date or an ISO string: pydantic would also take a number as a Unix
    # timestamp, which no one means in a fulfilment record
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}")


class _AttestationInput(BaseModel):
    """The shape of one record, as written by a user."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    operator: str = Field(min_length=1)
    obligation: str = Field(min_length=1)
    assets: list[str] | None = Field(default=None, min_length=1)
    done_on: dt.date
    evidence: str = Field(min_length=1)
    by: str = Field(min_length=1)
    note: str | None = None

    @field_validator("done_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return _iso_date(value)

    @field_validator("assets")
    @classmethod
    def _assets(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        cleaned = [a.strip() for a in value]
        if any(not a for a in cleaned):
            raise ValueError("an asset id is empty")
        return sorted(set(cleaned))


@dataclass(frozen=True)
class Attestation:
    """One validated fulfilment record. ``law`` is the obligation of the rule pack it was checked
    against (its kind, window and citation decide a refusal); ``assets`` None means the duty of
    the operator itself; ``source`` and ``line`` say where it was read, for messages."""

    id: str
    operator: str
    obligation: str
    done_on: dt.date
    evidence: str
    by: str
    law: LoadedObligation = field(compare=False, repr=False)
    assets: tuple[str, ...] | None = None
    note: str | None = None
    source: str = ""
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "operator": self.operator,
            "obligation": self.obligation,
            "assets": list(self.assets) if self.assets is not None else None,
            "done_on": self.done_on.isoformat(),
            "evidence": self.evidence,
            "by": self.by,
            "note": self.note,
        }


class AttestationErrors(InputErrors):
    """Every problem of one attestations file (``engine.errors.InputErrors``)."""


def check_attestations(
    data: Any,
    pack: RulePack,
    source: Path | str,
    line_of: LineOf = lambda loc: None,
    operator: str | None = None,
) -> list[Attestation]:
    """Validate attestation records given as parsed data (a list of mappings, or
    ``{"attestations": [...]}``) against the rule pack. Raises ``InputError`` naming the source,
    line and field; with several problems, ``AttestationErrors`` naming them all.

    With ``operator``, every record must be for that operator (the profile's ``name``): a record
    under a misspelt name would otherwise be ignored with a notice, and the duty left open.
    """
    prefix: tuple[str | int, ...] = ()
    if isinstance(data, dict) and set(data) == {"attestations"}:
        data, prefix = data["attestations"], ("attestations",)
    if not isinstance(data, list):
        raise InputError(
            source,
            "an attestations file must be a list of records under 'attestations:' (id, "
            "operator, obligation, assets, done_on, evidence, by, note)",
            line=1,
        )

    problems: list[InputError] = []

    def problem(loc: tuple[str | int, ...], message: str) -> None:
        full = (*prefix, *loc)
        problems.append(
            InputError(source, message, line=line_of(full), field=".".join(str(p) for p in full))
        )

    out: list[Attestation] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(data):
        if not isinstance(raw, dict):
            problem((i,), "an attestation record must be a mapping")
            continue
        try:
            rec = _AttestationInput.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                problem((i, *err["loc"]), err["msg"])
            continue
        before = len(problems)
        if rec.id in seen:
            problem((i, "id"), f"duplicate attestation id {rec.id!r} (also record {seen[rec.id]})")
        else:
            seen[rec.id] = i
        if operator is not None and rec.operator != operator:
            problem(
                (i, "operator"),
                f"attestation is for {rec.operator!r}, but the profile is {operator!r}",
            )
        try:
            item = pack.obligation(rec.obligation)
        except KeyError:
            problem(
                (i, "obligation"),
                f"unknown obligation {rec.obligation!r}; see 'dutybound law list'",
            )
            continue
        if rec.assets is not None and item.obligation.assets is None:
            problem(
                (i, "assets"),
                f"{rec.obligation!r} is a duty of the operator itself, not of assets; omit assets",
            )
        if rec.assets is None and item.obligation.assets is not None:
            problem(
                (i, "assets"),
                f"required: {rec.obligation!r} is a duty about assets; name the assets this "
                "record covers (it covers only those, so that equipment added later is not "
                "taken as done)",
            )
        if len(problems) > before:
            continue
        out.append(
            Attestation(
                id=rec.id,
                operator=rec.operator,
                obligation=rec.obligation,
                done_on=rec.done_on,
                evidence=rec.evidence,
                by=rec.by,
                law=item,
                assets=tuple(rec.assets) if rec.assets is not None else None,
                note=rec.note,
                source=str(source),
                line=line_of((*prefix, i)),
            )
        )
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise AttestationErrors(problems)
    return out


def load_attestations(path: Path, pack: RulePack, operator: str | None = None) -> list[Attestation]:
    """Read and validate an attestations YAML (or JSON) file; see ``check_attestations``."""
    doc = load_yaml(path)
    return check_attestations(doc.data, pack, path, doc.line_of, operator)


def kind_refusal(item: LoadedObligation) -> str | None:
    """Why no record can fulfil this obligation whatever the date (a prohibition or a cap, which
    the inventory meets); None if a record can. The register refuses to store such a record."""
    return _MET_BY_INVENTORY.get(item.obligation.kind)


# --- applying attestations to findings ----------------------------------------------------------


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _ids(ids: Sequence[str]) -> str:
    if len(ids) <= 5:
        return ", ".join(ids)
    return f"{', '.join(ids[:3])} and {len(ids) - 3} more"


def _not_applying(item: LoadedObligation, as_of: dt.date) -> str:
    """Why an obligation with no binding finding on ``as_of`` does not apply to the operator."""
    ob = item.obligation
    start, end = item.window()
    if not item.exists_on(as_of):
        return f"{item.instrument.title} did not exist yet on {_fmt(as_of)}"
    if as_of < start:
        return f"it takes effect on {_fmt(start)}; on {_fmt(as_of)} there is nothing to fulfil yet"
    if end is not None and as_of >= end:
        return f"it ceased to apply on {_fmt(end)}"
    scope = ", for assets in its scope" if ob.assets is not None else ""
    return (
        f"it does not apply to this operator on {_fmt(as_of)}: no finding of it was made (it is "
        f"addressed to {', '.join(ob.roles)} in {item.jurisdiction}{scope})"
    )


def _done_before_it_ended(a: Attestation, as_of: dt.date) -> bool:
    """Whether the obligation had ended by ``as_of`` and the record was done while it applied: a
    register keeps such records for ever, and they must not read as refused once the law ends
    (Act 181/2014 duties ended on 1 Nov 2025)."""
    end = a.law.window()[1]
    return end is not None and a.done_on < end <= as_of


def _refusal(
    a: Attestation, own: list[Finding], as_of: dt.date
) -> tuple[str, dict[str, Any]] | None:
    """Why ``a`` (done by ``as_of``) cannot record its duty as done, with the facts behind it."""
    live = [f for f in own if f.status in APPLIES]
    if not live:
        return _not_applying(a.law, as_of), {}
    if a.assets is None:
        return None
    reached = {x for f in live for x in f.assets}
    outside = [x for x in a.assets if x not in reached]
    if not outside:
        return None
    return (
        f"it names {_ids(outside)}, which no finding of {a.obligation} covers on {_fmt(as_of)} "
        "(not in the inventory, decommissioned, or outside the obligation's scope); a record "
        "may name only assets the obligation reaches",
        {"assets": outside},
    )


def _finding_json(
    a: Attestation, covered: list[str] | None, partial: bool, effective: bool
) -> dict[str, Any]:
    """An attestation as it appears inside a finding's JSON."""
    return {
        "id": a.id,
        "done_on": a.done_on.isoformat(),
        "evidence": a.evidence,
        "by": a.by,
        "assets": covered,
        "partial": partial,
        "effective": effective,
        "note": a.note,
    }


def _sentence(a: Attestation, covered: list[str] | None, as_of: dt.date, finding: Finding) -> str:
    """What a compliance officer reads for one attestation attached to a finding: what was done,
    when, by whom, on what evidence, and whether it was late (a duty done after its deadline is
    done, but the deadline was missed, which a regulator may still ask about)."""
    scope = "" if covered is None else f" for {_ids(covered)}"
    text = (
        f"Attestation {a.id} records this done{scope} on {_fmt(a.done_on)} by {a.by} "
        f"(evidence: {a.evidence})"
    )
    if a.done_on > as_of:
        return text + f", after {_fmt(as_of)}: it does not count yet."
    cycle = _cycle_start(finding)
    if cycle is not None and finding.due is not None and a.done_on <= cycle:
        return text + (
            f", for an earlier year: this duty recurs, and the filing due {_fmt(finding.due)} "
            "needs a record of its own."
        )
    text += "."
    start = finding.window[0]
    if a.done_on < start:
        text += (
            f" It is dated before the obligation took effect on {_fmt(start)}: check that it "
            "meets the duty as the law states it."
        )
    elif finding.due is not None and a.done_on > finding.due:
        text += f" It was done after the deadline of {_fmt(finding.due)}."
    return text


def _cycle_start(finding: Finding) -> dt.date | None:
    """For a yearly duty, the previous due date: a record counts for the current year only if
    made after it (a 2023 filing does not fulfil the 2027 report). None for other duties."""
    deadline = finding.item.obligation.deadline
    if deadline is None or deadline.every != "year" or finding.due is None:
        return None
    return finding.due.replace(year=finding.due.year - 1)


def apply_attestations(
    findings: list[Finding],
    attestations: Sequence[Attestation],
    operator: str,
    as_of: dt.date,
) -> list[Notice]:
    """Attach each attestation of ``operator`` to the findings of its obligation that it covers,
    and mark a finding ``fulfilled`` where attestations done by ``as_of`` cover all of its assets
    (or the operator's own duty) and its status is one an attestation can fulfil (``FULFILLABLE``).
    A partial cover leaves the status and says which assets remain. Returns the notices: records
    of another operator (ignored) and refused records (with the reason and the citation).

    Findings are changed in place (status, ``status_without_attestations``, ``attestations``,
    explanation); ``position`` is left to the caller, which derives it from the status. Records
    are taken in id order, so the output is the same on every run."""
    notices: list[Notice] = []
    by_obligation: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_obligation[finding.item.obligation.id].append(finding)
    attached: dict[int, list[tuple[Attestation, list[str] | None]]] = defaultdict(list)
    for a in sorted(attestations, key=lambda a: a.id):
        if a.operator != operator:
            notices.append(
                Notice(
                    NoticeCode.ATTESTATION_OTHER_OPERATOR,
                    f"Attestation {a.id} is recorded for {a.operator!r}, not {operator!r}; "
                    "it is ignored.",
                    {"attestation": a.id, "operator": a.operator, "obligation": a.obligation},
                )
            )
            continue
        own = by_obligation.get(a.obligation, [])
        effective = a.done_on <= as_of
        refused: tuple[str, dict[str, Any]] | None = None
        kind = kind_refusal(a.law)
        if kind is not None:
            refused = kind, {}
        elif effective and _done_before_it_ended(a, as_of):
            # history, not a mistake: shown on the ended finding (--include-ended), no notice
            own = [f for f in own if f.status == FindingStatus.ENDED]
        elif effective:
            refused = _refusal(a, own, as_of)
            own = [f for f in own if f.status in APPLIES]
        if refused is not None:
            reason, facts = refused
            ob = a.law.obligation
            notices.append(
                Notice(
                    NoticeCode.ATTESTATION_REFUSED,
                    f"Attestation {a.id} ({ob.id}) is refused: {reason} [{ob.citation}]; it "
                    "records nothing as done.",
                    {
                        "attestation": a.id,
                        "obligation": ob.id,
                        "citation": ob.citation,
                        "reason": reason,
                        **facts,
                    },
                )
            )
            continue
        for finding in own:
            covered = None if a.assets is None else sorted(set(finding.assets) & set(a.assets))
            if covered is not None and not covered:
                continue  # names none of this finding's assets
            attached[id(finding)].append((a, covered))
    for finding in findings:
        records = attached.get(id(finding))
        if records:
            _fulfil(finding, records, as_of)
    return notices


def _fulfil(
    finding: Finding, records: list[tuple[Attestation, list[str] | None]], as_of: dt.date
) -> None:
    """Attach ``records`` to one finding and set its status from the ones done by ``as_of``."""
    assets = set(finding.assets)
    cycle = _cycle_start(finding)
    done = [
        (a, covered)
        for a, covered in records
        if a.done_on <= as_of and (cycle is None or a.done_on > cycle)
    ]
    whole = any(covered is None for _, covered in done)
    done_assets = {x for _, covered in done for x in covered or []}
    remaining = [] if whole else sorted(assets - done_assets)
    sentences = []
    for a, covered in records:
        partial = covered is not None and len(covered) < len(assets)
        finding.attestations.append(_finding_json(a, covered, partial, a.done_on <= as_of))
        sentences.append(_sentence(a, covered, as_of, finding))
    if finding.status in FULFILLABLE and done:
        words = finding.status.replace("_", " ")
        if whole or (assets and not remaining):
            finding.status_without_attestations = finding.status
            finding.status = FindingStatus.FULFILLED
            sentences.append(
                f"Without the attestation{'s' if len(done) > 1 else ''} the finding would be "
                f"{words}."
            )
        else:
            sentences.append(f"The obligation stays {words} for {_ids(remaining)}.")
    finding.explanation += " " + " ".join(sentences)
