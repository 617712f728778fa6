"""The example DAGs folder parses cleanly, does no work at parse time, and wires what it promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from aep_testing import EXAMPLE_DAGS, dag_bag, dag_bag_class

from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS

MINE = ("stripe_to_aep_onboarding", "stripe_to_aep_all_resources", "payments_to_aep_onboarding")

# Parses the whole folder in a fresh interpreter with every socket connection refused, then reports
# the import errors, the DAG IDs, and whether heavy modules (the emulator's web stack) were imported.
PARSE = textwrap.dedent(
    """
    import json, socket, sys
    attempts = []
    def refuse(self, *args, **kwargs):
        attempts.append(repr(args))
        raise OSError("no network at parse time")
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = lambda *a, **k: refuse(None, *a)
    import importlib
    DagBag = importlib.import_module(sys.argv[2]).DagBag  # where this Airflow keeps it
    bag = DagBag(dag_folder=sys.argv[1])
    heavy = sorted(m for m in ("fastapi", "uvicorn", "starlette") if m in sys.modules)
    print(json.dumps({"errors": {k: v[-300:] for k, v in bag.import_errors.items()},
                      "dags": sorted(bag.dags), "connects": attempts, "heavy": heavy}))
    """
)


def parse_folder() -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PARSE, str(EXAMPLE_DAGS), dag_bag_class().__module__],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_folder_parses_without_errors_network_or_heavy_imports():
    parsed = parse_folder()
    assert parsed["errors"] == {}
    assert set(MINE) <= set(parsed["dags"])
    assert parsed["connects"] == []
    assert parsed["heavy"] == []


def bag():
    return dag_bag()


def upstream_of(dag) -> dict[str, set[str]]:
    return {t.task_id: {u.task_id for u in t.upstream_list} for t in dag.tasks}


def everything_downstream_of(dag, task_id: str) -> bool:
    """True when every other task of the DAG runs after `task_id`."""
    return all(
        task_id in {u.task_id for u in t.get_flat_relatives(upstream=True)}
        for t in dag.tasks
        if t.task_id != task_id
    )


def test_every_example_dag_validates_its_params_before_anything_else():
    dags = bag().dags
    for dag_id in MINE:
        assert everything_downstream_of(dags[dag_id], "validate_params"), dag_id
        assert dags[dag_id].get_task("validate_params").retries == 0


def test_all_resources_shares_one_base_connection_and_has_one_group_per_path():
    dag = bag().dags["stripe_to_aep_all_resources"]
    assert set(dag.params.keys()) >= {
        "resource_paths",
        "frequency",
        "interval",
        "name_prefix",
        "poll_interval",
        "deferrable",
    }
    assert dag.params["resource_paths"] == list(RESOURCE_PATHS)
    upstream = upstream_of(dag)
    assert [t for t in upstream if t.endswith("create_base_connection")] == ["create_base_connection"]
    for path in RESOURCE_PATHS:
        group = f"onboard_{path}"
        assert upstream[f"{group}.explore_resource"] == {"create_base_connection", f"{group}.apply"}
        assert upstream[f"{group}.create_source_connection"] == {"create_base_connection", f"{group}.apply"}
        assert upstream[f"{group}.plan"] == upstream[f"{group}.apply"] == {f"{group}.validate_params"}
        assert upstream[f"{group}.wait_for_run"] == {f"{group}.create_dataflow"}
    assert upstream["create_base_connection"] == {"apply"}
    assert len([t for t in upstream if t.endswith(".create_dataflow")]) == len(RESOURCE_PATHS)


def test_payments_follows_the_tutorial_steps():
    dag = bag().dags["payments_to_aep_onboarding"]
    assert set(dag.params.keys()) >= {"frequency", "interval", "name_prefix", "table_path", "delta_column"}
    upstream = upstream_of(dag)
    assert upstream["create_base_connection"] == {"apply"}
    assert upstream["plan"] == upstream["apply"] == {"validate_params"}
    assert upstream["explore_table"] == {"create_base_connection"}
    assert upstream["create_dataflow"] == {
        "create_source_connection",
        "create_target_connection",
        "create_mapping_set",
    }
    dataflow = dag.get_task("create_dataflow")
    assert dataflow.flow_spec_name == "CRMToAEP"
    assert dataflow.transformations[0]["name"] == "Copy"


@pytest.mark.parametrize(
    ("dag_id", "variable"),
    [
        ("stripe_to_aep_all_resources", "STRIPE_AEP_ALL_RESOURCES_SCHEDULE"),
        ("payments_to_aep_onboarding", "PAYMENTS_AEP_ONBOARDING_SCHEDULE"),
    ],
)
def test_each_dag_runs_on_a_schedule_when_its_variable_is_set(monkeypatch, dag_id, variable):
    monkeypatch.setenv(variable, "@daily")
    assert bag().dags[dag_id].timetable.can_be_scheduled
    monkeypatch.delenv(variable)
    assert not bag().dags[dag_id].timetable.can_be_scheduled


def test_the_health_dag_is_hourly_by_default_and_its_schedule_comes_from_the_environment(monkeypatch):
    from airflow_provider_stripe_aep.operators.health import AEPDataflowHealthOperator

    parsed = parse_folder()
    assert "aep_dataflow_health" in parsed["dags"]
    dag = bag().dags["aep_dataflow_health"]
    assert isinstance(dag.get_task("check_dataflows"), AEPDataflowHealthOperator)
    assert set(dag.params.keys()) >= {"name_prefix", "window_hours", "max_failed_ratio"}
    assert dag.params["window_hours"] == 24
    assert dag.timetable.can_be_scheduled
    # The DAG's schedule as given: `schedule` on Airflow 3, `schedule_interval` on Airflow 2.
    assert getattr(dag, "schedule", None) == "@hourly" or getattr(dag, "schedule_interval", None) == "@hourly"
    monkeypatch.setenv("AEP_DATAFLOW_HEALTH_SCHEDULE", "@daily")
    daily = bag().dags["aep_dataflow_health"]
    assert "@daily" in (getattr(daily, "schedule", None), getattr(daily, "schedule_interval", None))
