"""Property-based fuzzing of the API from its own OpenAPI document (schemathesis).

``python -m dutybound.service.fuzz [--examples N]`` fuzzes every operation in-process (ASGI)
with a valid API key, positive and negative generation, and fails on any 5xx or on a response
that does not conform to the OpenAPI document (status code documented, content type, body
schema). Strings are hostile: any character UTF-8 can carry, NUL included (``allow_x00``).
``tests/hostile/test_api_properties.py`` runs a smaller budget in the suite. Uses a throw-away
SQLite database.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# operations whose examples cost a PDF render get a smaller budget
SLOW = {"POST /report": 0.2}


@dataclass
class FuzzResult:
    cases: int = 0
    by_operation: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    by_operation_status: Counter[tuple[str, int]] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    nonconforming: list[str] = field(default_factory=list)
    seconds: float = 0.0


def fuzz(app: Any, api_key: str, max_examples: int = 50, negative: bool = True) -> FuzzResult:
    """Run schemathesis against ``app`` (a FastAPI app); every case is counted."""
    import schemathesis
    from schemathesis.generation import GenerationMode

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    # hostile strings: NUL and every other character UTF-8 can carry (schemathesis' defaults,
    # stated here so that a change of default cannot quietly make the fuzzing polite)
    schema.config.generation.update(allow_x00=True, codec="utf-8")
    out = FuzzResult()
    start = time.perf_counter()
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negative else [])
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        budget = max(3, int(max_examples * SLOW.get(label, 1.0)))
        for mode in modes:
            _run_operation(operation, mode, label, budget, api_key, out)
    out.seconds = time.perf_counter() - start
    return out


def _run_operation(
    operation: Any, mode: Any, label: str, budget: int, api_key: str, out: FuzzResult
) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    conformance = [status_code_conformance, content_type_conformance, response_schema_conformance]

    strategy = operation.as_strategy(generation_mode=mode)

    @settings(
        max_examples=budget,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        headers = dict(case.headers or {})
        headers["X-API-Key"] = api_key  # fuzz past the key check
        case.headers = headers
        response = case.call()
        out.cases += 1
        out.by_operation[label] += 1
        out.statuses[response.status_code] += 1
        out.by_operation_status[label, response.status_code] += 1
        if response.status_code >= 500:
            out.server_errors.append(f"{label} -> {response.status_code}: {case.as_curl_command()}")
            return
        try:
            case.validate_response(response, checks=conformance)
        except FailureGroup as failures:
            out.nonconforming.append(f"{label} -> {response.status_code}: {failures}"[:2000])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hypothesis/schemathesis chatter
        # Unsatisfiable: e.g. no invalid request exists for an operation without parameters
        with contextlib.suppress(Unsatisfiable):
            run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dutybound.service.fuzz")
    parser.add_argument(
        "--examples", type=int, default=100, help="examples per operation and generation mode"
    )
    args = parser.parse_args(argv)
    import logging

    from dutybound.service.app import create_app
    from dutybound.service.keys import create_key
    from dutybound.service.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'fuzz.db'}"
        app = create_app(Settings(database_url=url))
        logging.getLogger("dutybound.service").setLevel(logging.WARNING)
        result = fuzz(app, create_key(url, "fuzz").secret, args.examples)
        app.state.service.db.dispose()
    print(
        f"{result.cases} cases in {result.seconds:.1f} s; statuses "
        f"{dict(sorted(result.statuses.items()))}"
    )
    for label, n in sorted(result.by_operation.items()):
        statuses = {
            s: c for (op, s), c in sorted(result.by_operation_status.items()) if op == label
        }
        print(f"  {label}: {n} {statuses}")
    for line in result.server_errors[:20]:
        print("5xx:", line)
    for line in result.nonconforming[:20]:
        print("not as documented:", line)
    return 1 if result.server_errors or result.nonconforming else 0


if __name__ == "__main__":
    sys.exit(main())
