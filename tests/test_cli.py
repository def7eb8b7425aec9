"""The CLI as a user drives it: real processes, real files, exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UK = ROOT / "examples" / "uk-telecoms"
HEADER = "asset_id,vendor,product,category,function,network,country,use,status,quantity"


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    # a wide virtual terminal, so rich does not wrap titles and messages mid-phrase
    env = {**os.environ, "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-m", "dutybound", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def evaluate_args(profile: Path, assets: Path, as_of: str = "2024-01-01") -> list[str | Path]:
    return [
        "evaluate",
        "--profile",
        profile,
        "--assets",
        assets,
        "--as-of",
        as_of,
        "--format",
        "json",
    ]


def test_uk_example_end_to_end() -> None:
    result = run(*evaluate_args(UK / "profile.yaml", UK / "assets.csv", "2026-11-28"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-11-28"
    assert len(data["rulepack"]["sha256"]) == 64 and len(data["inputs"]["sha256"]) == 64
    by_id = {f["obligation_id"]: f for f in data["findings"]}
    core = by_id["gb.dvd-2022.core-removal"]
    assert (core["status"], core["due"], core["assets"]) == ("overdue", "2023-12-31", ["C-001"])
    assert "s.105Z1" in core["citation"]
    assert "C-001" in core["explanation"] and "31 Dec 2023" in core["explanation"]
    assert core["trace"]["roles"][0]["role"] == "gb.dvd_addressee"
    five_g = by_id["gb.dvd-2022.5g-removal"]
    assert (five_g["status"], five_g["due"], five_g["assets"]) == ("due", "2027-12-31", ["R-001"])
    # Ericsson and Nokia kit is never caught
    caught = {a for f in data["findings"] for a in f["assets"]}
    assert not caught & {"R-002", "C-002", "F-002", "M-001"}


def test_output_is_byte_identical_across_runs_and_evaluators(tmp_path: Path) -> None:
    outputs = []
    for evaluator in ("auto", "auto", "reference"):
        out = tmp_path / f"{len(outputs)}.json"
        result = run(
            *evaluate_args(UK / "profile.yaml", UK / "assets.csv", "2026-11-28"),
            "--evaluator",
            evaluator,
            "--out",
            out,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    # the reference evaluator names itself in the output; everything else is equal
    data = [json.loads(o) for o in outputs]
    for d in data:
        d["engine"]["evaluator"] = None
        d["notices"] = []
        for f in d["findings"]:
            f["trace"]["evaluator"] = None
    assert data[0] == data[2]


def test_the_evaluator_choices_are_the_engines() -> None:
    from dutybound.cli.evaluate import EvaluatorChoice
    from dutybound.engine.evaluators import EvaluatorChoice as EngineChoice

    assert [c.value for c in EvaluatorChoice] == [c.value for c in EngineChoice]


def test_fail_on_breach_stops_a_pipeline_only_when_the_inventory_shows_a_breach(
    tmp_path: Path,
) -> None:
    """The UK example on 3 Dec 2026 keeps Huawei in its core after the direction's 31 Dec 2023
    deadline: a breach, so --fail-on breach exits 1 after writing its output. On 12 Oct 2022,
    the day before the direction, nothing is a breach and the gate passes."""
    args = ("evaluate", "--profile", UK / "profile.yaml", "--assets", UK / "assets.csv")
    out = tmp_path / "e.json"
    stopped = run(*args, "--as-of", "2026-12-03", "--out", out, "--fail-on", "breach")
    assert stopped.returncode == 1
    assert "gb.dvd-2022.core-removal" in " ".join(stopped.stderr.split())
    data = json.loads(out.read_text())  # written before the gate decided
    assert data["summary"]["by_position"]["breach"] == 5
    passed = run(*args, "--as-of", "2022-10-12", "--format", "json", "--fail-on", "overdue")
    assert passed.returncode == 0, passed.stderr
    assert "breach" not in json.loads(passed.stdout)["summary"]["by_position"]


def test_table_output_mentions_findings() -> None:
    result = run(
        "evaluate",
        "--profile",
        UK / "profile.yaml",
        "--assets",
        UK / "assets.csv",
        "--as-of",
        "2026-11-28",
        "--format",
        "table",
    )
    assert result.returncode == 0, result.stderr
    assert "Remove Huawei equipment from the network core" in result.stdout
    assert "Not legal advice" in result.stdout


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


BAD_ASSETS = {
    "missing_column": (
        "asset_id,vendor,category,function,status\nA1,Huawei,router,core,installed\n",
        ":1: field 'country': missing required column",
    ),
    "unknown_category": (
        f"{HEADER}\nA1,Huawei,x,toaster,core,5g,GB,,installed,1\n",
        ":2: field 'category': unknown category 'toaster'",
    ),
    "malformed_date": (
        f"{HEADER},installed_on\nA1,Huawei,x,router,core,5g,GB,,installed,1,2023-13-01\n",
        ":2: field 'installed_on': not an ISO date",
    ),
    "duplicate_id": (
        f"{HEADER}\nA1,Huawei,x,router,core,5g,GB,,installed,1\n"
        "A1,Nokia,x,router,core,5g,GB,,installed,1\n",
        ":3: field 'asset_id': duplicate asset id 'A1' (first on line 2)",
    ),
    "bad_quantity": (
        f"{HEADER}\nA1,Huawei,x,router,core,5g,GB,,installed,many\n",
        ":2: field 'quantity': not a whole number",
    ),
    "empty_file": ("", ": file is empty"),
    "header_only": (f"{HEADER}\n", ": no assets"),
    "non_utf8": (
        f"{HEADER}\nA1,Hua\xefwei,x,router,core,5g,GB,,installed,1\n".encode("latin-1"),
        ":2: not valid UTF-8",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ASSETS))
def test_bad_inventory_is_rejected_with_file_line_field(case: str, tmp_path: Path) -> None:
    text, message = BAD_ASSETS[case]
    assets = write(tmp_path / "assets.csv", text)
    out = tmp_path / "result.json"
    db = tmp_path / "store.db"
    result = run(
        *evaluate_args(UK / "profile.yaml", assets), "--out", out, "--db", f"sqlite:///{db}"
    )
    assert result.returncode == 2, result.stderr
    assert str(assets) + message in result.stderr.replace("\n", ""), result.stderr
    assert not out.exists() and not db.exists(), "nothing may be written on bad input"
    assert result.stdout == ""


BAD_PROFILES = {
    "unknown_role": (
        "name: X\njurisdictions: [GB]\nroles: [gb.space_pirate]\n",
        ":3: field 'roles.0': unknown role 'gb.space_pirate'",
    ),
    "unknown_jurisdiction": (
        "name: X\njurisdictions: [GB, XX]\n",
        ":2: field 'jurisdictions.1': unknown jurisdiction 'XX'",
    ),
    "role_outside_jurisdictions": (
        "name: X\njurisdictions: [GB]\nroles: [us.federal_agency]\n",
        ":3: field 'roles.0': role 'us.federal_agency' belongs to",
    ),
    "unknown_key": (
        "name: X\njurisdictions: [GB]\nrole: [gb.dvd_addressee]\n",
        ":3: field 'role': unknown key 'role' (did you mean 'roles'?)",
    ),
    "bad_attribute_type": (
        "name: X\njurisdictions: [GB]\nattributes:\n  gb.relevant_turnover_gbp: lots\n",
        ":4: field 'attributes.gb.relevant_turnover_gbp': must be a number",
    ),
    "yaml_syntax": ("name: X\njurisdictions: [GB\n", ":3: invalid YAML"),
}


@pytest.mark.parametrize("case", sorted(BAD_PROFILES))
def test_bad_profile_is_rejected_with_file_line_field(case: str, tmp_path: Path) -> None:
    text, message = BAD_PROFILES[case]
    profile = write(tmp_path / "profile.yaml", text)
    result = run(*evaluate_args(profile, UK / "assets.csv"))
    assert result.returncode == 2, result.stderr
    assert str(profile) + message in result.stderr.replace("\n", ""), result.stderr


# Every command that reads a profile, with the rest of its arguments valid.
PROFILE_COMMANDS = {
    "evaluate": ("evaluate", "--assets", UK / "assets.csv", "--as-of", "2026-11-28"),
    "compare": ("compare", "--assets", UK / "assets.csv", "--as-of", "2026-11-28"),
    "check": ("check", "--vendor", "Huawei", "--category", "router", "--function", "core"),
    "report": ("report", "--assets", UK / "assets.csv", "--as-of", "2026-11-28"),
    "waivers check": (
        "waivers",
        "check",
        "--waivers",
        ROOT / "examples" / "us-federal-contractor" / "waivers.yaml",
        "--as-of",
        "2026-11-28",
    ),
    "diff": ("diff", "--assets", UK / "assets.csv", "--from", "2022-01-01", "--to", "2026-11-28"),
}


@pytest.mark.parametrize("command", sorted(PROFILE_COMMANDS))
def test_every_command_ends_bad_input_alike(command: str, tmp_path: Path) -> None:
    """One error boundary: whichever command meets the bad profile, the user reads the same
    single line naming file, line and field, and the exit code is 2 (for check too, whose 1
    would mean "prohibited")."""
    text, message = BAD_PROFILES["unknown_role"]
    profile = write(tmp_path / "profile.yaml", text)
    out = tmp_path / "report.pdf"
    args = [*PROFILE_COMMANDS[command], "--profile", profile]
    if command == "check":
        args += ["--as-of", "2026-11-28"]
    if command == "report":
        args += ["--out", out]
    result = run(*args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"error: {profile}{message}; see 'dutybound law roles'"
    ], result.stderr
    assert result.stdout == "" and not out.exists()


def test_input_errors_raised_outside_the_inputs_also_exit_2(tmp_path: Path) -> None:
    """Errors found after the inputs were read (an unknown jurisdiction to compare, a missing
    stored evaluation) reach the same boundary."""
    compare = ("compare", "--profile", UK / "profile.yaml", "--assets", UK / "assets.csv")
    unknown = run(*compare, "--as-of", "2026-11-28", "-j", "GB,XX")
    assert unknown.returncode == 2
    [line] = unknown.stderr.splitlines()
    assert line.startswith("error: --jurisdiction: unknown jurisdiction 'XX'; this rule pack has")
    missing = run("history", "--db", f"sqlite:///{tmp_path / 'store.db'}", "--show", "9")
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == ["error: --show: no stored evaluation 9"]


@pytest.mark.parametrize("as_of", ["2024-02-30", "yesterday", "28/11/2026"])
def test_bad_as_of_is_rejected(as_of: str) -> None:
    result = run(*evaluate_args(UK / "profile.yaml", UK / "assets.csv", as_of))
    assert result.returncode == 2
    assert "--as-of: not an ISO date" in result.stderr


def test_as_of_is_mandatory() -> None:
    result = run("evaluate", "--profile", UK / "profile.yaml", "--assets", UK / "assets.csv")
    assert result.returncode == 2
    assert "--as-of" in result.stderr


def test_missing_file_is_named(tmp_path: Path) -> None:
    result = run(*evaluate_args(UK / "profile.yaml", tmp_path / "nope.csv"))
    assert result.returncode == 2
    assert f"{tmp_path / 'nope.csv'}: file not found" in result.stderr


def test_json_inventory_is_accepted(tmp_path: Path) -> None:
    assets = write(
        tmp_path / "assets.json",
        json.dumps(
            {
                "assets": [
                    {
                        "asset_id": "J1",
                        "vendor": "Huawei",
                        "category": "telecom_equipment",
                        "function": "core",
                        "network": "4g",
                        "country": "GB",
                        "status": "installed",
                        "quantity": 3,
                    },
                ]
            }
        ),
    )
    result = run(*evaluate_args(UK / "profile.yaml", assets, "2024-01-01"))
    assert result.returncode == 0, result.stderr
    core = [
        f
        for f in json.loads(result.stdout)["findings"]
        if f["obligation_id"] == "gb.dvd-2022.core-removal"
    ]
    assert core[0]["assets"] == ["J1"] and core[0]["status"] == "overdue"


def test_evaluation_is_stored_when_asked(tmp_path: Path) -> None:
    from dutybound.engine.store import list_evaluations

    db = f"sqlite:///{tmp_path / 'store.db'}"
    result = run(*evaluate_args(UK / "profile.yaml", UK / "assets.csv", "2026-11-28"), "--db", db)
    assert result.returncode == 0, result.stderr
    ((row, tenant, operator),) = list_evaluations(db)
    assert (tenant, operator) == ("default", "Albion Mobile & Fibre plc")
    assert row.as_of.isoformat() == "2026-11-28"
    assert row.result == result.stdout
    shown = run("history", "--db", db, "--show", str(row.id))
    assert shown.returncode == 0 and shown.stdout == result.stdout  # byte for byte
    listed = run("history", "--db", db, "--json")
    assert [r["operator"] for r in json.loads(listed.stdout)] == ["Albion Mobile & Fibre plc"]
    verified = run("audit", "verify", "--db", db)
    assert verified.returncode == 0 and "intact: 1 entries" in verified.stdout
    assert row.findings_count == len(json.loads(result.stdout)["findings"])


def test_untrusted_text_is_printed_literally_in_the_table(tmp_path: Path) -> None:
    """Inventory text is data, never terminal markup."""
    assets = write(
        tmp_path / "assets.csv",
        f"{HEADER}\n[blink]A1,Huawei [red]evil[/red],x,telecom_equipment,core,4g,GB,,installed,1\n",
    )
    result = run(
        "evaluate",
        "--profile",
        UK / "profile.yaml",
        "--assets",
        assets,
        "--as-of",
        "2024-01-01",
        "--format",
        "table",
    )
    assert result.returncode == 0, result.stderr
    assert "[blink]A1" in result.stdout


def test_law_list_and_show() -> None:
    listed = run("law", "list", "--jurisdiction", "GB", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert rows and all(r["jurisdiction"] == "GB" for r in rows)
    core = next(r for r in rows if r["obligation_id"] == "gb.dvd-2022.core-removal")
    # the final direction's own text was not read (review GB-1 to GB-4): its dates are not
    # marked verified
    assert core["deadline"]["date"] == "2023-12-31" and core["verified"] is False
    assert core["instrument"]["id"] == "gb.dvd-2022" and "s.105Z1" in core["citation"]
    shown = run("law", "show", "gb.dvd-2022.core-removal", "--format", "json")
    assert json.loads(shown.stdout) == core
    instrument = json.loads(run("law", "show", "gb.dvd-2022", "--format", "json").stdout)
    assert instrument["instrument"]["adopted"] == "2022-10-13"
    assert core in instrument["obligations"]
    missing = run("law", "show", "gb.nothing")
    assert missing.returncode == 2 and "no obligation or instrument" in missing.stderr
    unknown = run("law", "list", "--jurisdiction", "XX")
    assert unknown.returncode == 2


def test_compare_operator_across_jurisdictions_with_a_hypothetical_role() -> None:
    """'As if this UK operator were also a US federal contractor', side by side."""
    result = run(
        "compare",
        "--profile",
        UK / "profile.yaml",
        "--assets",
        UK / "assets.csv",
        "--as-of",
        "2026-11-28",
        "-j",
        "GB,US,CZ",
        "--as-role",
        "us.federal_contractor",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    cells = {c["jurisdiction"]: c for c in data["cells"]}
    assert cells["US"]["measure"] == "prohibited"
    assert cells["US"]["obligation_id"] == "us.ndaa889.a1b-use"
    assert "C-001" in cells["US"]["assets"] and "R-002" not in cells["US"]["assets"]
    assert cells["GB"]["measure"] == "prohibited" and cells["GB"]["binding"] == "law"
    assert cells["GB"]["due"] == "2023-01-28"  # the earliest GB deadline (national-security sites)
    assert cells["CZ"]["measure"] == "no role"
    roles = {r["role"]: r["source"] for r in data["roles"]}
    assert roles["us.federal_contractor"] == "hypothetical"
    assert roles["gb.dvd_addressee"] == "declared"
    assert any(
        n["code"] == "hypothetical_roles" and "What-if" in n["message"] for n in data["notices"]
    )


def test_vendor_matrix_needs_no_inventory() -> None:
    result = run(
        "compare",
        "--profile",
        UK / "profile.yaml",
        "--as-of",
        "2026-11-28",
        "-j",
        "GB,US",
        "--vendor",
        "Huawei",
        "--vendor",
        "HiLook by Hikvision",
        "--as-role",
        "us.federal_contractor",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    rows = {
        r["group"]: {c["jurisdiction"]: c for c in r["cells"]}
        for r in json.loads(result.stdout)["vendors"]
    }
    assert rows["huawei"]["GB"]["measure"] == "prohibited"
    assert rows["huawei"]["US"]["measure"] == "prohibited"
    # both US prohibitions reach covered uses only; FAR 52.204-25(b)(1) (providing, in force
    # since 13 Aug 2019) bites before s.889(a)(1)(B) (using, since 13 Aug 2020), so it leads
    hikvision_us = rows["hikvision"]["US"]
    assert hikvision_us["obligation_id"] == "us.far52204-25.b1-provide-purpose-limited"
    assert hikvision_us["measure"] == "prohibited"
    assert hikvision_us["phrase"] == "no covered kit for covered uses only"
    assert rows["hikvision"]["GB"]["measure"] == "nothing"
    unknown = run(
        "compare", "--profile", UK / "profile.yaml", "--as-of", "2026-11-28", "--vendor", "Nokia"
    )
    assert unknown.returncode == 2 and "not a vendor group" in unknown.stderr


def test_evaluate_as_if_the_operator_held_a_role(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", "name: Plain Co\njurisdictions: [GB]\n")
    plain = json.loads(run(*evaluate_args(profile, UK / "assets.csv", "2026-11-28")).stdout)
    assert plain["findings"] == []
    what_if = run(
        *evaluate_args(profile, UK / "assets.csv", "2026-11-28"), "--as-role", "gb.dvd_addressee"
    )
    data = json.loads(what_if.stdout)
    assert "gb.dvd-2022.core-removal" in {f["obligation_id"] for f in data["findings"]}
    assert data["operator"]["roles"][0] == {
        "role": "gb.dvd_addressee",
        "source": "hypothetical",
        "reasons": [],
    }
    bad = run(*evaluate_args(profile, UK / "assets.csv"), "--as-role", "gb.wizard")
    assert bad.returncode == 2 and "unknown role 'gb.wizard'" in bad.stderr
