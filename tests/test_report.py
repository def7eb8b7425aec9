"""The report as its readers get it: the PDF's text, its attachment, its metadata, its safety."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from engine.evaluation import evaluate
from engine.inputs import assets_from_rows, check_profile, rows_from_mappings
from reports.context import evaluation_json, obligation_report
from reports.fetcher import BundledFetcher
from reports.markdown import md
from reports.render import render_html, render_pdf

ROOT = Path(__file__).resolve().parent.parent
UK = ROOT / "examples" / "uk-telecoms"


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def uk_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[PdfReader, str]:
    out = tmp_path_factory.mktemp("report") / "uk.pdf"
    result = cli("report", "--profile", UK / "profile.yaml", "--assets", UK / "assets.csv",
                 "--as-of", "2026-11-28", "--out", out)
    assert result.returncode == 0, result.stderr
    evaluation = cli("evaluate", "--profile", UK / "profile.yaml", "--assets",
                     UK / "assets.csv", "--as-of", "2026-11-28", "--format", "json")
    return PdfReader(out), evaluation.stdout


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_pdf_states_the_obligations_dates_and_citations(uk_pdf) -> None:
    reader, _ = uk_pdf
    text = _text(reader)
    assert "Albion Mobile & Fibre plc" in text and "2026-11-28" in text
    for expected in ("Remove Huawei equipment from the network core", "2023-12-31",
                     "Remove all Huawei equipment from 5G networks", "2027-12-31",
                     "CA 2003 s.105Z1", "Cap: 35% allowed; 40.0% measured (400 / 1000 units)",
                     "UNVERIFIED", "Instruments cited", "Not legal advice"):
        assert expected in text, expected
    # Ericsson's and Nokia's kit never appears as affected
    assert "AIR 6449" not in text and "Lightspan" not in text


def test_the_attached_evaluation_round_trips(uk_pdf) -> None:
    reader, evaluation_stdout = uk_pdf
    attached = reader.attachments
    assert set(attached) == {"evaluation.json", "affected-assets.csv"}
    embedded = attached["evaluation.json"][0].decode()
    assert json.loads(embedded) == json.loads(evaluation_stdout)
    rows = attached["affected-assets.csv"][0].decode().splitlines()
    assert rows[0].startswith("asset_id,vendor,vendor_group")
    assert any(r.startswith("C-001,Huawei,huawei") for r in rows)


def test_pdf_is_pdf_a_3b(uk_pdf) -> None:
    reader, _ = uk_pdf
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode()
    assert 'pdfaid:part="3"' in raw and 'pdfaid:conformance="B"' in raw
    assert "dutybound" in raw and "2026-11-28" in raw


HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="http://169.254.169.254/latest/meta-data">',
    "<style>body{background:url(file:///etc/shadow)}</style>",
    "</div><svg><image href='file:///etc/hostname'/></svg>",
]


def test_untrusted_inventory_text_is_escaped_and_nothing_is_fetched(pack) -> None:
    profile = check_profile({"name": "<b>Evil</b> Telecom", "jurisdictions": ["GB"],
                             "roles": ["gb.dvd_addressee"]}, pack, "p")
    rows = [{"asset_id": text, "vendor": f"Huawei {text}", "product": text, "site": text,
             "category": "telecom_equipment", "function": "core", "country": "GB",
             "status": "installed"} for i, text in enumerate(HOSTILE)]
    result = evaluate(pack, profile, assets_from_rows("x", rows_from_mappings(rows)),
                      dt.date(2024, 6, 1))
    data = result.to_json()
    html = render_html("report.html.j2", obligation_report(result, data))
    for text in HOSTILE:
        assert text not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    fetcher = BundledFetcher()
    pdf = render_pdf(html, {"evaluation.json": evaluation_json(data)}, fetcher)
    assert fetcher.served == ["asset:report.css"]
    assert fetcher.refused == []  # escaped text is never a URL to fetch
    reader = PdfReader(io.BytesIO(pdf))
    assert set(reader.attachments) == {"evaluation.json"}
    text = _text(reader)  # narrow asset columns wrap, so look for the start of the markup
    assert "<img src=" in text and "&lt;" not in text


def test_the_fetcher_refuses_anything_the_project_did_not_ship() -> None:
    html = ('<html><head><link rel="stylesheet" href="file:///etc/hostname">'
            '<link rel="attachment" href="file:///etc/passwd"></head><body>'
            '<img src="http://169.254.169.254/x.png"><img src="asset:../../../etc/passwd">'
            '<p style="background: url(file:///etc/issue)">x</p></body></html>')
    fetcher = BundledFetcher()
    pdf = render_pdf(html, {}, fetcher)
    assert sorted(fetcher.refused) == sorted([
        "file:///etc/hostname", "file:///etc/passwd", "http://169.254.169.254/x.png",
        "asset:../../../etc/passwd", "file:///etc/issue"])
    assert fetcher.served == []
    assert PdfReader(io.BytesIO(pdf)).attachments == {}


def test_markdown_cells_cannot_break_out() -> None:
    assert md("a|b [x](http://e) <b>") == r"a\|b \[x\](http://e) \<b\>"


def test_html_and_markdown_reports(tmp_path: Path) -> None:
    for suffix in ("html", "md"):
        out = tmp_path / f"r.{suffix}"
        result = cli("report", "--profile", UK / "profile.yaml", "--assets", UK / "assets.csv",
                     "--as-of", "2026-11-28", "--out", out)
        assert result.returncode == 0, result.stderr
        assert "Remove Huawei equipment from the network core" in out.read_text()


def test_bad_input_writes_no_report(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    result = cli("report", "--profile", UK / "profile.yaml", "--assets", UK / "assets.csv",
                 "--as-of", "2026-02-30", "--out", out)
    assert result.returncode == 2 and not out.exists()


def test_comparison_report_pdf(tmp_path: Path) -> None:
    out = tmp_path / "compare.pdf"
    result = cli("report", "--profile", UK / "profile.yaml", "--as-of", "2026-11-28",
                 "--compare", "GB,US", "--vendor", "Huawei", "--as-role",
                 "us.federal_contractor", "--out", out)
    assert result.returncode == 0, result.stderr
    reader = PdfReader(out)
    text = _text(reader)
    assert "Jurisdiction comparison" in text and "Huawei" in text
    assert "prohibited" in text and "gb.dvd-2022.5g-no-new-install" in text
    assert "NDAA FY2019 §889(a)(1)(B)" in text
    attached = json.loads(reader.attachments["comparison.json"][0])
    cells = {c["jurisdiction"]: c for c in attached["vendors"][0]["cells"]}
    assert cells["US"]["obligation_id"] == "us.ndaa889.a1b-use"


def test_verify_report_extracts_and_revalidates_the_record(tmp_path: Path) -> None:
    pdf = tmp_path / "uk.pdf"
    assert cli("report", "--profile", UK / "profile.yaml", "--assets", UK / "assets.csv",
               "--as-of", "2026-11-28", "--out", pdf).returncode == 0
    out = tmp_path / "extracted.json"
    result = cli("verify-report", pdf, "--out", out)
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert "valid evaluation" in said and "installed here" in said
    assert json.loads(out.read_text())["as_of"] == "2026-11-28"
    bad = tmp_path / "not-a-report.pdf"
    bad.write_bytes(b"%PDF-1.7 nonsense")
    assert cli("verify-report", bad).returncode == 2
