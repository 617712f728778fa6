PYTHON ?= python3
AIRFLOW_VERSION ?= 3.3.2
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(AIRFLOW_VERSION)

.PHONY: venv demo test lint typecheck emulator clean test-real soak

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

# A real Airflow 3 (scheduler, DAG processor, triggerer, API server) runs the example DAGs; a few minutes.
test-real: $(STAMP)
	STRIPE_AEP_REAL_AIRFLOW=1 $(BIN)/python -m pytest tests/system/test_real_airflow.py -s -q

# The onboarding N times under seeded faults (docs/reliability.md); e.g. make soak RUNS=5
RUNS ?= 20
soak: $(STAMP)
	$(BIN)/python scripts/soak.py --runs $(RUNS)

lint: $(STAMP)
	$(BIN)/ruff check airflow_provider_stripe_aep example_dags tests scripts
	$(BIN)/ruff format --check airflow_provider_stripe_aep example_dags tests scripts
	$(BIN)/mypy airflow_provider_stripe_aep
	# DAG files pass XComArgs (task.output) where operators declare the rendered type.
	$(BIN)/mypy --disable-error-code arg-type example_dags

emulator: $(STAMP)
	$(BIN)/python -m airflow_provider_stripe_aep.emulator --port $${PORT:-8080}

clean:
	rm -rf $(VENV) .airflow .pytest_cache .mypy_cache .ruff_cache
