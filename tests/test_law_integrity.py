"""Checks on the encoded law itself, run in CI: sources, dates, roles in time, and scenario
coverage."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from dutybound.engine.errors import InputError
from dutybound.engine.loading import RulePack, default_law_dir, load_rulepack
from tests.scenario import load_case, scenario_files

D = dt.date
OLD_CZ_ROLES = [
    "cz.ecomms_provider",
    "cz.cii_administrator",
    "cz.important_is_administrator",
    "cz.essential_service_operator",
    "cz.digital_service_provider",
]


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
    # a duty of an assumed decision under a power (engine.powers) is named <duty id>.assumed-<group>
    known |= {
        f"{duty.id}.assumed-{group.replace('_', '-')}"
        for loaded in pack.powers.values()
        for duty in loaded.power.duties
        for group in pack.registry.groups
    }
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


# --- roles in time ------------------------------------------------------------------------------


def test_every_role_with_an_instrument_names_a_real_one_of_its_own_jurisdiction(
    pack: RulePack,
) -> None:
    problems = []
    for code, info in pack.jurisdictions.items():
        for role in info.roles:
            if role.instrument is None:
                continue
            if role.instrument not in pack.instruments:
                problems.append(f"{role.id}: unknown instrument {role.instrument}")
            elif not role.instrument.startswith(code.lower() + "."):
                problems.append(f"{role.id}: instrument {role.instrument} is not of {code}")
            for successor in role.successors:
                if successor not in pack.roles:
                    problems.append(f"{role.id}: unknown successor {successor}")
    assert not problems, "\n".join(problems)


def test_czech_act_181_2014_roles_end_on_1_november_2025_and_point_to_the_act_264_2025_regimes(
    pack: RulePack,
) -> None:
    """Act 264/2025 Coll. replaced Act 181/2014 Coll. from 1 Nov 2025 (cz-eu.md 1.13); its obliged
    persons are providers of regulated services in the higher or lower regime (4.4)."""
    for role_id in OLD_CZ_ROLES:
        role = pack.roles[role_id]
        assert role.instrument == "cz.zkb-181-2014", role_id
        assert pack.role_window(role_id) == (D(2015, 1, 1), D(2025, 11, 1)), role_id
        assert role.successors == ["cz.regulated_service_higher", "cz.regulated_service_lower"]
    for role_id in ["cz.regulated_service_higher", "cz.regulated_service_lower"]:
        # the Act exists from its adoption on 11 Jun 2025; its duties start on 1 Nov 2025
        assert pack.role_window(role_id) == (D(2025, 6, 11), None), role_id
        assert not pack.roles[role_id].successors


def test_a_status_created_by_an_instrument_does_not_exist_the_day_before_it(
    pack: RulePack,
) -> None:
    """The UK direction of 13 Oct 2022 creates its addressees; the Code of Practice of December
    2022 creates the tiers. A role without an instrument has no window at all."""
    assert pack.role_window("gb.dvd_addressee") == (D(2022, 10, 13), None)
    assert pack.role_window("gb.tier1_provider") == (D(2022, 12, 1), None)
    assert pack.role_window("gb.public_telecoms_provider") == (None, None)
    assert pack.role_window("us.federal_contractor") == (None, None)


def test_no_obligation_applies_outside_the_window_of_a_role_it_addresses(pack: RulePack) -> None:
    """An obligation addressed to a status that does not exist on a day cannot bind anyone that
    day, so its window must lie inside the window of each role it names."""
    problems = []
    for item in pack.obligations:
        start, end = item.window()
        for role_id in item.obligation.roles:
            role_start, role_end = pack.role_window(role_id)
            if role_start is not None and start < role_start:
                problems.append(f"{item.obligation.id}: from {start}, {role_id} from {role_start}")
            if role_end is not None and (end is None or end > role_end):
                problems.append(f"{item.obligation.id}: to {end}, {role_id} ended {role_end}")
    assert not problems, "\n".join(problems)


def test_the_instruments_the_hindsight_scenarios_turn_on_carry_their_adoption_day(
    pack: RulePack,
) -> None:
    """Evaluations the day before and the day of adoption depend on these days: NÚKIB warning
    (cz-eu.md 2.1), UK direction and designation notice (uk-and-others.md UK-DVD-01), FAR subpart
    4.21 first interim rule (us.md F-FAR-01) and section 889 itself (us.md I-889)."""
    adopted = {
        "cz.nukib-2018": D(2018, 12, 17),
        "gb.dvd-2022": D(2022, 10, 13),
        "gb.huawei-designation-2022": D(2022, 10, 13),
        "us.far889": D(2019, 8, 13),
        "us.ndaa889": D(2018, 8, 13),
    }
    assert {i: pack.instruments[i].adopted for i in adopted} == adopted
    for item in pack.obligations:
        if item.instrument.id in adopted:
            day = adopted[item.instrument.id]
            assert not item.exists_on(day - dt.timedelta(days=1)), item.obligation.id
            assert item.exists_on(day), item.obligation.id


def _law_with(tmp_path: Path, code: str, old: str, new: str) -> tuple[Path, int]:
    """A copy of the bundled law with one edit in ``<code>/jurisdiction.yaml``; returns the file
    and the line of the edit's last line (where the key in error sits)."""
    law = shutil.copytree(
        default_law_dir(), tmp_path / "law", ignore=shutil.ignore_patterns("__pycache__")
    )
    path = law / code / "jurisdiction.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1 + new.count("\n")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, line


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "instrument: cz.zkb-264-2025",
            "instrument: cz.zkb-264-2052",
            "no instrument 'cz.zkb-264-2052' in the rule pack",
        ),
        (
            "instrument: cz.zkb-264-2025",
            "instrument: gb.dvd-2022",
            "instrument 'gb.dvd-2022' is not of jurisdiction CZ",
        ),
        (
            "successors: [cz.regulated_service_higher, cz.regulated_service_lower]",
            "successors: [cz.regulated_service_highest]",
            "unknown role 'cz.regulated_service_highest'",
        ),
        (
            "instrument: cz.zkb-264-2025",
            "instrument: cz.zkb-264-2025\n    successors: [cz.strategic_service_provider]",
            "needs an instrument with an 'ended' date",
        ),
    ],
)
def test_a_bad_role_reference_names_the_file_and_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path, line = _law_with(tmp_path, "cz", old, new)
    with pytest.raises(InputError) as info:
        load_rulepack(path.parent.parent)
    assert info.value.file == str(path)
    assert info.value.line == line
    assert message in str(info.value)


def test_every_power_is_exercised_by_a_scenario(pack: RulePack) -> None:
    """Each unused power has a scenario showing its latent exposure and one assuming a decision
    under it (engine.powers): a power nobody tests could silently reach nothing."""
    latent = set()
    assumed = set()
    for path in scenario_files():
        case = load_case(path)
        latent.update(item["power"] for item in case.get("latent") or [])
        for text in case.get("assume_designations") or []:
            assumed.add(text.split(":")[0].upper())
    missing_latent = sorted(set(pack.powers) - latent)
    assert not missing_latent, f"powers with no latent-exposure scenario: {missing_latent}"
    supplier_codes = {p.jurisdiction for p in pack.powers.values() if p.power.names == "supplier"}
    assert supplier_codes <= assumed, f"no what-if scenario for {sorted(supplier_codes - assumed)}"
