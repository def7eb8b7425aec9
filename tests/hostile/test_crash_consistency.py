"""Crash consistency (issue 19): ``evaluate --db --out`` killed with SIGKILL at random moments
leaves an audit chain that verifies and no stored evaluation without its output file.

Each run evaluates a different date, so a stored evaluation names the run (and the file) it came
from. The moments are drawn from the length of one uninterrupted run, so kills land while the
inputs load, while the evaluation is stored, around the rename and after. The seed is printed;
``DUTYBOUND_CRASH_SEED`` replays a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from dutybound.engine.store import list_evaluations, load_evaluation, verify_audit

ROOT = Path(__file__).resolve().parent.parent.parent
UK = ROOT / "examples" / "uk-telecoms"
KILLS = 6
FIRST_DAY = dt.date(2026, 1, 1)


def command(url: str, out: Path, day: dt.date) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dutybound",
        "evaluate",
        "--profile",
        str(UK / "profile.yaml"),
        "--assets",
        str(UK / "assets.csv"),
        "--as-of",
        day.isoformat(),
        "--db",
        url,
        "--out",
        str(out),
    ]


@contextmanager
def stored_days(url: str) -> Iterator[Callable[[], set[str]]]:
    """A quick reader of the stored evaluations' dates, outside the store's engine (whose SQLite
    transactions take the write lock): each call sees the newest committed state."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(str(parsed.database), isolation_level=None, timeout=60)
    else:
        import psycopg

        admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = psycopg.connect(admin, autocommit=True)  # type: ignore[assignment]

    def days() -> set[str]:
        return {str(row[0]) for row in connection.execute("SELECT as_of FROM evaluation")}

    try:
        yield days
    finally:
        connection.close()


def test_an_evaluation_is_never_visible_before_its_output_file(
    database_url: str, tmp_path: Path
) -> None:
    """Watch the database while runs complete and kill each the moment its evaluation becomes
    visible: by then its file must already be in place (the file is renamed into place inside
    the transaction, before the commit that makes the evaluation visible)."""
    subprocess.run(  # migrate first, so the watcher has a table to read
        [sys.executable, "-m", "dutybound", "db", "info", "--db", database_url],
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    with stored_days(database_url) as days:
        for n in range(3):
            day = FIRST_DAY + dt.timedelta(days=n)
            output = tmp_path / f"{day}.json"
            run = subprocess.Popen(
                command(database_url, output, day),
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            while str(day) not in days():
                if run.poll() is not None:  # it ended: its evaluation must be there now
                    assert str(day) in days(), "the run ended without storing its evaluation"
                    break
            seen_with_output = output.is_file()
            run.send_signal(signal.SIGKILL)
            run.wait(timeout=60)
            assert seen_with_output, f"evaluation of {day} visible before {output} existed"


def test_killed_runs_leave_no_evaluation_without_its_output(
    database_url: str, tmp_path: Path
) -> None:
    seed = int(os.environ.get("DUTYBOUND_CRASH_SEED", random.SystemRandom().randrange(10**9)))
    print(f"DUTYBOUND_CRASH_SEED={seed}")
    rng = random.Random(seed)
    # one run to the end: it migrates the schema and says how long a run takes
    started = time.monotonic()
    whole = FIRST_DAY - dt.timedelta(days=1)
    subprocess.run(
        command(database_url, tmp_path / f"{whole}.json", whole),
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    length = time.monotonic() - started
    outcomes = []
    for n in range(KILLS):
        day = FIRST_DAY + dt.timedelta(days=n)
        run = subprocess.Popen(
            command(database_url, tmp_path / f"{day}.json", day),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.1, length))
        run.send_signal(signal.SIGKILL)
        outcomes.append(run.wait(timeout=60))

    count, _head, problems = verify_audit(database_url)
    assert problems == []
    runs = [r for r, _tenant, _name in list_evaluations(database_url)]
    assert count == len(runs)  # one audit entry per stored evaluation, no more
    for record in runs:
        assert record.id is not None
        output = tmp_path / f"{record.as_of}.json"
        assert output.is_file(), f"evaluation {record.id} ({record.as_of}) stored without {output}"
        loaded = load_evaluation(record.id, database_url)
        assert loaded is not None
        assert output.read_text(encoding="utf-8") == loaded.record.result
    # the kills did interrupt runs (a run that ended by itself returns 0)
    assert any(code == -signal.SIGKILL for code in outcomes), outcomes
