"""Checks on the encoded law itself, run in CI: sources, dates, and scenario coverage."""

from __future__ import annotations

from dutybound.engine.loading import RulePack
from tests.scenario import load_case, scenario_files


def test_every_obligation_cites_a_source_and_says_whether_it_was_verified(pack: RulePack) -> None:
    problems = []
    for item in pack.obligations:
        ob = item.obligation
        if len(ob.citation.strip()) < 3:
            problems.append(f"{ob.id}: no citation")
        if not ob.url.startswith(("https://", "http://")):
            problems.append(f"{ob.id}: no source URL")
        if not isinstance(ob.verified, bool) or not isinstance(item.instrument.verified, bool):
            problems.append(f"{ob.id}: no verified flag")
        if not ob.duty.strip() or not ob.title.strip():
            problems.append(f"{ob.id}: no title or duty text")
    for inst in pack.instruments.values():
        if not (inst.citation and inst.authority and inst.url.startswith("http")):
            problems.append(f"{inst.id}: instrument lacks citation, authority or URL")
    assert not problems, "\n".join(problems)


def test_dates_are_consistent(pack: RulePack) -> None:
    problems = []
    for item in pack.obligations:
        ob, inst = item.obligation, item.instrument
        start, end = item.window()
        if inst.start and start < inst.start:
            problems.append(f"{ob.id}: starts {start}, before its instrument ({inst.start})")
        if end is not None and end <= start:
            problems.append(f"{ob.id}: ends {end}, not after it starts {start}")
        if ob.deadline and ob.deadline.date and ob.deadline.date < start:
            problems.append(f"{ob.id}: deadline {ob.deadline.date} before it applies ({start})")
        if inst.ended and (end is None or end > inst.ended):
            problems.append(f"{ob.id}: outlives its instrument, which ended {inst.ended}")
        if (
            item.designation
            and inst.start
            and item.designation.since < inst.start
            and item.designation.id.startswith(inst.id)
        ):
            problems.append(f"{ob.id}: designation before its instrument")
    assert not problems, "\n".join(problems)


def test_every_obligation_is_exercised_by_a_scenario(pack: RulePack) -> None:
    """The coverage check: each obligation appears in at least one scenario's `expect`."""
    exercised = {
        e["obligation"] for path in scenario_files() for e in load_case(path).get("expect") or []
    }
    missing = sorted(
        item.obligation.id for item in pack.obligations if item.obligation.id not in exercised
    )
    assert not missing, "obligations no scenario exercises:\n" + "\n".join(missing)


def test_scenarios_name_only_obligations_that_exist(pack: RulePack) -> None:
    known = {item.obligation.id for item in pack.obligations}
    unknown = sorted(
        {
            f"{path.name}: {ob}"
            for path in scenario_files()
            for ob in [e["obligation"] for e in load_case(path).get("expect") or []]
            + list(load_case(path).get("absent") or [])
            if ob not in known
        }
    )
    assert not unknown, "\n".join(unknown)


def test_every_waiver_basis_cites_a_source_and_covers_obligations_that_exist(
    pack: RulePack,
) -> None:
    """Waiver bases (``<code>/waivers.yaml``) are law too: citation, authority, source URL,
    verified flag, and a note saying what is unverified where verified is false."""
    known = {item.obligation.id for item in pack.obligations}
    problems = []
    for basis in pack.waiver_bases.values():
        if len(basis.citation.strip()) < 3 or not basis.authority.strip():
            problems.append(f"{basis.id}: no citation or authority")
        if not basis.url.startswith(("https://", "http://")):
            problems.append(f"{basis.id}: no source URL")
        if not basis.verified and not (basis.note and "UNVERIFIED" in basis.note):
            problems.append(f"{basis.id}: unverified without a note saying what is unverified")
        for ob in basis.covers.obligations or []:
            if ob not in known:
                problems.append(f"{basis.id}: covers unknown obligation {ob}")
        for inst in basis.covers.instruments or []:
            if inst not in pack.instruments:
                problems.append(f"{basis.id}: covers unknown instrument {inst}")
    assert not problems, "\n".join(problems)
