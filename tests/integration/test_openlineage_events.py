"""OpenLineage through real Airflow: with the file transport, a dag.test() of the onboarding and of the
ingest DAG writes COMPLETE events for their run tasks whose input is the Stripe resource and whose
output is the AEP dataset, with the field group's fields as its schema and the run's record counts
and bytes as output statistics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.resources.lineage import host_namespace
from airflow_provider_stripe_aep.resources.run_status import RunSelector

HERE = Path(__file__).resolve().parent
RUN_TASKS = {"stripe_to_aep_onboarding": "wait_for_run", "stripe_to_aep_ingest": "ingest_interval"}


def _run_dags(tmp_path: Path, prefix: str, resource_path: str) -> tuple[dict, list[dict]]:
    events_file = tmp_path / "events.jsonl"
    result_file = tmp_path / "results.json"
    env = {
        **os.environ,
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(events_file), "append": True}
        ),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "stripe-aep-tests",
        "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE)]),
    }
    done = subprocess.run(
        [sys.executable, str(HERE / "lineage_dag_runs.py"), prefix, resource_path, str(result_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    results = json.loads(result_file.read_text())
    events = [json.loads(x) for x in events_file.read_text().splitlines() if x.strip()]
    return results, events


def _complete_event(events: list[dict], dag_id: str, task_id: str) -> dict:
    found = [
        e for e in events if e.get("eventType") == "COMPLETE" and e["job"]["name"] == f"{dag_id}.{task_id}"
    ]
    assert len(found) == 1, [(e.get("eventType"), e["job"]["name"]) for e in events]
    return found[0]


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_onboarding_and_ingest_emit_stripe_to_aep_lineage(connections, tmp_path):
    aep = connections
    results, events = _run_dags(tmp_path, "Lineage", "refunds")
    onboarding = results["stripe_to_aep_onboarding"]["xcom"]
    dataset_id = onboarding["create_dataset.return_value"]
    fields = onboarding["create_target_schema.xdm_fields"]
    assert any(f["name"].endswith("refunds_data.amount") for f in fields), fields
    expected_output = {
        "namespace": host_namespace(aep.url),
        "name": f"/data/foundation/catalog/dataSets/{dataset_id}",
    }

    for dag_id, task_id in RUN_TASKS.items():
        assert results[dag_id]["state"].endswith("success")
        event = _complete_event(events, dag_id, task_id)
        assert [(i["namespace"], i["name"]) for i in event["inputs"]] == [
            ("https://api.stripe.com", "/v1/refunds")
        ]
        (output,) = event["outputs"]
        assert {"namespace": output["namespace"], "name": output["name"]} == expected_output
        schema = output["facets"]["schema"]["fields"]
        assert [{"name": f["name"], "type": f["type"]} for f in schema] == fields

        result_key = "return_value" if task_id == "wait_for_run" else "run"
        run_xcom = results[dag_id]["xcom"][f"{task_id}.{result_key}"]
        run = AdobeExperiencePlatformHook().find_run(
            run_xcom["flow_id"], RunSelector(run_id=run_xcom["run_id"])
        )
        stats = output["outputFacets"]["outputStatistics"]
        assert stats["rowCount"] == run["metrics"]["recordSummary"]["outputRecordCount"] > 0
        assert stats["rowCount"] == run_xcom["counts"]["outputRecordCount"]
        assert stats["size"] == run["metrics"]["sizeSummary"]["outputBytes"] > 0

    # The onboarding's dataflow task reports the same lineage, without statistics (it runs nothing).
    created = _complete_event(events, "stripe_to_aep_onboarding", "create_dataflow")
    assert [(i["namespace"], i["name"]) for i in created["inputs"]] == [
        ("https://api.stripe.com", "/v1/refunds")
    ]
    (output,) = created["outputs"]
    assert {"namespace": output["namespace"], "name": output["name"]} == expected_output
    assert [f["name"] for f in output["facets"]["schema"]["fields"]] == [f["name"] for f in fields]
    assert "outputStatistics" not in output.get("outputFacets", {})
