"""Waivers and exceptions: an operator's records of being excused from an obligation for a time.

The law side is data (``engine.law.WaiverBasis``, one ``<code>/waivers.yaml`` per jurisdiction):
who may grant a waiver, which obligations it can cover, and the dates within which one can be in
effect. The user side is a list of waiver records (a YAML file, later a database register), each
naming the operator, the obligation, optionally the assets, the basis, the document reference, the
approver and the dates.

Three outcomes, kept apart on purpose:

- an **error** (``InputError`` naming file, line and field): the record is malformed, names an
  unknown basis or obligation, or a basis that cannot cover that obligation. Nothing runs.
- a **refusal**: the record is well formed but the law did not allow it: granted before the
  basis existed or after it lapsed, or running past the basis's last day (e.g. an s.889
  agency-head waiver of the use prohibition after 13 Aug 2022). A refused waiver waives nothing;
  it is reported with the reason and the citation.
- a **standing** on a date (``engine.outcomes.Standing``): ``in_effect`` (granted_on <= date <
  expires_on), ``not_yet_in_effect``, ``expired`` or ``refused``.

Dates: ``expires_on`` is the first day the waiver no longer applies (exclusive), so a waiver
"expiring 2022-08-13" is in effect up to and including 12 Aug 2022. A basis's ``last_day`` is
inclusive, as statutes word it. ``expires_on`` is required unless the basis has no sunset
(``last_day`` is None, e.g. a DNI waiver under s.889(d)(2)); without it the waiver runs until the
record is withdrawn.

Parsing is separate from reading files: ``check_waivers`` validates parsed mappings with a
``line_of`` callback (as ``engine.inputs.check_profile`` does), so a database-backed register or
an HTTP request can use it unchanged; ``load_waivers`` reads a YAML file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dutybound.engine.errors import InputError
from dutybound.engine.law import WaiverBasis
from dutybound.engine.loading import RulePack
from dutybound.engine.outcomes import FindingStatus, Standing
from dutybound.engine.yamlfile import load_yaml

LineOf = Callable[[Sequence[str | int]], int | None]

# The name the CLI's ``waivers check`` still imports; new code uses ``Standing.REFUSED``.
REFUSED = Standing.REFUSED


class _WaiverInput(BaseModel):
    """The shape of one record, as written by a user."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    operator: str = Field(min_length=1)
    obligation: str = Field(min_length=1)
    assets: list[str] | None = Field(default=None, min_length=1)
    basis: str = Field(min_length=1)
    reference: str = Field(min_length=1)
    approver: str = Field(min_length=1)
    granted_on: dt.date
    expires_on: dt.date | None = None
    note: str | None = None

    @field_validator("granted_on", "expires_on", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        # a date only as YAML's date or an ISO string: pydantic would also take a number as a
        # Unix timestamp, which no one means in a waiver register
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}")

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
class Waiver:
    """One validated waiver record. ``assets`` None means every asset of the obligation (or the
    operator's own duty); ``source`` and ``line`` say where it was read, for messages."""

    id: str
    operator: str
    obligation: str
    basis: str
    reference: str
    approver: str
    granted_on: dt.date
    expires_on: dt.date | None = None
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
            "basis": self.basis,
            "reference": self.reference,
            "approver": self.approver,
            "granted_on": self.granted_on.isoformat(),
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "note": self.note,
        }


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def refusal(waiver: Waiver, basis: WaiverBasis) -> str | None:
    """Why the law does not allow this waiver, citing the basis; None if its dates are allowed."""
    law = f"{basis.title} [{basis.citation}]"
    if waiver.granted_on < basis.available_from:
        return (
            f"granted on {_fmt(waiver.granted_on)}, before a waiver under {law} could be "
            f"granted (from {_fmt(basis.available_from)})"
        )
    if basis.last_day is None:
        return None
    if waiver.granted_on > basis.last_day:
        return (
            f"granted on {_fmt(waiver.granted_on)}, after the power had lapsed: no waiver "
            f"under {law} could be in effect after {_fmt(basis.last_day)}"
        )
    assert waiver.expires_on is not None  # required by check_waivers when there is a last day
    last_in_effect = waiver.expires_on - dt.timedelta(days=1)
    if last_in_effect > basis.last_day:
        return (
            f"expires on {_fmt(waiver.expires_on)}, so it would run past "
            f"{_fmt(basis.last_day)}, the last day a waiver under {law} could be in effect"
        )
    return None


@dataclass(frozen=True)
class WaiverStanding:
    """A waiver's standing on a date, with the reason in words."""

    waiver: Waiver
    basis: WaiverBasis
    state: Standing
    reason: str

    def to_json(self) -> dict[str, Any]:
        w, b = self.waiver, self.basis
        return {
            **w.to_json(),
            "standing": self.state,
            "reason": self.reason,
            "basis_title": b.title,
            "citation": b.citation,
            "authority": b.authority,
            "url": b.url,
            "verified": b.verified,
        }


def standing(waiver: Waiver, pack: RulePack, as_of: dt.date) -> WaiverStanding:
    """Where the waiver stands on ``as_of`` (it must have passed ``check_waivers``)."""
    basis = pack.waiver_bases[waiver.basis]
    refused = refusal(waiver, basis)
    if refused is not None:
        return WaiverStanding(waiver, basis, Standing.REFUSED, "refused: " + refused)
    if as_of < waiver.granted_on:
        return WaiverStanding(
            waiver,
            basis,
            Standing.NOT_YET_IN_EFFECT,
            f"granted on {_fmt(waiver.granted_on)}; not yet in effect",
        )
    if waiver.expires_on is not None and as_of >= waiver.expires_on:
        return WaiverStanding(
            waiver, basis, Standing.EXPIRED, f"expired on {_fmt(waiver.expires_on)}"
        )
    if basis.last_day is not None and as_of > basis.last_day:  # defensive: see refusal()
        return WaiverStanding(
            waiver, basis, Standing.EXPIRED, f"the basis lapsed after {_fmt(basis.last_day)}"
        )
    until = (
        f"until it expires on {_fmt(waiver.expires_on)}"
        if waiver.expires_on
        else "with no expiry date (the basis has no sunset)"
    )
    return WaiverStanding(
        waiver, basis, Standing.IN_EFFECT, f"in effect since {_fmt(waiver.granted_on)}, {until}"
    )


def standings(waivers: Iterable[Waiver], pack: RulePack, as_of: dt.date) -> list[WaiverStanding]:
    return [standing(w, pack, as_of) for w in sorted(waivers, key=lambda w: w.id)]


def check_waivers(
    data: Any,
    pack: RulePack,
    source: Path | str,
    line_of: LineOf = lambda loc: None,
    operator: str | None = None,
) -> list[Waiver]:
    """Validate waiver records given as parsed data (a list of mappings, or ``{"waivers": [...]}``)
    against the rule pack. Raises ``InputError`` naming the source, line and field.

    With ``operator``, every record must be for that operator (the profile's ``name``): a waiver
    recorded under a misspelt name would otherwise be silently ignored.
    """
    prefix: tuple[str | int, ...] = ()
    if isinstance(data, dict) and set(data) == {"waivers"}:
        data, prefix = data["waivers"], ("waivers",)
    if not isinstance(data, list):
        raise InputError(
            source,
            "a waivers file must be a list of waiver records (id, "
            "operator, obligation, basis, reference, approver, granted_on, ...)",
            line=1,
        )

    def fail(loc: tuple[str | int, ...], message: str) -> InputError:
        full = (*prefix, *loc)
        return InputError(source, message, line=line_of(full), field=".".join(str(p) for p in full))

    out: list[Waiver] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(data):
        if not isinstance(raw, dict):
            raise fail((i,), "a waiver record must be a mapping")
        try:
            rec = _WaiverInput.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise fail((i, *err["loc"]), err["msg"]) from None
        if rec.id in seen:
            raise fail((i, "id"), f"duplicate waiver id {rec.id!r} (also record {seen[rec.id]})")
        seen[rec.id] = i
        if operator is not None and rec.operator != operator:
            raise fail(
                (i, "operator"), f"waiver is for {rec.operator!r}, but the profile is {operator!r}"
            )
        basis = pack.waiver_bases.get(rec.basis)
        if basis is None:
            raise fail(
                (i, "basis"),
                f"unknown waiver basis {rec.basis!r}; this rule pack has "
                f"{sorted(pack.waiver_bases)}",
            )
        try:
            item = pack.obligation(rec.obligation)
        except KeyError:
            raise fail(
                (i, "obligation"),
                f"unknown obligation {rec.obligation!r}; see 'dutybound law list'",
            ) from None
        if not basis.covers_obligation(item.obligation.id, item.instrument.id):
            covered = sorted(
                {
                    *(basis.covers.obligations or []),
                    *(f"every obligation of {x}" for x in basis.covers.instruments or []),
                }
            )
            raise fail(
                (i, "obligation"),
                f"{basis.title} [{basis.citation}] cannot cover "
                f"{rec.obligation!r}; it covers {', '.join(covered)}",
            )
        if rec.assets is not None and item.obligation.assets is None:
            raise fail(
                (i, "assets"),
                f"{rec.obligation!r} is a duty of the operator itself, not of assets; omit assets",
            )
        if rec.expires_on is None and basis.last_day is not None:
            raise fail(
                (i, "expires_on"),
                f"required: a waiver under {basis.title} "
                f"[{basis.citation}] cannot be in effect after {_fmt(basis.last_day)}",
            )
        if rec.expires_on is not None and rec.expires_on <= rec.granted_on:
            raise fail((i, "expires_on"), "must be after granted_on")
        out.append(
            Waiver(
                id=rec.id,
                operator=rec.operator,
                obligation=rec.obligation,
                basis=rec.basis,
                reference=rec.reference,
                approver=rec.approver,
                granted_on=rec.granted_on,
                expires_on=rec.expires_on,
                assets=tuple(rec.assets) if rec.assets is not None else None,
                note=rec.note,
                source=str(source),
                line=line_of((*prefix, i)),
            )
        )
    return out


def load_waivers(path: Path, pack: RulePack, operator: str | None = None) -> list[Waiver]:
    """Read and validate a waivers YAML (or JSON) file; see ``check_waivers``."""
    doc = load_yaml(path)
    return check_waivers(doc.data, pack, path, doc.line_of, operator)


# --- applying waivers to findings -------------------------------------------------------------


def finding_waiver_json(
    st: WaiverStanding, covered: list[str] | None, partial: bool
) -> dict[str, Any]:
    """A waiver as it appears inside a finding's JSON."""
    w, b = st.waiver, st.basis
    return {
        "id": w.id,
        "standing": st.state,
        "basis": b.id,
        "basis_title": b.title,
        "citation": b.citation,
        "authority": b.authority,
        "url": b.url,
        "verified": b.verified,
        "approver": w.approver,
        "reference": w.reference,
        "granted_on": w.granted_on.isoformat(),
        "expires_on": w.expires_on.isoformat() if w.expires_on else None,
        "assets": covered,
        "partial": partial,
        "reason": st.reason,
    }


def _ids(ids: list[str]) -> str:
    if len(ids) <= 5:
        return ", ".join(ids)
    return f"{', '.join(ids[:3])} and {len(ids) - 3} more"


def waiver_sentences(
    st: WaiverStanding,
    covered: list[str] | None,
    remaining: list[str],
    status: FindingStatus,
    live: bool,
) -> str:
    """The explanation a compliance officer reads for one waiver attached to a finding.

    ``covered`` are the finding's assets the waiver names (None: all, or the operator's duty);
    ``remaining`` are the finding's assets no waiver in effect covers; ``live`` says whether the
    obligation binds on the date (its status is in ``engine.outcomes.APPLYING``: only then can
    it be waived)."""
    w, b = st.waiver, st.basis
    who = (
        f"Waiver {w.id} (ref. {w.reference}), granted by {w.approver} on "
        f"{_fmt(w.granted_on)} under {b.title} [{b.citation}]"
    )
    until = (
        f"until it expires on {_fmt(w.expires_on)}"
        if w.expires_on
        else "with no expiry date (the basis has no sunset)"
    )
    scope = "" if covered is None else f" for {_ids(covered)}"
    if st.state == Standing.REFUSED:
        text = (
            f"Waiver {w.id} (ref. {w.reference}), granted by {w.approver} on "
            f"{_fmt(w.granted_on)}, is {st.reason}; it waives nothing."
        )
    elif st.state == Standing.NOT_YET_IN_EFFECT:
        text = f"{who} is not yet in effect."
    elif st.state == Standing.EXPIRED:
        text = f"{who} {st.reason}; the obligation applies again."
    elif not live:
        text = f"{who} is in effect{scope} {until}."
    elif remaining:
        text = (
            f"{who} covers only {_ids(covered or [])}; the obligation stays "
            f"{status.replace('_', ' ')} for {_ids(remaining)}."
        )
    else:
        text = f"{who} waives it{scope} {until}."
    if not b.verified:
        text += f" UNVERIFIED waiver basis: {b.note or 'see the source'}"
    return text
