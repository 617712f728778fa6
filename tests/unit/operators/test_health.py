from __future__ import annotations

import time

import pytest
from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_stripe_aep.operators.health import AEPDataflowHealthOperator


class NoCalls:
    def __getattr__(self, name):
        raise AssertionError(f"bad input must be refused before any call ({name})")


class FakeHook:
    """Two flows: one that ran a minute ago, one disabled."""

    def __init__(self):
        self.run_lists: list[str] = []

    def iter_source_flows(self):
        return [
            {
                "id": "a",
                "name": "P Stripe charges dataflow",
                "state": "enabled",
                "scheduleParams": {"frequency": "once"},
            },
            {"id": "b", "name": "P Stripe refunds dataflow", "state": "disabled"},
            {"id": "c", "name": "Other Stripe charges dataflow", "state": "disabled"},
        ]

    def runs_started_after(self, flow_id, since_ms):
        self.run_lists.append(flow_id)
        now = int(time.time() * 1000)
        done = {"durationSummary": {"completedAtUTC": now - 60_000}, "statusSummary": {"status": "success"}}
        return [{"metrics": done}]


def operator(hook, **kwargs):
    op = AEPDataflowHealthOperator(task_id="health", **kwargs)
    op.__dict__["hook"] = hook
    return op


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"window": 0}, "window"),
        ({"window": "soon"}, "window"),
        ({"max_failed_ratio": 2}, "max_failed_ratio"),
        ({"expected_interval": -1}, "expected_interval"),
        ({"stale_after": "x"}, "stale_after"),
        ({"fail_on_unhealthy": "maybe"}, "fail_on_unhealthy"),
    ],
)
def test_bad_input_names_the_field_before_any_call(kwargs, field):
    with pytest.raises(AirflowFailException, match=f"Invalid {field} "):
        operator(NoCalls(), **kwargs).execute({})


def test_a_flow_not_ok_fails_the_task_and_calls_the_callback_first():
    hook, seen = FakeHook(), []
    op = operator(hook, name_prefix="P", on_unhealthy=lambda flows, context: seen.extend(flows))
    with pytest.raises(AirflowFailException, match="P Stripe refunds dataflow: disabled"):
        op.execute({})
    assert [f["name"] for f in seen] == ["P Stripe refunds dataflow"]
    assert hook.run_lists == ["a", "b"]  # one list of runs per flow of the prefix


def test_without_failing_the_verdicts_are_returned():
    verdicts = operator(FakeHook(), name_prefix="P", fail_on_unhealthy=False).execute({})
    assert [(v["name"], v["verdict"]) for v in verdicts] == [
        ("P Stripe charges dataflow", "ok"),
        ("P Stripe refunds dataflow", "disabled"),
    ]
