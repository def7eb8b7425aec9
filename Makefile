# One command each: `make demo` sets up and runs the main job; `make test` sets up and runs the
# tests. Both create ./.venv on first use (Python 3.11+, gcc and the Python headers are needed to
# build durable-rules, which has no wheels).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT := out

.PHONY: setup demo test lint bench clean

$(BIN)/dutybound: pyproject.toml
	bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/dutybound

demo: setup
	@mkdir -p $(OUT)
	$(BIN)/dutybound report --profile examples/cz-energy/profile.yaml \
	  --assets examples/cz-energy/assets.csv --as-of 2019-02-01 --out $(OUT)/cz-energy.pdf
	$(BIN)/dutybound report --profile examples/us-federal-contractor/profile.yaml \
	  --assets examples/us-federal-contractor/assets.csv --as-of 2021-03-01 \
	  --out $(OUT)/us-federal-contractor.pdf
	$(BIN)/dutybound report --profile examples/uk-telecoms/profile.yaml \
	  --assets examples/uk-telecoms/assets.csv --as-of 2026-11-28 --out $(OUT)/uk-telecoms.pdf
	$(BIN)/dutybound evaluate --profile examples/uk-telecoms/profile.yaml \
	  --assets examples/uk-telecoms/assets.csv --as-of 2026-11-28 --format table
	@echo "Reports written to $(OUT)/: cz-energy.pdf, us-federal-contractor.pdf, uk-telecoms.pdf"

# The store tests also run on PostgreSQL: a throw-away server is started when one can be
# (scripts/test-postgres.sh); without it they are skipped, except under CI=true.
test: setup lint
	DUTYBOUND_TEST_POSTGRES_URL="$${DUTYBOUND_TEST_POSTGRES_URL:-$$(bash scripts/test-postgres.sh || true)}" \
	  $(BIN)/python -m pytest

# The gates a change must pass before the tests: formatting, lint and types (configured in
# pyproject.toml; the package is type-checked through dutybound/, which links the root folders).
lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/bench_evaluate.py
	$(BIN)/python bench/bench_vendors.py
	$(BIN)/python bench/bench_report.py
	$(BIN)/python bench/bench_service.py
	$(BIN)/python bench/bench_store.py
	$(BIN)/python bench/bench_portfolio.py
	$(BIN)/python bench/bench_stream.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis
