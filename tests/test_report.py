"""The report as its readers get it: the PDF's text, its attachment, its metadata, its safety."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from dutybound.engine.evaluation import evaluate
from dutybound.engine.inputs import assets_from_rows, check_profile, rows_from_mappings
from dutybound.reports.context import (
    ASSET_LIST_LIMIT,
    evaluation_json,
    obligation_report,
    review_groups,
)
from dutybound.reports.fetcher import BundledFetcher
from dutybound.reports.markdown import md
from dutybound.reports.render import environment, obligation_report_pdf, render_html, render_pdf
from dutybound.reports.timeline import Mark, timeline_svg

ROOT = Path(__file__).resolve().parent.parent
UK = ROOT / "examples" / "uk-telecoms"
CZ = ROOT / "examples" / "cz-energy"


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dutybound", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def uk_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[PdfReader, str]:
    out = tmp_path_factory.mktemp("report") / "uk.pdf"
    result = cli(
        "report",
        "--profile",
        UK / "profile.yaml",
        "--assets",
        UK / "assets.csv",
        "--as-of",
        "2026-11-28",
        "--out",
        out,
    )
    assert result.returncode == 0, result.stderr
    evaluation = cli(
        "evaluate",
        "--profile",
        UK / "profile.yaml",
        "--assets",
        UK / "assets.csv",
        "--as-of",
        "2026-11-28",
        "--format",
        "json",
    )
    return PdfReader(out), evaluation.stdout


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_pdf_states_the_obligations_dates_and_citations(uk_pdf) -> None:
    reader, _ = uk_pdf
    text = _text(reader)
    assert "Albion Mobile & Fibre plc" in text and "2026-11-28" in text
    for expected in (
        "Remove Huawei equipment from the network core",
        "2023-12-31",
        "Remove all Huawei equipment from 5G networks",
        "2027-12-31",
        "CA 2003 s.105Z1",
        "Cap: 35% allowed; 40.0% measured (400 / 1000 units)",
        "UNVERIFIED",
        "Instruments cited",
        "Not legal advice",
    ):
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
    profile = check_profile(
        {"name": "<b>Evil</b> Telecom", "jurisdictions": ["GB"], "roles": ["gb.dvd_addressee"]},
        pack,
        "p",
    )
    rows = [
        {
            "asset_id": text,
            "vendor": f"Huawei {text}",
            "product": text,
            "site": text,
            "category": "telecom_equipment",
            "function": "core",
            "country": "GB",
            "status": "installed",
        }
        for i, text in enumerate(HOSTILE)
    ]
    result = evaluate(
        pack, profile, assets_from_rows("x", rows_from_mappings(rows)), dt.date(2024, 6, 1)
    )
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
    html = (
        '<html><head><link rel="stylesheet" href="file:///etc/hostname">'
        '<link rel="attachment" href="file:///etc/passwd"></head><body>'
        '<img src="http://169.254.169.254/x.png"><img src="asset:../../../etc/passwd">'
        '<p style="background: url(file:///etc/issue)">x</p></body></html>'
    )
    fetcher = BundledFetcher()
    pdf = render_pdf(html, {}, fetcher)
    assert sorted(fetcher.refused) == sorted(
        [
            "file:///etc/hostname",
            "file:///etc/passwd",
            "http://169.254.169.254/x.png",
            "asset:../../../etc/passwd",
            "file:///etc/issue",
        ]
    )
    assert fetcher.served == []
    assert PdfReader(io.BytesIO(pdf)).attachments == {}


def test_markdown_cells_cannot_break_out() -> None:
    assert md("a|b [x](http://e) <b>") == r"a\|b \[x\](http://e) \<b\>"


def test_html_and_markdown_reports(tmp_path: Path) -> None:
    for suffix in ("html", "md"):
        out = tmp_path / f"r.{suffix}"
        result = cli(
            "report",
            "--profile",
            UK / "profile.yaml",
            "--assets",
            UK / "assets.csv",
            "--as-of",
            "2026-11-28",
            "--out",
            out,
        )
        assert result.returncode == 0, result.stderr
        assert "Remove Huawei equipment from the network core" in out.read_text()


def test_bad_input_writes_no_report(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    result = cli(
        "report",
        "--profile",
        UK / "profile.yaml",
        "--assets",
        UK / "assets.csv",
        "--as-of",
        "2026-02-30",
        "--out",
        out,
    )
    assert result.returncode == 2 and not out.exists()


def test_comparison_report_pdf(tmp_path: Path) -> None:
    out = tmp_path / "compare.pdf"
    result = cli(
        "report",
        "--profile",
        UK / "profile.yaml",
        "--as-of",
        "2026-11-28",
        "--compare",
        "GB,US",
        "--vendor",
        "Huawei",
        "--as-role",
        "us.federal_contractor",
        "--out",
        out,
    )
    assert result.returncode == 0, result.stderr
    reader = PdfReader(out)
    text = _text(reader)
    assert "Jurisdiction comparison" in text and "Huawei" in text
    assert "prohibited" in text and "gb.dvd-2022.5g-no-new-install" in text
    assert "NDAA FY2019 §889(a)(1)(B)" in text
    attached = json.loads(reader.attachments["comparison.json"][0])
    cells = {c["jurisdiction"]: c for c in attached["vendors"][0]["cells"]}
    # the earliest binding prohibition leads: FAR 52.204-25(b)(1) from 13 Aug 2019 (issue 20)
    assert cells["US"]["obligation_id"] == "us.far52204-25.b1-provide"


def test_verify_report_extracts_and_revalidates_the_record(tmp_path: Path) -> None:
    pdf = tmp_path / "uk.pdf"
    assert (
        cli(
            "report",
            "--profile",
            UK / "profile.yaml",
            "--assets",
            UK / "assets.csv",
            "--as-of",
            "2026-11-28",
            "--out",
            pdf,
        ).returncode
        == 0
    )
    out = tmp_path / "extracted.json"
    result = cli("verify-report", pdf, "--out", out)
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert "valid evaluation" in said and "installed here" in said
    assert json.loads(out.read_text())["as_of"] == "2026-11-28"
    bad = tmp_path / "not-a-report.pdf"
    bad.write_bytes(b"%PDF-1.7 nonsense")
    assert cli("verify-report", bad).returncode == 2


def test_verify_report_reads_reports_made_before_and_after_notice_codes(tmp_path: Path) -> None:
    """A report made with rule pack 2026.11.1 (notices as plain sentences, findings without a
    position) still verifies, as does one made today (coded notices, positions)."""
    from pypdf import PdfWriter

    old = (Path(__file__).parent / "data" / "evaluation-before-positions.json").read_text()
    assert isinstance(json.loads(old)["notices"][0], str)
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("evaluation.json", old.encode())
    old_pdf = tmp_path / "old.pdf"
    with old_pdf.open("wb") as fh:
        writer.write(fh)
    result = cli("verify-report", old_pdf)
    assert result.returncode == 0, result.stderr
    assert "valid evaluation of Potomac Systems Integration LLC" in " ".join(result.stdout.split())

    new_pdf = tmp_path / "new.pdf"
    made = cli(
        "report",
        "--profile",
        CZ / "profile.yaml",
        "--assets",
        CZ / "assets.csv",
        "--as-of",
        "2026-12-03",
        "--out",
        new_pdf,
    )
    assert made.returncode == 0, made.stderr
    out = tmp_path / "new.json"
    assert cli("verify-report", new_pdf, "--out", out).returncode == 0
    codes = {n["code"] for n in json.loads(out.read_text())["notices"]}
    assert {"role_lapsed", "no_roles"} <= codes


def _large_operator(pack, affected: int):
    """A GB telecoms operator with ``affected`` Huawei assets, every fifth with no network, and
    one vendor name in Chinese script."""
    profile = check_profile(
        {
            "name": "Česká Telekomunikace a.s.",
            "jurisdictions": ["GB"],
            "sectors": ["telecoms"],
            "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"],
        },
        pack,
        "p",
    )
    vendors = ["HUAWEI TECHNOLOGIES CO.,LTD", "华为技术有限公司"]
    rows = [
        {
            "asset_id": f"A{i:04d}",
            "vendor": vendors[i % 2],
            "product": "unit",
            "category": "telecom_equipment",
            "function": ["ran", "core", "ran"][i % 3],
            "network": "" if i % 5 == 4 else "5g",
            "country": "GB",
            "status": "installed",
            "site": f"site-{i % 12}",
        }
        for i in range(affected)
    ]
    return evaluate(
        pack, profile, assets_from_rows("x", rows_from_mappings(rows)), dt.date(2026, 11, 28)
    )


def test_large_inventories_are_summarised_and_the_csv_carries_every_asset(pack) -> None:
    result = _large_operator(pack, 300)
    reader = PdfReader(io.BytesIO(obligation_report_pdf(result)))
    text = _text(reader)
    assert "summarised; the full list is in the attached CSV" in text
    assert "By vendor Huawei" in text and "By site" in text and "other sites" in text
    html = render_html("report.html.j2", obligation_report(result, result.to_json()))
    assert 'class="row"' not in html  # no per-asset rows: the CSV is the list
    csv_rows = reader.attachments["affected-assets.csv"][0].decode().splitlines()
    assert len(csv_rows) == 1 + result.to_json()["summary"]["assets_affected"] > 250
    assert "Česká Telekomunikace a.s." in text
    assert len(reader.pages) <= 12


def test_review_items_are_grouped_by_what_must_be_checked(pack) -> None:
    result = _large_operator(pack, 100)
    data = result.to_json()
    groups = review_groups(data["review"])
    assert sum(g["count"] for g in groups) == len(data["review"]) > 0
    # every fifth asset lacks a network; every Huawei asset is asked whether it is on a site
    # significant to national security (the DVD's removal duty turns on that flag)
    biggest = next(g for g in groups if "'network' is empty" in g["detail"])
    assert any("'national_security_site' is not stated" in g["detail"] for g in groups)
    assert len(biggest["ids"]) <= 12 and biggest["more"] == biggest["count"] - len(biggest["ids"])
    assert dict(biggest["vendors"]).keys() == {"HUAWEI TECHNOLOGIES CO.,LTD", "华为技术有限公司"}
    html = render_html("report.html.j2", obligation_report(result, data))
    assert html.count('class="rgroup"') == len(groups)


def test_a_short_asset_list_is_printed_in_full(pack) -> None:
    result = _large_operator(pack, ASSET_LIST_LIMIT)
    html = render_html("report.html.j2", obligation_report(result, result.to_json()))
    assert 'class="row"><b>A0000</b>' in html and "attached CSV (affected-assets.csv)" not in html


def test_timeline_labels_are_escaped_html_text_over_the_svg() -> None:
    marks = [
        Mark(dt.date(2027, 1, 1), '<img src="file:///etc/passwd">', "due"),
        Mark(dt.date(2024, 1, 1), "Remove Huawei equipment from the network core", "overdue"),
    ]
    chart = str(timeline_svg(marks, dt.date(2026, 11, 28)))
    assert "<img" not in chart and "&lt;img" in chart
    assert chart.count('class="tl-label') == len(marks) + 1 + 4  # labels, date, 2024-2027
    assert "<text" not in chart  # WeasyPrint 70 lays SVG text out one glyph at a time
    html = (
        "<html><head><link rel=stylesheet href='asset:report.css'></head><body>"
        f"{chart}</body></html>"
    )
    text = _text(PdfReader(io.BytesIO(render_pdf(html, {}))))
    assert "2024-01-01 · Remove Huawei equipment from the network core" in text


def test_the_template_environment_is_built_once_and_still_escapes() -> None:
    assert environment("en") is environment("en")
    assert environment("en") is not environment("cs")
    assert environment("en").autoescape("report.html.j2") is True


US = ROOT / "examples" / "us-federal-contractor"


def test_the_report_shows_waived_findings_and_lists_every_waiver(tmp_path: Path) -> None:
    """An s.889 agency-head use waiver in effect on 1 Mar 2021 waives the use prohibition for
    U-001; a second one drafted to run to the end of 2022 is refused (no use waiver could be in
    effect after 13 Aug 2022, NDAA FY2019 s.889(d)(1)). Both appear in the register section."""
    out = tmp_path / "us.pdf"
    args = (
        "--profile",
        US / "profile.yaml",
        "--assets",
        US / "assets.csv",
        "--as-of",
        "2021-03-01",
        "--waivers",
        US / "waivers.yaml",
        "--no-store",
    )
    result = cli("report", *args, "--out", out)
    assert result.returncode == 0, result.stderr
    reader = PdfReader(out)
    text = _text(reader)
    assert "1Waived" in text  # the summary card (number and label in one text run)
    assert "Waived Federal contractors may not use Huawei/ZTE" in text  # the finding's pill
    assert "Waivers and exceptions" in text
    assert "W-2021-007 IN EFFECT · us.ndaa889.a1b-use · assets U-001" in text
    assert "W-2022-019 REFUSED · us.ndaa889.a1b-use-purpose-limited" in text
    assert "could be in effect" in text and "NDAA FY2019 §889(d)(1); FAR 4.2104(a)" in text
    embedded = json.loads(reader.attachments["evaluation.json"][0].decode())
    assert [(w["id"], w["standing"]) for w in embedded["waivers"]] == [
        ("W-2021-007", "in_effect"),
        ("W-2022-019", "refused"),
    ]
    markdown = cli("report", *args, "--format", "md", "--out", tmp_path / "us.md")
    assert markdown.returncode == 0, markdown.stderr
    md_text = (tmp_path / "us.md").read_text(encoding="utf-8")
    assert "**1** waived" in md_text
    assert "- W-2022-019 (refused): `us.ndaa889.a1b-use-purpose-limited`" in md_text


def test_without_waivers_the_report_has_no_waiver_section(uk_pdf) -> None:
    reader, _ = uk_pdf
    text = _text(reader)
    assert "Waivers and exceptions" not in text and "Waiver W-" not in text


def test_a_written_report_is_as_readable_as_any_file_the_user_writes(tmp_path: Path) -> None:
    """Atomic writes go through mkstemp (owner-only); the finished file gets 0666 less the
    umask, as open() would give it."""
    out = tmp_path / "uk.md"
    result = cli(
        "report",
        "--profile",
        UK / "profile.yaml",
        "--assets",
        UK / "assets.csv",
        "--as-of",
        "2026-11-28",
        "--out",
        out,
        "--no-store",
    )
    assert result.returncode == 0, result.stderr
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    assert not list(tmp_path.glob(".*.tmp"))
