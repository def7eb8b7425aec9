"""The web app's test site: one per test module (its own SQLite store and keys for tenants A and
B), so that the modules, which run on different workers, share no state."""

from __future__ import annotations

import pytest

from tests.web.helpers import Site, site


@pytest.fixture(scope="module")
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Site:
    return site(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]))
