"""Every change to the law data bumps the rule-pack version and is described in the law
changelog (engine.changelog explains the digest in each version's heading)."""

from __future__ import annotations

from pathlib import Path

import yaml

from dutybound.engine import bundled
from dutybound.engine.changelog import HEADING, entries, law_digest

LAW = bundled.law_dir()
CHANGELOG = LAW / "CHANGELOG.md"


def test_the_current_version_is_described_with_the_digest_of_the_law_on_disk() -> None:
    version = yaml.safe_load((LAW / "rulepack.yaml").read_text(encoding="utf-8"))["version"]
    found = [e for e in entries(CHANGELOG) if e.version == version]
    assert found, f"rule pack {version} has no '## {version} — law digest ...' entry in {CHANGELOG}"
    (entry,) = found
    digest = law_digest(LAW, bundled.registry_file())
    assert entry.digest == digest, (
        f"the law data changed since rule pack {version} was described (digest {digest}, "
        f"changelog line {entry.line} says {entry.digest}): bump 'version' in rulepack.yaml and "
        f"add '## <new version> — law digest {digest}' with what changed in legal terms"
    )
    # the newest entry is the current version
    assert entries(CHANGELOG)[0].version == version


def test_versions_are_listed_once_and_digests_name_one_state_of_the_law() -> None:
    listed = entries(CHANGELOG)
    versions = [e.version for e in listed]
    assert len(versions) == len(set(versions))
    digests = [e.digest for e in listed if e.digest]
    assert len(digests) == len(set(digests)), "two versions claim the same law data"


def test_any_edit_to_a_law_file_changes_the_digest(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "law"
    shutil.copytree(LAW, copy)
    before = law_digest(copy, bundled.registry_file())
    target = next(copy.glob("cz/instruments/*.yaml"))
    target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    edited = law_digest(copy, bundled.registry_file())
    assert edited != before
    # the version file itself is not part of the digest: bumping it is not a law change
    info = copy / "rulepack.yaml"
    info.write_text(info.read_text(encoding="utf-8") + "# bumped\n", encoding="utf-8")
    assert law_digest(copy, bundled.registry_file()) == edited
    assert HEADING.match("## 2026.12.2 — law digest 0123456789ab")["digest"] == "0123456789ab"
