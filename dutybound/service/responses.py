"""Typed response models: what the OpenAPI document tells generated clients about the answers.

The answers themselves are the engine's JSON, exactly as `dutybound check|evaluate --format json`
prints it (tests compare the two): these models describe that JSON, they do not produce it. The
endpoints that return engine JSON name them in ``responses=`` and send the engine's dict as it
is, so no key is dropped, added or reordered on the way. The closed vocabularies (verdicts,
finding statuses and positions, review and unaffected reasons, match methods, notice codes) are
the engine's own enums, so the document lists exactly the values the engine can give.

The models of the engine's records forbid keys they do not declare: tests validate real answers
against them (tests/test_service_models.py) and schemathesis checks every response against the
document, so a key the engine starts to emit fails a test until it is documented here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dutybound.engine.outcomes import (
    FindingStatus,
    MatchMethod,
    NoticeCode,
    Position,
    ReviewReason,
    UnaffectedReason,
    Verdict,
)
from dutybound.engine.vocabulary import Binding, ObligationKind


class _Closed(BaseModel):
    """A record whose keys are all declared."""

    model_config = ConfigDict(extra="forbid")


class _Open(BaseModel):
    """A record that carries further keys of its own (a notice's facts, say)."""

    model_config = ConfigDict(extra="allow")


class NoticeOut(_Open):
    """Something the reader of a result must know that is not a finding (no roles declared,
    the law is encoded as of an earlier date, a waiver was refused); the facts behind it are
    further keys (role ids, dates, waiver ids), which depend on the code."""

    code: NoticeCode
    message: str = Field(description="The notice in words.")


class VendorMatchOut(_Closed):
    """How one vendor name was resolved against the registry of covered vendor groups."""

    input: str = Field(description="The name as written.")
    group: str | None = Field(description="Covered vendor group id, e.g. huawei; null: none.")
    entity: str | None = Field(description="The registry entity the name resolved to.")
    relationship: str | None = Field(
        description="The entity's relationship to the group (parent, subsidiary, affiliate, "
        "brand, ...)."
    )
    score: float = Field(description="How closely the name matched, 0 to 1.")
    method: MatchMethod = Field(description="How it matched.")
    needs_review: bool = Field(description="A person must confirm the match (or its absence).")
    reason: str = Field(description="Why the matcher decided this, in words.")


class VendorIdentificationOut(VendorMatchOut):
    """A match with the group's name and the registry entry it rests on."""

    group_name: str | None = Field(description="The group's name, e.g. Huawei.")
    source: str | None = Field(description="URL of the registry entry's source.")
    source_verified: bool | None = Field(description="Whether that source was verified.")


class EvaluationVendorOut(VendorIdentificationOut):
    """A vendor name of the inventory that matched a group or needs review."""

    assets: int = Field(description="How many assets carry this name.")


class InstrumentOut(_Closed):
    id: str
    title: str
    title_original: str | None
    citation: str
    url: str | None
    binding: Binding
    verified: bool


class EffectiveOut(_Closed):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: dt.date = Field(alias="from", description="First day the obligation applies.")
    ended: dt.date | None = Field(description="Day it ended, if it has.")


class FindingOut(_Closed):
    """One obligation that applies to the operator on the date, with what it concerns."""

    id: str
    jurisdiction: str = Field(description="ISO code.")
    obligation_id: str
    kind: ObligationKind
    title: str
    instrument: InstrumentOut
    citation: str
    url: str | None
    verified: bool = Field(description="Obligation and instrument verified against the source.")
    status: FindingStatus
    position: Position = Field(description="Where the operator stands.")
    due: dt.date | None = Field(description="Deadline, if the obligation has one.")
    effective: EffectiveOut
    assets: list[str] = Field(description="Ids of the assets it concerns.")
    explanation: str = Field(description="The duty in a sentence, with roles and citation.")
    conditions: list[dict[str, Any]] = Field(
        description="Each condition of the law, the fact that meets it or not, and where the "
        "fact comes from."
    )
    vendor_link: list[dict[str, Any]] = Field(
        description="Per vendor name, how it resolved and what the law reaches."
    )
    note: str | None
    hypothetical: bool = Field(
        False, description="Brought by an assumed decision (what-if), not law in force."
    )
    cap: dict[str, Any] | None = Field(None, description="A quantity cap and the count held.")
    waivers: list[dict[str, Any]] | None = Field(None, description="Waivers covering it.")
    status_without_waivers: FindingStatus | None = None
    attestations: list[dict[str, Any]] | None = Field(None, description="Records of the duty done.")
    status_without_attestations: FindingStatus | None = None
    trace: dict[str, Any] = Field(description="How the engine reached the finding.")


class ReviewOut(_Closed):
    """What a person must confirm about an asset before the result can be relied on."""

    asset_id: str
    vendor: str
    reason: ReviewReason
    group: str | None = Field(None, description="The vendor group in question.")
    field: str | None = Field(None, description="The missing fact (a flag or column).")
    detail: str
    obligations: list[str] = Field(
        default_factory=list, description="Obligations the answer decides."
    )


class UnaffectedOut(_Closed):
    """Why no finding covers assets of a covered vendor group in a jurisdiction."""

    jurisdiction: str
    reason: UnaffectedReason
    detail: str
    obligations: list[str]
    vendor_groups: list[str]
    assets: list[str]


class RulepackOut(_Open):
    version: str = Field(description="Rule pack version.")
    sha256: str = Field(description="SHA-256 of the rule pack's files.")


class EvaluationJson(_Open):
    """The evaluation JSON of `dutybound evaluate --format json`."""

    as_of: dt.date
    operator: dict[str, Any] = Field(description="The operator profile as evaluated.")
    rulepack: RulepackOut
    inputs: dict[str, Any] = Field(description="Fingerprint and counts of the inputs.")
    engine: dict[str, Any] = Field(description="Engine version and evaluator.")
    notices: list[NoticeOut]
    summary: dict[str, Any] = Field(description="Counts by status and position.")
    review: list[ReviewOut]
    unaffected: list[UnaffectedOut]
    latent: list[dict[str, Any]] = Field(
        description="Duties that would apply under powers not yet used."
    )
    watch_list: list[dict[str, Any]] = Field(description="Law announced but not yet in force.")
    vendors: list[EvaluationVendorOut]
    findings: list[FindingOut]


class EvaluationOut(_Closed):
    """The evaluation JSON and where it is stored."""

    result_id: str = Field(description="Id for GET /results/{id}.")
    created_at: dt.datetime
    evaluation: EvaluationJson


class ItemOut(_Closed):
    """The item as the engine read it."""

    asset_id: str
    vendor: str
    product: str
    model: str
    category: str
    function: str
    network: str | None
    use: str | None
    country: str
    status: str
    quantity: int


class ItemVerdictOut(_Closed):
    item: ItemOut
    verdict: Verdict
    reasons: list[str] = Field(description="Why, with citations.")
    findings: list[FindingOut] = Field(description="Findings about this item.")
    review: list[ReviewOut] = Field(description="What a person must confirm.")
    preconditions: list[dict[str, Any]] = Field(
        description="Binding duties of the buyer that are a condition of buying from a "
        "designated vendor (e.g. notify the regulator first): they keep the verdict from "
        "'allowed'."
    )
    vendor_match: VendorIdentificationOut | None = Field(
        None, description="How the vendor name was resolved, with the reason in words."
    )


class CheckResponse(_Closed):
    """The same JSON as `dutybound check --format json`."""

    verdict: Verdict = Field(description="The worst item's verdict.")
    as_of: dt.date
    operator: str
    rulepack: RulepackOut
    inputs: dict[str, Any]
    engine: dict[str, Any]
    notices: list[NoticeOut]
    items: list[ItemVerdictOut]


class ScreenedNameOut(VendorIdentificationOut):
    """One distinct name of a screened list."""

    count: int = Field(description="How many times the list gives this name.")


class ScreeningOut(_Closed):
    """A screened supplier list: each distinct name once, in the order first given."""

    as_of: dt.date
    names: int = Field(description="Names given.")
    distinct: int = Field(description="Distinct names.")
    matched: int = Field(description="Distinct names matched to a covered group, not in doubt.")
    needs_review: int = Field(description="Distinct names a person must confirm.")
    results: list[ScreenedNameOut]


class ProfileSummary(_Closed):
    id: str
    tenant: str
    name: str
    created_at: dt.datetime


class ResultSummary(_Closed):
    result_id: str
    tenant: str
    as_of: dt.date
    rulepack_version: str
    rulepack_sha256: str
    created_at: dt.datetime


class Page(_Closed):
    """One page of a listing, newest first."""

    total: int = Field(description="Rows in all, over every page.")
    offset: int
    limit: int


class ProfilePage(Page):
    items: list[ProfileSummary]


class ResultPage(Page):
    items: list[ResultSummary]
