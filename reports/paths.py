"""Where the files the renderer may read live, in a module that imports nothing heavy.

``reports.render`` needs the folder to build its Jinja2 environment; importing it from
``reports.fetcher`` would import WeasyPrint (about 1 s) even for the HTML and Markdown reports,
which never use it.
"""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
