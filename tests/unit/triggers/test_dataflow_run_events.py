from __future__ import annotations

import asyncio
from typing import Any

import pytest

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.resources.run_status import summarize_run
from airflow_provider_stripe_aep.triggers import dataflow_run_events
from airflow_provider_stripe_aep.triggers.dataflow_run_events import STATE_KEY, AEPDataflowRunEventTrigger
from airflow_provider_stripe_aep.validation import InvalidInputError

MODULE = "airflow_provider_stripe_aep.triggers.dataflow_run_events"


def run(run_id: str, status: str, completed: int | None, flow: str = "f1") -> Any:
    duration = {"startedAtUTC": 1_000, **({"completedAtUTC": completed} if completed else {})}
    raw = {
        "id": run_id,
        "flowId": flow,
        "metrics": {"statusSummary": {"status": status}, "durationSummary": duration},
    }
    return summarize_run(raw), None


def snapshot(*runs: Any, since: int = 0) -> dict[str, Any]:
    return {"polled_at_ms": 10_000, "since_ms": since, "runs": list(runs)}


class MemoryStore:
    """What the triggerer injects as `asset_state_store`, kept in a dict."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    async def aget(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    async def aset(self, key: str, value: Any) -> None:
        self.values[key] = value


async def _stream(snapshots: list[dict[str, Any]]):
    for item in snapshots:
        yield item


def events(trigger: AEPDataflowRunEventTrigger, snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    async def collect() -> list[dict[str, Any]]:
        return [e.payload async for e in trigger.filter_shared_stream(_stream(snapshots))]

    return asyncio.run(collect())


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr(dataflow_run_events, "_now_ms", lambda: 1_500)


def test_one_event_per_run_that_ends_however_often_a_poll_shows_it():
    trigger = AEPDataflowRunEventTrigger(flow_id="f1", statuses=["success", "failed"], poll_interval=1)
    polls = [
        snapshot(run("a", "inProgress", None), run("old", "success", 1_200)),
        snapshot(
            run("a", "success", 2_000), run("b", "inProgress", None), run("x", "success", 2_000, flow="f2")
        ),
        snapshot(run("a", "success", 2_000), run("b", "failed", 3_000), run("c", "partialSuccess", 3_000)),
        snapshot(run("a", "success", 2_000), run("b", "failed", 3_000)),
    ]
    got = events(trigger, polls)
    assert [(e["run_id"], e["status"]) for e in got] == [("a", "success"), ("b", "failed")]
    assert got[0]["flow_id"] == "f1" and got[0]["completed_at_ms"] == 2_000


def test_a_restarted_watcher_resumes_from_the_store_announcing_what_ended_meanwhile_and_nothing_twice(
    monkeypatch,
):
    store = MemoryStore()
    first = AEPDataflowRunEventTrigger(flow_id="f1", poll_interval=1)
    first.asset_state_store = store  # type: ignore[assignment]
    assert [e["run_id"] for e in events(first, [snapshot(run("a", "success", 2_000))])] == ["a"]
    assert store.values[STATE_KEY]["announced"] == {"a": 2_000}

    # The triggerer restarts: a new instance, same store; b ended while no watcher ran.
    second = AEPDataflowRunEventTrigger(flow_id="f1", poll_interval=1)
    second.asset_state_store = store  # type: ignore[assignment]
    later = [snapshot(run("a", "success", 2_000), run("b", "success", 2_500))]
    assert [e["run_id"] for e in events(second, later)] == ["b"]

    # Without a store a watcher announces only what ends from its start on (here: after both).
    monkeypatch.setattr(dataflow_run_events, "_now_ms", lambda: 3_000)
    fresh = AEPDataflowRunEventTrigger(flow_id="f1", poll_interval=1)
    assert events(fresh, later) == []


def test_the_flow_is_found_by_name_once_it_exists(monkeypatch):
    answers = iter([None, "f1"])
    looked_up = []

    async def find(self, name):
        looked_up.append(name)
        return next(answers)

    monkeypatch.setattr(AdobeExperiencePlatformHook, "afind_dataflow_id", find)
    trigger = AEPDataflowRunEventTrigger(flow_name="Flow", poll_interval=1)
    polls = [snapshot(run("a", "success", 2_000)), snapshot(run("a", "success", 2_000))]
    assert [e["run_id"] for e in events(trigger, polls)] == ["a"]
    assert looked_up == ["Flow", "Flow"]


def test_watchers_of_one_connection_share_a_poll_and_round_trip():
    a = AEPDataflowRunEventTrigger(flow_name="A", aep_conn_id="c1", poll_interval=30)
    b = AEPDataflowRunEventTrigger(flow_id="B", aep_conn_id="c1", poll_interval=30, statuses=["failed"])
    other = AEPDataflowRunEventTrigger(flow_id="B", aep_conn_id="c2", poll_interval=30)
    assert a.shared_stream_key() == b.shared_stream_key() != other.shared_stream_key()
    path, kwargs = b.serialize()
    again = AEPDataflowRunEventTrigger(**kwargs)
    assert again.serialize() == (path, kwargs) and path == f"{MODULE}.AEPDataflowRunEventTrigger"


def test_bad_arguments_are_refused_naming_the_field():
    with pytest.raises(InvalidInputError, match="statuses"):
        AEPDataflowRunEventTrigger(flow_id="f", statuses=["done"])
    with pytest.raises(ValueError, match="flow_name or flow_id"):
        AEPDataflowRunEventTrigger()


def _raw(run_id: str, status: str, started: int) -> dict[str, Any]:
    return {
        "id": run_id,
        "flowId": "f1",
        "metrics": {"statusSummary": {"status": status}, "durationSummary": {"startedAtUTC": started}},
    }


def test_the_shared_poll_skips_transient_errors_ends_on_permanent_ones_and_keeps_long_runs_in_view(
    monkeypatch,
):
    from airflow_provider_stripe_aep.client.errors import AEPAuthError, AEPServerError

    answers: list[Any] = [
        [_raw("long", "inProgress", 100)],
        AEPServerError("503", status=503),
        [_raw("long", "success", 100)],
        AEPAuthError("401", status=401),
    ]
    asked: list[int] = []

    async def runs(self, started_after_ms):
        asked.append(started_after_ms)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(AdobeExperiencePlatformHook, "aruns_started_after", runs)
    monkeypatch.setattr(dataflow_run_events, "_now_ms", lambda: 10_000)
    kwargs = AEPDataflowRunEventTrigger(flow_id="f1", poll_interval=0.01, lookback_seconds=5).serialize()[1]

    async def collect() -> list[dict[str, Any]]:
        out = []
        with pytest.raises(AEPAuthError):
            async for snapshot in AEPDataflowRunEventTrigger.open_shared_stream(kwargs):
                out.append(snapshot)
        return out

    snapshots = asyncio.run(collect())
    assert [[s["run_id"] for s, _ in snap["runs"]] for snap in snapshots] == [["long"], ["long"]]
    # 5 s look-back at 10 s: from 5 000 ms, then back to the running run's start (100 ms) while it runs.
    assert asked == [5_000, 99, 99, 5_000]
