"""Unit tests of the engine's parts: vendors, roles, deadlines, rules, evaluators, loading."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dutybound.engine import vocabulary as vocab
from dutybound.engine.deadlines import add_business_days
from dutybound.engine.errors import InputError
from dutybound.engine.evaluators import OPERATOR_FACT, get_evaluator
from dutybound.engine.evaluators.reference import ReferenceEvaluator
from dutybound.engine.inputs import check_profile
from dutybound.engine.law import Calendar
from dutybound.engine.loading import default_law_dir, load_rulepack
from dutybound.engine.roles import derive_roles
from dutybound.engine.rules import SIGNATURE_FIELDS, Rule, Signature
from dutybound.engine.vendors import normalise

# --- vendors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HUAWEI TECHNOLOGIES CO.,LTD", "huawei technologies"),
        ("Huawei Technologies Co., Ltd.", "huawei technologies"),
        ("Huawei Technologies (Czech) s.r.o.", "huawei technologies czech"),
        ("  ZTE   Corporation ", "zte"),
        ("Müller & Söhne GmbH", "muller and sohne"),
    ],
)
def test_normalise_folds_case_punctuation_and_legal_forms(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_vendor_match_names_group_entity_and_relationship(pack) -> None:
    match = pack.registry.match("HiSilicon Technologies Co., Ltd", dt.date(2024, 1, 1))
    assert (match.group, match.entity, match.relationship) == ("huawei", "HiSilicon", "subsidiary")
    assert match.method == "alias" and match.score == 1.0 and not match.needs_review


def test_vendor_membership_is_as_of_a_date(pack) -> None:
    before = pack.registry.match("Honor", dt.date(2020, 11, 16))
    after = pack.registry.match("Honor", dt.date(2020, 11, 17))
    assert before.relationship == "subsidiary"
    assert after.relationship == "former_member"


@pytest.mark.parametrize("vendor", ["Nokia", "Ericsson AB", "Cisco Systems", "Siemens AG"])
def test_other_vendors_are_not_matched(pack, vendor: str) -> None:
    match = pack.registry.match(vendor, dt.date(2024, 1, 1))
    assert match.group is None and not match.needs_review


# --- roles -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("turnover", "tier"),
    [
        (999_999_999, "gb.tier2_provider"),
        (1_000_000_000, "gb.tier1_provider"),
        (50_000_000, "gb.tier2_provider"),
        (49_999_999, None),
    ],
)
def test_uk_tier_is_derived_from_relevant_turnover(pack, turnover: int, tier: str | None) -> None:
    profile = check_profile(
        {
            "name": "P",
            "jurisdictions": ["GB"],
            "roles": ["gb.public_telecoms_provider"],
            "attributes": {"gb.relevant_turnover_gbp": turnover},
        },
        pack,
        "p",
    )
    roles = derive_roles(pack, profile)
    tiers = {r for r in roles if r.startswith("gb.tier")}
    assert tiers == ({tier} if tier else set())
    if tier:
        assert roles[tier].source == "derived"
        assert any("gb.relevant_turnover_gbp" in reason for reason in roles[tier].reasons)


def test_tier_needs_the_provider_role(pack) -> None:
    profile = check_profile(
        {"name": "P", "jurisdictions": ["GB"], "attributes": {"gb.relevant_turnover_gbp": 5e9}},
        pack,
        "p",
    )
    assert derive_roles(pack, profile) == {}


# --- deadlines ---------------------------------------------------------------------------------


def test_business_days_skip_weekends_and_us_federal_holidays() -> None:
    us = Calendar(country="US")
    # Friday 30 Aug 2024 + 1 business day: Monday 2 Sep is Labor Day, so Tuesday
    assert add_business_days(dt.date(2024, 8, 30), 1, us) == dt.date(2024, 9, 3)
    # Friday 1 Mar 2024 + 10 business days (no holidays): Friday 15 Mar
    assert add_business_days(dt.date(2024, 3, 1), 10, us) == dt.date(2024, 3, 15)


def test_business_days_follow_the_jurisdiction_calendar() -> None:
    gb = Calendar(country="GB", subdiv="ENG")
    # Thursday 21 Dec 2023 + 2: Friday 22, then Mon 25 and Tue 26 are bank holidays → Wed 27
    assert add_business_days(dt.date(2023, 12, 21), 2, gb) == dt.date(2023, 12, 27)


@pytest.mark.parametrize("cache", ["fresh", "filled", "off", "unwritable"])
def test_holiday_cache_never_changes_a_deadline(cache: str, tmp_path, monkeypatch) -> None:
    """The on-disk holiday cache is only an optimisation: empty, filled, switched off or
    unwritable, Labor Day 2024 still moves a one-business-day deadline to Tuesday."""
    from dutybound.engine import deadlines

    folder = {
        "fresh": tmp_path / "c",
        "filled": tmp_path / "c",
        "off": "",
        "unwritable": tmp_path / "file-not-dir" / "c",
    }[cache]
    if cache == "unwritable":
        (tmp_path / "file-not-dir").write_text("x")
    monkeypatch.setenv("DUTYBOUND_CACHE_DIR", str(folder))
    deadlines._holidays.cache_clear()
    if cache == "filled":
        deadlines._holidays("US", None, 2024)
        deadlines._holidays.cache_clear()
        assert "US//2024" in (tmp_path / "c" / "holidays.json").read_text()
    us = Calendar(country="US")
    assert add_business_days(dt.date(2024, 8, 30), 1, us) == dt.date(2024, 9, 3)
    deadlines._holidays.cache_clear()


# --- evaluators --------------------------------------------------------------------------------


FIELD_VALUES = {
    "group": ["huawei", "zte", "hikvision", ""],
    "relationship": ["parent", "subsidiary", "brand", "former_member", ""],
    "category": sorted(vocab.CATEGORIES)[:5],
    "function": ["core", "ran", "access_fttp", "office_it"],
    "network": ["5g", "4g", "fttp", ""],
    "use": ["public_safety", "other", ""],
    "status": sorted(vocab.STATUSES),
    "country": ["GB", "US", "CZ"],
    "origin": ["CN", "US", ""],
}
FLAGS = sorted(vocab.FLAGS)[:4]
ROLES = ["gb.a", "gb.b", "us.c", "cz.d"]


@st.composite
def signatures(draw: st.DrawFn) -> list[Signature]:
    n = draw(st.integers(min_value=1, max_value=25))
    sigs = []
    for i in range(n):
        values = tuple(draw(st.sampled_from(FIELD_VALUES[f])) for f in SIGNATURE_FIELDS)
        flags = tuple(sorted(draw(st.sets(st.sampled_from(FLAGS), max_size=2))))
        sigs.append(Signature(f"s{i}", values, flags))
    return sigs


@st.composite
def rules(draw: st.DrawFn) -> list[Rule]:
    n = draw(st.integers(min_value=1, max_value=30))
    out = []
    for i in range(n):
        fields = draw(st.sets(st.sampled_from(SIGNATURE_FIELDS), max_size=5))
        tests = tuple(
            (
                f,
                tuple(
                    sorted(
                        draw(
                            st.sets(
                                st.sampled_from([v for v in FIELD_VALUES[f] if v]),
                                min_size=1,
                                max_size=3,
                            )
                        )
                    )
                ),
            )
            for f in SIGNATURE_FIELDS
            if f in fields
        )
        flags_all = tuple(sorted(draw(st.sets(st.sampled_from(FLAGS), max_size=1))))
        flags_none = tuple(
            sorted(draw(st.sets(st.sampled_from(FLAGS), max_size=1)) - set(flags_all))
        )
        roles = tuple(sorted(draw(st.sets(st.sampled_from(ROLES), min_size=1, max_size=3))))
        excluded = draw(st.sets(st.sampled_from(FIELD_VALUES["origin"]), max_size=2))
        tests_not = (("origin", tuple(sorted(excluded))),) if excluded else ()
        asset_level = draw(st.booleans()) or bool(tests) or bool(tests_not)
        jurisdiction = draw(st.sampled_from(["GB", "US", "CZ"]))
        out.append(
            Rule(
                f"{jurisdiction.lower()}.r{i}",
                jurisdiction,
                roles,
                asset_level,
                tests if asset_level else (),
                flags_all if asset_level else (),
                flags_none if asset_level else (),
                tests_not if asset_level else (),
            )
        )
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules(),
    signatures(),
    st.sets(st.sampled_from(ROLES), max_size=3),
    st.sets(st.sampled_from(["GB", "US", "CZ"]), min_size=1),
)
def test_durable_rules_agrees_with_the_reference(
    evaluators, rule_list, sigs, roles, jurisdictions
) -> None:
    reference = ReferenceEvaluator().match(rule_list, sigs, roles, jurisdictions)
    production = evaluators["production"].match(rule_list, sigs, roles, jurisdictions)
    assert production == reference


def test_one_fact_may_match_more_rules_than_durable_allows_per_ruleset(evaluators) -> None:
    """durable-rules fails with error 303 past 64 matches per fact in one ruleset; sharding
    keeps every ruleset under that, so 150 rules matching one signature all fire."""
    many = [
        Rule(f"gb.many{i:03d}", "GB", ("gb.a",), True, (("status", ("installed",)),), (), ())
        for i in range(150)
    ]
    sig = Signature(
        "s0", ("huawei", "parent", "router", "core", "5g", "", "installed", "GB", ""), ()
    )
    found = evaluators["production"].match(many, [sig], {"gb.a"}, {"GB"})
    assert found == {(r.id, "s0") for r in many}


def test_operator_level_rules_match_the_operator_fact(evaluators) -> None:
    rule = Rule("gb.duty", "GB", ("gb.a", "gb.b"), False, (), (), ())
    for evaluator in evaluators.values():
        assert evaluator.match([rule], [], {"gb.b"}, {"GB"}) == {("gb.duty", OPERATOR_FACT)}
        assert evaluator.match([rule], [], {"us.c"}, {"GB"}) == set()
        assert evaluator.match([rule], [], {"gb.b"}, {"US"}) == set()


SESSIONS_WITH_NOTHING_MATCHED = """
from dutybound.engine.evaluators.durable import DurableEvaluator
from dutybound.engine.rules import Rule, Signature
rule = Rule("gb.r", "GB", ("gb.a",), True, (("category", ("router",)),), (), ())
other = Signature("s0", ("", "", "drone", "core", "", "", "installed", "GB", ""), ())
evaluator = DurableEvaluator()
for _ in range(300):
    assert evaluator.match([rule], [], {"gb.a"}, {"GB"}) == set()
    assert evaluator.match([rule], [other], {"gb.a"}, {"GB"}) == set()
print("ok")
"""


def test_sessions_where_no_rule_matches_are_deleted_safely() -> None:
    """durable-rules frees uninitialised memory when a session in which no action ran is
    deleted (shared/guide; a crash under MALLOC_PERTURB_). Every batch carries a sentinel fact
    that the catch-all rule matches, so an action always runs: 600 evaluations in which no
    obligation matches, with freed memory poisoned, end cleanly."""
    import os
    import subprocess

    pytest.importorskip("durable_rules_engine")
    done = subprocess.run(
        [sys.executable, "-c", SESSIONS_WITH_NOTHING_MATCHED],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "MALLOC_PERTURB_": "165"},
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_falls_back_to_the_reference_where_durable_cannot_import(monkeypatch) -> None:
    """On Python 3.13+ durable-rules does not import; the engine says so and carries on."""
    monkeypatch.setitem(sys.modules, "durable_rules_engine", None)
    monkeypatch.delitem(sys.modules, "dutybound.engine.evaluators.durable", raising=False)
    evaluator, notice = get_evaluator("auto")
    assert evaluator.name == "reference"
    assert notice is not None and "reference evaluator" in notice


# --- loading the law ---------------------------------------------------------------------------


def _copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "law"
    shutil.copytree(default_law_dir(), target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_the_bundled_rule_pack_loads(pack) -> None:
    assert {"CZ", "GB", "US"} <= set(pack.jurisdictions)
    assert len(pack.sha256) == 64
    for item in pack.obligations:
        assert item.obligation.citation and item.obligation.url.startswith("http")


def test_law_file_errors_name_file_line_and_field(tmp_path: Path) -> None:
    law = _copy_pack(tmp_path)
    path = law / "gb" / "instruments" / "2022-10-13-huawei-designated-vendor-direction.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("deadline: {date: 2023-12-31}", "deadline: {date: 2021-12-31}"),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_rulepack(law)
    assert info.value.file == str(path)
    assert info.value.line is not None and "deadline is before" in str(info.value)


def test_unknown_vocabulary_in_law_is_an_error(tmp_path: Path) -> None:
    law = _copy_pack(tmp_path)
    path = law / "gb" / "instruments" / "2022-10-13-huawei-designated-vendor-direction.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("functions: [core]", "functions: [kore]"), encoding="utf-8")
    with pytest.raises(InputError, match="unknown functions"):
        load_rulepack(law)


def test_fingerprint_follows_the_bytes(tmp_path: Path, pack) -> None:
    law = _copy_pack(tmp_path)
    assert load_rulepack(law).sha256 == pack.sha256
    (law / "rulepack.yaml").write_text((law / "rulepack.yaml").read_text() + "\n# edited\n")
    assert load_rulepack(law).sha256 != pack.sha256


def test_rule_pack_cache_never_serves_stale_law(tmp_path, monkeypatch) -> None:
    """A loaded pack is cached, but an edited law file, or a damaged cache entry, is read
    afresh: the cache can make loading faster, never different."""
    import shutil

    from dutybound.engine.loading import default_law_dir, default_registry_path, load_rulepack

    monkeypatch.setenv("DUTYBOUND_CACHE_DIR", str(tmp_path / "cache"))
    law = shutil.copytree(default_law_dir(), tmp_path / "law")
    first = load_rulepack(law, default_registry_path())
    assert len(list((tmp_path / "cache" / "rulepacks").iterdir())) == 1
    assert load_rulepack(law, default_registry_path()).sha256 == first.sha256  # from the cache
    path = next((law / "gb" / "instruments").glob("*designated-vendor-direction*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Remove Huawei equipment from the network core", "EDITED core removal", 1),
        encoding="utf-8",
    )
    edited = load_rulepack(law, default_registry_path())
    assert edited.sha256 != first.sha256
    assert edited.obligation("gb.dvd-2022.core-removal").obligation.title == "EDITED core removal"
    for entry in (tmp_path / "cache" / "rulepacks").iterdir():
        entry.write_bytes(b"not a pickle")
    assert load_rulepack(law, default_registry_path()).sha256 == edited.sha256


# --- closed vocabularies -----------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _plain_json(value: object, where: str = "$", *, leaves: bool = True) -> None:
    """Fail unless every dict key in ``value`` is an exact ``str`` and (with ``leaves``) every
    value an exact JSON type: a StrEnum member is a ``str`` subclass, which orjson refuses as a
    dict key and C code might not expect."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str, f"{where}: key {key!r} is a {type(key).__name__}"
            _plain_json(item, f"{where}.{key}", leaves=leaves)
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            _plain_json(item, f"{where}[{n}]", leaves=leaves)
    elif leaves:
        assert value is None or type(value) in (str, int, float, bool), f"{where}: {value!r}"


def test_vocabularies_are_their_words_in_json() -> None:
    """A StrEnum member is written as its word by both JSON writers, so outputs did not change
    when the bare strings became enums."""
    import json

    from dutybound.engine.jsontext import json_text
    from dutybound.engine.outcomes import APPLYING, FindingStatus, Standing, Verdict

    data = {"status": FindingStatus.IN_FORCE, "standing": [Standing.IN_EFFECT], "v": Verdict.REVIEW}
    assert json_text(data) == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    assert json.loads(json_text(data)) == {
        "status": "in_force",
        "standing": ["in_effect"],
        "v": "review",
    }
    assert {s.value for s in APPLYING} == {"overdue", "due", "in_force"}
    assert [s.value for s in FindingStatus][:3] == ["overdue", "due", "in_force"]  # worst first


def test_json_outputs_are_keyed_by_plain_strings(pack) -> None:
    """orjson accepts only exact ``str`` dict keys: every ``to_json`` keys by the word, never by
    an enum member (the HTTP service serialises these dicts with orjson directly)."""
    import orjson

    from dutybound.engine.diff import Side, diff, upcoming
    from dutybound.engine.evaluation import evaluate
    from dutybound.engine.inputs import load_profile
    from dutybound.engine.inventory import read_inventory
    from dutybound.engine.verdict import check_items
    from dutybound.engine.waivers import load_waivers

    folder = EXAMPLES / "us-federal-contractor"
    profile = load_profile(folder / "profile.yaml", pack)
    assets = read_inventory(folder / "assets.csv").assets
    waivers = load_waivers(folder / "waivers.yaml", pack)
    day = dt.date(2022, 8, 10)
    before = Side(profile, assets, day)
    after = Side(profile, assets[1:], dt.date(2024, 1, 1), waivers=tuple(waivers))
    outputs = [
        evaluate(pack, profile, assets, day, waivers=waivers).to_json(),
        check_items(pack, profile, assets, day, waivers=waivers).to_json(),
        diff(before, after).to_json(),
        upcoming(before, 24).to_json(),
    ]
    for data in outputs:
        _plain_json(data, leaves=False)
        orjson.dumps(data)


def test_facts_and_conditions_for_durable_rules_are_plain_json(pack) -> None:
    """durable-rules' C matcher reads the facts and rule conditions as JSON text: nothing in
    them may be an enum or another str subclass, whatever the serialiser does with one."""
    pytest.importorskip("durable_rules_engine")
    from dutybound.engine.evaluators.durable import DurableEvaluator, rule_condition
    from dutybound.engine.inventory import read_inventory
    from dutybound.engine.rules import build_signatures, compile_rules

    assets = [
        a
        for f in sorted(EXAMPLES.glob("*/assets.csv"))  # the NetBox example has its own files
        for a in read_inventory(f).assets
    ]
    matches = {v: pack.registry.match(v, dt.date(2024, 1, 1)) for v in {a.vendor for a in assets}}
    signatures, _members = build_signatures(assets, matches)
    roles = set(pack.roles)
    _plain_json(DurableEvaluator._facts(signatures, roles, set(pack.jurisdictions), "e1"))
    _plain_json([rule_condition(rule) for rule in compile_rules(pack)])
