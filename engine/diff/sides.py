"""The inputs of one evaluation (a ``Side``), and evaluating sides with shared rule packs.

Nothing here reads inventories or profiles from files: a ``Side`` is built by the caller (the CLI
from files, the store from saved rows), so that stored evaluations can be diffed the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dutybound.engine.evaluation import Evaluation, evaluate
from dutybound.engine.evaluators import Evaluator, get_evaluator
from dutybound.engine.inputs import Asset, Profile, check_profile
from dutybound.engine.loading import (
    RulePack,
    default_law_dir,
    default_registry_path,
    load_rulepack,
)
from dutybound.engine.waivers import Waiver


@dataclass(frozen=True)
class Side:
    """Everything one evaluation depends on, already validated by the caller.

    ``law_dir`` and ``registry_path`` default to the bundled rule pack; ``hypothetical`` names
    roles of ``profile`` assumed for a what-if question (as ``engine.evaluation.evaluate``).
    """

    profile: Profile
    assets: Sequence[Asset]
    as_of: dt.date
    law_dir: Path = field(default_factory=default_law_dir)
    registry_path: Path = field(default_factory=default_registry_path)
    hypothetical: frozenset[str] = frozenset()
    waivers: tuple[Waiver, ...] = ()  # already checked against this side's law
    # the day whose law is applied, when not ``as_of``: a forecast looks at later dates with the
    # law as it stood today (no law adopted after today; see LoadedObligation.exists_on)
    law_on: dt.date | None = None


def asset_key(asset: Asset) -> Asset:
    """An asset without its line number: moving a row in the file is not an edit."""
    return asset._replace(line=0)


class PackCache:
    """Rule packs loaded once per (law_dir, registry_path): a diff evaluates up to six states
    and an upcoming scan dozens, but only ever needs two or three distinct packs."""

    def __init__(self) -> None:
        self._packs: dict[tuple[Path, Path], RulePack] = {}

    def get(self, law_dir: Path, registry_path: Path) -> RulePack:
        key = (law_dir.resolve(), registry_path.resolve())
        pack = self._packs.get(key)
        if pack is None:
            pack = self._packs[key] = load_rulepack(law_dir, registry_path)
        return pack


class Runner:
    """Evaluates sides with one evaluator and one pack cache."""

    def __init__(self, evaluator: Evaluator | None, packs: PackCache | None) -> None:
        self.evaluator = evaluator or get_evaluator()[0]
        self.packs = packs or PackCache()

    def pack(self, side: Side) -> RulePack:
        return self.packs.get(side.law_dir, side.registry_path)

    def evaluate(self, side: Side, *, recheck_profile: bool = False) -> Evaluation:
        """Evaluate one side. An intermediate state pairs one side's profile with the other
        side's law, so the profile is checked against that law first (``InputError`` if, say, it
        names a role the older law does not have)."""
        pack = self.pack(side)
        if recheck_profile:
            check_profile(side.profile.model_dump(), pack, "profile")
        return evaluate(
            pack,
            side.profile,
            list(side.assets),
            side.as_of,
            evaluator=self.evaluator,
            hypothetical=side.hypothetical,
            waivers=list(side.waivers) if side.waivers else None,
            law_on=side.law_on,
        )
