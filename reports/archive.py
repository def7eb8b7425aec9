"""Reading a report's own record back: the evaluation JSON attached to every PDF/A-3b report.

A PDF that travels to a regulator or an archive carries the machine-readable evaluation it was
made from. This module extracts it and checks it against the published output contract, so a
reader can tell whether the document is intact and which rule pack it was checked against.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from dutybound.engine.errors import InputError


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class InstrumentRef(_Open):
    id: str
    title: str
    citation: str
    url: str
    binding: str
    verified: bool


class FindingRecord(_Open):
    id: str
    jurisdiction: str
    obligation_id: str
    kind: str
    title: str
    instrument: InstrumentRef
    citation: str
    status: str
    # since rule pack 2026.12.1 (issue 15); reports made before have none
    position: str | None = None
    due: dt.date | None
    assets: list[str]
    explanation: str
    trace: dict[str, Any]


class NoticeRecord(_Open):
    """A coded notice; reports made before notices had codes hold plain strings instead."""

    code: str
    message: str


class RulePackRef(_Open):
    version: str
    sha256: str


class EvaluationRecord(_Open):
    """The public contract of ``dutybound evaluate --format json`` (see README)."""

    as_of: dt.date
    operator: dict[str, Any]
    rulepack: RulePackRef
    inputs: dict[str, Any]
    notices: list[NoticeRecord | str] = []
    findings: list[FindingRecord]


def extract_evaluation(pdf: Path) -> tuple[EvaluationRecord, str]:
    """The attached evaluation.json of a report, validated; raises InputError if absent/bad."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(pdf)
        attachments = reader.attachments
    except (OSError, PdfReadError) as exc:
        raise InputError(pdf, f"not a readable PDF ({exc.__class__.__name__})") from None
    if "evaluation.json" not in attachments:
        raise InputError(pdf, "no evaluation.json attached (not a dutybound obligation report)")
    text = attachments["evaluation.json"][0].decode("utf-8")
    try:
        record = EvaluationRecord.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise InputError(pdf, f"the attached evaluation.json is not valid: {exc}") from None
    return record, text
