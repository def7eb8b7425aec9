"""Vendor decisions: a person's answer to "whose equipment is this?", recorded once.

The matcher sends an uncertain name to review ("Huawai Technologies" looks like Huawei, one
letter away). Without a way to record the answer, every run asks again, and a procurement gate
stays at "review" for ever. A decision file (``--vendor-decisions FILE``) records it:

    decisions:
      - id: D-1
        name: Huawai Technologies          # the vendor string, as the inventory spells it
        group: huawei                      # confirm: this name is this group's equipment
        relationship: subsidiary           # optional, default parent
        by: J. Novák, procurement
        decided_on: 2026-11-30
        note: Supplier master record 4711 shows Huawei's registration number
      - id: D-2
        name: Shanghai Dahua Scale Factory
        not_group: dahua                   # reject: not this group's equipment
        by: J. Novák
        decided_on: 2026-11-30

A name matches a decision when both normalise to the same key (case, punctuation and legal-form
words aside, as the registry compares names). A confirmed name resolves to the group with method
``decision``; a rejected name resolves to no group, where the matcher had put it in that group
or up for review of it. Either way the match says which decision it rests on, and the decision
is shown wherever the match is (evaluation JSON, explanations, reports). Every problem of a file
is reported at once, naming file, line and field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dutybound.engine.errors import InputError, raise_all
from dutybound.engine.outcomes import MatchMethod
from dutybound.engine.vendors import Registry, VendorMatch, normalise
from dutybound.engine.vocabulary import RELATIONSHIPS
from dutybound.engine.yamlfile import load_yaml

LineOf = Callable[[Sequence[str | int]], int | None]


class _DecisionInput(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    group: str | None = None
    not_group: str | None = None
    relationship: str = "parent"
    by: str = Field(min_length=1)
    decided_on: dt.date
    note: str | None = None

    @model_validator(mode="after")
    def _one(self) -> _DecisionInput:
        if (self.group is None) == (self.not_group is None):
            raise ValueError("give group (confirm) or not_group (reject), not both")
        if self.relationship not in RELATIONSHIPS:
            raise ValueError(f"unknown relationship; allowed: {sorted(RELATIONSHIPS)}")
        return self


@dataclass(frozen=True)
class Decision:
    id: str
    name: str
    key: str  # the name as the registry compares names
    group: str | None  # confirmed group
    not_group: str | None  # rejected group
    relationship: str
    by: str
    decided_on: dt.date
    note: str | None
    # where it was read: the file (and line), or the register and its record's id
    source: str = ""
    line: int | None = None
    record: int | None = None  # the register row (engine.store.vendor_decision_register)

    def where(self) -> str:
        """The decision's place, for an error message: file and line, or register record."""
        if self.record is not None:
            return f"{self.source} record {self.record}"
        return self.source if self.line is None else f"{self.source}:{self.line}"

    def sentence(self) -> str:
        what = (
            f"confirmed as {self.group}"
            if self.group
            else f"confirmed not to be {self.not_group}'s equipment"
        )
        return f"{what} by decision {self.id} ({self.by}, {self.decided_on.isoformat()})"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "group": self.group,
            "not_group": self.not_group,
            "relationship": self.relationship,
            "by": self.by,
            "decided_on": self.decided_on.isoformat(),
            "note": self.note,
            # a stored evaluation names the register rows it relied on
            **({"record": self.record} if self.record is not None else {}),
        }


def check_decisions(
    data: Any, registry: Registry, source: Path | str, line_of: LineOf = lambda loc: None
) -> list[Decision]:
    """Validate decision records (a list, or ``{"decisions": [...]}``) against the registry;
    every problem at once (``engine.errors.InputErrors``)."""
    prefix: tuple[str | int, ...] = ()
    if isinstance(data, dict) and set(data) == {"decisions"}:
        data, prefix = data["decisions"], ("decisions",)
    if not isinstance(data, list):
        raise InputError(
            source,
            "a vendor decisions file is a list of records under 'decisions:' (id, name, group "
            "or not_group, by, decided_on)",
            line=1,
        )
    problems: list[InputError] = []

    def problem(loc: tuple[str | int, ...], message: str) -> None:
        full = (*prefix, *loc)
        problems.append(
            InputError(source, message, line=line_of(full), field=".".join(map(str, full)))
        )

    out: list[Decision] = []
    ids: dict[str, int] = {}
    keys: dict[str, int] = {}
    for i, raw in enumerate(data):
        if not isinstance(raw, dict):
            problem((i,), "a decision must be a mapping")
            continue
        try:
            rec = _DecisionInput.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                problem((i, *err["loc"]), err["msg"])
            continue
        for field, group in (("group", rec.group), ("not_group", rec.not_group)):
            if group is not None and group not in registry.groups:
                problem((i, field), f"unknown vendor group {group!r}; see registry/vendors.yaml")
        if rec.id in ids:
            problem((i, "id"), f"duplicate decision id {rec.id!r} (also record {ids[rec.id]})")
        ids.setdefault(rec.id, i)
        key = normalise(rec.name)
        if key in keys:
            problem((i, "name"), f"{rec.name!r} is already decided by record {keys[key]}")
        keys.setdefault(key, i)
        out.append(
            Decision(
                rec.id,
                rec.name,
                key,
                rec.group,
                rec.not_group,
                rec.relationship,
                rec.by,
                rec.decided_on,
                rec.note,
                str(source),
                line_of((*prefix, i)),
            )
        )
    raise_all(problems)
    return out


def load_decisions(path: Path, registry: Registry) -> list[Decision]:
    doc = load_yaml(path)
    return check_decisions(doc.data, registry, path, doc.line_of)


def with_register(found: Sequence[Decision], stored: Sequence[Decision]) -> list[Decision]:
    """The decisions of a file and of the register together. A name decided in both (compared
    as the registry compares names) is an input error naming both places: which answer counts
    would otherwise be a silent rule, and a file that repeats the register is a copy that can
    drift from it. The same id in both is refused for the same reason."""
    by_key = {d.key: d for d in stored}
    by_id = {d.id: d for d in stored}
    problems: list[InputError] = []
    for decision in found:
        other = by_key.get(decision.key)
        if other is not None:
            problems.append(
                InputError(
                    decision.source,
                    f"{decision.name!r} (decision {decision.id}) is also decided in the "
                    f"register: decision {other.id}, {other.where()}; keep one",
                    line=decision.line,
                    field="name",
                )
            )
        elif decision.id in by_id:
            problems.append(
                InputError(
                    decision.source,
                    f"decision {decision.id} is also in the register "
                    f"({by_id[decision.id].where()}); keep one",
                    line=decision.line,
                    field="id",
                )
            )
    raise_all(problems)
    return [*found, *stored]


def apply_decisions(
    matches: dict[str, VendorMatch], decisions: Sequence[Decision], registry: Registry
) -> tuple[dict[str, VendorMatch], list[Decision]]:
    """The matches with the decisions applied, and the decisions that applied (for the report).

    A confirmation replaces the match of its name; a rejection clears a match (or a review) of
    that name in the rejected group and leaves any other answer of the matcher alone."""
    by_key = {d.key: d for d in decisions}
    out = dict(matches)
    used: dict[str, Decision] = {}
    for vendor, match in matches.items():
        decision = by_key.get(normalise(vendor))
        if decision is None:
            continue
        if decision.group is not None:
            out[vendor] = VendorMatch(
                vendor,
                decision.group,
                registry.groups[decision.group].name,
                decision.relationship,
                1.0,
                MatchMethod.DECISION,
                False,
                decision.sentence(),
            )
        elif match.group == decision.not_group:
            out[vendor] = replace(
                match,
                group=None,
                entity=None,
                relationship=None,
                score=1.0,
                method=MatchMethod.DECISION,
                needs_review=False,
                note=decision.sentence(),
            )
        else:
            continue
        used[decision.id] = decision
    return out, [used[k] for k in sorted(used)]
