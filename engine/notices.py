"""Notices: what qualifies a whole evaluation, said before any finding.

A finding answers "what does this law ask of me"; a notice answers "can I rely on this answer at
all": the operator holds no role, a role it declares has lapsed, a waiver is refused, the law is
encoded as of an earlier day. Each has a ``code`` (``engine.outcomes.NoticeCode``) that a program
can act on, the sentence a person reads, and the facts the sentence was made from, so that a
procurement system never has to parse English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dutybound.engine.outcomes import NoticeCode


@dataclass(frozen=True)
class Notice:
    code: NoticeCode
    message: str
    # the facts behind the message (role ids, dates, waiver ids), as JSON values
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details}

    def __str__(self) -> str:
        return self.message


def notice_message(notice: str | dict[str, Any]) -> str:
    """The sentence of a notice from a report's JSON: reports written before notices had codes
    hold bare strings, and ``verify-report`` and the templates must still read them."""
    return notice if isinstance(notice, str) else str(notice.get("message", ""))


def evaluator_notice(text: str) -> Notice:
    """The notice ``engine.evaluators.get_evaluator`` gives as text when it fell back."""
    return Notice(NoticeCode.EVALUATOR_FALLBACK, text)
