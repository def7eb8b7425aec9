"""A new user's first run (issue 21): init, vocabulary, --version, completion, "did you mean"
and help that says what to type."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from dutybound.cli import app
from dutybound.cli import init as init_module
from dutybound.engine import vocabulary as vocab
from dutybound.engine.inputs import load_profile
from dutybound.engine.loading import RulePack
from dutybound.engine.suggest import closest, country_code, unknown

ROOT = Path(__file__).resolve().parent.parent
UK = ROOT / "examples" / "uk-telecoms"
runner = CliRunner()


def cli(*args: str | Path, input: str | None = None) -> tuple[int, str, str]:
    """Run the app in-process: exit code, stdout, stderr (wide, so messages are not wrapped)."""
    result = runner.invoke(
        app, [str(a) for a in args], input=input, env={"COLUMNS": "250"}, catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def init(out: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    return cli("init", "--out", out, *args, input=input)


def role_lines(text: str) -> list[str]:
    """The roles a profile declares (uncommented list items under roles:)."""
    return re.findall(r"^  - (\S+)$", text, flags=re.MULTILINE)


# --- init ---------------------------------------------------------------------------------------


def test_init_writes_the_sectors_roles_with_titles_and_citations(
    tmp_path: Path, pack: RulePack
) -> None:
    code, _, err = init(
        tmp_path, "-j", "CZ", "--sector", "telecoms", "--size", "medium", "--name", "Acme s.r.o."
    )
    assert code == 0, err
    text = (tmp_path / "profile.yaml").read_text()
    # CZ is an EU member state: NIS2 reaches it through the EU's roles too
    assert role_lines(text) == [
        "cz.regulated_service_higher",
        "eu.mobile_network_operator",
        "eu.nis2_essential_entity",
    ]
    # each role under its title and citation, and the condition beyond the sector it rests on
    for role, condition in (
        ("cz.regulated_service_higher", "held as a medium entity (medium or large entity (NIS2"),
        ("eu.mobile_network_operator", "only if: runs a public mobile network; delete otherwise"),
        ("eu.nis2_essential_entity", "held as a medium entity (medium or large entity (NIS2"),
    ):
        r = pack.roles[role]
        assert re.search(
            rf"  # {re.escape(r.title)} — {re.escape(r.citation)}\n"
            rf"  # {re.escape(condition)}.*\n  - {re.escape(role)}\n",
            text,
        ), role
    profile = load_profile(tmp_path / "profile.yaml", pack)
    assert profile.name == "Acme s.r.o."
    assert profile.jurisdictions == ["CZ", "EU"] and profile.sectors == ["telecoms"]
    header = (tmp_path / "assets.csv").read_text().splitlines()
    assert header[0].startswith("asset_id,vendor,category,function,country,status,")
    assert len(header) == 1


def test_init_comments_out_what_the_size_or_a_named_addressee_decides(
    tmp_path: Path, pack: RulePack
) -> None:
    code, _, err = init(
        tmp_path,
        "-j",
        "GB",
        "-j",
        "de",
        "--sector",
        "telecoms",
        "--size",
        "small",
        "--name",
        "Albion",
    )
    assert code == 0, err
    text = (tmp_path / "profile.yaml").read_text()
    # a small operator holds the roles its activity gives, not the NIS2/KRITIS size classes
    assert role_lines(text) == ["eu.mobile_network_operator", "gb.public_telecoms_provider"]
    assert "  # not held by a small operator (needs: medium or large entity" in text
    assert "  # - eu.nis2_essential_entity  # Essential entity under NIS2" in text
    assert "  # - de.kritis_operator  #" in text
    # the Huawei direction's addressees are named: whether the operator is one is its own fact
    assert "uncomment if the operator is one\n  # - gb.dvd_addressee  #" in text
    assert "  # - de.huawei_agreement_party_2024  #" in text
    # the number the UK law derives the Code of Practice tiers from, to fill in
    assert "#   gb.relevant_turnover_gbp:   # number:" in text
    assert load_profile(tmp_path / "profile.yaml", pack).roles == role_lines(text)


def test_a_medium_operator_holds_the_size_classes(tmp_path: Path) -> None:
    code, _, err = init(
        tmp_path, "-j", "DE", "--sector", "telecoms", "--size", "medium", "--name", "D"
    )
    assert code == 0, err
    roles = role_lines((tmp_path / "profile.yaml").read_text())
    assert "de.kritis_operator" in roles and "eu.nis2_essential_entity" in roles


def test_init_then_evaluate_the_template_with_one_row(tmp_path: Path) -> None:
    code, _, err = init(
        tmp_path, "-j", "GB", "--sector", "telecoms", "--size", "large", "--name", "Albion"
    )
    assert code == 0, err
    example = init_module.example_row("GB")
    assert example in err  # the example init prints, a row of the template's columns
    row = example.replace("Nokia", "Huawei")
    with (tmp_path / "assets.csv").open("a") as f:
        f.write(row + "\n")
    code, out, err = cli(
        "evaluate",
        "--profile", tmp_path / "profile.yaml",
        "--assets", tmp_path / "assets.csv",
        "--as-of", "2026-11-28",
        "--format", "json",
        "--no-store",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert [r["role"] for r in result["operator"]["roles"]] == ["gb.public_telecoms_provider"]
    assert result["findings"], "a Huawei 5G radio at a UK public provider is caught"


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "profile.yaml").write_text("name: mine\n")
    code, _, err = init(
        tmp_path, "-j", "GB", "--sector", "telecoms", "--size", "small", "--name", "X"
    )
    assert code == 2
    assert f"{tmp_path / 'profile.yaml'}: exists; not overwritten" in err
    assert (tmp_path / "profile.yaml").read_text() == "name: mine\n"
    assert not (tmp_path / "assets.csv").exists(), "nothing half-written"
    code, _, err = init(
        tmp_path, "-j", "GB", "--sector", "telecoms", "--size", "small", "--name", "X", "--force"
    )
    assert code == 0, err
    assert (tmp_path / "profile.yaml").read_text().count('name: "X"') == 1


def test_init_without_a_terminal_names_the_missing_flags(tmp_path: Path) -> None:
    code, _, err = init(tmp_path, "-j", "GB")
    assert code == 2
    assert err.startswith(
        "error: --sector: is required (no terminal to ask on); give --sector, --size, --name"
    )
    assert list(tmp_path.iterdir()) == []


def test_init_asks_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(init_module, "can_ask", lambda: True)
    code, out, err = init(tmp_path, input="cz, GB\ntelecoms\nhuge\nsmall\nAcme\n")
    assert code == 0, err
    assert out.count("Size (small, medium or large):") == 2  # 'huge' is not a size: asked again
    text = (tmp_path / "profile.yaml").read_text()
    assert 'name: "Acme"' in text and "jurisdictions: [CZ, EU, GB]" in text
    # a small operator gets no size class
    assert role_lines(text) == ["eu.mobile_network_operator", "gb.public_telecoms_provider"]


def test_init_refuses_a_typo_with_a_suggestion(tmp_path: Path) -> None:
    code, _, err = init(
        tmp_path, "-j", "UK", "--sector", "telecoms", "--size", "small", "--name", "X"
    )
    assert code == 2 and "unknown jurisdiction 'UK' (did you mean 'GB'?)" in err
    code, _, err = init(
        tmp_path, "-j", "GB", "--sector", "telecom", "--size", "small", "--name", "X"
    )
    assert (
        code == 2 and "error: --sector: unknown sector 'telecom' (did you mean 'telecoms'?)" in err
    )
    assert list(tmp_path.iterdir()) == []


# --- vocabulary, --version, completion ----------------------------------------------------------


def test_vocabulary_json_lists_every_word_with_its_meaning() -> None:
    code, out, err = cli("vocabulary", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["category", "function", "network", "use", "status", "flags"]
    assert [w["value"] for w in data["category"]] == sorted(vocab.CATEGORIES)
    assert [w["value"] for w in data["flags"]] == sorted(vocab.FLAGS)
    surveillance = next(w for w in data["category"] if w["value"] == "video_surveillance")
    assert surveillance["label"] == "video-surveillance equipment"
    assert "CCTV" in surveillance["meaning"]
    assert all(w["meaning"] for words in data.values() for w in words)


def test_every_vocabulary_word_has_a_meaning() -> None:
    for column, words in vocab.WORDS.items():
        assert set(vocab.MEANINGS[column]) == words, column


def test_vocabulary_table() -> None:
    code, out, _ = cli("vocabulary", "--format", "table")
    assert code == 0
    assert "flags (several, separated by ';')" in out and "in_procurement" in out


def test_version_names_program_and_rule_pack() -> None:
    code, out, _ = cli("--version")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    info = yaml.safe_load((ROOT / "jurisdictions" / "rulepack.yaml").read_text())
    assert code == 0
    assert (
        out == f"dutybound {project}, rule pack {info['version']} (law as of {info['law_as_of']})\n"
    )


def test_shell_completion_completes_commands_and_options() -> None:
    def complete(words: str) -> list[str]:
        env = {
            **os.environ,
            "_DUTYBOUND_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        }
        done = subprocess.run(
            [Path(sys.executable).parent / "dutybound"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done.stdout.split()

    assert complete("dutybound voc") == ["vocabulary"]
    assert complete("dutybound init --si") == ["--size"]
    # the bash script, as --show-completion prints it when run from bash ('--show-completion'
    # detects the calling shell; under CI's make that is sh, which typer does not support, so
    # the script is asked for by name through click's completion variable)
    shown = subprocess.run(
        [Path(sys.executable).parent / "dutybound"],
        env={**os.environ, "_DUTYBOUND_COMPLETE": "source_bash"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert "_DUTYBOUND_COMPLETE=complete_bash" in shown.stdout


# --- did you mean -------------------------------------------------------------------------------


def profile_error(tmp_path: Path, text: str) -> str:
    profile = tmp_path / "profile.yaml"
    profile.write_text(text)
    code, _, err = cli(
        "evaluate", "--profile", profile, "--assets", UK / "assets.csv", "--as-of", "2026-11-28",
        "--format", "json", "--no-store",
    )  # fmt: skip
    assert code == 2
    return err.replace(str(profile), "P")


def test_profile_jurisdiction_uk_suggests_gb(tmp_path: Path) -> None:
    err = profile_error(tmp_path, "name: X\njurisdictions: [UK]\n")
    assert err.startswith(
        "error: P:2: field 'jurisdictions.0': unknown jurisdiction 'UK' (did you mean 'GB'?); "
        "this rule pack has: AU, CA,"
    )


def test_profile_role_abbreviation_suggests_the_role(tmp_path: Path) -> None:
    err = profile_error(tmp_path, "name: X\njurisdictions: [CZ]\nroles: [cz.cii_admin]\n")
    assert err == (
        "error: P:3: field 'roles.0': unknown role 'cz.cii_admin' (did you mean "
        "'cz.cii_administrator'?); see 'dutybound law roles'\n"
    )


def test_profile_key_typo_suggests_the_key(tmp_path: Path) -> None:
    err = profile_error(tmp_path, "name: X\njurisdiction: [GB]\n")
    assert err.startswith(
        "error: P:2: field 'jurisdiction': unknown key 'jurisdiction' (did you mean "
        "'jurisdictions'?); allowed: attributes, jurisdictions, name, roles, sectors"
    )


def test_as_role_and_compare_jurisdiction_suggest(tmp_path: Path) -> None:
    base = (
        "--profile",
        UK / "profile.yaml",
        "--assets",
        UK / "assets.csv",
        "--as-of",
        "2026-11-28",
    )
    code, _, err = cli("evaluate", *base, "--as-role", "gb.public_telecom_provider", "--no-store")
    assert code == 2
    assert (
        "error: --as-role: unknown role 'gb.public_telecom_provider' (did you mean "
        "'gb.public_telecoms_provider'?)" in err
    )
    code, _, err = cli("compare", *base, "-j", "GB,Czech Republic")
    assert code == 2
    assert "unknown jurisdiction 'CZECH REPUBLIC' (did you mean 'CZ'?)" in err


def test_check_category_typo_suggests_the_category() -> None:
    code, _, err = cli(
        "check", "--profile", UK / "profile.yaml", "--as-of", "2026-11-28", "--vendor", "Hikvision",
        "--category", "video_survelance", "--function", "physical_security",
    )  # fmt: skip
    assert code == 2
    assert err.startswith(
        "error: --category: unknown category 'video_survelance' (did you mean "
        "'video_surveillance'?); allowed: ai_service,"
    )


def test_suggestions_are_never_wild_guesses(pack: RulePack) -> None:
    assert closest("gb.space_pirate", pack.roles) is None
    assert closest("switch", vocab.CATEGORIES) is None
    assert closest("UK", ["US", "EU", "GB"]) is None  # a code is not a spelling of another
    assert country_code("United Kingdom") == "GB" and country_code("czechia") == "CZ"
    assert country_code("Atlantis") is None
    long = unknown("key", "roles" + "x" * 5000, ["roles"])
    assert len(long) < 200 and "(5,005 characters)" in long and "did you mean" not in long
    assert (
        unknown("jurisdiction", "FR", ["GB", "CZ"]) == "unknown jurisdiction 'FR'; allowed: CZ, GB"
    )


# --- help ---------------------------------------------------------------------------------------


def _commands(
    command: typer.main.TyperGroup | object, path: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    subs = getattr(command, "commands", {})
    found = [path] if path else []
    for name, sub in subs.items():
        found += _commands(sub, (*path, name))
    return found


def test_help_says_what_to_type() -> None:
    """No option or argument of any command shows a Python type (<bool>, <str>, <list[str]>,
    <path>)."""
    commands = _commands(typer.main.get_command(app))
    assert ("init",) in commands and ("vocabulary",) in commands and len(commands) > 20
    for path in [(), *commands]:
        code, out, _ = cli(*path, "--help")
        assert code == 0, path
        rows = [line for line in out.splitlines() if line.startswith("│")]
        assert any(re.match(r"│ [ *]*--help ", line) for line in rows), path
        for line in rows:
            assert not re.search(r"<(bool|str|list\[|path|int|float)", line), (path, line)
    _, out, _ = cli("evaluate", "--help")
    assert re.search(r"--as-of +DATE ", out) and re.search(r"--as-role +ROLE ", out)
    assert re.search(r"--profile +FILE ", out) and re.search(
        r"--include-ended +--no-include-ended +Also", out
    )
    _, out, _ = cli("vendors", "screen", "--help")
    assert re.search(r"│ \*    FILE +CSV or Excel", out)
    _, out, _ = cli("check", "--help")
    assert "One of: ai_service, cloud_service," in out


def test_init_help_lists_the_bundled_jurisdictions(pack: RulePack) -> None:
    """The codes in init's help are written out (the help loads no law): they must be the
    bundled rule pack's."""
    _, out, _ = cli("init", "--help")
    text = " ".join(out.replace("│", " ").split())
    assert f"{', '.join(sorted(pack.jurisdictions))} in the bundled one" in text


def test_assume_designation_suggests_the_code_and_the_group() -> None:
    base = (
        "--profile",
        UK / "profile.yaml",
        "--assets",
        UK / "assets.csv",
        "--as-of",
        "2026-11-28",
    )
    code, _, err = cli(
        "evaluate", *base, "--no-store", "--assume-designation", "UK:huawei:2027-01-01"
    )
    assert code == 2 and "the law of UK (did you mean 'GB'?) in this rule pack" in err
    code, _, err = cli(
        "evaluate", *base, "--no-store", "--assume-designation", "PL:huawai:2027-01-01"
    )
    assert code == 2 and "unknown vendor group 'huawai' (did you mean 'huawei'?)" in err
