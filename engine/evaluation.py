"""One evaluation, end to end: inputs → vendors → signatures → rules → findings.

This is the function the CLI, the tests, the benchmarks and (later) the HTTP service call. It reads
no files: callers load the rule pack, profile and assets first, so every input error is raised
before anything is evaluated or written.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np

from dutybound.engine.asset_table import (
    ROW,
    AssetTable,
    IdList,
    RowIndexes,
    Rows,
    as_rows,
    distinct_rows,
)
from dutybound.engine.attestations import Attestation, apply_attestations
from dutybound.engine.evaluators import Evaluator, get_evaluator
from dutybound.engine.explain import explain_findings
from dutybound.engine.findings import Finding, apply_waivers, build_findings, missing_facts
from dutybound.engine.inputs import Asset, Profile
from dutybound.engine.loading import RulePack
from dutybound.engine.macs import resolve_macs
from dutybound.engine.notices import Notice, evaluator_notice
from dutybound.engine.outcomes import FindingStatus, NoticeCode, Position, ReviewReason, Standing
from dutybound.engine.positions import position_rank, set_positions
from dutybound.engine.powers import latent, watch_list
from dutybound.engine.roles import HeldRole, coverage_notices, derive_roles
from dutybound.engine.rules import Signature, build_signatures, compile_rules
from dutybound.engine.unaffected import unaffected
from dutybound.engine.vendor_decisions import Decision, apply_decisions
from dutybound.engine.vendors import Entity, VendorMatch
from dutybound.engine.vocabulary import FLAGS
from dutybound.engine.waivers import Waiver, WaiverStanding, standings

# An inventory of more than this many assets is written in its compact form: every list of asset
# ids (a finding's, a review row's, an unaffected or latent entry's) shows its first
# ``COMPACT_SHOWN_IDS`` ids in inventory order and states its length as "assets_count", and a
# review question is asked once per group of assets, not once per asset. At or below it (every
# example, test and golden file) the JSON is the full form, unchanged. The whole lists are in the
# affected-asset file (``evaluate --affected-assets``). See docs/adr/0013-streaming-evaluation.md.
COMPACT_ABOVE_ASSETS = 100_000
COMPACT_SHOWN_IDS = 100


@functools.cache
def engine_version() -> str:
    try:
        return metadata.version("dutybound")
    except metadata.PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


@dataclass
class Evaluation:
    as_of: dt.date
    profile: Profile
    pack: RulePack
    roles: dict[str, HeldRole]
    findings: list[Finding]
    vendor_matches: dict[str, VendorMatch]
    assets: Sequence[Asset]
    evaluator: str
    inputs_sha256: str
    signature_count: int
    members: Sequence[RowIndexes]
    missing: dict[str, dict[str, list[str]]]
    notices: list[Notice] = field(default_factory=list)
    # None when no waivers were given (the JSON then has no "waivers" key)
    waivers: list[WaiverStanding] | None = None
    signatures: list[Signature] = field(default_factory=list)
    # the vendor decisions the matches rest on; None when no decisions were given
    vendor_decisions: list[Decision] | None = None

    @property
    def shown_ids(self) -> int | None:
        """How many ids a list of assets shows in the JSON: None (all) for an inventory of up to
        ``COMPACT_ABOVE_ASSETS`` assets, ``COMPACT_SHOWN_IDS`` above."""
        return COMPACT_SHOWN_IDS if len(self.assets) > COMPACT_ABOVE_ASSETS else None

    def review(self) -> list[dict[str, Any]]:
        """Assets a person must look at: an uncertain vendor match, or an empty column that
        decides whether an obligation applies. In the compact form (``shown_ids``) one row per
        question and group of assets (``_review_groups``)."""
        shown = self.shown_ids
        if shown is not None:
            return self._review_groups(shown)
        rows: list[dict[str, Any]] = []
        registry = self.pack.registry
        for asset in self.assets:
            match = self.vendor_matches[asset.vendor]
            if match.needs_review:
                if match.group:
                    detail = (
                        f"vendor name looks like {registry.groups[match.group].name} "
                        f"({match.entity}) by {match.method}, score {match.score}; "
                        "confirm who made it"
                    )
                else:
                    detail = match.reason()
                rows.append(
                    {
                        "asset_id": asset.asset_id,
                        "vendor": asset.vendor,
                        "reason": ReviewReason.VENDOR_MATCH,
                        "group": match.group,
                        "detail": detail,
                    }
                )
            made_by = registry.model_group(asset.model) if asset.model else None
            if made_by and made_by != (None if match.needs_review else match.group):
                rows.append(
                    {
                        "asset_id": asset.asset_id,
                        "vendor": asset.vendor,
                        "reason": ReviewReason.MODEL_PATTERN,
                        "group": made_by,
                        "detail": f"model {asset.model!r} carries a "
                        f"{registry.groups[made_by].name} model-number prefix; "
                        "it may be that maker's equipment under another label",
                    }
                )
        for sig_id, fields in self.missing.items():
            # one sentence per signature and field, shared by its assets' rows: a large
            # inventory repeats the same question for thousands of rows
            details = {name: _missing_detail(name, obs) for name, obs in fields.items()}
            for i in self.members[int(sig_id[1:])]:
                asset = self.assets[i]
                for name, obligations in fields.items():
                    rows.append(
                        {
                            "asset_id": asset.asset_id,
                            "vendor": asset.vendor,
                            "reason": ReviewReason.MISSING_FACT,
                            "field": name,
                            "detail": details[name],
                            "obligations": obligations,
                        }
                    )
        rows.extend(self._undated())
        return sorted(rows, key=lambda r: (r["asset_id"], r["reason"], r.get("field", "")))

    def _review_groups(self, shown: int) -> list[dict[str, Any]]:
        """The review of a large inventory: the rows ``review`` would list, one per question
        (reason, vendor name, model or field, and the obligations concerned) with the assets it
        concerns: the first one's id and vendor as ``asset_id`` and ``vendor`` (so a reader of
        the full form reads these too), the first ``shown`` ids and their count. Worked from the
        signatures' members and each distinct vendor name and model, not per asset."""
        registry = self.pack.registry
        table = self.assets if isinstance(self.assets, AssetTable) else None
        groups: dict[tuple[Any, ...], tuple[dict[str, Any], list[RowIndexes]]] = {}

        def add(key: tuple[Any, ...], row: dict[str, Any], indexes: RowIndexes) -> None:
            found = groups.get(key)
            if found is None:
                groups[key] = (row, [indexes])
            else:
                found[1].append(indexes)

        def rows_of(wanted: Callable[[str, str], bool]) -> RowIndexes:
            """The rows whose (vendor, model) ``wanted`` holds for, in inventory order."""
            if table is not None:  # per key, not per row (engine.asset_table)
                at, model_at = table.field("vendor"), table.field("model")
                return table.rows_where(
                    [k for k, key in enumerate(table.keys) if wanted(key[at], key[model_at])]
                )
            return [i for i, (v, m) in enumerate(map(_vendor_model, self.assets)) if wanted(v, m)]

        # the questions are decided per distinct vendor name and (name, model) pair; the rows
        # that carry one are then picked out in a pass per question. No list per row is kept:
        # a tuple per row is 64 bytes and a list slot 8, at the run's peak
        doubtful = {v for v, m in self.vendor_matches.items() if m.needs_review}
        if table is not None:
            at, model_at = table.field("vendor"), table.field("model")
            counts = table.key_counts()
            pairs = {(key[at], key[model_at]) for k, key in enumerate(table.keys) if counts[k]}
        else:
            pairs = set(map(_vendor_model, self.assets))
        for vendor in sorted(doubtful & {v for v, _m in pairs}):
            add(
                ("vendor", vendor),
                self._vendor_review(vendor),
                rows_of(lambda v, _m, vendor=vendor: v == vendor),  # type: ignore[misc]
            )
        flagged: dict[tuple[str, str], str] = {}
        for vendor, model in pairs:
            if not model:
                continue
            match = self.vendor_matches[vendor]
            made_by = registry.model_group(model)
            if made_by and made_by != (None if match.needs_review else match.group):
                flagged[(vendor, model)] = made_by
        for vendor, model in sorted(flagged):
            carrying = rows_of(lambda v, m, pair=(vendor, model): (v, m) == pair)  # type: ignore[misc]
            if len(carrying):
                made_by = flagged[(vendor, model)]
                add(
                    ("model", vendor, model),
                    {
                        "reason": ReviewReason.MODEL_PATTERN,
                        "group": made_by,
                        "detail": f"model {model!r} carries a "
                        f"{registry.groups[made_by].name} model-number prefix; "
                        "it may be that maker's equipment under another label",
                    },
                    carrying,
                )
        for sig_id, fields in self.missing.items():
            members = self.members[int(sig_id[1:])]
            for name, obligations in fields.items():
                row = {
                    "reason": ReviewReason.MISSING_FACT,
                    "field": name,
                    "detail": _missing_detail(name, obligations),
                    "obligations": obligations,
                }
                add(("missing", name, tuple(obligations)), row, members)
        for obligation_ids, (row, undated) in self._undated_groups().items():
            add(("undated", obligation_ids), row, undated)
        rows = []
        for row, parts in groups.values():
            indexes: RowIndexes
            if table is not None:
                indexes = np.sort(np.concatenate([as_rows(p) for p in parts]))
                ids = table.ids_of(indexes[:shown])
            else:
                indexes = sorted(i for p in parts for i in p)
                ids = [self.assets[i].asset_id for i in indexes[:shown]]
            first = self.assets[int(indexes[0])]
            rows.append(
                {
                    "asset_id": first.asset_id,
                    "vendor": first.vendor,
                    **row,
                    "assets": ids,
                    "assets_count": len(indexes),
                }
            )
        return sorted(rows, key=lambda r: (r["asset_id"], r["reason"], r.get("field", "")))

    def _vendor_review(self, vendor: str) -> dict[str, Any]:
        """The review row of an uncertain vendor match (without the asset)."""
        match = self.vendor_matches[vendor]
        if match.group:
            detail = (
                f"vendor name looks like {self.pack.registry.groups[match.group].name} "
                f"({match.entity}) by {match.method}, score {match.score}; "
                "confirm who made it"
            )
        else:
            detail = match.reason()
        return {"reason": ReviewReason.VENDOR_MATCH, "group": match.group, "detail": detail}

    def _undated_groups(self) -> dict[tuple[str, ...], tuple[dict[str, Any], RowIndexes]]:
        """``_undated`` by set of obligations: the row and the assets' indexes. Worked from the
        findings' signatures (``Finding.rows``), not from their lists of ids."""
        if isinstance(self.assets, AssetTable):
            return self._undated_table(self.assets)
        # each undated row maps to its set of obligations, shared by every row with the same
        # set (a set per row would cost some 200 bytes a row on an inventory with no dates)
        by_index: dict[int, frozenset[str]] = {}
        grown: dict[tuple[frozenset[str], str], frozenset[str]] = {}
        empty: frozenset[str] = frozenset()
        for f in self.findings:
            deadline = f.item.obligation.deadline
            if deadline is None or deadline.after != "asset_identified":
                continue
            ob_id = f.item.obligation.id
            for indexes in f.rows.values():
                for i in indexes:
                    if self.assets[i].identified_on is None:
                        before = by_index.get(i, empty)
                        after = grown.get((before, ob_id))
                        if after is None:
                            after = grown[(before, ob_id)] = before | {ob_id}
                        by_index[i] = after
        keys: dict[frozenset[str], tuple[str, ...]] = {}
        out: dict[tuple[str, ...], tuple[dict[str, Any], RowIndexes]] = {}
        for i, obligations in by_index.items():
            key = keys.get(obligations)
            if key is None:
                key = keys[obligations] = tuple(sorted(obligations))
            if key not in out:
                out[key] = (_undated_row(key), [])
            held = out[key][1]
            assert isinstance(held, list)
            held.append(i)
        return out

    def _undated_table(
        self, table: AssetTable
    ) -> dict[tuple[str, ...], tuple[dict[str, Any], RowIndexes]]:
        """``_undated_groups`` of a table: a bit per obligation in a number per row (one
        number for up to 64 obligations, of the fewest bytes that hold them)."""
        undated: dict[str, list[Rows]] = {}
        for f in self.findings:
            deadline = f.item.obligation.deadline
            if deadline is None or deadline.after != "asset_identified":
                continue
            for indexes in f.rows.values():
                rows = as_rows(indexes)
                undated.setdefault(f.item.obligation.id, []).append(
                    rows[table.identified[rows] == 0]
                )
        if not undated:
            return {}
        names = list(undated)
        words = []
        for start in range(0, len(names), 64):
            part = names[start : start + 64]
            dtype = next(
                t
                for t in (np.uint8, np.uint16, np.uint32, np.uint64)
                if len(part) <= 8 * np.dtype(t).itemsize
            )
            code = np.zeros(len(table), dtype=dtype)
            for bit, name in enumerate(part):
                for rows in undated[name]:
                    code[rows] |= dtype(1 << bit)
            words.append(code)
        held = np.flatnonzero(np.logical_or.reduce([w != 0 for w in words])).astype(ROW)
        stacked = np.stack([w[held].astype(np.uint64) for w in words], axis=1)
        sets, which = np.unique(stacked, axis=0, return_inverse=True)
        which = which.reshape(-1)
        out = {}
        for n, value in enumerate(sets.tolist()):
            key = tuple(
                sorted(
                    name
                    for w, word in enumerate(value)
                    for bit, name in enumerate(names[64 * w : 64 * w + 64])
                    if word >> bit & 1
                )
            )
            out[key] = (_undated_row(key), held[which == n])
        return out

    def _undated(self) -> list[dict[str, Any]]:
        """Assets whose due date counts from the day they were identified, with no
        ``identified_on``: the date the law counts from is a fact only the operator has."""
        by_asset: dict[str, list[str]] = {}
        for f in self.findings:
            deadline = f.item.obligation.deadline
            if deadline is None or deadline.after != "asset_identified":
                continue
            for asset_id in f.assets:
                by_asset.setdefault(asset_id, []).append(f.item.obligation.id)
        if not by_asset:
            return []
        rows = []
        # the sentence and list for each distinct set of obligations, shared by its rows
        shared: dict[tuple[str, ...], tuple[str, list[str]]] = {}
        for asset in self.assets:
            obligations = by_asset.get(asset.asset_id)
            if obligations is None or asset.identified_on is not None:
                continue
            key = tuple(sorted(set(obligations)))
            if key not in shared:
                shared[key] = (
                    "'identified_on' is empty; it decides when "
                    f"{', '.join(key)} fall due (the evaluation date is taken meanwhile)",
                    list(key),
                )
            detail, names = shared[key]
            rows.append(
                {
                    "asset_id": asset.asset_id,
                    "vendor": asset.vendor,
                    "reason": ReviewReason.MISSING_FACT,
                    "field": "identified_on",
                    "detail": detail,
                    "obligations": names,
                }
            )
        return rows

    def identifications(self) -> list[dict[str, Any]]:
        """How each vendor name that reaches a group, or is up for review, was resolved.

        A finding is only as good as the identification under it: the officer signing a
        report must be able to see that "EZVIZ" counted as Hikvision because the registry
        lists it as a Hikvision brand, and from which source. Names that matched nothing are
        left out (every asset is in the inventory the user already holds); one row per
        distinct vendor string, with how many assets carry it.
        """
        counts: Counter[str]
        if isinstance(self.assets, AssetTable):
            at, tally = self.assets.field("vendor"), self.assets.key_counts()
            counts = Counter()
            for k, key in enumerate(self.assets.keys):
                counts[key[at]] += int(tally[k])
            counts = +counts  # a vendor of no row is not listed
        else:
            counts = Counter(asset.vendor for asset in self.assets)
        return [
            {**self.identification(vendor), "assets": counts[vendor]}
            for vendor in sorted(counts)
            if self.vendor_matches[vendor].group is not None
            or self.vendor_matches[vendor].needs_review
        ]

    def identification(self, vendor: str) -> dict[str, Any]:
        """One vendor string's match, with the group's name and the registry entry's source."""
        match = self.vendor_matches[vendor]
        entity = self._entity(match)
        return {
            **match.to_json(),
            "group_name": self.pack.registry.groups[match.group].name if match.group else None,
            "source": entity.source if entity else None,
            "source_verified": entity.verified if entity else None,
        }

    def _entity(self, match: VendorMatch) -> Entity | None:
        """The registry entry a match rests on (None for decisions and group-less reviews)."""
        if match.group is None or match.entity is None:
            return None
        for entity in self.pack.registry.groups[match.group].entities:
            if entity.name == match.entity:
                return entity
        return None

    def to_json(self) -> dict[str, Any]:
        # what-if findings (an assumed decision) are never mixed into the real counts
        real = [f for f in self.findings if not f.item.hypothetical]
        by_status = Counter(f.status for f in real)
        by_position = Counter(f.position for f in real)
        shown = self.shown_ids
        data = {
            "as_of": self.as_of.isoformat(),
            "operator": {
                "name": self.profile.name,
                "jurisdictions": sorted(self.profile.jurisdictions),
                "sectors": sorted(self.profile.sectors),
                "roles": [
                    {"role": h.role, "source": h.source, "reasons": list(h.reasons)}
                    for h in self.roles.values()
                ],
                "attributes": dict(sorted(self.profile.attributes.items())),
            },
            "rulepack": {
                "version": self.pack.version,
                "sha256": self.pack.sha256,
                "law_as_of": self.pack.law_as_of.isoformat(),
            },
            "inputs": {
                "sha256": self.inputs_sha256,
                "assets": len(self.assets),
                "signatures": self.signature_count,
                # the compact form says so, and how many ids a list shows
                **({} if shown is None else {"shown_ids": shown}),
            },
            "engine": {"version": engine_version(), "evaluator": self.evaluator},
            "notices": [n.to_json() for n in self.notices],
            "summary": {
                "findings": len(real),
                "by_status": {s.value: by_status[s] for s in FindingStatus if by_status[s]},
                "by_position": {p.value: by_position[p] for p in Position if by_position[p]},
                "unverified": sum(
                    1
                    for f in real
                    if not (f.item.obligation.verified and f.item.instrument.verified)
                ),
                "assets_affected": _assets_affected(real),
                **(
                    {"hypothetical": len(self.findings) - len(real)}
                    if len(real) != len(self.findings)
                    else {}
                ),
            },
            "review": self.review(),
            "unaffected": unaffected(self),
            "latent": latent(self),
            "watch_list": watch_list(self.pack, sorted(self.profile.jurisdictions), self.as_of),
            **({} if self.waivers is None else {"waivers": [w.to_json() for w in self.waivers]}),
            **(
                {}
                if self.vendor_decisions is None
                else {"vendor_decisions": [d.to_json() for d in self.vendor_decisions]}
            ),
            "vendors": self.identifications(),
            "findings": [f.to_json(shown) for f in self.findings],
        }
        if shown is not None or isinstance(self.assets, AssetTable):
            for entry in (*data["unaffected"], *data["latent"]):
                _shorten_lists(entry, shown)
        return data


_vendor = attrgetter("vendor")
_vendor_model = attrgetter("vendor", "model")


def _shorten_lists(node: Any, shown: int | None) -> None:
    """Every "assets" list of ids inside ``node`` cut to its first ``shown`` ids, its length
    stated beside it as "assets_count" (the compact form, ``COMPACT_ABOVE_ASSETS``); with
    ``shown`` None, only a table's ``IdList`` made into the whole list."""
    if isinstance(node, dict):
        ids = node.get("assets")
        counted = "assets_count" in node  # cut already (engine.unaffected)
        if shown is None:
            if isinstance(ids, IdList):
                node["assets"] = ids.whole()
        elif not counted and (
            isinstance(ids, IdList)
            or (isinstance(ids, list) and all(isinstance(i, str) for i in ids[:1]))
        ):
            node["assets_count"] = len(ids)
            node["assets"] = ids[:shown]
        for value in node.values():
            if isinstance(value, (dict, list)) and value is not ids:
                _shorten_lists(value, shown)
    elif isinstance(node, list):
        for value in node:
            _shorten_lists(value, shown)


def _assets_affected(findings: list[Finding]) -> int:
    """How many distinct assets the findings concern (rows of a table, ids otherwise)."""
    counted = distinct_rows([f.assets for f in findings if len(f.assets)])
    return counted if counted is not None else len({a for f in findings for a in f.assets})


def _undated_row(obligations: tuple[str, ...]) -> dict[str, Any]:
    """The review row of assets with no ``identified_on`` under these obligations."""
    return {
        "reason": ReviewReason.MISSING_FACT,
        "field": "identified_on",
        "detail": "'identified_on' is empty; it decides when "
        f"{', '.join(obligations)} fall due (the evaluation date is taken meanwhile)",
        "obligations": list(obligations),
    }


def _missing_detail(name: str, obligations: list[str]) -> str:
    """Why a person must state one fact: which obligations it decides, and how to state it."""
    which = ", ".join(obligations)
    if name in FLAGS:
        return (
            f"'{name}' is not stated in the flags column; it decides whether {which} apply. "
            f"State '{name}' if it holds, or '{name}=no' if it does not"
        )
    return f"'{name}' is empty; it decides whether {which} apply"


def inputs_fingerprint(*paths: Path) -> str:
    """SHA-256 of the files' bytes, each followed by a NUL. Read a megabyte at a time: the
    inventory of a large evaluation is hashed while its assets are held, and a copy of the whole
    file (or two, with the NUL appended) would add to the peak."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def evaluate(
    pack: RulePack,
    profile: Profile,
    assets: Sequence[Asset],
    as_of: dt.date,
    *,
    evaluator: Evaluator | None = None,
    include_ended: bool = False,
    inputs_sha256: str = "",
    hypothetical: frozenset[str] = frozenset(),
    waivers: Sequence[Waiver] | None = None,
    law_on: dt.date | None = None,
    attestations: Sequence[Attestation] | None = None,
    vendor_decisions: Sequence[Decision] | None = None,
) -> Evaluation:
    """Evaluate; ``hypothetical`` names roles in ``profile`` that were assumed for a what-if
    question (see ``engine.roles.assume_roles``). ``waivers`` are records validated by
    ``engine.waivers.check_waivers`` against this pack; those in effect on ``as_of`` mark the
    findings they cover ``waived``, the others are shown with their standing. ``attestations``
    (``engine.attestations.check_attestations``) record duties done: a finding they fully cover
    is ``fulfilled``; a record that cannot apply is refused with a notice. ``vendor_decisions``
    (``engine.vendor_decisions``) are a person's recorded answers about vendor names.

    The law applied is the law as it stood on ``law_on`` (default ``as_of``): an instrument
    adopted later contributes no finding, no upcoming item and no role. A forecast sets
    ``law_on`` to today while it evaluates later dates."""
    law_day = law_on or as_of
    notices: list[Notice] = []
    if hypothetical:
        notices.append(
            Notice(
                NoticeCode.HYPOTHETICAL_ROLES,
                "What-if evaluation: the operator is assumed to hold "
                f"{', '.join(sorted(hypothetical))}, which its profile does not declare.",
                {"roles": sorted(hypothetical)},
            )
        )
    if evaluator is None:
        evaluator, notice = get_evaluator()
        if notice:
            notices.append(evaluator_notice(notice))
    notices.extend(Notice(NoticeCode.HYPOTHETICAL_DESIGNATION, text) for text in pack.assumed)
    if as_of > pack.law_as_of:
        notices.append(
            Notice(
                NoticeCode.LAW_OUT_OF_DATE,
                f"The law in this rule pack is encoded as of {pack.law_as_of}; changes "
                f"between then and {as_of} are not reflected.",
                {"law_as_of": pack.law_as_of.isoformat()},
            )
        )
    roles = derive_roles(pack, profile, hypothetical, law_day, notices)
    vendors = assets.vendors() if isinstance(assets, AssetTable) else {a.vendor for a in assets}
    matches = {v: pack.registry.match(v, as_of) for v in sorted(vendors)}
    decided: list[Decision] | None = None
    if vendor_decisions is not None:
        matches, decided = apply_decisions(matches, vendor_decisions, pack.registry)
    # an asset known by its MAC address: the IEEE registrant, or a review where name and MAC
    # disagree (engine.macs)
    assets, matches = resolve_macs(assets, matches, pack.registry, as_of)
    notices.extend(coverage_notices(pack, profile, roles, assets, matches))
    signatures, members = build_signatures(assets, matches)
    rules = compile_rules(pack)
    found = evaluator.match(rules, signatures, set(roles), set(profile.jurisdictions))
    findings = build_findings(
        pack,
        rules,
        found,
        signatures,
        members,
        assets,
        roles,
        as_of,
        evaluator.name,
        include_ended,
        law_day,
    )
    missing = missing_facts(
        pack, rules, signatures, set(roles), set(profile.jurisdictions), as_of, law_day
    )
    waiver_standings = None
    if waivers is not None:
        waiver_standings = _apply_waivers(pack, profile, findings, waivers, as_of, notices)
    if attestations is not None:
        notices.extend(apply_attestations(findings, attestations, profile.name, as_of))
    set_positions(findings)
    findings.sort(
        key=lambda f: (position_rank(f.position), f.item.jurisdiction, f.due or dt.date.max, f.id)
    )
    result = Evaluation(
        as_of,
        profile,
        pack,
        roles,
        findings,
        matches,
        assets,
        evaluator.name,
        inputs_sha256,
        len(signatures),
        members,
        missing,
        notices,
        waiver_standings,
        signatures,
        decided,
    )
    # each finding's conditions and vendor links (engine.explain), once the findings are final
    explain_findings(result)
    return result


def _apply_waivers(
    pack: RulePack,
    profile: Profile,
    findings: list[Finding],
    waivers: Sequence[Waiver],
    as_of: dt.date,
    notices: list[Notice],
) -> list[WaiverStanding]:
    own = [w for w in waivers if w.operator == profile.name]
    for w in sorted(waivers, key=lambda w: w.id):
        if w.operator != profile.name:
            notices.append(
                Notice(
                    NoticeCode.WAIVER_OTHER_OPERATOR,
                    f"Waiver {w.id} is recorded for {w.operator!r}, not {profile.name!r}; "
                    "it is ignored.",
                    {"waiver": w.id},
                )
            )
    result = standings(own, pack, as_of)
    used = apply_waivers(findings, result)
    for st in result:
        w = st.waiver
        if st.state == Standing.REFUSED:
            notices.append(
                Notice(
                    NoticeCode.WAIVER_REFUSED,
                    f"Waiver {w.id} ({w.obligation}) is {st.reason}.",
                    {"waiver": w.id, "obligation": w.obligation},
                )
            )
        elif st.state == Standing.IN_EFFECT and w.id not in used:
            names = f" for {', '.join(w.assets)}" if w.assets else ""
            notices.append(
                Notice(
                    NoticeCode.WAIVER_UNUSED,
                    f"Waiver {w.id} is in effect, but no finding of {w.obligation}{names} "
                    "applies on this date.",
                    {"waiver": w.id, "obligation": w.obligation},
                )
            )
    return result
