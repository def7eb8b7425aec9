"""The law as typed data: instruments, designations, roles and obligations.

These models know nothing about any country. A jurisdiction folder fills them from YAML; the
loader (``engine.loading``) validates them and the compiler (``engine.rules``) turns obligations
into rules. Every model forbids unknown keys so that a misspelt field in a law file is an error
with a file and line, never a silently ignored condition.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from dutybound.engine import vocabulary as vocab
from dutybound.engine.vocabulary import Binding, ObligationKind

ID_PATTERN = r"^[a-z]{2}(\.[a-z0-9][a-z0-9_\-]*)+$"


class LawModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_vocab(values: list[str] | None, allowed: frozenset[str], what: str) -> list[str] | None:
    if values is None:
        return None
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; allowed: {sorted(allowed)}")
    if not values:
        raise ValueError(f"empty {what} list; omit the key to mean 'any'")
    return sorted(set(values))


class SecondarySource(LawModel):
    """Commentary on a piece of law (a law firm's note, a press report, a research sheet): useful
    to a reader, never the law itself. Shown apart from the official text, as secondary."""

    url: str = Field(pattern=r"^https?://")
    title: str | None = None


class Source(LawModel):
    """What every piece of law carries so that a reader can check it.

    ``url`` is the official text (a legislation site, a gazette, the issuing authority's own
    page), deep-linked to the provision where the site allows; ``sources`` holds commentary.
    Where no official text is published (a direction given only to its addressees), ``url`` may
    point elsewhere, and ``url_reason`` must say why: the pack's source check
    (``engine.sources``) accepts a non-official URL only with that reason.
    ``verified: true`` means the fact was seen in the text ``url`` points at.
    """

    citation: str = Field(min_length=3)
    url: str = Field(pattern=r"^https?://")
    verified: bool
    note: str | None = None
    url_reason: str | None = Field(default=None, min_length=10)
    sources: list[SecondarySource] = Field(default_factory=list)
    # the operative words in the original language, where the research gives them
    text_original: str | None = None


class Instrument(LawModel):
    """A statute, decree, warning, direction, guidance document or contract."""

    id: str = Field(pattern=ID_PATTERN)
    type: str
    title: str
    title_original: str | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    authority: str
    citation: str
    # None where the sources do not give the date: never a placeholder
    adopted: dt.date | None = None
    in_force: dt.date | None = None
    ended: dt.date | None = None
    url: str = Field(pattern=r"^https?://")
    binding: Binding
    verified: bool
    note: str | None = None
    # why ``url`` is not an official text, where none is published (see ``Source``)
    url_reason: str | None = Field(default=None, min_length=10)
    sources: list[SecondarySource] = Field(default_factory=list)
    # the operative words of the provision in the original language, where the research gives
    # them, so that a lawyer reading that language can check the encoding against the text
    text_original: str | None = None
    # for a proposal (type "proposal"): where it stands ("Commission proposal", "second reading")
    stage: str | None = None

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        if value not in vocab.INSTRUMENT_TYPES:
            raise ValueError(
                f"unknown instrument type {value!r}; allowed: {sorted(vocab.INSTRUMENT_TYPES)}"
            )
        return value

    @model_validator(mode="after")
    def _dates(self) -> Instrument:
        if self.in_force and self.adopted and self.in_force < self.adopted:
            raise ValueError("in_force is before adopted")
        start = self.start
        if self.ended and start and self.ended <= start:
            raise ValueError("ended is not after the instrument took effect")
        return self

    @property
    def start(self) -> dt.date | None:
        """The earliest date the instrument is known to exist."""
        return self.adopted or self.in_force


class CoveredScope(LawModel):
    """What a designation itself covers, where its text limits it (a Covered List entry reaches
    Hikvision's video-surveillance and telecommunications equipment only where used for public
    safety, government facilities, critical infrastructure or national security). An obligation
    that relies on several designations (``AssetScope.designations``) takes each one's limits."""

    categories: list[str] | None = None
    functions: list[str] | None = None
    networks: list[str] | None = None
    uses: list[str] | None = None

    @model_validator(mode="after")
    def _vocab(self) -> CoveredScope:
        _check_vocab(self.categories, vocab.CATEGORIES, "categories")
        _check_vocab(self.functions, vocab.FUNCTIONS, "functions")
        _check_vocab(self.networks, vocab.NETWORKS, "networks")
        _check_vocab(self.uses, vocab.USES, "uses")
        return self


class Designation(Source):
    """An instrument naming vendor groups, from a date, for a product scope or use."""

    id: str = Field(pattern=ID_PATTERN)
    vendor_groups: list[str] = Field(min_length=1)
    # Which relationships to a named group the instrument reaches (its own law decides: the US
    # says "subsidiary or affiliate", the UK notice lists a corporate group).
    relationships: list[str] = Field(
        default_factory=lambda: ["parent", "subsidiary", "affiliate", "brand"]
    )
    since: dt.date
    ended: dt.date | None = None
    scope: str
    # the scope's limits as data, for obligations that rely on several designations
    covers: CoveredScope | None = None

    @field_validator("relationships")
    @classmethod
    def _relationships(cls, value: list[str]) -> list[str]:
        return _check_vocab(value, vocab.RELATIONSHIPS, "relationships") or []


class AssetScope(LawModel):
    """Which assets an obligation reaches. A missing key means 'any value'."""

    designation: str | None = None
    # several designations, one rule each: the loader expands the obligation into one part per
    # designation (id ``<obligation id>.<last segment of the designation id>``), each part with
    # the designation's own ``covers`` limits where the obligation sets none, and its own dates
    designations: list[str] | None = Field(default=None, min_length=2)
    vendor_groups: list[str] | None = None
    relationships: list[str] | None = None
    categories: list[str] | None = None
    functions: list[str] | None = None
    networks: list[str] | None = None
    uses: list[str] | None = None
    statuses: list[str] = Field(default_factory=lambda: ["installed", "planned", "in_procurement"])
    flags_all: list[str] | None = None
    flags_none: list[str] | None = None
    # Countries whose assets are reached; None = the jurisdiction's territory.
    countries: list[str] | None = None
    # Countries of production reached (categorical rules such as "foreign-produced"); tested
    # against the inventory's `origin` column.
    origins: list[str] | None = Field(default=None, min_length=1)
    # "Produced in a foreign country": any known origin except these.
    origins_not: list[str] | None = Field(default=None, min_length=1)
    # True where the law reaches the operator's assets wherever they are (e.g. US s.889(a)(1)(B)).
    anywhere: bool = False

    @model_validator(mode="after")
    def _vocab(self) -> AssetScope:
        _check_vocab(self.categories, vocab.CATEGORIES, "categories")
        _check_vocab(self.functions, vocab.FUNCTIONS, "functions")
        _check_vocab(self.networks, vocab.NETWORKS, "networks")
        _check_vocab(self.uses, vocab.USES, "uses")
        _check_vocab(self.statuses, vocab.STATUSES, "statuses")
        _check_vocab(self.flags_all, vocab.FLAGS, "flags_all")
        _check_vocab(self.flags_none, vocab.FLAGS, "flags_none")
        _check_vocab(self.relationships, vocab.RELATIONSHIPS, "relationships")
        if (
            sum(x is not None for x in (self.designation, self.designations, self.vendor_groups))
            > 1
        ):
            raise ValueError("give one of designation, designations or vendor_groups")
        for code in [*(self.countries or []), *(self.origins or []), *(self.origins_not or [])]:
            if len(code) != 2 or not code.isalpha() or not code.isupper():
                raise ValueError(f"{code!r} is not a two-letter upper-case ISO country code")
        if self.origins and self.origins_not:
            raise ValueError("give either origins or origins_not, not both")
        if self.anywhere and self.countries:
            raise ValueError("anywhere: true and countries exclude each other")
        return self


class Window(LawModel):
    """When an obligation applies: from ``from`` (inclusive) until ``ended`` (exclusive)."""

    from_: dt.date = Field(alias="from")
    ended: dt.date | None = None

    @model_validator(mode="after")
    def _order(self) -> Window:
        if self.ended and self.ended <= self.from_:
            raise ValueError("ended must be after from")
        return self

    def contains(self, day: dt.date) -> bool:
        return self.from_ <= day and (self.ended is None or day < self.ended)


class Deadline(LawModel):
    """A fixed date, or N calendar/business days after a trigger event."""

    date: dt.date | None = None
    # "year": due every year on the month and day of ``date``, from ``date`` on, for as long as
    # the obligation applies (an annual report). The finding is due on the next such day; a
    # past year's filing is recorded with an attestation (engine.attestations).
    every: Literal["year"] | None = None
    days: int | None = Field(default=None, ge=0)
    calendar: Literal["calendar", "business"] = "calendar"
    # effective: the obligation's start (e.g. a warning's publication);
    # asset_identified: the day the operator identified the asset (inventory column identified_on).
    after: Literal["effective", "asset_identified"] | None = None

    @model_validator(mode="after")
    def _shape(self) -> Deadline:
        fixed = self.date is not None
        relative = self.days is not None or self.after is not None
        if fixed == relative:
            raise ValueError("give either date, or days with after")
        if relative and (self.days is None or self.after is None):
            raise ValueError("a relative deadline needs both days and after")
        if self.every and not fixed:
            raise ValueError("a recurring deadline needs the date of its first occurrence")
        if self.every and self.date and (self.date.month, self.date.day) == (2, 29):
            raise ValueError("a yearly deadline cannot fall on 29 February")
        return self

    def next_on_or_after(self, day: dt.date) -> dt.date:
        """The occurrence of a yearly deadline on or after ``day`` (its first, if later)."""
        assert self.date is not None and self.every == "year"
        if day <= self.date:
            return self.date
        this_year = self.date.replace(year=day.year)
        return this_year if this_year >= day else self.date.replace(year=day.year + 1)

    def describe(self) -> str:
        if self.date and self.every == "year":
            return f"each year on {self.date:%d %B} (first {self.date.isoformat()})"
        if self.date:
            return self.date.isoformat()
        unit = "business day" if self.calendar == "business" else "calendar day"
        plural = "" if self.days == 1 else "s"
        event = {
            "effective": "the obligation took effect",
            "asset_identified": "the asset is identified",
        }[self.after or "effective"]
        return f"{self.days} {unit}{plural} after {event}"


class Cap(LawModel):
    """A ceiling on the share of a scope that a designated vendor may hold."""

    max_share: float = Field(gt=0, lt=1)
    measure: Literal["quantity"] = "quantity"


_TEXT = TypeAdapter(str)
_KINDS = sorted(k.value for k in ObligationKind)


class Obligation(Source):
    id: str = Field(pattern=ID_PATTERN)
    kind: ObligationKind
    title: str
    # The duty in plain words, completing "the operator ...": "must remove Huawei equipment
    # from the network core".
    duty: str
    roles: list[str] = Field(min_length=1)
    assets: AssetScope | None = None
    effective: Window
    deadline: Deadline | None = None
    cap: Cap | None = None
    # True where this duty of the operator itself (no ``assets`` scope) is a condition of buying
    # from a designated vendor: notify the GCSB before the change (NZ TICSA s.48), comply with
    # any order on the manufacturer's components (DE s.41 BSIG), connect only trusted products
    # (India's licence amendment of 2021). While it binds, the procurement gate (engine.verdict)
    # never answers "allowed" for an item of a vendor group the registry lists, used in the
    # jurisdiction's territory: a prohibition sends the item to "review" (whether the item falls
    # under it is a fact the data does not hold), any other kind makes it "conditional" on the
    # duty. An obligation with an assets scope reaches the item itself and needs no flag.
    precondition_of_purchase: bool = False

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        # a string first, then one of the kinds, each with its own message (naming every kind)
        text = _TEXT.validate_python(value)
        if text not in _KINDS:
            raise ValueError(f"unknown kind {text!r}; allowed: {_KINDS}")
        return text

    @model_validator(mode="after")
    def _consistency(self) -> Obligation:
        if (self.kind is ObligationKind.CAP) != (self.cap is not None):
            raise ValueError("kind 'cap' and a cap block go together")
        if self.cap and self.assets is None:
            raise ValueError("a cap needs an assets scope to measure")
        if self.deadline and self.deadline.date and self.deadline.date < self.effective.from_:
            raise ValueError("deadline is before the obligation takes effect")
        if self.deadline and self.deadline.after == "asset_identified" and self.assets is None:
            raise ValueError("a deadline after asset identification needs an assets scope")
        if self.precondition_of_purchase and self.assets is not None:
            raise ValueError(
                "precondition_of_purchase is for duties of the operator itself (no assets "
                "scope); an obligation with an assets scope reaches the item directly"
            )
        if self.precondition_of_purchase and self.kind in (
            ObligationKind.REMOVAL,
            ObligationKind.CAP,
        ):
            raise ValueError(f"a {self.kind} is not a condition of a purchase")
        return self


class RoleCondition(LawModel):
    """One test in a role derivation: holding a role, a sector, or an attribute comparison."""

    role: str | None = None
    sector: str | None = None
    attribute: str | None = None
    gte: float | None = None
    lt: float | None = None
    equals: str | float | bool | None = None

    @model_validator(mode="after")
    def _one(self) -> RoleCondition:
        subjects = [x for x in (self.role, self.sector, self.attribute) if x is not None]
        if len(subjects) != 1:
            raise ValueError("a condition tests exactly one of role, sector, attribute")
        if (
            self.attribute is not None
            and self.gte is None
            and self.lt is None
            and self.equals is None
        ):
            raise ValueError("an attribute condition needs gte, lt or equals")
        return self


class Role(LawModel):
    """A legal status an operator can hold; derived ones follow from the profile's numbers.

    A status exists only while the law that creates it does: a Czech "administrator of a critical
    information infrastructure system" under Act 181/2014 Coll. stopped existing on 1 Nov 2025,
    and a UK "Tier 1 provider" did not exist before the Code of Practice of December 2022. An
    operator that still declares a lapsed status must be told so, and which status replaced it,
    instead of silently getting no obligation.
    """

    id: str = Field(pattern=ID_PATTERN)
    title: str
    citation: str
    verified: bool
    derive_all: list[RoleCondition] | None = None
    # The instrument whose law creates the status: the role exists from that instrument's start
    # (adopted, else in force) until its ``ended`` (exclusive). None where the status exists in
    # law the pack does not encode (e.g. a general telecoms statute) or is a factual class that
    # instruments only address; such a role has no window of its own.
    instrument: str | None = None
    # The roles that replace this one when its instrument ends (Act 181/2014 Coll. obliged persons
    # -> Act 264/2025 Coll. regulated-service regimes), so that a lapsed role can point the
    # operator at the status to declare now. Only where the successor law says so.
    successors: list[str] = Field(default_factory=list)
    note: str | None = None


class Attribute(LawModel):
    id: str = Field(pattern=ID_PATTERN)
    type: Literal["number", "boolean", "string"]
    description: str


class Calendar(LawModel):
    country: str
    subdiv: str | None = None


class JurisdictionInfo(LawModel):
    code: str = Field(pattern=r"^[A-Z]{2}$")
    name: str
    territory: list[str] = Field(min_length=1)
    # hosts whose pages are official texts for this jurisdiction (a legislation site, gazette,
    # ministry or regulator): a URL on one of them, or a subdomain, counts as official
    official_domains: list[str] = Field(default_factory=list)
    calendar: Calendar
    roles: list[Role]
    attributes: list[Attribute] = Field(default_factory=list)


class Period(LawModel):
    """A length of time counted from a decision: years, months and days."""

    years: int = Field(default=0, ge=0)
    months: int = Field(default=0, ge=0)
    days: int = Field(default=0, ge=0)

    def after(self, day: dt.date) -> dt.date:
        """The date this period after ``day`` (a month end stays a month end: 31 Jan + 1 month
        is 28 or 29 Feb)."""
        month = day.month - 1 + self.months + 12 * self.years
        year, month = day.year + month // 12, month % 12 + 1
        for last in (31, 30, 29, 28):
            try:
                moved = day.replace(year=year, month=month, day=min(day.day, last))
                break
            except ValueError:
                continue
        return moved + dt.timedelta(days=self.days)

    def describe(self) -> str:
        parts = [
            f"{n} {unit}{'' if n == 1 else 's'}"
            for n, unit in ((self.years, "year"), (self.months, "month"), (self.days, "day"))
            if n
        ]
        return " and ".join(parts) or "no time"


class PowerDuty(LawModel):
    """A duty that a use of the power brings into force for the operators it reaches."""

    id: str = Field(pattern=ID_PATTERN)
    kind: ObligationKind
    title: str
    duty: str
    # which of the named vendor's assets it reaches (no designation or vendor group: the
    # decision names the vendor)
    assets: AssetScope
    # when the duty takes effect, counted from the decision (none: from the decision's day)
    effective_after: Period = Field(default_factory=Period)
    # the deadline, counted from the decision, where the law sets one
    deadline_after: Period | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _scope(self) -> PowerDuty:
        if self.assets.designation or self.assets.designations or self.assets.vendor_groups:
            raise ValueError("a power's duty reaches the vendor its decision names: no vendor here")
        return self


class Power(Source):
    """A power an authority may use (declare a supplier high-risk, prohibit a manufacturer's
    components, direct a provider) that brings duties into force once used.

    Unused, it gives no finding, only a latent exposure ("if the minister designates Huawei,
    these assets must be withdrawn within 7 years"). A decision under it is encoded as a
    designation with its date; until one exists, ``--assume-designation`` asks what-if."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    authority: str = Field(min_length=3)
    # what a decision under the power names
    names: Literal["supplier", "product", "component_type"] = "supplier"
    roles: list[str] = Field(min_length=1)
    duties: list[PowerDuty] = Field(min_length=1)
    # designations already made under this power (the UK's designation of Huawei under s.105Z8):
    # the law in force covers their vendors, so no latent exposure is shown for them
    used: list[str] = Field(default_factory=list)


class InstrumentFile(LawModel):
    """One file per instrument: the instrument and what it designates, obliges and empowers."""

    instrument: Instrument
    designations: list[Designation] = Field(default_factory=list)
    obligations: list[Obligation] = Field(default_factory=list)
    powers: list[Power] = Field(default_factory=list)

    @model_validator(mode="after")
    def _proposal(self) -> InstrumentFile:
        if self.instrument.type == "proposal" and (
            self.designations or self.obligations or self.powers
        ):
            raise ValueError(
                "a proposal is not law: it designates, obliges and empowers nothing (list it "
                "with its stage; encode its duties when it is adopted)"
            )
        return self


class WaiverCoverage(LawModel):
    """Which obligations a waiver basis can cover: named obligations, every obligation of named
    instruments, or both."""

    obligations: list[str] | None = Field(default=None, min_length=1)
    instruments: list[str] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _some(self) -> WaiverCoverage:
        if not self.obligations and not self.instruments:
            raise ValueError("name the obligations or the instruments this basis can cover")
        return self


class WaiverBasis(Source):
    """A legal power under which an operator may be excused from an obligation for a time: a
    statutory waiver, a variation of a direction, a documented risk decision a warning allows.

    ``available_from`` is the first day a waiver under it can be granted or be in effect;
    ``last_day`` is the last day one can be in effect (inclusive, as statutes word it: "not past
    13 August 2022"), or None where the law sets no sunset. A waiver under a basis with a sunset
    must carry its own expiry date (see ``engine.waivers``).
    """

    id: str = Field(pattern=ID_PATTERN)
    title: str
    # who grants or adopts a waiver under this basis
    authority: str = Field(min_length=3)
    covers: WaiverCoverage
    available_from: dt.date
    last_day: dt.date | None = None

    @model_validator(mode="after")
    def _dates(self) -> WaiverBasis:
        if self.last_day is not None and self.last_day < self.available_from:
            raise ValueError("last_day is before available_from")
        return self

    def covers_obligation(self, obligation_id: str, instrument_id: str) -> bool:
        return obligation_id in (self.covers.obligations or ()) or instrument_id in (
            self.covers.instruments or ()
        )


class WaiverBasisFile(LawModel):
    """``<code>/waivers.yaml``: the legal bases for waivers and exceptions in one jurisdiction."""

    waiver_bases: list[WaiverBasis] = Field(min_length=1)
