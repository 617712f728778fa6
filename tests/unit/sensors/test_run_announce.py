"""A run task that succeeds puts the run in the extra of its outlet Assets' events (not of aliases,
whose Asset is added with `run_event` by whoever resolves them)."""

from __future__ import annotations

from collections import defaultdict

from airflow.providers.common.compat.sdk import Asset, AssetAlias

from airflow_provider_stripe_aep.operators.dataflow_run import AEPTriggerDataflowRunOperator
from airflow_provider_stripe_aep.resources.run_status import run_event_extra, summarize_run

RUN = {
    "id": "run-1",
    "flowId": "flow-1",
    "metrics": {
        "durationSummary": {"startedAtUTC": 1773100800000, "completedAtUTC": 1773100807000},
        "recordSummary": {"inputRecordCount": 5, "outputRecordCount": 5, "failedRecordCount": 0},
        "statusSummary": {"status": "success"},
    },
}


class Accessor:
    def __init__(self) -> None:
        self.extra: dict = {}


def test_outlet_assets_get_the_run_with_the_window_the_operator_asked_for():
    asset, alias = Asset("aep://prod/datasets/x"), AssetAlias("landed")
    task = AEPTriggerDataflowRunOperator(task_id="ingest", flow_id="flow-1", outlets=[asset, alias])
    task.ingest_window = (1773014400, 1773100800)
    events: defaultdict = defaultdict(Accessor)
    summary = summarize_run(RUN)

    task._announce(summary, {"outlet_events": events})

    expected = run_event_extra(summary, (1773014400000, 1773100800000))
    assert events[asset].extra == expected and expected["window_start_ms"] == 1773014400000
    assert alias not in events
    assert task.run_event == expected


def test_without_a_known_window_the_runs_own_is_used():
    run = {
        **RUN,
        "activities": [
            {"id": "copyActivity", "durationSummary": {"extensions": {"windowStart": 1, "windowEnd": 2}}}
        ],
    }
    task = AEPTriggerDataflowRunOperator(task_id="ingest", flow_id="flow-1")
    task._announce(summarize_run(run), {"outlet_events": defaultdict(Accessor)})
    assert (task.run_event["window_start_ms"], task.run_event["window_end_ms"]) == (1, 2)
