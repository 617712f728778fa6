"""Without the [openlineage] extra: nothing imports OpenLineage, every module imports, the example DAGs
parse, and the facet methods return None (simulated in a subprocess: a meta-path finder refuses
`openlineage` and `airflow.providers.openlineage` to this package and the example DAGs). With it: the
facets are built from the task's own data, no request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from aep_testing import EXAMPLE_DAGS

from airflow_provider_stripe_aep.operators.dataflow import AEPCreateDataflowOperator
from airflow_provider_stripe_aep.operators.dataflow_run import AEPTriggerDataflowRunOperator
from airflow_provider_stripe_aep.resources.lineage import stripe_resource_dataset
from airflow_provider_stripe_aep.sensors.dataflow_run import AEPDataflowRunSensor

BLOCKED = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys, traceback
    from importlib.abc import MetaPathFinder

    BLOCKED = ("openlineage", "airflow.providers.openlineage")
    attempts = []

    OURS = ("/airflow_provider_stripe_aep/", "/example_dags/", "/common/compat/openlineage/")

    def from_our_code():
        # The frame that runs the import statement (past importlib's own frames) is ours, or the
        # compat layer our facet helper goes through.
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
            frame = frame.f_back
        return frame is not None and any(part in frame.f_code.co_filename for part in OURS)

    class NoOpenLineage(MetaPathFinder):
        # Airflow's own provider discovery may load the installed provider's metadata; an import
        # statement in the package or the example DAGs fails, as it would without the extra.
        def find_spec(self, name, path=None, target=None):
            if any(name == b or name.startswith(b + ".") for b in BLOCKED) and from_our_code():
                attempts.append(name)
                raise ImportError(f"{name} is blocked: the [openlineage] extra is not installed")
            return None

    sys.meta_path.insert(0, NoOpenLineage())

    import airflow_provider_stripe_aep as package
    from airflow_provider_stripe_aep.version_compat import NeedsAirflow3Error
    modules = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    for name in modules:
        try:
            importlib.import_module(name)
        except NeedsAirflow3Error:  # an Airflow-3-only module on Airflow 2 refuses, by design
            pass
    imported_attempts = list(attempts)

    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:
        from airflow.models.dagbag import DagBag
    bag = DagBag(dag_folder=sys.argv[1])

    from airflow_provider_stripe_aep.sensors.dataflow_run import AEPDataflowRunSensor
    sensor = AEPDataflowRunSensor(
        task_id="wait", flow_id="f1", dataset_id="d1",
        lineage_input={"namespace": "https://api.stripe.com", "name": "/v1/charges"},
        dataset_fields=[{"name": "_t.charges_data.amount", "type": "number"}],
    )
    parse_attempts = attempts[len(imported_attempts):]
    facets = [sensor.get_openlineage_facets_on_start(), sensor.get_openlineage_facets_on_complete(None)]
    print(json.dumps({
        "modules": len(modules),
        "attempts_on_import": imported_attempts,
        "attempts_on_parse": parse_attempts,
        "attempts_by_facets": sorted(set(attempts)),
        "errors": {k: v[-300:] for k, v in bag.import_errors.items()},
        "dags": sorted(bag.dags),
        "facets": [repr(f) for f in facets],
    }))
    """
)


def test_without_the_openlineage_extra_nothing_imports_it_and_facets_are_none():
    env = {
        **os.environ,
        "AIRFLOW_CONN_AEP_DEFAULT": json.dumps(
            {
                "conn_type": "adobe_experience_platform",
                "host": "https://platform.adobe.io",
                "login": "id",
                "password": "secret",
                "extra": {"org_id": "O@AdobeOrg"},
            }
        ),
    }
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED, str(EXAMPLE_DAGS)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["modules"] > 50
    assert result["attempts_on_import"] == [] and result["attempts_on_parse"] == []
    assert result["errors"] == {}
    assert {"stripe_to_aep_onboarding", "stripe_to_aep_ingest", "stripe_to_aep_landed_report"} <= set(
        result["dags"]
    )
    assert result["facets"] == ["None", "None"]
    assert result["attempts_by_facets"]  # the facet methods did try, and took the ImportError well


@pytest.fixture
def aep_env(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_AEP_DEFAULT",
        json.dumps(
            {
                "conn_type": "adobe_experience_platform",
                "host": "https://Platform.Adobe.io/",
                "login": "id",
                "password": "secret",
                "extra": {"org_id": "O@AdobeOrg"},
            }
        ),
    )


FIELDS = [
    {"name": "_t.charges_data.amount", "type": "number"},
    {"name": "_t.charges_data.id", "type": "string"},
]


@pytest.mark.parametrize("task_class", [AEPDataflowRunSensor, AEPTriggerDataflowRunOperator])
def test_facets_name_the_stripe_resource_and_the_aep_dataset_with_fields_and_statistics(aep_env, task_class):
    task = task_class(
        task_id="run",
        flow_id="f1",
        dataset_id="5c8c3c555033b814b69f947f",
        lineage_input=stripe_resource_dataset("charges").as_dict(),
        dataset_fields=FIELDS,
    )
    start = task.get_openlineage_facets_on_start()
    assert [(d.namespace, d.name) for d in start.inputs] == [("https://api.stripe.com", "/v1/charges")]
    (output,) = start.outputs
    assert (output.namespace, output.name) == (
        "https://platform.adobe.io",
        "/data/foundation/catalog/dataSets/5c8c3c555033b814b69f947f",
    )
    assert [(f.name, f.type) for f in output.facets["schema"].fields] == [
        ("_t.charges_data.amount", "number"),
        ("_t.charges_data.id", "string"),
    ]
    assert not output.outputFacets

    task.finished_run = {
        "counts": {"outputRecordCount": 99, "inputRecordCount": 100},
        "bytes": {"outputBytes": 17128},
    }
    (output,) = task.get_openlineage_facets_on_complete(None).outputs
    stats = output.outputFacets["outputStatistics"]
    assert (stats.rowCount, stats.size) == (99, 17128)


def test_the_dataflow_task_reports_source_and_dataset_without_statistics(aep_env):
    task = AEPCreateDataflowOperator(
        task_id="create_dataflow",
        name="flow",
        source_connection_id="s",
        target_connection_id="t",
        lineage_input=stripe_resource_dataset("refunds").as_dict(),
        dataset_id="d1",
        dataset_fields='[{"name": "_t.refunds_data.id", "type": "string"}]',  # a `| tojson` template
    )
    lineage = task.get_openlineage_facets_on_complete(None)
    assert [(d.namespace, d.name) for d in lineage.inputs] == [("https://api.stripe.com", "/v1/refunds")]
    (output,) = lineage.outputs
    assert output.name == "/data/foundation/catalog/dataSets/d1"
    assert [f.name for f in output.facets["schema"].fields] == ["_t.refunds_data.id"]
    assert not output.outputFacets


def test_without_lineage_arguments_the_facets_are_empty(aep_env):
    lineage = AEPDataflowRunSensor(task_id="run", flow_id="f1").get_openlineage_facets_on_complete(None)
    assert lineage.inputs == [] and lineage.outputs == []
