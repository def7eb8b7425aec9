"""The data that ships inside the package, found one way: ``importlib.resources``.

The law (``jurisdictions/``), the vendor registry, the report templates and the database
migrations are package data of ``dutybound``. Looking them up through the import system, never
relative to a source file, makes a checkout, an editable install and a wheel installed anywhere
find the same files. The wheel is installed unpacked (pip never installs a zipped package), so
the folders are real paths that WeasyPrint, Jinja2 and Alembic can read.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled(package: str, *parts: str) -> Path:
    """The file system path of ``parts`` inside the bundled data package ``package``."""
    return Path(str(resources.files(package).joinpath(*parts)))


def law_dir() -> Path:
    """The bundled rule pack (the ``jurisdictions/`` folder)."""
    return bundled("dutybound.jurisdictions")


def registry_file() -> Path:
    """The bundled vendor registry."""
    return bundled("dutybound.registry", "vendors.yaml")


def templates_dir() -> Path:
    """The Jinja2 templates, CSS and message catalogues of the reports."""
    return bundled("dutybound.templates")


def migrations_dir() -> Path:
    """The Alembic scripts that bring a database to the current schema."""
    return bundled("dutybound.engine.store", "migrations")
