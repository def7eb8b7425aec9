"""The report an officer signs (issue 20): the summary page says the short answer and lists every
breach and binding overdue item, the sign-off block and the facts relied on are printed, words
are not doubled, vocabulary reads as words, the timeline neither cuts nor strikes its labels, and
a procurement bid is summarised worst first."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from dutybound.engine.vocabulary import BINDS
from dutybound.reports.timeline import CHAR_WIDTH, Mark, timeline_svg

from .test_report import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    "cz": ("cz-energy", "2019-02-01"),
    "us": ("us-federal-contractor", "2021-03-01"),
    "uk": ("uk-telecoms", "2026-11-28"),
}
# issue 20: the CZ example fits in at most 4 pages, the UK example in at most 8
MAX_PAGES = {"cz": 4, "us": 9, "uk": 8}


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def reports(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[PdfReader, dict[str, Any]]]:
    """Each bundled example as a PDF (UK with the sign-off options) and its evaluation JSON."""
    folder = tmp_path_factory.mktemp("layout")
    out = {}
    for key, (name, as_of) in EXAMPLES.items():
        base = ["--profile", ROOT / "examples" / name / "profile.yaml"]
        base += ["--assets", ROOT / "examples" / name / "assets.csv", "--as-of", as_of]
        extra = (
            [
                "--prepared-by",
                "Jane Doe",
                "--reviewed-by",
                "R. Roe",
                "--document-version",
                "1.2",
                "--classification",
                "CONFIDENTIAL",
            ]
            if key == "uk"
            else []
        )
        result = cli("report", *base, "--out", folder / f"{key}.pdf", *extra)
        assert result.returncode == 0, result.stderr
        evaluation = cli("evaluate", *base, "--format", "json")
        out[key] = (PdfReader(folder / f"{key}.pdf"), json.loads(evaluation.stdout))
    return out


def _summary(reader: PdfReader) -> str:
    """The summary: everything before the facts-relied-on box."""
    text = _flat(" ".join((p.extract_text() or "") for p in reader.pages))
    return text.split("Facts relied on and sign-off")[0]


def _real(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if not f.get("hypothetical")]


def test_a_stored_report_prints_its_evaluation_id_and_the_audit_head(tmp_path: Path) -> None:
    # the paper can be matched to the record: the id the store gave and the chain's head
    db, out = f"sqlite:///{tmp_path / 'r.db'}", tmp_path / "r.pdf"
    name, day = EXAMPLES["cz"]
    folder = ROOT / "examples" / name
    made = cli("report", "--profile", folder / "profile.yaml", "--assets", folder / "assets.csv")
    assert made.returncode == 2  # --as-of and --out are required: nothing stored or written
    args = ["--profile", folder / "profile.yaml", "--assets", folder / "assets.csv"]
    made = cli("report", *args, "--as-of", day, "--out", out, "--db", db)
    assert made.returncode == 0, made.stderr
    head = cli("audit", "head", "--db", db).stdout.strip()
    text = _flat(" ".join((p.extract_text() or "") for p in PdfReader(out).pages))
    assert "Stored record evaluation 1" in text
    assert f"audit head {head}" in text and len(head) == 64


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_every_breach_and_binding_overdue_item_is_on_the_summary(reports, key: str) -> None:
    reader, data = reports[key]
    summary = _summary(reader)
    real = _real(data)
    breaches = [f for f in real if f["position"] == "breach"]
    overdue = [
        f
        for f in real
        if f["position"] == "action_required"
        and f["status"] == "overdue"
        and f["instrument"]["binding"] in BINDS
    ]
    for f in breaches + overdue:
        assert _flat(f["title"]) in summary, f["title"]
        for asset in f["assets"][:6]:  # named assets on each urgent item
            assert asset in summary, (f["title"], asset)
    # the short answer, computed and pluralised
    n = len(breaches)
    said = (
        f"{n} breach of binding law"
        if n == 1
        else f"{n} breaches of binding law"
        if n
        else "no breach of binding law"
    )
    assert f"In short: on {data['as_of']}, {said}" in summary


def test_the_short_answer_counts_the_uk_breaches_by_kind(reports) -> None:
    summary = _summary(reports["uk"][0])
    assert (
        "5 breaches of binding law (3 removals, 1 cap, 1 prohibition); no binding duty overdue"
        in summary
    )
    assert "next binding deadline 2027-12-31 (Remove all Huawei equipment from 5G networks)" in (
        summary
    )
    assert "8 guidance items are listed apart" in summary


def test_a_contractor_barred_today_reads_breach_and_due_today(reports) -> None:
    summary = _summary(reports["us"][0])
    assert "2 breaches of binding law (2 prohibitions)" in summary
    assert "due today (2021-03-01)" in summary and "in 0 days" not in summary


def test_the_sign_off_block_and_the_facts_relied_on(reports) -> None:
    reader, data = reports["uk"]
    text = _flat(" ".join((p.extract_text() or "") for p in reader.pages))
    for expected in (
        "Prepared by Jane Doe",
        "Reviewed by R. Roe",
        "Approved by",
        "Document version: 1.2",
        "Classification: CONFIDENTIAL",
        "declared by the operator, its own statement",
        f"all inputs sha256 {data['inputs']['sha256']}",
        "see “How the vendors were identified”",
        "not stored (made without --db)",
    ):
        assert expected in text, expected
    sha = hashlib.sha256((ROOT / "examples" / "uk-telecoms" / "assets.csv").read_bytes())
    assert f"file sha256 {sha.hexdigest()}" in text
    assert "11 rows" in text


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_no_doubled_words_raw_vocabulary_or_wrong_plurals(reports, key: str) -> None:
    reader, _ = reports[key]
    text = _flat(" ".join((p.extract_text() or "") for p in reader.pages))
    assert not re.search(r"UNVERIFIED\W+UNVERIFIED", text)
    assert not re.search(r"\bguidance · guidance\b", text)
    assert not re.search(r"\b1 (findings|assets|days|units|rows|items)\b", text)
    for raw in ("access_other", "access_fttp", "in_procurement", "video_surveillance"):
        assert raw not in text, raw
    assert len(reader.pages) <= MAX_PAGES[key], len(reader.pages)


def test_timeline_labels_are_wrapped_never_cut_and_the_date_line_passes_them_by() -> None:
    as_of = dt.date(2026, 11, 28)
    long = "Tier 1: implement the most complex Code measures (guidance; date unverified) " * 2
    marks = [
        Mark(
            dt.date(2023, 1, 28),
            "Remove Huawei equipment from sites of national security",
            "overdue",
        ),
        Mark(dt.date(2027, 3, 31), long.strip(), "due", binding=False),
        Mark(dt.date(2028, 3, 31), "Remove all Huawei equipment from 5G networks", "due"),
    ]
    chart = str(timeline_svg(marks, as_of))
    assert "…" not in chart
    words = re.sub(r"<[^>]+>", " ", chart)
    for word in long.split():
        assert word in words
    assert 'class="tl-label tl-guidance"' in chart and 'fill="white"' in chart  # hollow dot
    # every label's box (estimated as the chart estimates it) lies off the date line's segments
    x = re.search(r'<line x1="([\d.]+)" y1="4.0"', chart)
    assert x is not None
    nx = float(x.group(1))
    segments = [
        (float(a), float(b))
        for a, b in re.findall(
            rf'<line x1="{x.group(1)}" y1="([\d.]+)" x2="{x.group(1)}" y2="([\d.]+)"', chart
        )
    ]
    for style, body in re.findall(r'<div class="tl-label[^"]*" style="([^"]+)">(.*?)</div>', chart):
        top = float(re.search(r"top:([\d.-]+)px", style).group(1))  # type: ignore[union-attr]
        lines = body.split("<br>")
        width = max(len(line) for line in lines) * CHAR_WIDTH
        if "left:" in style and "width:60px" not in style:
            left = float(re.search(r"left:([\d.-]+)px", style).group(1))  # type: ignore[union-attr]
            spans = left <= nx <= left + width
        elif "right:" in style:
            right = 672 - float(re.search(r"right:([\d.-]+)px", style).group(1))  # type: ignore[union-attr]
            spans = right - width <= nx <= right
        else:
            continue
        if spans:
            bottom = top + 11 * len(lines)
            assert all(b <= top or a >= bottom for a, b in segments), (body, segments)


def test_a_bid_is_summarised_worst_first_and_report_duties_wait_for_held_items(
    tmp_path: Path,
) -> None:
    items = tmp_path / "bid.csv"
    items.write_text(
        "asset_id,vendor,product,category,function,country,status,quantity\n"
        "B-1,Nokia,AirScale,telecom_equipment,ran,US,in_procurement,10\n"
        "B-2,Huawei,AR6120,telecom_equipment,access_other,US,in_procurement,2\n"
        "B-3,Huawei,AR6120,telecom_equipment,access_other,US,installed,1\n",
        encoding="utf-8",
    )
    profile = ROOT / "examples" / "us-federal-contractor" / "profile.yaml"
    out = tmp_path / "bid.html"
    result = cli(
        "check",
        "--profile",
        profile,
        "--items",
        items,
        "--as-of",
        "2021-03-01",
        "--format",
        "json",
        "--report",
        out,
    )
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    kinds = {i["item"]["asset_id"]: {f["kind"] for f in i["findings"]} for i in data["items"]}
    assert "report" not in kinds["B-2"]  # only proposed: nothing to report yet
    assert "report" in kinds["B-3"]  # held: the report duty applies
    html = out.read_text(encoding="utf-8")
    assert "Bid summary" in html and "3 items, worst first" in html
    assert html.index("B-2") < html.index("B-1") and html.index("B-3") < html.index("B-1")
