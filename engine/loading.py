"""Loading a rule pack: every jurisdiction folder, its instrument files and the vendor registry.

A rule pack is a directory::

    rulepack.yaml                      version and the date the law is encoded as of
    <code>/jurisdiction.yaml           name, territory, business-day calendar, roles, attributes
    <code>/instruments/<name>.yaml     one instrument with its designations and obligations
    <code>/waivers.yaml                optional: legal bases for waivers and exceptions

The loader validates each file against ``engine.law``, then the references between files (roles,
designations, vendor groups, dates), and fingerprints the bytes it read. It never imports Python
from a jurisdiction: a jurisdiction is data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from dutybound.engine import bundled
from dutybound.engine.cache import prune, read_entry, write_entry
from dutybound.engine.errors import InputError
from dutybound.engine.law import (
    AssetScope,
    Designation,
    Instrument,
    InstrumentFile,
    JurisdictionInfo,
    Obligation,
    Power,
    Role,
    WaiverBasis,
    WaiverBasisFile,
)
from dutybound.engine.vendors import Registry
from dutybound.engine.yamlfile import YamlDocument, load_yaml


class PackInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    law_as_of: dt.date


@dataclass(frozen=True)
class LoadedObligation:
    """An obligation with the instrument and designation it belongs to."""

    obligation: Obligation
    instrument: Instrument
    jurisdiction: str
    designation: Designation | None
    file: str  # the path read, for error messages
    source: str  # the path inside the rule pack, for traces (same on every machine)
    # for a part of an obligation relying on several designations: that obligation's id
    written_as: str | None = None
    # brought into force by an assumed use of a power (``--assume-designation``), not by law
    hypothetical: bool = False

    def window(self) -> tuple[dt.date, dt.date | None]:
        """When the obligation applies: its own window, narrowed by its instrument's end and by
        the designation it relies on. The end date is exclusive."""
        start = self.obligation.effective.from_
        ends = [d for d in (self.obligation.effective.ended, self.instrument.ended) if d]
        if self.designation is not None:
            start = max(start, self.designation.since)
            if self.designation.ended:
                ends.append(self.designation.ended)
        return start, min(ends) if ends else None

    def exists_on(self, day: dt.date) -> bool:
        """Whether the law behind the obligation existed on ``day``: its instrument was adopted
        (or, where no adoption date is known, in force) by then. Law adopted later contributes
        nothing to an evaluation as of ``day``, not even an "upcoming" item: an evaluation states
        the law as it stood, never with hindsight. Without either date the instrument's own
        ``effective.from`` stands in for it."""
        start = self.instrument.start or self.obligation.effective.from_
        return start <= day


@dataclass(frozen=True)
class LoadedPower:
    """A power with the instrument that confers it (engine.powers)."""

    power: Power
    instrument: Instrument
    jurisdiction: str
    file: str
    source: str


@dataclass
class RulePack:
    version: str
    law_as_of: dt.date
    sha256: str
    jurisdictions: dict[str, JurisdictionInfo]
    instruments: dict[str, Instrument]
    obligations: list[LoadedObligation]
    registry: Registry
    roles: dict[str, Role] = field(default_factory=dict)
    # legal bases for waivers and exceptions, by id (``<code>/waivers.yaml``)
    waiver_bases: dict[str, WaiverBasis] = field(default_factory=dict)
    # powers not (yet) used, by id (``powers`` in instrument files; engine.powers)
    powers: dict[str, LoadedPower] = field(default_factory=dict)
    # the what-if decisions this pack assumes (engine.powers.assume), as sentences
    assumed: tuple[str, ...] = ()
    # derived data computed once per pack (compiled rules), see engine.rules.compile_rules
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def role_window(self, role_id: str) -> tuple[dt.date | None, dt.date | None]:
        """When the role exists: (start, ended) of the instrument that defines it, the end
        exclusive; (None, None) where no defining instrument is encoded. A role outside its window
        is a status the law did not (yet, or any longer) know on that day, so obligations
        addressed to it cannot apply then. KeyError if the role is unknown."""
        instrument_id = self.roles[role_id].instrument
        if instrument_id is None:
            return None, None
        inst = self.instruments[instrument_id]
        return inst.start, inst.ended

    def obligation(self, obligation_id: str) -> LoadedObligation:
        """The obligation with this id (indexed once per pack); KeyError if unknown."""
        index: dict[str, LoadedObligation] | None = self.cache.get("obligations")
        if index is None:
            index = self.cache["obligations"] = {i.obligation.id: i for i in self.obligations}
        return index[obligation_id]


def default_law_dir() -> Path:
    return bundled.law_dir()


def default_registry_path() -> Path:
    return bundled.registry_file()


def _validate(model: type[BaseModel], doc: YamlDocument) -> BaseModel:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        raise InputError(
            doc.path, err["msg"], line=doc.line_of(loc), field=".".join(str(p) for p in loc) or None
        ) from None


def _fail(doc: YamlDocument, loc: tuple[str | int, ...], message: str) -> InputError:
    return InputError(doc.path, message, line=doc.line_of(loc), field=".".join(str(p) for p in loc))


def load_rulepack(law_dir: Path | None = None, registry_path: Path | None = None) -> RulePack:
    """Load and cross-check a rule pack; raise ``InputError`` naming the file and line.

    Parsing and validating every YAML file of the law is a noticeable share of a whole CLI run
    (docs/performance.md), so a loaded pack is kept in the user's cache directory
    (``dutybound.engine.cache``) under a key that hashes every YAML file of the law folder, the
    registry, the code of the classes it holds and the Python and pydantic versions: any change
    to any of them is a different key. The entry is a pickle, read only from the user's own
    cache directory (``DUTYBOUND_CACHE_DIR=""`` turns it off).
    """
    law_dir = law_dir or default_law_dir()
    registry_path = registry_path or default_registry_path()
    name = f"rulepacks/{_pack_key(law_dir, registry_path)}.pickle"
    raw = read_entry(name)
    if raw is not None:
        try:
            cached = pickle.loads(raw)
        except Exception:
            cached = None
        if isinstance(cached, RulePack):
            return cached
    pack = _load_rulepack(law_dir, registry_path)
    write_entry(name, pickle.dumps(replace(pack, cache={}), protocol=pickle.HIGHEST_PROTOCOL))
    prune("rulepacks", keep=16)
    return pack


def _pack_key(law_dir: Path, registry_path: Path) -> str:
    import sys

    import pydantic

    digest = hashlib.sha256(f"{sys.version}|{pydantic.VERSION}".encode())
    code = Path(__file__).resolve().parent
    sources = [
        code / "law.py",
        code / "loading.py",
        code / "vendors.py",
        code / "vocabulary.py",  # the enums a pickled pack holds
        code / "outcomes.py",
        *sorted(law_dir.rglob("*.yaml")),
        registry_path,
    ]
    for path in sources:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"(unreadable)"  # the loader will report it; the key just differs
        digest.update(str(path).encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def _load_rulepack(law_dir: Path, registry_path: Path) -> RulePack:
    digest = hashlib.sha256()

    def read(path: Path) -> YamlDocument:
        doc = load_yaml(path)
        rel = path.relative_to(law_dir).as_posix() if path.is_relative_to(law_dir) else path.name
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
        return doc

    info_doc = read(law_dir / "rulepack.yaml")
    info = _validate(PackInfo, info_doc)
    assert isinstance(info, PackInfo)
    registry = Registry.load(registry_path)
    digest.update(b"registry\0" + registry_path.read_bytes())

    jurisdictions: dict[str, JurisdictionInfo] = {}
    jurisdiction_docs: dict[str, YamlDocument] = {}
    roles: dict[str, Role] = {}
    instruments: dict[str, Instrument] = {}
    obligations: list[LoadedObligation] = []
    seen_ids: dict[str, str] = {}
    designations: dict[str, Designation] = {}
    powers: dict[str, LoadedPower] = {}
    pending_power_roles: list[tuple[YamlDocument, tuple[str | int, ...], str]] = []
    pending_power_uses: list[tuple[YamlDocument, tuple[str | int, ...], str]] = []
    parsed_files: list[tuple[YamlDocument, InstrumentFile, str]] = []
    waiver_files: list[tuple[YamlDocument, WaiverBasisFile, str]] = []

    for folder in sorted(p for p in law_dir.iterdir() if (p / "jurisdiction.yaml").is_file()):
        j_doc = read(folder / "jurisdiction.yaml")
        j_info = _validate(JurisdictionInfo, j_doc)
        assert isinstance(j_info, JurisdictionInfo)
        code = j_info.code
        prefix = code.lower() + "."
        if folder.name != code.lower():
            raise _fail(j_doc, ("code",), f"folder {folder.name!r} must be named {code.lower()!r}")
        for i, role in enumerate(j_info.roles):
            if not role.id.startswith(prefix):
                raise _fail(j_doc, ("roles", i, "id"), f"role ids must start with {prefix!r}")
            roles[role.id] = role
        jurisdictions[code] = j_info
        jurisdiction_docs[code] = j_doc

        for path in sorted((folder / "instruments").glob("*.yaml")):
            doc = read(path)
            parsed = _validate(InstrumentFile, doc)
            assert isinstance(parsed, InstrumentFile)
            inst = parsed.instrument
            for loc, item_id in [
                (("instrument", "id"), inst.id),
                *[(("designations", i, "id"), d.id) for i, d in enumerate(parsed.designations)],
                *[(("obligations", i, "id"), o.id) for i, o in enumerate(parsed.obligations)],
                *[(("powers", i, "id"), w.id) for i, w in enumerate(parsed.powers)],
                *[
                    (("powers", i, "duties", j, "id"), d.id)
                    for i, w in enumerate(parsed.powers)
                    for j, d in enumerate(w.duties)
                ],
            ]:
                if not item_id.startswith(prefix):
                    raise _fail(doc, loc, f"ids in {folder.name}/ must start with {prefix!r}")
                if item_id in seen_ids:
                    raise _fail(doc, loc, f"duplicate id {item_id!r} (also in {seen_ids[item_id]})")
                seen_ids[item_id] = str(path)
            instruments[inst.id] = inst
            for i, power in enumerate(parsed.powers):
                for role_id in power.roles:
                    # roles of every jurisdiction are known only later: checked below
                    pending_power_roles.append((doc, ("powers", i, "roles"), role_id))
                for j, des_id in enumerate(power.used):
                    pending_power_uses.append((doc, ("powers", i, "used", j), des_id))
                rel = path.relative_to(law_dir).as_posix()
                powers[power.id] = LoadedPower(power, inst, code, str(path), rel)
            for i, des in enumerate(parsed.designations):
                for group in des.vendor_groups:
                    if group not in registry.groups:
                        raise _fail(
                            doc,
                            ("designations", i, "vendor_groups"),
                            f"unknown vendor group {group!r} (not in the registry)",
                        )
                if inst.start and des.since < inst.start:
                    raise _fail(
                        doc,
                        ("designations", i, "since"),
                        "designation starts before its instrument was adopted",
                    )
                designations[des.id] = des
            parsed_files.append((doc, parsed, code))

        if (folder / "waivers.yaml").is_file():
            w_doc = read(folder / "waivers.yaml")
            w_parsed = _validate(WaiverBasisFile, w_doc)
            assert isinstance(w_parsed, WaiverBasisFile)
            for i, basis in enumerate(w_parsed.waiver_bases):
                loc = ("waiver_bases", i, "id")
                if not basis.id.startswith(prefix):
                    raise _fail(w_doc, loc, f"ids in {folder.name}/ must start with {prefix!r}")
                if basis.id in seen_ids:
                    raise _fail(
                        w_doc, loc, f"duplicate id {basis.id!r} (also in {seen_ids[basis.id]})"
                    )
                seen_ids[basis.id] = str(folder / "waivers.yaml")
            waiver_files.append((w_doc, w_parsed, code))

    # obligations may rely on a designation made by another instrument (a direction relying on
    # a designation notice), so they are checked once every file is read
    for doc, parsed, code in parsed_files:
        for i, ob in enumerate(parsed.obligations):
            for written in _expand(doc, i, ob, designations):
                if written.id in seen_ids and written.id != ob.id:
                    raise _fail(
                        doc,
                        ("obligations", i, "assets", "designations"),
                        f"the part {written.id!r} this gives has the id of another obligation "
                        f"(in {seen_ids[written.id]})",
                    )
                seen_ids.setdefault(written.id, str(doc.path))
                obligations.append(
                    _check_obligation(
                        doc,
                        i,
                        written,
                        parsed.instrument,
                        code,
                        designations,
                        registry,
                        law_dir,
                        part=written.id != ob.id,
                        doc_id=ob.id,
                    )
                )

    waiver_bases = _check_waiver_bases(waiver_files, obligations, instruments)

    if not jurisdictions:
        raise InputError(
            law_dir, "no jurisdiction folders found (expected <code>/jurisdiction.yaml)"
        )
    # role references are checked once every jurisdiction is loaded (roles may be shared, e.g.
    # an EU obligation addressed to a national role)
    for item in obligations:
        for role_id in item.obligation.roles:
            if role_id not in roles:
                raise InputError(
                    item.file, f"unknown role {role_id!r}", field=f"{item.obligation.id}.roles"
                )
    for code, j_info in jurisdictions.items():
        _check_roles(jurisdiction_docs[code], j_info, roles, instruments)
    for doc, loc, role_id in pending_power_roles:
        if role_id not in roles:
            raise _fail(doc, loc, f"unknown role {role_id!r}")
    for doc, loc, des_id in pending_power_uses:
        if des_id not in designations:
            raise _fail(doc, loc, f"no designation {des_id!r} in the rule pack")
    return RulePack(
        version=info.version,
        law_as_of=info.law_as_of,
        sha256=digest.hexdigest(),
        jurisdictions=jurisdictions,
        instruments=instruments,
        obligations=obligations,
        registry=registry,
        roles=roles,
        waiver_bases=waiver_bases,
        powers=powers,
    )


def _check_roles(
    doc: YamlDocument,
    j_info: JurisdictionInfo,
    roles: dict[str, Role],
    instruments: dict[str, Instrument],
) -> None:
    """References from a jurisdiction's roles: derivations name known roles; a role's defining
    instrument exists and is of the same jurisdiction (a role cannot live by another country's
    law); successors are known roles; and a role with successors ends, i.e. its instrument has an
    end date (a successor of a role that never lapses would never be shown)."""
    prefix = j_info.code.lower() + "."
    for i, role in enumerate(j_info.roles):
        loc: tuple[str | int, ...] = ("roles", i)
        for j, cond in enumerate(role.derive_all or []):
            if cond.role and cond.role not in roles:
                raise _fail(doc, (*loc, "derive_all", j, "role"), f"unknown role {cond.role!r}")
        inst = instruments.get(role.instrument) if role.instrument is not None else None
        if role.instrument is not None:
            if inst is None:
                raise _fail(
                    doc, (*loc, "instrument"), f"no instrument {role.instrument!r} in the rule pack"
                )
            if not role.instrument.startswith(prefix):
                raise _fail(
                    doc,
                    (*loc, "instrument"),
                    f"instrument {role.instrument!r} is not of jurisdiction {j_info.code}",
                )
        for j, successor in enumerate(role.successors):
            if successor not in roles:
                raise _fail(doc, (*loc, "successors", j), f"unknown role {successor!r}")
            if successor == role.id:
                raise _fail(doc, (*loc, "successors", j), "a role cannot succeed itself")
        if role.successors and (inst is None or inst.ended is None):
            raise _fail(
                doc,
                (*loc, "successors"),
                "a role with successors needs an instrument with an 'ended' date",
            )


def _check_waiver_bases(
    files: list[tuple[YamlDocument, WaiverBasisFile, str]],
    obligations: list[LoadedObligation],
    instruments: dict[str, Instrument],
) -> dict[str, WaiverBasis]:
    """Every obligation and instrument a basis names must exist, and a basis cannot exist
    before the instruments it waives."""
    by_id = {item.obligation.id: item for item in obligations}
    bases: dict[str, WaiverBasis] = {}
    for doc, parsed, _code in files:
        for i, basis in enumerate(parsed.waiver_bases):
            loc: tuple[str | int, ...] = ("waiver_bases", i, "covers")
            for j, ob_id in enumerate(basis.covers.obligations or []):
                if ob_id not in by_id:
                    raise _fail(
                        doc, (*loc, "obligations", j), f"no obligation {ob_id!r} in the rule pack"
                    )
            for j, inst_id in enumerate(basis.covers.instruments or []):
                if inst_id not in instruments:
                    raise _fail(
                        doc, (*loc, "instruments", j), f"no instrument {inst_id!r} in the rule pack"
                    )
            covered = [by_id[o].instrument for o in basis.covers.obligations or []] + [
                instruments[i] for i in basis.covers.instruments or []
            ]
            starts = [inst.start for inst in covered if inst.start]
            if starts and basis.available_from < min(starts):
                raise _fail(
                    doc,
                    ("waiver_bases", i, "available_from"),
                    f"before any instrument it waives exists ({min(starts)})",
                )
            bases[basis.id] = basis
    return bases


def _expand(
    doc: YamlDocument, index: int, ob: Obligation, designations: dict[str, Designation]
) -> list[Obligation]:
    """An obligation relying on several designations (``assets.designations``) as one part per
    designation, each with its own id and the designation's ``covers`` limits where the
    obligation sets none; any other obligation as it is. The law is written once; the engine
    gets one rule per designation, because each has its own dates and scope."""
    scope = ob.assets
    if scope is None:
        return [ob]
    if scope.designations is None:
        single = designations.get(scope.designation) if scope.designation else None
        if single is None or single.covers is None:
            return [ob]
        # the designation's own limits apply where the obligation sets none
        return [ob.model_copy(update={"assets": _limited(scope, single)})]
    parts = []
    for j, des_id in enumerate(scope.designations):
        des = designations.get(des_id)
        if des is None:
            raise _fail(
                doc,
                ("obligations", index, "assets", "designations", j),
                f"no designation {des_id!r} in the rule pack",
            )
        part_scope = _limited(scope, des).model_copy(
            update={"designation": des_id, "designations": None}
        )
        suffix = des_id.rsplit(".", 1)[1]
        parts.append(ob.model_copy(update={"id": f"{ob.id}.{suffix}", "assets": part_scope}))
    return parts


def _limited(scope: AssetScope, designation: Designation) -> AssetScope:
    """``scope`` with the designation's ``covers`` limits where ``scope`` sets none."""
    covers = designation.covers
    if covers is None:
        return scope
    limits = {
        name: getattr(scope, name) or getattr(covers, name)
        for name in ("categories", "functions", "networks", "uses")
    }
    return scope.model_copy(update=limits)


def _check_obligation(
    doc: YamlDocument,
    index: int,
    ob: Obligation,
    inst: Instrument,
    code: str,
    designations: dict[str, Designation],
    registry: Registry,
    law_dir: Path,
    *,
    part: bool = False,
    doc_id: str | None = None,
) -> LoadedObligation:
    """Check one obligation (or one part of a several-designation obligation, ``part``)
    against its instrument, its designation and the registry."""
    loc: tuple[str | int, ...] = ("obligations", index)
    if inst.start and ob.effective.from_ < inst.start:
        raise _fail(
            doc,
            (*loc, "effective", "from"),
            f"takes effect before its instrument exists ({inst.start})",
        )
    if inst.ended and (ob.effective.ended is None or ob.effective.ended > inst.ended):
        raise _fail(
            doc,
            (*loc, "effective"),
            f"outlives its instrument, which ended {inst.ended}; set effective.ended",
        )
    designation = None
    scope = ob.assets
    if scope is not None:
        if scope.designation is not None:
            designation = designations.get(scope.designation)
            if designation is None:
                raise _fail(
                    doc,
                    (*loc, "assets", "designation"),
                    f"no designation {scope.designation!r} in the rule pack",
                )
            # a part starts with its own designation instead (LoadedObligation.window): the
            # obligation as written may rely on designations made later
            if ob.effective.from_ < designation.since and not part:
                raise _fail(
                    doc,
                    (*loc, "effective", "from"),
                    "takes effect before the designation it relies on",
                )
        for group in scope.vendor_groups or []:
            if group not in registry.groups:
                raise _fail(
                    doc,
                    (*loc, "assets", "vendor_groups"),
                    f"unknown vendor group {group!r} (not in the registry)",
                )
    source = doc.path.relative_to(law_dir).as_posix()
    written_as = doc_id if part else None
    return LoadedObligation(ob, inst, code, designation, str(doc.path), source, written_as)
