"""Where the files the renderer may read live, in a module that imports nothing heavy.

``reports.render`` needs the folder to build its Jinja2 environment; importing it from
``reports.fetcher`` would import WeasyPrint even for the HTML and Markdown reports,
which never use it.
"""

from __future__ import annotations

from dutybound.engine.bundled import templates_dir

TEMPLATES = templates_dir()
