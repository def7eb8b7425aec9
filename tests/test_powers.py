"""Powers not yet used, what-if decisions and the watch list, through the commands a consultant
and a compliance officer use (engine.powers)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dutybound.engine.errors import InputError
from dutybound.engine.powers import parse_assumption

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dutybound", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


@pytest.fixture
def polish_operator(tmp_path: Path) -> tuple[Path, Path]:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: Polska Energia S.A.\njurisdictions: [PL]\nsectors: [energy]\n"
        "roles: [pl.key_entity]\n"
    )
    assets = tmp_path / "a.csv"
    assets.write_text(
        "asset_id,vendor,category,function,country,status\n"
        "H-1,Huawei,telecom_equipment,core,PL,installed\n"
        "H-2,Huawei,router,office_it,PL,planned\n"
    )
    return profile, assets


def test_vendor_matrix_shows_the_unused_power_apart_from_the_law_in_force(
    polish_operator: tuple[Path, Path],
) -> None:
    profile, _ = polish_operator
    base = ("compare", "--profile", profile, "--vendor", "Huawei", "-j", "PL", "--format", "json")
    today = run(*base, "--as-of", "2026-12-03")
    assert today.returncode == 0, today.stderr
    cell = json.loads(today.stdout)["vendors"][0]["cells"][0]
    # nothing in force: no declaration has been made
    assert cell["measure"] == "nothing" and cell["hypothetical"] == []
    (power,) = cell["latent"]
    assert power["power"] == "pl.ksc-amendment-2026.dwr"
    assert [d["when"] for d in power["duties"]] == [
        "from the decision",
        "within 7 years of the decision",
    ]
    assumed = run(*base, "--as-of", "2027-06-01", "--assume-designation", "PL:huawei:2027-01-01")
    assert assumed.returncode == 0, assumed.stderr
    data = json.loads(assumed.stdout)
    cell = data["vendors"][0]["cells"][0]
    assert cell["measure"] == "nothing"  # still no law in force
    lines = {line["obligation_id"]: line for line in cell["hypothetical"]}
    ban = lines["pl.ksc-amendment-2026.dwr.no-introduction.assumed-huawei"]
    assert (ban["measure"], ban["from"]) == ("prohibited", "2027-01-01")
    withdraw = lines["pl.ksc-amendment-2026.dwr.withdrawal.assumed-huawei"]
    assert withdraw["due"] == "2034-01-01" and withdraw["title"].startswith("[what-if]")
    assert "hypothetical_designation" in {n["code"] for n in data["notices"]}


def test_what_if_findings_are_counted_apart_and_never_fail_a_gate(
    polish_operator: tuple[Path, Path],
) -> None:
    profile, assets = polish_operator
    result = run(
        "evaluate", "--profile", profile, "--assets", assets, "--as-of", "2027-06-01",
        "--assume-designation", "PL:huawei:2027-01-01", "--format", "json",
        "--fail-on", "breach",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr  # the breach is hypothetical
    data = json.loads(result.stdout)
    assert data["summary"]["findings"] == 0 and data["summary"]["hypothetical"] == 2
    assert all(f["hypothetical"] for f in data["findings"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("PL-huawei-2027", "expected JURISDICTION:vendor_group:YYYY-MM-DD"),
        ("PL:nobody:2027-01-01", "unknown vendor group"),
        ("PL:huawei:2027-02-30", "is not a date"),
        ("SE:huawei:2027-01-01", "has no power to designate a supplier"),
    ],
)
def test_a_bad_assumption_is_an_input_error(pack, text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_assumption(text, pack)
    assert message in str(caught.value)


def test_the_cli_names_the_option_and_writes_nothing(
    polish_operator: tuple[Path, Path], tmp_path: Path
) -> None:
    profile, assets = polish_operator
    out = tmp_path / "e.json"
    result = run(
        "evaluate", "--profile", profile, "--assets", assets, "--as-of", "2027-06-01",
        "--assume-designation", "PL:nobody:2027-01-01", "--out", out,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--assume-designation" in result.stderr and not out.exists()
