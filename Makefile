PYTHON ?= python3
AIRFLOW_VERSION ?= 3.3.2
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(AIRFLOW_VERSION)

.PHONY: venv demo test test-ui test-real test-celery soak lint typecheck emulator clean bench

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip install --python $(BIN)/python "apache-airflow==$(AIRFLOW_VERSION)" -e ".[test,emulator,openlineage,aepp-test]"
	# Adobe's aepp for tests/emulator/test_aepp.py, without its heavy requirements ([aepp-test] has what it needs)
	$(BIN)/uv pip install --python $(BIN)/python --no-deps "aepp==0.6.0"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

# Most tests wait on Airflow and the emulator, not on the CPU: four workers even on two cores.
TEST_WORKERS ?= 4
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

# The connection forms in a real browser: Airflow's API server (3.x) + headless Chromium (Debian packages).
UI_STAMP := $(VENV)/.installed-ui-$(AIRFLOW_VERSION)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(UI_STAMP): $(STAMP)
	$(BIN)/uv pip install --python $(BIN)/python "apache-airflow==$(AIRFLOW_VERSION)" -e ".[test,emulator,openlineage,aepp-test,ui-test]"
	touch $(UI_STAMP)

test-ui: $(UI_STAMP)
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium chromium-driver; }
	$(BIN)/python -m pytest tests/ui

# A real Airflow 3 (scheduler, DAG processor, triggerer, API server) runs every example DAG, 20 deferred
# sensors on one flow that share one poll, and the AssetWatcher across a triggerer restart
# (docs/development.md); about 10 minutes on two cores.
test-real: $(STAMP)
	STRIPE_AEP_REAL_AIRFLOW=1 $(BIN)/python -m pytest tests/system/test_real_airflow.py tests/system/test_coalesced_polling.py tests/system/test_asset_watcher.py -s -q

# A real Airflow 3 on CeleryExecutor: Redis (Debian's redis-server, started by the test on a free loopback
# port), two Celery workers, two triggerers; a few minutes (docs/executors.md).
CELERY_STAMP := $(VENV)/.installed-celery-$(AIRFLOW_VERSION)

$(CELERY_STAMP): $(STAMP)
	$(BIN)/uv pip install --python $(BIN)/python "apache-airflow==$(AIRFLOW_VERSION)" -e ".[test,emulator,celery-test]"
	touch $(CELERY_STAMP)

test-celery: $(CELERY_STAMP)
	command -v redis-server >/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends redis-server; }
	STRIPE_AEP_CELERY=1 $(BIN)/python -m pytest tests/system/test_celery.py -s -q

# The onboarding N times under seeded faults (docs/reliability.md); e.g. make soak RUNS=5
RUNS ?= 20
soak: $(STAMP)
	$(BIN)/python scripts/soak.py --runs $(RUNS)

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
