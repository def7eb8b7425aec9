"""The only way the PDF renderer can read anything: files the project ships under templates/.

WeasyPrint's default fetcher follows file://, http:// and even cloud-metadata URLs, and will embed
/etc/passwd as an attachment if an inventory smuggles a link into the HTML (docs/adr/0010). This
fetcher serves ``asset:NAME`` from the templates folder and refuses everything else, and it must
be passed to ``HTML(...)`` itself: WeasyPrint silently ignores a fetcher given to ``write_pdf``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from dutybound.reports.paths import TEMPLATES


class BundledFetcher(URLFetcher):
    """Serve ``asset:`` URLs from the templates folder; refuse and record everything else."""

    def __init__(self, root: Path = TEMPLATES) -> None:
        super().__init__(allowed_protocols=["asset"])
        self.root = root.resolve()
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("asset:"):
            path = (self.root / url.removeprefix("asset:").lstrip("/")).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                self.served.append(url)
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, body=path.read_bytes(), headers={"Content-Type": mime}
                )
        self.refused.append(url)
        raise ValueError(f"dutybound renders only files it ships; refused {url!r}")
