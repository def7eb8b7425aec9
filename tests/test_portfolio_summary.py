"""The portfolio summary never reads as an all-clear where the evaluation is qualified.

The Czech example on 2026-11-28 has no finding: its declared roles were defined by Act 181/2014,
which ceased to apply on 2025-11-01, so no obligation reaches it while it holds five assets of
designated vendors. Its summary row must say so (notices ``role_lapsed`` and ``no_roles``), in
the JSON, the CSV and the PDF, instead of a row of zeros. The UK example's items to review and
the US example's overdue duties are counted the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import orjson
from pypdf import PdfReader
from typer.testing import CliRunner

from dutybound.cli import app
from dutybound.engine.portfolio.summary import Summary, operator_row, summary_files
from tests.cli_runs import evaluate_args

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-28"


def _evaluation(example: str) -> dict[str, object]:
    result = CliRunner().invoke(app, [*evaluate_args(example, AS_OF), "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = orjson.loads(result.stdout)
    return data


def test_a_row_without_findings_carries_the_notices_that_explain_it() -> None:
    row = operator_row("cz-energy", _evaluation("cz-energy"))
    assert row.findings == 0
    assert row.notices == ("no_roles", "role_lapsed")
    assert row.attention
    record = row.to_json()
    assert record["notices"] == ["no_roles", "role_lapsed"] and record["review"] == 0


def test_review_items_and_overdue_duties_are_counted() -> None:
    uk = operator_row("uk-telecoms", _evaluation("uk-telecoms"))
    # eleven items to review: facts the inventory does not state, such as national_security_site
    assert uk.review == 11 and uk.attention
    assert uk.overdue == 4
    us = operator_row("us-federal-contractor", _evaluation("us-federal-contractor"))
    # every US deadline has passed by 2026: no deadline ahead, four duties overdue
    assert us.next_deadline is None and us.overdue == 4


def test_every_summary_file_says_what_to_check() -> None:
    rows = [operator_row(name, _evaluation(name)) for name in ("cz-energy", "uk-telecoms")]
    summary = Summary(dt.date.fromisoformat(AS_OF), {"version": "x", "law_as_of": "y"}, rows)
    files = summary_files(summary)
    record = orjson.loads(files["summary.json"])
    assert record["attention"] == 2
    table = list(csv.DictReader(files["summary.csv"].decode().splitlines()))
    assert table[0]["operator"] == "cz-energy" and table[0]["notices"] == "no_roles role_lapsed"
    assert table[1]["review"] == "11"
    text = PdfReader(io.BytesIO(files["summary.pdf"])).pages[0].extract_text()
    assert "no roles, role lapsed" in text and "11 to review" in text and "4 overdue" in text
