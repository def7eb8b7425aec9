"""``dutybound portfolio run`` on Dask distributed (issue 23).

A LocalCluster of three worker processes is started once for the module; the commands reach it
with ``--scheduler`` (the multi-node path), and one test runs the default local cluster of
``--workers``. The portfolio is 50 operators generated from the bundled examples with varied
inventories (row subsets, copied rows, CSV and XLSX), so no two evaluate the same input.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from dutybound.cli import app
from dutybound.engine.portfolio.run import file_name
from tests.conftest import local_cluster

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ("cz-energy", "uk-telecoms", "us-federal-contractor")
AS_OF = "2026-01-01"
OPERATORS = 50


def _write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)


def _write_parquet(path: Path, header: list[str], rows: list[list[str]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {name: [row[n] for row in rows] for n, name in enumerate(header)}
    pq.write_table(pa.table(columns), path)


def make_portfolio(root: Path, count: int = OPERATORS) -> list[str]:
    """``count`` operator folders from the bundled examples, each with its own inventory: a
    seeded subset of the example's rows, some rows copied under new asset ids, one in seven as
    XLSX and one in seven as Parquet. Returns the operator names, sorted."""
    names = []
    for i in range(count):
        example = EXAMPLES[i % len(EXAMPLES)]
        rng = random.Random(i)
        with (ROOT / "examples" / example / "assets.csv").open(encoding="utf-8") as handle:
            header, *rows = list(csv.reader(handle))
        chosen = sorted(rng.sample(range(len(rows)), rng.randint(1, len(rows))))
        picked = [list(rows[n]) for n in chosen]
        for copy in range(rng.randint(0, 3)):
            row = list(rng.choice(picked))
            row[0] = f"{row[0]}-copy{copy}"
            picked.append(row)
        name = f"op{i:02d}-{example}"
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "profile.yaml").write_bytes(
            (ROOT / "examples" / example / "profile.yaml").read_bytes()
        )
        if i % 7 == 6:
            _write_xlsx(folder / "assets.xlsx", header, picked)
        elif i % 7 == 3:
            _write_parquet(folder / "assets.parquet", header, picked)
        else:
            with (folder / "assets.csv").open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerows([header, *picked])
        names.append(name)
    return sorted(names)


def cli(*args: str | Path):
    """The command line, in this process."""
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def evaluate_json(folder: Path) -> bytes:
    """What ``dutybound evaluate --format json`` prints for one operator folder."""
    inventory = next(p for p in sorted(folder.iterdir()) if p.name.startswith("assets."))
    result = cli(
        "evaluate",
        "--profile",
        folder / "profile.yaml",
        "--assets",
        inventory,
        "--as-of",
        AS_OF,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client

    with local_cluster(3) as local, Client(local) as client:
        yield local, client


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    """The 50 operators and what ``evaluate`` prints for each, by name."""
    root = tmp_path_factory.mktemp("portfolio")
    names = make_portfolio(root)
    return root, {name: evaluate_json(root / name) for name in names}


def test_fifty_operators_equal_fifty_evaluate_runs_and_are_stored(cluster, portfolio, tmp_path):
    local, client = cluster
    root, expected = portfolio
    db = f"sqlite:///{tmp_path / 'store.db'}"
    out = tmp_path / "out"
    result = cli(
        "portfolio", "run", "--operators", root, "--as-of", AS_OF, "--db", db,
        "--out", out, "--scheduler", local.scheduler_address,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "50 of 50 operators evaluated and stored" in result.stderr
    # every operator's JSON, byte for byte what evaluate prints
    assert sorted(p.stem for p in out.glob("op*.json")) == sorted(expected)
    for name, body in expected.items():
        assert (out / f"{name}.json").read_bytes() == body, name
    assert not list(out.glob(".*.tmp"))
    # the inventories differ: the 50 runs are not one result 50 times
    assert len({orjson.loads(b)["inputs"]["sha256"] for b in expected.values()}) == OPERATORS
    # one stored evaluation per operator, holding the same JSON
    with sqlite3.connect(tmp_path / "store.db") as connection:
        stored = connection.execute("SELECT result, inputs_sha256 FROM evaluation").fetchall()
    assert sorted(r[0].encode() for r in stored) == sorted(expected.values())
    verified = cli("audit", "verify", "--db", db)
    assert verified.exit_code == 0 and "50 entries" in verified.stdout
    # the rule pack was read once on each worker, not once per operator
    loads = client.run(_pack_loads)
    assert len(loads) == 3
    sha = orjson.loads(next(iter(expected.values())))["rulepack"]["sha256"]
    assert all(v == [sha] for v in loads.values()), loads
    # the summary: a row per operator and jurisdiction, counts as in each evaluation
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert summary["operators"] == OPERATORS and summary["refused"] == 0
    for row in summary["rows"]:
        data = orjson.loads(expected[row["operator"]])
        findings = [f for f in data["findings"] if not f.get("hypothetical")]
        counted = sum(sum(c.values()) for c in row["jurisdictions"].values())
        assert counted == len(findings) == row["findings"]
        binding = sorted(
            (f["due"], f["id"])
            for f in findings
            if f["due"]
            and f["due"] >= AS_OF
            and f["position"] in ("breach", "action_required", "prepare")
        )
        expected_next = binding[0] if binding else None
        got = row["next_deadline"]
        assert (None if got is None else (got["due"], got["finding"])) == expected_next
    assert any(r["next_deadline"] for r in summary["rows"])
    rows = list(csv.reader((out / "summary.csv").read_text(encoding="utf-8").splitlines()))
    assert len(rows) - 1 == sum(len(r["jurisdictions"]) for r in summary["rows"])
    from openpyxl import load_workbook

    # a read-only workbook holds its file open until closed; left to the garbage collector, the
    # ResourceWarning lands in whichever later test it happens to run in (and fails that one)
    workbook = load_workbook(out / "summary.xlsx", read_only=True)
    try:
        sheet_rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    assert sheet_rows[0] == rows[0] and len(sheet_rows) == len(rows)
    from pypdf import PdfReader

    attached = PdfReader(out / "summary.pdf").attachments["summary.json"][0]
    assert attached == (out / "summary.json").read_bytes()

    # evaluated again from the store: the latest stored inputs of each operator, same answer
    again = tmp_path / "again"
    result = cli(
        "portfolio", "run", "--operators", db, "--as-of", AS_OF, "--out", again,
        "--scheduler", local.scheduler_address,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    with sqlite3.connect(tmp_path / "store.db") as connection:
        latest = connection.execute(
            "SELECT p.name, e.result FROM evaluation e JOIN operator_profile p "
            "ON p.id = e.profile_id WHERE e.id IN "
            "(SELECT max(e2.id) FROM evaluation e2 JOIN operator_profile p2 "
            "ON p2.id = e2.profile_id GROUP BY p2.name)"
        ).fetchall()
    assert len(latest) == len(EXAMPLES)
    assert sorted(p.name for p in again.glob("*.json")) == sorted(
        [file_name(name) for name, _ in latest] + ["summary.json"]
    )
    for name, body in latest:
        assert (again / file_name(name)).read_bytes() == body.encode(), name


def _pack_loads() -> list[str]:
    from dutybound.engine.portfolio.cluster import pack_loads

    return pack_loads()


def test_a_worker_killed_mid_run_costs_no_result(cluster, portfolio, tmp_path):
    """One of the three worker processes exits while the run is under way (its nanny starts a
    new one); every operator still has its result, the same bytes."""
    from dutybound.engine.loading import load_rulepack
    from dutybound.engine.portfolio.operators import discover
    from dutybound.engine.portfolio.run import Plan, run_portfolio

    _local, client = cluster
    root, expected = portfolio
    before = set(client.scheduler_info()["workers"])
    victim = sorted(before)[0]
    pid = client.run(os.getpid, workers=[victim])[victim]
    killed: list[str] = []

    def kill_one(_operator) -> None:
        # after the first result: the other operators are queued or running
        if not killed:
            killed.append(victim)
            os.kill(pid, signal.SIGKILL)

    plan = Plan(discover(root), _day(), load_rulepack(), None, tmp_path / "out", None)
    summary = run_portfolio(plan, client, after_each=kill_one)
    assert killed == [victim]
    assert victim not in client.scheduler_info()["workers"]
    assert summary.refused == []
    for name, body in expected.items():
        assert (tmp_path / "out" / f"{name}.json").read_bytes() == body, name
    # the nanny's new worker got the rule pack from the plugin, once, as every worker did
    client.wait_for_workers(3, timeout=60)
    sha = orjson.loads(next(iter(expected.values())))["rulepack"]["sha256"]
    deadline = time.monotonic() + 30  # the plugin may still be loading on the new worker
    while (loads := client.run(_pack_loads)) and not all(v == [sha] for v in loads.values()):
        assert time.monotonic() < deadline, loads
        time.sleep(0.2)


def _day():
    import datetime as dt

    return dt.date.fromisoformat(AS_OF)


def test_a_bad_operator_is_an_error_row_and_exit_2(tmp_path):
    """On the default local cluster (--workers 2): the good operators are written, the bad one
    is a row naming its file, line and field, and the command exits 2."""
    root = tmp_path / "ops"
    make_portfolio(root, 3)
    bad = root / "op01-uk-telecoms" / "assets.csv"
    lines = bad.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",GB,", ",Narnia,", 1)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = cli(
        "portfolio", "run", "--operators", root, "--as-of", AS_OF, "--out", out,
        "--workers", "2",
    )  # fmt: skip
    assert result.exit_code == 2
    summary = orjson.loads((out / "summary.json").read_bytes())
    rows = {r["operator"]: r for r in summary["rows"]}
    assert summary["refused"] == 1
    error = rows["op01-uk-telecoms"]
    assert error["status"] == "refused" and error["jurisdictions"] == {}
    assert f"{bad}:2: field 'country'" in error["error"]
    assert rows["op00-cz-energy"]["status"] == rows["op02-us-federal-contractor"]["status"]
    assert rows["op00-cz-energy"]["status"] == "evaluated"
    assert sorted(p.name for p in out.glob("op*.json")) == [
        "op00-cz-energy.json",
        "op02-us-federal-contractor.json",
    ]
    table = list(csv.DictReader((out / "summary.csv").read_text(encoding="utf-8").splitlines()))
    assert [r["status"] for r in table if r["operator"] == "op01-uk-telecoms"] == ["refused"]
    assert "field 'country'" in result.stderr


def test_every_problem_of_the_folder_at_once_and_nothing_written(tmp_path):
    root = tmp_path / "ops"
    make_portfolio(root, 2)
    (root / "op00-cz-energy" / "profile.yaml").unlink()
    (root / "op01-uk-telecoms" / "assets.json").write_text("[]", encoding="utf-8")
    (root / "op02-empty").mkdir()
    out = tmp_path / "out"
    result = cli("portfolio", "run", "--operators", root, "--as-of", AS_OF, "--out", out)
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert f"{root / 'op00-cz-energy'}: no profile.yaml" in message
    assert "more than one inventory (assets.csv, assets.json)" in message
    assert "op02-empty" in message and "no inventory" in message
    assert not out.exists()


def test_an_unwritable_out_fails_before_any_work(tmp_path):
    root = tmp_path / "ops"
    make_portfolio(root, 1)
    taken = tmp_path / "taken"
    taken.write_text("a file, not a folder", encoding="utf-8")
    result = cli("portfolio", "run", "--operators", root, "--as-of", AS_OF, "--out", taken)
    assert result.exit_code == 2
    assert str(taken) in result.stderr and "evaluating" not in result.stderr
    assert taken.read_text(encoding="utf-8") == "a file, not a folder"


def test_bad_date_and_missing_folder_are_input_errors(tmp_path):
    result = cli("portfolio", "run", "--operators", tmp_path / "nope", "--as-of", AS_OF)
    assert result.exit_code == 2 and "no such folder" in result.stderr
    result = cli("portfolio", "run", "--operators", tmp_path, "--as-of", "2026-13-01")
    assert result.exit_code == 2 and "--as-of" in result.stderr


def test_a_worker_with_other_law_stops_the_run(cluster, tmp_path):
    """The client's rule pack is not the one the workers load (as when a worker machine has
    another law version installed): the run stops with an input error naming the pack's sha256,
    and no operator is written."""
    import dataclasses

    from dutybound.engine.errors import InputError
    from dutybound.engine.loading import load_rulepack
    from dutybound.engine.portfolio.operators import discover
    from dutybound.engine.portfolio.run import Plan, run_portfolio

    _local, client = cluster
    make_portfolio(tmp_path / "ops", 2)
    other = dataclasses.replace(load_rulepack(), sha256="0" * 64)
    plan = Plan(discover(tmp_path / "ops"), _day(), other, None, tmp_path / "out", None)
    with pytest.raises(InputError, match="install the same law version on every worker"):
        run_portfolio(plan, client)
    assert list((tmp_path / "out").iterdir()) == []


def test_stored_registers_apply_as_for_evaluate_db(cluster, database_url, tmp_path):
    """With --db (SQLite, and PostgreSQL as on a cluster), the waivers recorded in the store
    apply to the operator as ``evaluate --db`` applies them, and each operator is stored once."""
    local, _client = cluster
    example = ROOT / "examples" / "us-federal-contractor"
    # the example's first waiver (its second runs past the basis's sunset, which record refuses)
    waivers = tmp_path / "waivers.yaml"
    text = (example / "waivers.yaml").read_text(encoding="utf-8")
    waivers.write_text(text[: text.index("- id: W-2022-019")], encoding="utf-8")
    recorded = cli(
        "waivers", "record", "--waivers", waivers,
        "--profile", example / "profile.yaml", "--db", database_url,
    )  # fmt: skip
    assert recorded.exit_code == 0, recorded.stderr
    root = tmp_path / "ops"
    for name in EXAMPLES:
        (root / name).mkdir(parents=True)
        for file in ("profile.yaml", "assets.csv"):
            (root / name / file).write_bytes((ROOT / "examples" / name / file).read_bytes())
    out = tmp_path / "out"
    result = cli(
        "portfolio", "run", "--operators", root, "--as-of", "2022-01-01", "--db", database_url,
        "--out", out, "--scheduler", local.scheduler_address,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    history = cli("history", "--db", database_url, "--json")
    assert len(orjson.loads(history.stdout_bytes)) == len(EXAMPLES)
    single = cli(
        "evaluate", "--profile", example / "profile.yaml", "--assets", example / "assets.csv",
        "--as-of", "2022-01-01", "--db", database_url, "--format", "json",
    )  # fmt: skip
    assert single.exit_code == 0, single.stderr
    body = (out / "us-federal-contractor.json").read_bytes()
    assert body == single.stdout_bytes
    waived = [f["id"] for f in orjson.loads(body)["findings"] if f["status"] == "waived"]
    assert waived == ["us.ndaa889.a1b-use"]
