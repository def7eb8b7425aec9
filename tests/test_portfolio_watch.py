"""``dutybound portfolio watch``: change events against each operator's last stored run, as JSON
lines and a signed webhook (issue 23).

The stored run is ``portfolio run --db`` on 1 Sep 2023. The watch runs on 15 Jan 2024 under a
copy of the law in which the Huawei DVD's 5G removal deadline is moved to 28 Feb 2024 (test data,
not a claim about UK law), after two operators' inventories changed: one gained the Huawei core
asset C-001, one lost the Huawei 5G radio R-001. Between the two dates the DVD's core removal
(31 Dec 2023) and full-fibre cap (31 Oct 2023) deadlines passed. The Czech operator's law did not
change between the dates. A newcomer has no stored run. Every event is pinned.

The webhook is a stdlib ``http.server`` in a thread; it keeps what it receives, and the test
checks the signature the way a receiver would.
"""

from __future__ import annotations

import csv
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from dutybound.cli import app
from dutybound.engine.loading import default_law_dir
from dutybound.engine.portfolio.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    delivery,
    signature,
    verify,
)

ROOT = Path(__file__).resolve().parents[1]
UK = ROOT / "examples" / "uk-telecoms"
STORED_ON = "2023-09-01"
WATCHED_ON = "2024-01-15"
DVD = "gb/instruments/2022-10-13-huawei-designated-vendor-direction.yaml"
SECRET = "s3cret-for-tests"
SECRET_ENV = "DUTYBOUND_TEST_HOOK_SECRET"

CORE = "gb.dvd-2022.core-removal"
FTTP = "gb.dvd-2022.fttp-access-cap"
FIVE_G = "gb.dvd-2022.5g-removal"
# (operator, kind, obligation, due, cause kinds): the two deadlines passed for every UK
# operator; C-001 brings the core duty to uk-new-core already overdue; R-001's removal ends
# uk-5g-gone's 5G duty; the moved 5G deadline falls within 60 days of the watch for the others
EXPECTED = [
    ("uk-5g-gone", "new_breach", CORE, "2023-12-31", ["deadline_passed"]),
    ("uk-5g-gone", "new_breach", FTTP, "2023-10-31", ["deadline_passed"]),
    ("uk-5g-gone", "new_overdue", CORE, "2023-12-31", ["deadline_passed"]),
    ("uk-5g-gone", "new_overdue", FTTP, "2023-10-31", ["deadline_passed"]),
    ("uk-5g-gone", "resolved", FIVE_G, None, ["asset_removed"]),
    ("uk-new-core", "new_breach", CORE, "2023-12-31", ["asset_added"]),
    ("uk-new-core", "new_breach", FTTP, "2023-10-31", ["deadline_passed"]),
    ("uk-new-core", "new_overdue", CORE, "2023-12-31", ["asset_added"]),
    ("uk-new-core", "new_overdue", FTTP, "2023-10-31", ["deadline_passed"]),
    ("uk-new-core", "new_obligation", CORE, "2023-12-31", ["asset_added"]),
    ("uk-new-core", "deadline_within", FIVE_G, "2024-02-28", ["obligation_amended"]),
    ("uk-same", "new_breach", CORE, "2023-12-31", ["deadline_passed"]),
    ("uk-same", "new_breach", FTTP, "2023-10-31", ["deadline_passed"]),
    ("uk-same", "new_overdue", CORE, "2023-12-31", ["deadline_passed"]),
    ("uk-same", "new_overdue", FTTP, "2023-10-31", ["deadline_passed"]),
    ("uk-same", "deadline_within", FIVE_G, "2024-02-28", ["obligation_amended"]),
]


def cli(*args: str | Path, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False, env=env)


def _operator(root: Path, name: str, example: Path, drop: tuple[str, ...] = (), rename=None):
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    profile = (example / "profile.yaml").read_text(encoding="utf-8")
    if rename:
        profile = "\n".join(
            f"name: {rename}" if line.startswith("name:") else line for line in profile.splitlines()
        )
    (folder / "profile.yaml").write_text(profile + "\n", encoding="utf-8")
    with (example / "assets.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle) if r[0] not in drop]
    with (folder / "assets.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _build(root: Path, url: str, scheduler: str) -> dict[str, Path | str]:
    """The portfolio stored on 1 Sep 2023 in ``url``, then changed for the watch; the law of
    the watch."""
    ops = root / "ops"
    # operators are matched with the store by their profile's name: one name each
    _operator(ops, "uk-same", UK)
    _operator(ops, "uk-new-core", UK, drop=("C-001",), rename="Albion Core Ltd")
    _operator(ops, "uk-5g-gone", UK, rename="Albion Radio Ltd")
    _operator(ops, "cz", ROOT / "examples" / "cz-energy")
    stored = cli(
        "portfolio",
        "run",
        "--operators",
        ops,
        "--as-of",
        STORED_ON,
        "--db",
        url,
        "--out",
        root / "run",
        "--scheduler",
        scheduler,
    )
    assert stored.exit_code == 0, stored.stderr
    _operator(ops, "uk-new-core", UK, rename="Albion Core Ltd")
    _operator(ops, "uk-5g-gone", UK, drop=("R-001",), rename="Albion Radio Ltd")
    _operator(ops, "newcomer", UK, rename="Newcomer plc")
    law = root / "law"
    shutil.copytree(default_law_dir(), law)
    text = (law / DVD).read_text(encoding="utf-8")
    assert text.count("deadline: {date: 2027-12-31}") == 1
    (law / DVD).write_text(
        text.replace("deadline: {date: 2027-12-31}", "deadline: {date: 2024-02-28}"),
        encoding="utf-8",
    )
    return {"ops": ops, "url": url, "law": law, "root": root, "scheduler": scheduler}


@pytest.fixture(scope="module")
def watched(tmp_path_factory, scheduler) -> Iterator[dict[str, Path | str]]:
    """The scenario on SQLite, shared by the module."""
    from dutybound.engine.store.connection import dispose_all

    root = tmp_path_factory.mktemp("watch")
    yield _build(root, f"sqlite:///{root / 'store.db'}", scheduler)
    dispose_all()


def _watch(w: dict, *args: str | Path, env: dict[str, str] | None = None):
    return cli(
        "portfolio",
        "watch",
        "--operators",
        w["ops"],
        "--as-of",
        WATCHED_ON,
        "--db",
        w["url"],
        "--law-dir",
        w["law"],
        "--scheduler",
        w["scheduler"],
        *args,
        env=env,
    )


def _events(stdout: str) -> list[dict]:
    return [orjson.loads(line) for line in stdout.splitlines()]


def _key(event: dict) -> tuple:
    return (
        event["operator"],
        event["kind"],
        event["obligation_id"],
        event["due"],
        [c["kind"] for c in event["causes"]],
    )


def _stored_count(url: str) -> int:
    from dutybound.engine.store import list_evaluations

    return len(list_evaluations(url))


def test_watch_emits_exactly_the_expected_events(watched):
    before = _stored_count(watched["url"])
    result = _watch(watched, "--within-days", "60")
    assert result.exit_code == 0, result.stderr
    events = _events(result.stdout)
    assert [_key(e) for e in events] == [
        (op, kind, ob, due, causes) for op, kind, ob, due, causes in EXPECTED
    ]
    for event in events:
        assert event["as_of"] == WATCHED_ON and event["previous_as_of"] == STORED_ON
        assert (
            event["citation"].startswith("Communications Act 2003") or "105Z" in (event["citation"])
        )
        assert event["cause"]
        assert isinstance(event["previous_evaluation"], int)
    moved = next(e for e in events if e["kind"] == "deadline_within")
    assert moved["causes"][0]["refs"]["fields"] == ["deadline"]
    assert "no stored run to compare with: 1 operator (newcomer)" in result.stderr
    # the Czech operator's law did not move: no event names it
    assert not any(e["operator"] == "cz" for e in events)
    # watch stores nothing: the baseline moves only when the portfolio is stored again
    assert _stored_count(watched["url"]) == before


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_same_events_with_the_store_on_postgresql(database_url, scheduler, tmp_path):
    """The cluster's set-up: the workers read the stored runs from PostgreSQL."""
    w = _build(tmp_path, database_url, scheduler)
    result = _watch(w, "--within-days", "60")
    assert result.exit_code == 0, result.stderr
    assert [_key(e) for e in _events(result.stdout)] == [
        (op, kind, ob, due, causes) for op, kind, ob, due, causes in EXPECTED
    ]


def test_without_within_days_there_is_no_deadline_event(watched):
    result = _watch(watched)
    assert result.exit_code == 0, result.stderr
    assert [_key(e) for e in _events(result.stdout)] == [
        (op, kind, ob, due, causes)
        for op, kind, ob, due, causes in EXPECTED
        if kind != "deadline_within"
    ]


class _Receiver(http.server.BaseHTTPRequestHandler):
    """Keeps every POST; answers with the server's ``status``."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers.items()), body))  # type: ignore[attr-defined]
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        if 300 <= self.server.status < 400:  # type: ignore[attr-defined]
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []  # type: ignore[attr-defined]
    server.status = 204  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _hook(server: http.server.HTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/hooks/dutybound"


def test_the_webhook_receives_the_events_signed_over_the_exact_body(watched, receiver):
    result = _watch(
        watched,
        "--within-days",
        "60",
        "--webhook",
        _hook(receiver),
        "--webhook-secret-env",
        SECRET_ENV,
        env={SECRET_ENV: SECRET},
    )
    assert result.exit_code == 0, result.stderr
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    lower = {k.lower(): v for k, v in headers.items()}
    given = {
        SIGNATURE_HEADER: lower[SIGNATURE_HEADER.lower()],
        TIMESTAMP_HEADER: lower[TIMESTAMP_HEADER.lower()],
    }
    assert verify(SECRET.encode(), given, body)
    assert given[SIGNATURE_HEADER] == signature(SECRET.encode(), given[TIMESTAMP_HEADER], body)
    sent = orjson.loads(body)
    assert sent["sent_at"] == int(given[TIMESTAMP_HEADER])
    assert sent["events"] == _events(result.stdout)  # the same events as on stdout
    assert lower["content-type"] == "application/json"
    # another secret, a changed body or a changed timestamp does not verify
    assert not verify(b"another secret", given, body)
    assert not verify(SECRET.encode(), given, body.replace(b"new_breach", b"new_brEach"))
    replayed = {**given, TIMESTAMP_HEADER: str(int(given[TIMESTAMP_HEADER]) + 1)}
    assert not verify(SECRET.encode(), replayed, body)


def test_a_replayed_delivery_is_refused_by_age():
    body, headers = delivery([{"kind": "new_breach"}], SECRET.encode(), now=1_700_000_000)
    assert verify(SECRET.encode(), headers, body, now=1_700_000_100)
    assert not verify(SECRET.encode(), headers, body, now=1_700_000_000 + 301)


@pytest.mark.parametrize("status", [500, 302])
def test_a_refusing_webhook_is_exit_2_naming_it(watched, receiver, status):
    """An error, or a redirect (followed, the POST would lose its body), is a refusal."""
    receiver.status = status  # type: ignore[attr-defined]
    result = _watch(
        watched,
        "--webhook",
        _hook(receiver),
        "--webhook-secret-env",
        SECRET_ENV,
        env={SECRET_ENV: SECRET},
    )
    assert result.exit_code == 2
    assert f"--webhook: {_hook(receiver)} refused the events: HTTP {status}" in result.stderr
    assert len(receiver.received) == 1  # the redirect was not followed
    # the events are still on stdout, and nothing was stored: the next watch raises them again
    assert len(_events(result.stdout)) == len(EXPECTED) - 2


def test_an_unreachable_webhook_is_exit_2(watched):
    result = _watch(
        watched,
        "--webhook",
        "http://127.0.0.1:9/hook",
        "--webhook-secret-env",
        SECRET_ENV,
        "--webhook-timeout",
        "2",
        env={SECRET_ENV: SECRET},
    )
    assert result.exit_code == 2
    assert "could not be reached" in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("--webhook", "HOOK"), {}, "--webhook-secret-env: --webhook needs a signing secret"),
        (
            ("--webhook", "HOOK", "--webhook-secret-env", SECRET_ENV),
            {SECRET_ENV: ""},
            f"environment variable {SECRET_ENV} is not set or empty",
        ),
        (("--webhook", "ftp://example.org/x"), {}, "expected an http:// or https:// URL"),
        (("--webhook-secret-env", SECRET_ENV), {}, "given without --webhook"),
    ],
)
def test_never_sent_without_a_secret(watched, receiver, args, env, message):
    args = tuple(_hook(receiver) if a == "HOOK" else a for a in args)
    result = cli(
        "portfolio",
        "watch",
        "--operators",
        watched["ops"],
        "--as-of",
        WATCHED_ON,
        "--db",
        watched["url"],
        "--scheduler",
        "tcp://127.0.0.1:9",
        *args,
        env=env,
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert receiver.received == []  # type: ignore[attr-defined]
    assert result.stdout == ""  # refused before any work (the scheduler was never reached)


def test_once_stored_again_the_next_watch_is_quiet(watched, tmp_path):
    """The baseline is the last stored run: store the watched portfolio, and a watch on the
    same date and law has nothing to say."""
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    shutil.copyfile(watched["url"].removeprefix("sqlite:///"), tmp_path / "copy.db")
    stored = cli(
        "portfolio",
        "run",
        "--operators",
        watched["ops"],
        "--as-of",
        WATCHED_ON,
        "--db",
        url,
        "--law-dir",
        watched["law"],
        "--out",
        tmp_path / "run",
        "--scheduler",
        watched["scheduler"],
    )
    assert stored.exit_code == 0, stored.stderr
    result = cli(
        "portfolio",
        "watch",
        "--operators",
        watched["ops"],
        "--as-of",
        WATCHED_ON,
        "--db",
        url,
        "--law-dir",
        watched["law"],
        "--within-days",
        "60",
        "--scheduler",
        watched["scheduler"],
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "0 events from 5 operators" in result.stderr


def test_operators_from_the_store_are_watched_on_their_stored_inputs(watched):
    """``--operators DB-URL``: each operator's latest stored inputs, on the new date under the
    bundled law; only time moved, so the events are the two passed deadlines (uk-new-core was
    stored without its core asset)."""
    url = watched["url"]
    result = cli(
        "portfolio",
        "watch",
        "--operators",
        url,
        "--as-of",
        WATCHED_ON,
        "--db",
        url,
        "--scheduler",
        watched["scheduler"],
    )
    assert result.exit_code == 0, result.stderr
    got = {(e["operator"], e["kind"], e["obligation_id"]) for e in _events(result.stdout)}
    expected = {
        (name, kind, ob)
        for name in ("Albion Mobile & Fibre plc", "Albion Radio Ltd")
        for kind in ("new_breach", "new_overdue")
        for ob in (CORE, FTTP)
    } | {("Albion Core Ltd", kind, FTTP) for kind in ("new_breach", "new_overdue")}
    assert got == expected
    assert {c["kind"] for e in _events(result.stdout) for c in e["causes"]} == {"deadline_passed"}


def test_two_operators_with_one_profile_name_are_refused(watched, tmp_path):
    ops = tmp_path / "ops"
    shutil.copytree(watched["ops"], ops)
    shutil.copytree(ops / "uk-same", ops / "uk-twin")
    result = cli(
        "portfolio",
        "watch",
        "--operators",
        ops,
        "--as-of",
        WATCHED_ON,
        "--db",
        watched["url"],
        "--scheduler",
        watched["scheduler"],
    )
    assert result.exit_code == 2
    assert "operators uk-same, uk-twin have the same profile name" in result.stderr
    assert result.stdout == ""
