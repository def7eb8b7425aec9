"""Attestations (fulfilment records), stated as legal outcomes.

The law: a provider of a regulated service under Act 264/2025 Coll. (in force 1 Nov 2025) had
to register through NÚKIB's portal within 60 days, by 31 Dec 2025 for entities regulated on
1 Nov 2025 (cz.zkb-264-2025.registration). Without a record of it the registration reads
"overdue" for ever; an attestation records that it was done. A removal (the UK Huawei designated
vendor direction: out of the network core by 31 Dec 2023) is done asset by asset; a prohibition
or a cap is met by the inventory, never by a record.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dutybound.engine.attestations import (
    AttestationErrors,
    apply_attestations,
    check_attestations,
    load_attestations,
)
from dutybound.engine.errors import InputError
from dutybound.engine.evaluation import evaluate
from dutybound.engine.inputs import (
    assets_from_rows,
    check_profile,
    load_profile,
    rows_from_mappings,
)
from dutybound.engine.inventory import read_inventory
from dutybound.engine.jsontext import json_text
from dutybound.engine.loading import RulePack
from dutybound.engine.outcomes import NoticeCode

ROOT = Path(__file__).resolve().parent.parent
CZ = ROOT / "examples" / "cz-energy"
UK = ROOT / "examples" / "uk-telecoms"
US = ROOT / "examples" / "us-federal-contractor"
CZ_OPERATOR = "Moravská distribuční energetika a.s."  # examples/cz-energy/profile.yaml
REGISTRATION = "cz.zkb-264-2025.registration"
CORE_REMOVAL = "gb.dvd-2022.core-removal"
TODAY = dt.date(2026, 12, 3)


def _record(**changes: object) -> dict:
    base = {
        "id": "A-1",
        "operator": CZ_OPERATOR,
        "obligation": REGISTRATION,
        "done_on": "2025-12-15",
        "evidence": "NÚKIB registration ref. 2025/123",
        "by": "J. Novák",
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def _write(tmp_path: Path, *records: dict) -> Path:
    """An attestations file, one key per line under 'attestations:', so that line numbers are
    predictable: the first record starts on line 2."""
    lines = ["attestations:"]
    for rec in records:
        for n, (key, value) in enumerate(rec.items()):
            text = json.dumps(value, ensure_ascii=False)
            lines.append(("  - " if n == 0 else "    ") + f"{key}: {text}")
    path = tmp_path / "attestations.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cz_operator(pack: RulePack):
    """The bundled Czech distributor, naming its Act 264/2025 role (higher regime)."""
    profile = check_profile(
        {
            "name": CZ_OPERATOR,
            "jurisdictions": ["CZ"],
            "sectors": ["energy"],
            "roles": ["cz.regulated_service_higher"],
        },
        pack,
        "profile",
    )
    return profile, read_inventory(CZ / "assets.csv").assets


def _findings(pack, operator, evaluators, day: dt.date):
    profile, assets = operator
    return evaluate(pack, profile, assets, day, evaluator=evaluators["production"]).findings


def _one(findings, obligation: str):
    (found,) = [f for f in findings if f.item.obligation.id == obligation]
    return found


# --- a duty of the operator itself: the Act 264/2025 registration -------------------------------


def test_registration_attested_as_done_is_fulfilled(pack, cz_operator, evaluators) -> None:
    """As of 3 Dec 2026 the registration (due 31 Dec 2025) is overdue; an attestation that it was
    done on 15 Dec 2025 makes it fulfilled, and says what would stand without it."""
    findings = _findings(pack, cz_operator, evaluators, TODAY)
    assert _one(findings, REGISTRATION).status == "overdue"

    records = check_attestations([_record()], pack, "attestations.yaml", operator=CZ_OPERATOR)
    notices = apply_attestations(findings, records, CZ_OPERATOR, TODAY)

    assert notices == []
    finding = _one(findings, REGISTRATION)
    assert finding.status == "fulfilled"
    assert finding.status_without_attestations == "overdue"
    assert finding.attestations == [
        {
            "id": "A-1",
            "done_on": "2025-12-15",
            "evidence": "NÚKIB registration ref. 2025/123",
            "by": "J. Novák",
            "assets": None,
            "partial": False,
            "effective": True,
            "note": None,
        }
    ]
    assert finding.explanation.endswith(
        "Attestation A-1 records this done on 15 Dec 2025 by J. Novák (evidence: NÚKIB "
        "registration ref. 2025/123). Without the attestation the finding would be overdue."
    )
    data = finding.to_json()
    assert (data["status"], data["status_without_attestations"]) == ("fulfilled", "overdue")
    # the other Act 264/2025 duties were not attested and stay as they were
    assert _one(findings, "cz.zkb-264-2025.security-measures").status == "in_force"


def test_registration_done_after_its_deadline_is_fulfilled_and_said_to_be_late(
    pack, cz_operator, evaluators
) -> None:
    findings = _findings(pack, cz_operator, evaluators, TODAY)
    records = check_attestations([_record(done_on="2026-02-01")], pack, "a")
    apply_attestations(findings, records, CZ_OPERATOR, TODAY)
    finding = _one(findings, REGISTRATION)
    assert finding.status == "fulfilled"
    assert "It was done after the deadline of 31 Dec 2025." in finding.explanation


def test_attestation_dated_after_the_evaluation_does_not_count_yet(
    pack, cz_operator, evaluators
) -> None:
    """On 10 Dec 2025 the registration is due; a record of it done on 15 Dec 2025 is shown on the
    finding but changes nothing, and needs no notice."""
    day = dt.date(2025, 12, 10)
    findings = _findings(pack, cz_operator, evaluators, day)
    records = check_attestations([_record()], pack, "a")
    assert apply_attestations(findings, records, CZ_OPERATOR, day) == []
    finding = _one(findings, REGISTRATION)
    assert finding.status == "due" and finding.status_without_attestations is None
    assert finding.attestations[0]["effective"] is False
    assert "after 10 Dec 2025: it does not count yet." in finding.explanation


def test_attestation_before_the_duty_took_effect_is_refused(pack, cz_operator, evaluators) -> None:
    """On 15 Oct 2025 Act 264/2025 is not yet in force (1 Nov 2025): nothing to fulfil yet."""
    day = dt.date(2025, 10, 15)
    findings = _findings(pack, cz_operator, evaluators, day)
    records = check_attestations([_record(done_on="2025-10-10")], pack, "a")
    (notice,) = apply_attestations(findings, records, CZ_OPERATOR, day)
    assert notice.code == NoticeCode.ATTESTATION_REFUSED
    assert "takes effect on 1 Nov 2025" in notice.message
    assert notice.details["citation"] == pack.obligation(REGISTRATION).obligation.citation
    assert all(not f.attestations for f in findings)


def test_record_kept_after_its_obligation_ended_is_history_not_a_refusal(pack, evaluators) -> None:
    """The 2020 UK decision to remove Huawei from 5G ended on 13 Oct 2022, when the designated
    vendor direction replaced it. A record of work done under it in 2021 stays on the ended
    finding (shown with include_ended) with no notice; one dated after the decision ended is
    refused: there was nothing left to do under it."""
    profile = load_profile(UK / "profile.yaml", pack)
    assets = read_inventory(UK / "assets.csv").assets
    old = "gb.huawei-5g-decision-2020.5g-removal"
    findings = evaluate(
        pack, profile, assets, TODAY, evaluator=evaluators["production"], include_ended=True
    ).findings
    assert _one(findings, old).status == "ended"
    kept = _record(operator=profile.name, obligation=old, assets=["R-001"], done_on="2021-06-01")
    late = {**kept, "id": "A-2", "done_on": "2022-11-01"}
    notices = apply_attestations(
        findings, check_attestations([kept, late], pack, "a"), profile.name, TODAY
    )
    finding = _one(findings, old)
    assert finding.status == "ended" and finding.status_without_attestations is None
    assert [a["id"] for a in finding.attestations] == ["A-1"]
    (notice,) = notices
    assert notice.details["attestation"] == "A-2"
    assert "it ceased to apply on 13 Oct 2022" in notice.message


# --- refusals ------------------------------------------------------------------------------------


def test_attestation_for_an_obligation_that_does_not_apply_is_refused(
    pack, cz_operator, evaluators
) -> None:
    """A Czech-only operator attests removing Huawei from its core under the UK direction: the
    direction addresses UK designated-vendor addressees, not this operator."""
    findings = _findings(pack, cz_operator, evaluators, TODAY)
    before = [(f.id, f.status, f.explanation) for f in findings]
    records = check_attestations(
        [_record(obligation=CORE_REMOVAL, assets=["E-001"])], pack, "a", operator=CZ_OPERATOR
    )
    (notice,) = apply_attestations(findings, records, CZ_OPERATOR, TODAY)
    assert notice.code == NoticeCode.ATTESTATION_REFUSED
    assert notice.details["attestation"] == "A-1"
    assert notice.details["obligation"] == CORE_REMOVAL
    citation = pack.obligation(CORE_REMOVAL).obligation.citation
    assert notice.details["citation"] == citation and f"[{citation}]" in notice.message
    assert "does not apply to this operator on 3 Dec 2026" in notice.message
    assert "gb.dvd_addressee in GB" in notice.message
    assert [(f.id, f.status, f.explanation) for f in findings] == before


def test_attestation_for_a_prohibition_is_refused(pack, evaluators) -> None:
    """The contractor's Huawei routers under the s.889 use prohibition (in force 1 Jun 2021): a
    record cannot meet a prohibition; only the inventory can (the routers decommissioned)."""
    profile = load_profile(US / "profile.yaml", pack)
    assets = read_inventory(US / "assets.csv").assets
    day = dt.date(2021, 6, 1)
    findings = evaluate(pack, profile, assets, day, evaluator=evaluators["production"]).findings
    assert _one(findings, "us.ndaa889.a1b-use").status == "in_force"
    records = check_attestations(
        [
            _record(
                operator=profile.name,
                obligation="us.ndaa889.a1b-use",
                assets=["U-001"],
                done_on="2021-05-01",
            )
        ],
        pack,
        "a",
    )
    (notice,) = apply_attestations(findings, records, profile.name, day)
    assert notice.code == NoticeCode.ATTESTATION_REFUSED
    assert "a prohibition is met by the inventory, not by a record" in notice.message
    assert "decommissioned" in notice.message
    finding = _one(findings, "us.ndaa889.a1b-use")
    assert finding.status == "in_force" and finding.attestations == []


@pytest.fixture(scope="module")
def uk_core(pack: RulePack):
    """The UK provider with two Huawei packet cores still installed."""
    profile = load_profile(UK / "profile.yaml", pack)
    rows = [
        {
            "asset_id": aid,
            "vendor": "Huawei",
            "category": "telecom_equipment",
            "function": "core",
            "network": "4g",
            "country": "GB",
            "status": "installed",
        }
        for aid in ("C-001", "C-002")
    ]
    return profile, assets_from_rows("test", rows_from_mappings(rows))


def test_removal_attested_for_one_of_two_assets_stays_open_for_the_other(
    pack, uk_core, evaluators
) -> None:
    """Huawei had to be out of the core by 31 Dec 2023. On 3 Dec 2026 with C-001 attested removed,
    the removal stays overdue and names C-002; once C-002 is attested too, it is fulfilled."""
    profile, _ = uk_core
    findings = _findings(pack, uk_core, evaluators, TODAY)
    assert _one(findings, CORE_REMOVAL).assets == ["C-001", "C-002"]
    one = _record(
        operator=profile.name,
        obligation=CORE_REMOVAL,
        assets=["C-001"],
        done_on="2023-11-20",
        evidence="Change ticket CHG-4411",
        by="Head of Core Networks",
    )
    assert (
        apply_attestations(findings, check_attestations([one], pack, "a"), profile.name, TODAY)
        == []
    )
    finding = _one(findings, CORE_REMOVAL)
    assert finding.status == "overdue" and finding.status_without_attestations is None
    (record,) = finding.attestations
    assert record["assets"] == ["C-001"] and record["partial"] is True
    assert (
        "Attestation A-1 records this done for C-001 on 20 Nov 2023 by Head of Core Networks "
        "(evidence: Change ticket CHG-4411). The obligation stays overdue for C-002."
    ) in finding.explanation

    both = check_attestations([one, {**one, "id": "A-2", "assets": ["C-002"]}], pack, "a")
    findings = _findings(pack, uk_core, evaluators, TODAY)
    assert apply_attestations(findings, both, profile.name, TODAY) == []
    finding = _one(findings, CORE_REMOVAL)
    assert finding.status == "fulfilled" and finding.status_without_attestations == "overdue"
    assert [a["assets"] for a in finding.attestations] == [["C-001"], ["C-002"]]
    assert "Without the attestations the finding would be overdue." in finding.explanation


def test_removal_naming_an_asset_no_finding_covers_is_refused_and_says_which(
    pack, uk_core, evaluators
) -> None:
    profile, _ = uk_core
    findings = _findings(pack, uk_core, evaluators, TODAY)
    records = check_attestations(
        [_record(operator=profile.name, obligation=CORE_REMOVAL, assets=["C-001", "C-009"])],
        pack,
        "a",
    )
    (notice,) = apply_attestations(findings, records, profile.name, TODAY)
    assert notice.code == NoticeCode.ATTESTATION_REFUSED
    assert notice.details["assets"] == ["C-009"]
    assert "it names C-009, which no finding of gb.dvd-2022.core-removal covers" in notice.message
    assert _one(findings, CORE_REMOVAL).status == "overdue"
    assert _one(findings, CORE_REMOVAL).attestations == []


def test_attestation_for_a_cap_is_refused(pack, evaluators) -> None:
    """The UK provider's Huawei full-fibre share (35% cap under the direction) is measured from
    the inventory; a record that the cap was met is refused."""
    profile = load_profile(UK / "profile.yaml", pack)
    assets = read_inventory(UK / "assets.csv").assets
    findings = evaluate(pack, profile, assets, TODAY, evaluator=evaluators["production"]).findings
    records = check_attestations(
        [
            _record(
                operator=profile.name, obligation="gb.dvd-2022.fttp-access-cap", assets=["F-001"]
            )
        ],
        pack,
        "a",
    )
    (notice,) = apply_attestations(findings, records, profile.name, TODAY)
    assert notice.code == NoticeCode.ATTESTATION_REFUSED
    assert "a cap is met by the inventory, not by a record" in notice.message
    assert _one(findings, "gb.dvd-2022.fttp-access-cap").attestations == []


def test_record_of_another_operator_is_ignored_with_a_notice(pack, cz_operator, evaluators) -> None:
    findings = _findings(pack, cz_operator, evaluators, TODAY)
    records = check_attestations([_record(operator="ČEZ Distribuce, a. s.")], pack, "a")
    (notice,) = apply_attestations(findings, records, CZ_OPERATOR, TODAY)
    assert notice.code == NoticeCode.ATTESTATION_OTHER_OPERATOR
    assert notice.details == {
        "attestation": "A-1",
        "operator": "ČEZ Distribuce, a. s.",
        "obligation": REGISTRATION,
    }
    assert _one(findings, REGISTRATION).status == "overdue"


def test_output_does_not_depend_on_record_order(pack, cz_operator, evaluators) -> None:
    records = [
        _record(),
        _record(id="A-0", obligation="cz.zkb-264-2025.security-measures", done_on="2026-10-01"),
        _record(id="A-2", operator="Someone else"),
    ]

    def run(order: list[dict]) -> tuple[str, list[dict]]:
        findings = _findings(pack, cz_operator, evaluators, TODAY)
        notices = apply_attestations(
            findings, check_attestations(order, pack, "a"), CZ_OPERATOR, TODAY
        )
        return json_text([f.to_json() for f in findings]), [n.to_json() for n in notices]

    assert run(records) == run(records[::-1])


# --- errors: file, line, field ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"obligation": "cz.zkb-264-2025.no-such"}, "attestations.0.obligation", "unknown"),
        ({"done_on": "15.12.2025"}, "attestations.0.done_on", "not an ISO date"),
        ({"done_on": None}, "attestations.0.done_on", "Field required"),
        ({"assets": ["E-001"]}, "attestations.0.assets", "duty of the operator itself"),
        ({"obligation": CORE_REMOVAL}, "attestations.0.assets", "required"),
        ({"operator": "Someone Else a.s."}, "attestations.0.operator", "but the profile is"),
        ({"evidence": ""}, "attestations.0.evidence", "at least 1 character"),
        ({"colour": "red"}, "attestations.0.colour", "Extra inputs"),
    ],
)
def test_bad_records_are_errors_naming_file_line_and_field(
    pack, tmp_path, change, field, words
) -> None:
    path = _write(tmp_path, _record(**change))
    with pytest.raises(InputError) as exc:
        load_attestations(path, pack, CZ_OPERATOR)
    assert exc.value.file == str(path)
    assert exc.value.field == field and words in exc.value.message
    assert exc.value.line is not None and exc.value.line >= 2


def test_every_problem_of_a_file_is_reported_at_once(pack, tmp_path) -> None:
    """Record 0 is fine (lines 2-7); record 1 (lines 8-13) names an unknown obligation; record 2
    (lines 14-19) repeats id A-1 and gives a date in Czech notation."""
    path = _write(
        tmp_path,
        _record(),
        _record(id="A-2", obligation="cz.zkb-264-2025.registraton"),
        _record(done_on="15. 12. 2025"),
    )
    with pytest.raises(AttestationErrors) as exc:
        load_attestations(path, pack)
    error = exc.value
    assert [(p.line, p.field) for p in error.problems] == [
        (10, "attestations.1.obligation"),
        (17, "attestations.2.done_on"),
    ]
    assert str(error).startswith(f"{path}:10: field 'attestations.1.obligation': unknown")
    assert "and 1 more: line 17, field 'attestations.2.done_on': " in str(error)
    # the date error hides the duplicate id until the record parses; then it is named
    path = _write(tmp_path, _record(), _record(evidence="second copy"))
    with pytest.raises(InputError) as one:
        load_attestations(path, pack)
    assert one.value.field == "attestations.1.id" and one.value.line == 8
    assert "duplicate attestation id 'A-1'" in one.value.message


def test_a_file_that_is_not_a_list_of_records_is_an_error(pack, tmp_path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("attestation:\n  id: A-1\n", encoding="utf-8")
    with pytest.raises(InputError, match="a list of records under 'attestations:'"):
        load_attestations(path, pack)


# --- the register --------------------------------------------------------------------------------


def test_recorded_attestations_round_trip_and_are_audited(
    database_url, pack, cz_operator, evaluators, tmp_path
) -> None:
    """Recorded in the register, the registration record comes back for the operator and makes
    the duty fulfilled; it is in the audit chain, and editing it afterwards is found. A record for
    a prohibition, or an id already recorded, is refused before anything is written."""
    from sqlalchemy import text

    from dutybound.cli import app
    from dutybound.engine.store import count_rows, database, stored_attestations, verify_audit

    runner = CliRunner()
    prohibition = _write(
        tmp_path,
        _record(
            id="A-9",
            operator="Potomac Systems Integration LLC",
            obligation="us.ndaa889.a1b-use",
            assets=["U-001"],
        ),
    )
    run = runner.invoke(app, ["attestations", "record", str(prohibition), "--db", database_url])
    assert run.exit_code == 2 and "a prohibition is met by the inventory" in run.output
    assert count_rows(database_url)["attestation"] == 0

    path = _write(tmp_path, _record(note="registered via portal.nukib.gov.cz"))
    run = runner.invoke(app, ["attestations", "record", str(path), "--db", database_url])
    assert run.exit_code == 0, run.output
    assert f"recorded 1 attestation(s) for {CZ_OPERATOR}" in run.output
    again = runner.invoke(app, ["attestations", "record", str(path), "--db", database_url])
    assert again.exit_code == 2 and "already recorded" in again.output

    listed = runner.invoke(
        app,
        [
            "attestations",
            "list",
            "--db",
            database_url,
            "--operator",
            CZ_OPERATOR,
            "--format",
            "json",
        ],
    )
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.stdout)
    assert (row["id"], row["obligation"], row["done_on"], row["by"], row["assets"]) == (
        "A-1",
        REGISTRATION,
        "2025-12-15",
        "J. Novák",
        None,
    )
    assert row["note"] == "registered via portal.nukib.gov.cz"
    other = runner.invoke(
        app, ["attestations", "list", "--db", database_url, "--operator", "X", "--format", "json"]
    )
    assert json.loads(other.stdout) == []

    stored = stored_attestations(CZ_OPERATOR, pack, database_url)
    assert [a.to_json() for a in stored] == [
        a.to_json() for a in load_attestations(path, pack, CZ_OPERATOR)
    ]
    findings = _findings(pack, cz_operator, evaluators, TODAY)
    assert apply_attestations(findings, stored, CZ_OPERATOR, TODAY) == []
    assert _one(findings, REGISTRATION).status == "fulfilled"

    count, _head, problems = verify_audit(database_url)
    assert (count, problems) == (1, [])
    with database(database_url).begin() as connection:
        connection.execute(text("UPDATE attestation SET done_on = '2025-11-02'"))
    problems = verify_audit(database_url)[2]
    assert [(p.seq, p.message) for p in problems] == [
        (1, "attestation.recorded 1 was changed after it was recorded")
    ]


def test_a_yearly_report_is_fulfilled_only_by_a_record_of_this_years_filing(pack) -> None:
    """47 CFR 1.50007: the supply chain annual report is due every 31 March. A record of the
    2026 filing fulfils the report due 31 Mar 2026 (as of 15 Mar 2026, before the deadline), but
    as of 1 Apr 2026 the next report, due 31 Mar 2027, is open again: the 2026 record is for an
    earlier year."""
    import datetime as dt

    from dutybound.engine.attestations import check_attestations
    from dutybound.engine.evaluation import evaluate
    from dutybound.engine.inputs import assets_from_rows, check_profile, rows_from_mappings

    profile = check_profile(
        {"name": "Rural Carrier", "jurisdictions": ["US"], "roles": ["us.acs_provider"]}, pack, "p"
    )
    assets = assets_from_rows(
        "a",
        rows_from_mappings(
            [
                {
                    "asset_id": "R-1",
                    "vendor": "Huawei",
                    "category": "telecom_equipment",
                    "function": "core",
                    "country": "US",
                    "status": "installed",
                }
            ]
        ),
    )
    ob = "us.47cfr1-50007.annual-report.huawei-zte"
    records = check_attestations(
        [
            {
                "id": "A-2026",
                "operator": "Rural Carrier",
                "obligation": ob,
                "assets": ["R-1"],
                "done_on": "2026-03-10",
                "evidence": "FCC filing confirmation 2026-0310",
                "by": "Compliance officer",
            }
        ],
        pack,
        "a.yaml",
    )

    def finding(day: str) -> dict:
        data = evaluate(
            pack, profile, assets, dt.date.fromisoformat(day), attestations=records
        ).to_json()
        return next(f for f in data["findings"] if f["obligation_id"] == ob)

    before = finding("2026-03-15")
    assert (before["status"], before["due"]) == ("fulfilled", "2026-03-31")
    after = finding("2026-04-01")
    assert (after["status"], after["due"]) == ("due", "2027-03-31")
    assert "needs a record of its own" in after["explanation"]
