"""The emulator switched between Adobe's documented variants (API reference §8a): ``tutorial`` answers
as the guides show, ``spec`` as the OpenAPI specs do. docs/api-notes.md has the table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_stripe_aep.emulator.__main__ import build_parser, config_from_args

from .helpers import Aep


@pytest.fixture(scope="module", params=["tutorial", "spec"])
def server(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(run_seconds=0.3, api_variant=request.param)) as srv:
        yield srv


def _window(**values: Any) -> dict[str, Any]:
    return {"startTime": 1663735590, "windowStartTime": 1651584991, "windowEndTime": 1651585956, **values}


def test_run_create_answer_and_run_envelope(aep: Aep) -> None:
    ids = aep.once_flow()
    response = aep.post("/flowservice/runs", json={"flowId": ids["flow"], "params": _window()})
    assert response.status_code == 201, response.text
    body = response.json()
    run = aep.get(f"/flowservice/runs/{body['id'] if 'id' in body else body['items'][0]['id']}").json()
    if aep.server.config.api_variant == "spec":
        assert set(body) == {"id", "etag"}  # CreateFlowRunResponse
        assert run["flowId"] == ids["flow"] and "items" not in run
        assert "activites" in run and "activities" not in run  # FlowRunItemDTO's spelling
    else:
        assert list(body) == ["items"] and set(body["items"][0]) == {"id", "etag"}
        assert run["items"][0]["flowId"] == ids["flow"]
        assert "activities" in run["items"][0] and "activites" not in run["items"][0]


def test_schedule_spelling_on_get(aep: Aep) -> None:
    ids = aep.onboard(startTime=1710267858, frequency="minute", interval=15, backfill=True)
    flow = aep.get(f"/flowservice/flows/{ids['flow']}").json()["items"][0]
    listed = aep.get("/flowservice/flows", params={"property": f"id=={ids['flow']}"}).json()["items"][0]
    if aep.server.config.api_variant == "spec":
        expected: dict[str, Any] = {
            "startTime": 1710267858,
            "frequency": "minute",
            "interval": 15,
            "backfill": True,
        }
    else:
        expected = {"startTime": "1710267858", "frequency": "minute", "interval": "15", "backfill": "true"}
    assert flow["scheduleParams"] == expected and listed["scheduleParams"] == expected


def test_a_schedule_sent_back_as_read_is_accepted(aep: Aep) -> None:
    """What a GET answered, PATCHed back unchanged, is accepted in either spelling."""
    ids = aep.onboard(startTime=1710267858, frequency="minute", interval=15, backfill=True)
    flow = aep.get(f"/flowservice/flows/{ids['flow']}").json()["items"][0]
    ops = [{"op": "replace", "path": "/scheduleParams", "value": flow["scheduleParams"]}]
    response = aep.patch(
        f"/flowservice/flows/{ids['flow']}", json=ops, headers=aep.headers(**{"If-Match": flow["etag"]})
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "params",
    [
        _window(),  # integers of epoch seconds: what the client sends
        _window(windowStartTime=1651584991000, windowEndTime=1651585956000),  # the spec's field text: ms
    ],
    ids=["seconds", "milliseconds"],
)
def test_integer_run_params_are_accepted_in_both(aep: Aep, params: dict[str, Any]) -> None:
    ids = aep.once_flow()
    assert aep.post("/flowservice/runs", json={"flowId": ids["flow"], "params": params}).status_code == 201


def test_string_run_params_follow_the_variant(aep: Aep) -> None:
    """The guide sends `"1663735590"`; the spec types the fields `integer`."""
    ids = aep.once_flow()
    strings = {key: str(value) for key, value in _window().items()}
    response = aep.post("/flowservice/runs", json={"flowId": ids["flow"], "params": strings})
    if aep.server.config.api_variant == "spec":
        assert response.status_code == 400 and "integer" in response.json()["errorMessage"]
    else:
        assert response.status_code == 201, response.text


@pytest.mark.parametrize("op", ["disable", "DISABLE"])
def test_flow_action_op_in_either_case(aep: Aep, op: str) -> None:
    """The destinations guide and aepp send `op=disable`; the spec's enum is upper case. Both are
    accepted under both variants (reference §8a: accept either)."""
    ids = aep.once_flow()
    response = aep.post(f"/flowservice/flows/{ids['flow']}/action", params={"op": op})
    assert response.status_code == 200, response.text
    assert aep.get(f"/flowservice/flows/{ids['flow']}").json()["items"][0]["state"] == "disabled"


def test_remove_with_or_without_value(aep: Aep) -> None:
    """RFC 6902 `remove` has no `value`; the spec's PatchInstruction marks `value` required. Both pass."""
    ids = aep.onboard(startTime=1710267858, frequency="hour", interval=1)
    for op in (
        {"op": "remove", "path": "/scheduleParams/interval"},
        {"op": "remove", "path": "/scheduleParams/interval", "value": None},
    ):
        flow = aep.get(f"/flowservice/flows/{ids['flow']}").json()["items"][0]
        setup = [
            {"op": "replace", "path": "/scheduleParams/frequency", "value": "hour"},
            {"op": "add", "path": "/scheduleParams/interval", "value": 1},
        ]
        etag = flow["etag"]
        if "interval" not in flow["scheduleParams"]:
            answer = aep.patch(
                f"/flowservice/flows/{ids['flow']}", json=setup, headers=aep.headers(**{"If-Match": etag})
            )
            assert answer.status_code == 200, answer.text
            etag = answer.json()["etag"]
        ops = [{"op": "replace", "path": "/scheduleParams/frequency", "value": "once"}, op]
        response = aep.patch(
            f"/flowservice/flows/{ids['flow']}", json=ops, headers=aep.headers(**{"If-Match": etag})
        )
        assert response.status_code == 200, response.text


def test_cli_flag_sets_the_variant() -> None:
    parser = build_parser()
    assert config_from_args(parser.parse_args(["--api-variant", "spec"])).api_variant == "spec"
    assert config_from_args(parser.parse_args([])).api_variant == "tutorial"
    with pytest.raises(SystemExit):
        parser.parse_args(["--api-variant", "swagger"])
    with pytest.raises(ValueError, match="api_variant must be one of tutorial, spec"):
        EmulatorConfig(api_variant="swagger")
