"""The result page names the columns the engine read in the upload: each header as written in
the file and the dutybound column it was read as, synonyms marked."""

from __future__ import annotations

import re

from dutybound.web import STATIC
from tests.web.helpers import EXAMPLE, Site, evaluate, new_profile, signed_in


def _columns(html: str) -> list[tuple[str, str, bool]]:
    block = html.split('<details class="columns">', 1)[1].split("</details>", 1)[0]
    rows = re.findall(r"<tr><td>([^<]*)</td><td><code>([^<]+)</code>( <span)?", block)
    return [(header, column, bool(mark)) for header, column, mark in rows]


def test_renamed_headers_are_shown_with_the_column_they_were_read_as(web: Site) -> None:
    client = web.client()
    token = signed_in(client, web.keys["A"])
    profile = new_profile(client, token)
    text = (EXAMPLE / "assets.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    assert header.startswith("asset_id,vendor,product,")
    renamed = header.replace("asset_id,vendor,", "Asset Tag,Manufacturer,", 1)
    response = evaluate(client, token, profile, "cmdb.csv", (renamed + "\n" + rest).encode())
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    assert "Columns read from the uploaded inventory" in page
    columns = _columns(page)
    assert columns[:3] == [
        ("Asset Tag", "asset_id", True),
        ("Manufacturer", "vendor", True),
        ("product", "product", False),
    ]
    assert [c for _, c, _ in columns] == header.split(",")  # every other column as itself


def test_the_upload_form_works_without_script_and_loads_the_progress_script(web: Site) -> None:
    """The form still posts as a form (method, action, multipart); the script is served from
    the app's own static files and drives a <progress> element."""
    client = web.client()
    token = signed_in(client, web.keys["A"])
    page = client.get(new_profile(client, token)).text
    form = re.search(r'<form method="post" action="(/app/profiles/[^"]+/evaluate)"[^>]*>', page)
    assert form is not None and 'enctype="multipart/form-data"' in form.group(0)
    assert 'data-upload-progress="upload-progress"' in form.group(0)
    assert '<progress id="upload-progress"' in page
    assert '<script src="/app/static/upload.js"></script>' in page
    script = client.get("/app/static/upload.js")
    assert script.status_code == 200
    assert script.text == (STATIC / "upload.js").read_text(encoding="utf-8")
    assert 'xhr.upload.addEventListener("progress"' in script.text
