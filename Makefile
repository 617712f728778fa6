PYTHON ?= python3
AIRFLOW_VERSION ?= 3.3.2
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(AIRFLOW_VERSION)

.PHONY: venv demo test lint typecheck emulator clean bench

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip install --python $(BIN)/python "apache-airflow==$(AIRFLOW_VERSION)" -e ".[test,emulator]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check airflow_provider_stripe_aep example_dags tests scripts benchmarks
	$(BIN)/ruff format --check airflow_provider_stripe_aep example_dags tests scripts benchmarks
	$(BIN)/mypy airflow_provider_stripe_aep
	# DAG files pass XComArgs (task.output) where operators declare the rendered type.
	$(BIN)/mypy --disable-error-code arg-type example_dags

emulator: $(STAMP)
	$(BIN)/python -m airflow_provider_stripe_aep.emulator --port $${PORT:-8080}

# Benchmarks (docs/performance.md). The dbt Cloud provider is installed for the comparison only,
# into .bench/dbt-cloud, never into the venv. BENCH_ARGS passes options (python -m benchmarks --help).
bench: $(STAMP)
	test -d .bench/dbt-cloud/airflow || $(BIN)/python -m benchmarks.install_dbt_cloud
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .bench .airflow .pytest_cache .mypy_cache .ruff_cache
