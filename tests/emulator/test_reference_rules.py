"""The emulator held to /work/shared/aep-api-reference.md: one case per rule, the section in the case id.

Each case sends what a client would send and checks the status and body the reference documents.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from .helpers import (
    TENANT,
    XED_FULL,
    Aep,
    base_connection_body,
    encoded,
    field_group_body,
    flow_body,
    wait_for,
)


def _type(response: requests.Response) -> str:
    return str(response.json().get("type", "")).rsplit("/", 1)[-1]


def _headers_without(aep: Aep, name: str, **extra: str) -> dict[str, str]:
    return {k: v for k, v in aep.headers(**extra).items() if k != name}


def _window(**overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "startTime": "1663735590",
        "windowStartTime": "1651584991",
        "windowEndTime": "1651585956",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


# ---------------------------------------------------------------- §1.2 headers and gateway errors
GATEWAY_CASES = [
    pytest.param(
        lambda aep: _headers_without(aep, "Authorization"), 403, "403010", id="§1.2-missing-token-403010"
    ),
    pytest.param(
        lambda aep: aep.headers(Authorization="Bearer not-a-token"), 401, "401013", id="§1.2-bad-token-401013"
    ),
    pytest.param(
        lambda aep: _headers_without(aep, "x-api-key"), 403, "403000", id="§1.2-missing-api-key-403000"
    ),
    pytest.param(
        lambda aep: aep.headers(**{"x-api-key": "someone-else"}),
        403,
        "403003",
        id="§1.2-wrong-api-key-403003",
    ),
    pytest.param(
        lambda aep: _headers_without(aep, "x-gw-ims-org-id"), 400, "400003", id="§1.2-missing-org-400003"
    ),
]


@pytest.mark.parametrize(("headers", "status", "code"), GATEWAY_CASES)
def test_gateway_headers(aep: Aep, headers: Callable[[Aep], dict[str, str]], status: int, code: str) -> None:
    for path in ("/flowservice/connections", "/catalog/dataSets", "/schemaregistry/stats"):
        response = aep.get(path, headers=headers(aep))
        assert response.status_code == status, (path, response.text)
        assert response.json()["error_code"] == code


def test_expired_token_is_401_but_missing_token_is_403(aep: Aep) -> None:
    """§1.2: a request without a token is refused (403), unlike an expired one (401)."""
    aep.admin("POST", "/expire-tokens")
    assert aep.get("/flowservice/connections").status_code == 401
    assert (
        aep.get("/flowservice/connections", headers=_headers_without(aep, "Authorization")).status_code == 403
    )


@pytest.mark.parametrize(
    ("path", "check"),
    [
        pytest.param(
            "/flowservice/connections",
            lambda r: _type(r) == "FLOW-2105-400",
            id="§6.1-flow-missing-sandbox-FLOW-2105-400",
        ),
        pytest.param(
            "/catalog/dataSets",
            lambda r: "FLOW" not in r.text and r.json()["status"] == 400 and "sandbox" in r.json()["detail"],
            id="§6.1-catalog-missing-sandbox-catalog-shape",
        ),
        pytest.param(
            "/schemaregistry/tenant/schemas",
            lambda r: _type(r).startswith("XDM-") and "registryRequestId" in r.json()["report"],
            id="§3.7-registry-missing-sandbox-xdm-shape",
        ),
    ],
)
def test_missing_sandbox_header_per_service(aep: Aep, path: str, check: Callable[[Any], bool]) -> None:
    response = aep.get(path, headers=_headers_without(aep, "x-sandbox-name"))
    assert response.status_code == 400
    assert check(response), response.text


def test_bad_content_type_ref1_2(aep: Aep) -> None:
    response = aep.post(
        "/flowservice/connections",
        data='{"name": "x"}',
        headers=aep.headers(**{"Content-Type": "text/plain"}),
    )
    assert response.status_code == 400
    assert response.json() == {
        "type": "/placeholder/type/uri",
        "status": 400,
        "title": "BadRequestError",
        "detail": "A valid content-type must be specified",
    }


# ---------------------------------------------------------------- unknown paths, methods, trailing slashes
@pytest.mark.parametrize(
    ("method", "path", "status", "check"),
    [
        pytest.param(
            "GET",
            "/flowservice/nothing/",
            404,
            lambda b: b["type"].endswith("-404") and "report" in b,
            id="§6.1-flow-unknown-path-404-flow-shape",
        ),
        pytest.param(
            "POST",
            "/flowservice/nothing",
            404,
            lambda b: "FLOW-" in b["type"],
            id="§6.1-flow-post-unknown-path",
        ),
        pytest.param(
            "PUT",
            "/flowservice/connections",
            405,
            lambda b: "FLOW-" in b["type"] and b["status"] == 405,
            id="§6.1-flow-unknown-method-405",
        ),
        pytest.param(
            "GET", "/flowservice/nothing", 404, lambda b: "FLOW-" in b["type"], id="§6.1-flow-unknown-path"
        ),
        pytest.param(
            "GET",
            "/schemaregistry/tenant/nothing/",
            404,
            lambda b: "XDM-" in b["type"] and "registryRequestId" in b["report"],
            id="§3.7-registry-unknown-path",
        ),
        pytest.param(
            "DELETE",
            "/schemaregistry/stats",
            405,
            lambda b: "XDM-" in b["type"],
            id="§3.7-registry-bad-method",
        ),
        pytest.param(
            "GET", "/catalog/nothing/", 404, lambda b: "CAT-" in b["type"], id="§4-catalog-unknown-path"
        ),
        pytest.param(
            "GET",
            "/conversion/mappingSets/x/y/z",
            404,
            lambda b: "DATAPREP-" in b["type"],
            id="§5-dataprep-unknown-path",
        ),
        pytest.param(
            "GET",
            "/nosuchservice/things",
            404,
            lambda b: "error_code" in b and "message" in b,
            id="§1.2-gateway-unknown-service",
        ),
    ],
)
def test_unknown_paths_get_the_services_error(
    aep: Aep, method: str, path: str, status: int, check: Callable[[dict[str, Any]], bool]
) -> None:
    response = aep.request(
        method, path, json={} if method in ("POST", "PUT") else None, allow_redirects=False
    )
    assert response.status_code == status, response.text
    assert "detail" not in response.json() or "type" in response.json()  # never FastAPI's {"detail": ...}
    assert check(response.json()), response.text


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        pytest.param("GET", "/schemaregistry/stats/", 200, id="§8a-aepp-getStats"),
        pytest.param("GET", "/schemaregistry/tenant/schemas/", 200, id="§8a-aepp-getSchemas"),
        pytest.param("POST", "/schemaregistry/tenant/fieldgroups/", 201, id="§8a-aepp-createFieldGroup"),
        pytest.param("GET", "/catalog/dataSets/", 200, id="§8a-catalog"),
        pytest.param("GET", "/flowservice/connections/", 200, id="§8a-flowservice"),
    ],
)
def test_trailing_slash_paths_are_served_as_the_real_api_does_ref8a(
    aep: Aep, method: str, path: str, status: int
) -> None:
    headers = aep.headers(Accept="application/vnd.adobe.xed-id+json")
    body = field_group_body("Trailing slash group") if method == "POST" else None
    response = aep.request(method, path, headers=headers, json=body, allow_redirects=False)
    assert response.status_code == status, response.text


# ---------------------------------------------------------------- §2.1 status codes and shapes
def test_create_returns_201_with_location_ref2_1(aep: Aep) -> None:
    response = aep.post("/flowservice/connections", json=base_connection_body())
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "etag"} and body["etag"].startswith('"') and body["etag"].endswith('"')
    assert response.headers["Location"].endswith(f"/connections/{body['id']}")


def test_get_by_id_is_a_one_element_list_ref2_1(aep: Aep) -> None:
    conn_id = aep.base_connection()
    items = aep.get(f"/flowservice/connections/{conn_id}").json()["items"]
    assert [i["id"] for i in items] == [conn_id]


def test_mapping_set_create_is_200_ref5(aep: Aep) -> None:
    schema = aep.schema(aep.field_group())
    body = {
        "outputSchema": {"schemaRef": {"id": schema, "contentType": XED_FULL}},
        "mappings": [
            {"sourceType": "ATTRIBUTE", "source": "data.id", "destination": f"_{TENANT}.charges_data.id"}
        ],
    }
    response = aep.post("/conversion/mappingSets", json=body)
    assert response.status_code == 200
    assert {"id", "version", "createdDate", "modifiedDate"} <= set(response.json())


def test_dataset_create_and_delete_ref4(aep: Aep) -> None:
    schema = aep.schema(aep.field_group())
    created = aep.post(
        "/catalog/dataSets",
        params={"requestDataSource": "true"},
        json={"name": "ds", "schemaRef": {"id": schema, "contentType": XED_FULL}},
    )
    assert created.status_code == 201 and created.json()[0].startswith("@/dataSets/")
    dataset_id = created.json()[0].split("/")[-1]
    assert list(aep.get(f"/catalog/dataSets/{dataset_id}").json()) == [dataset_id]
    deleted = aep.delete(f"/catalog/dataSets/{dataset_id}")
    assert deleted.status_code == 200 and deleted.json() == [f"@/dataSets/{dataset_id}"]
    assert aep.get(f"/catalog/dataSets/{dataset_id}").status_code == 404


def test_catalog_limit_zero_is_400_ref4(aep: Aep) -> None:
    assert aep.get("/catalog/dataSets", params={"limit": 0}).status_code == 400


# ---------------------------------------------------------------- §2.10 lists
def test_next_link_carries_only_the_token_ref2_10(aep: Aep) -> None:
    for i in range(3):
        aep.base_connection(f"c{i}")
    page = aep.get("/flowservice/connections", params={"limit": 2, "property": "name!=zzz"}).json()
    href = page["_links"]["next"]["href"]
    assert href.startswith("/connections?continuationToken=")
    assert list(parse_qs(urlsplit(href).query)) == ["continuationToken"]
    token = parse_qs(urlsplit(href).query)["continuationToken"][0]
    rest = aep.get(
        "/flowservice/connections", params={"limit": 2, "property": "name!=zzz", "continuationToken": token}
    ).json()
    assert [i["name"] for i in rest["items"]] == ["c2"]
    assert not rest["_links"].get("next")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        pytest.param({"limit": 2, "count": "true"}, "FLOW-1401-400", id="§2.10-limit-and-count-1401"),
        pytest.param({"property": "name~abc"}, "FLOW-1440-400", id="§2.10-tilde-not-implemented-1440"),
        pytest.param({"property": "createdAt<=1,2"}, "FLOW-1443-400", id="§2.10-lte-multi-values-1443"),
        pytest.param({"orderby": "colour"}, "FLOW-1433-400", id="§2.10-bad-orderby-1433"),
    ],
)
def test_list_errors(aep: Aep, params: dict[str, Any], code: str) -> None:
    response = aep.get("/flowservice/connections", params=params)
    assert response.status_code == 400 and _type(response) == code, response.text


def test_count_true_returns_only_count_ref2_10(aep: Aep) -> None:
    aep.base_connection("a")
    assert aep.get("/flowservice/connections", params={"count": "true"}).json() == {"count": 1}


def test_filters_or_and_array_elements_ref2_10(aep: Aep) -> None:
    ids = aep.onboard()
    a, b = aep.base_connection("a"), aep.base_connection("b")
    names = aep.get("/flowservice/connections", params={"property": f"id=={a},{b}"}).json()["items"]
    assert sorted(i["name"] for i in names) == ["a", "b"]
    flows = aep.get("/flowservice/flows", params={"property": f"sourceConnectionIds[]=={ids['source']}"})
    assert [f["id"] for f in flows.json()["items"]] == [ids["flow"]]
    by_mapping = aep.get(
        "/flowservice/flows", params={"property": f"transformations[].params.mappingId=={ids['mapping']}"}
    )
    assert [f["id"] for f in by_mapping.json()["items"]] == [ids["flow"]]


def test_registry_accept_rules_ref3_2(aep: Aep) -> None:
    no_version = aep.get(
        f"/schemaregistry/tenant/schemas/{encoded(aep.schema(aep.field_group()))}",
        headers=aep.headers(Accept="application/vnd.adobe.xed-full+json"),
    )
    assert no_version.status_code == 400 and _type(no_version) == "XDM-1007-400"


def test_mapping_set_list_needs_limit_and_start_ref5(aep: Aep) -> None:
    assert aep.get("/conversion/mappingSets").status_code == 400
    assert aep.get("/conversion/mappingSets", params={"limit": 5, "start": 0}).status_code == 200


# ---------------------------------------------------------------- §2.6 schedule rules
@pytest.mark.parametrize(
    ("schedule", "accepted"),
    [
        pytest.param({"frequency": "once", "interval": 15}, False, id="§2.6-once-no-interval"),
        pytest.param({"frequency": "once", "backfill": True}, False, id="§2.6-once-no-backfill"),
        pytest.param({"frequency": "minute", "interval": 14}, False, id="§2.6-minute-interval-ge-15"),
        pytest.param({"frequency": "minute", "interval": 15}, True, id="§2.6-minute-15-ok"),
        pytest.param({"frequency": "hour", "interval": 1}, True, id="§2.6-hour-1-ok"),
        pytest.param({"frequency": "day", "interval": 0}, False, id="§2.6-interval-never-0"),
        pytest.param({"frequency": "day"}, False, id="§2.6-interval-required-unless-once"),
        pytest.param({"frequency": "month", "interval": 1}, False, id="§2.6-frequency-enum"),
        pytest.param(
            {"frequency": "week", "interval": 1, "backfill": "yes"}, False, id="§2.6-backfill-boolean"
        ),
        pytest.param({"frequency": "once", "timezone": "UTC"}, True, id="§2.6-unknown-keys-not-forbidden"),
        pytest.param({"frequency": "once", "startTime": None}, False, id="§2.6-startTime-required"),
    ],
)
def test_schedule_rules(aep: Aep, schedule: dict[str, Any], accepted: bool) -> None:
    ids = aep.onboard()
    params = {"startTime": str(int(time.time()) - 60), **schedule}
    params = {k: v for k, v in params.items() if v is not None}
    response = aep.post("/flowservice/flows", json=flow_body(ids, **params))
    assert (response.status_code == 201) is accepted, response.text
    if not accepted:
        assert response.status_code == 400 and _type(response).startswith("FLOW-")


def test_state_in_create_is_refused_ref2_6(aep: Aep) -> None:
    ids = aep.onboard()
    response = aep.post("/flowservice/flows", json={**flow_body(ids), "state": "enabled"})
    assert response.status_code == 400 and _type(response) == "FLOW-1410-400"


# ---------------------------------------------------------------- §2.11 etag / If-Match / JSON Patch
def test_patch_without_if_match_is_1403_ref2_11(aep: Aep) -> None:
    ids = aep.onboard()
    response = aep.patch(
        f"/flowservice/flows/{ids['flow']}", json=[{"op": "replace", "path": "/name", "value": "n"}]
    )
    assert response.status_code == 400 and _type(response) == "FLOW-1403-400"


def test_stale_etag_is_1404_412_and_each_update_changes_the_etag_ref2_11(aep: Aep) -> None:
    ids = aep.onboard()
    path = f"/flowservice/flows/{ids['flow']}"
    etag = aep.get(path).json()["items"][0]["etag"]
    patch = [{"op": "replace", "path": "/name", "value": "renamed"}]
    first = aep.patch(path, json=patch, headers=aep.headers(**{"If-Match": etag}))
    assert first.status_code == 200 and first.json()["etag"] != etag
    stale = aep.patch(path, json=patch, headers=aep.headers(**{"If-Match": etag}))
    assert stale.status_code == 412 and _type(stale) == "FLOW-1404-412"
    action = aep.post(f"{path}/action", params={"op": "disable"})
    assert action.status_code == 200 and action.json()["etag"] not in (etag, first.json()["etag"])
    assert aep.get(path).json()["items"][0]["etag"] == action.json()["etag"]


def test_patch_move_is_1434_ref2_11(aep: Aep) -> None:
    conn = aep.base_connection()
    etag = aep.get(f"/flowservice/connections/{conn}").json()["items"][0]["etag"]
    response = aep.patch(
        f"/flowservice/connections/{conn}",
        json=[{"op": "move", "from": "/name", "path": "/description"}],
        headers=aep.headers(**{"If-Match": etag}),
    )
    assert response.status_code == 400 and _type(response) == "FLOW-1434-400"


def test_start_time_cannot_change_once_passed_ref2_11(aep: Aep) -> None:
    ids = aep.onboard()
    path = f"/flowservice/flows/{ids['flow']}"
    etag = aep.get(path).json()["items"][0]["etag"]
    response = aep.patch(
        path,
        json=[{"op": "replace", "path": "/scheduleParams/startTime", "value": str(int(time.time()) + 999)}],
        headers=aep.headers(**{"If-Match": etag}),
    )
    assert response.status_code == 400 and "startTime" in response.text


@pytest.mark.parametrize("state", ["disabling", "updating", "delete-finalizing"])
def test_update_and_delete_only_in_stable_states_ref2_11_1416(aep: Aep, state: str) -> None:
    ids = aep.onboard()
    path = f"/flowservice/flows/{ids['flow']}"
    etag = aep.get(path).json()["items"][0]["etag"]
    assert aep.admin("POST", f"/flows/{ids['flow']}/state", json={"state": state}).status_code == 200
    patch = aep.patch(
        path,
        json=[{"op": "replace", "path": "/name", "value": "x"}],
        headers=aep.headers(**{"If-Match": etag}),
    )
    assert patch.status_code == 400 and _type(patch) == "FLOW-1416-400"
    delete = aep.delete(path)
    assert delete.status_code == 400 and _type(delete) == "FLOW-1416-400"
    action = aep.post(f"{path}/action", params={"op": "enable"})
    assert action.status_code == 400 and _type(action) == "FLOW-1422-400"


# ---------------------------------------------------------------- §2.7 enable / disable
def test_enable_disable_from_the_wrong_state_is_1422_ref2_7(aep: Aep) -> None:
    ids = aep.onboard()
    path = f"/flowservice/flows/{ids['flow']}/action"
    again = aep.post(path, params={"op": "enable"})
    assert again.status_code == 400 and _type(again) == "FLOW-1422-400"
    assert aep.post(path, params={"op": "disable"}).status_code == 200
    twice = aep.post(path, params={"op": "disable"})
    assert twice.status_code == 400 and _type(twice) == "FLOW-1422-400"
    assert aep.post(path, params={"op": "enable"}).status_code == 200
    assert aep.get(f"/flowservice/flows/{ids['flow']}").json()["items"][0]["state"] == "enabled"


# ---------------------------------------------------------------- §2.12 deletes
def test_delete_order_and_404_after_ref2_12(aep: Aep) -> None:
    ids = aep.onboard()
    in_use = aep.delete(f"/flowservice/connections/{ids['base']}")
    assert in_use.status_code == 400 and _type(in_use) == "FLOW-1418-400"
    source_in_use = aep.delete(f"/flowservice/sourceConnections/{ids['source']}")
    assert source_in_use.status_code == 400
    deleted = aep.delete(f"/flowservice/flows/{ids['flow']}")
    assert deleted.status_code == 204 and deleted.content == b""
    gone = aep.get(f"/flowservice/flows/{ids['flow']}")
    assert gone.status_code == 404 and _type(gone).startswith("FLOW-") and _type(gone).endswith("-404")
    for path in (
        f"/flowservice/sourceConnections/{ids['source']}",
        f"/flowservice/targetConnections/{ids['target']}",
        f"/flowservice/connections/{ids['base']}",
    ):
        assert aep.delete(path).status_code == 204
        assert aep.get(path).status_code == 404


# ---------------------------------------------------------------- §2.9 on-demand runs
def test_on_demand_run_body_and_answer_ref2_9(aep: Aep) -> None:
    ids = aep.once_flow()
    response = aep.post("/flowservice/runs", json={"flowId": ids["flow"], "params": _window()})
    assert response.status_code == 201
    items = response.json()["items"]
    assert len(items) == 1 and set(items[0]) == {"id", "etag"}
    run = aep.get(f"/flowservice/runs/{items[0]['id']}").json()["items"][0]
    assert run["flowId"] == ids["flow"]
    # No `params` on a run (FlowRunItemDTO); the window where monitor.md documents it, in ms.
    assert "params" not in run
    copy_activity = next(a for a in run["activities"] if a["id"] == "copyActivity")
    window = copy_activity["durationSummary"]["extensions"]
    assert (window["windowStart"], window["windowEnd"]) == tuple(
        int(_window()[k]) * 1000 for k in ("windowStartTime", "windowEndTime")
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param(lambda ids: {"params": _window()}, "FLOW-1446-400", id="§2.9-flowId-required"),
        pytest.param(
            lambda ids: {"flowId": "nope", "params": _window()}, "FLOW-1430-400", id="§2.9-flow-must-exist"
        ),
        pytest.param(lambda ids: {"flowId": ids["flow"]}, "FLOW-1100-400", id="§2.9-params-required"),
        pytest.param(
            lambda ids: {"flowId": ids["flow"], "params": _window(windowEndTime=None)},
            "FLOW-1100-400",
            id="§2.9-windowEndTime-required",
        ),
        pytest.param(
            lambda ids: {"flowId": ids["flow"], "params": _window(startTime="yesterday")},
            "FLOW-1100-400",
            id="§2.9-startTime-typed",
        ),
        pytest.param(
            lambda ids: {"flowId": ids["flow"], "params": _window(windowStartTime="1651585957")},
            "FLOW-1100-400",
            id="§2.9-window-ordered",
        ),
    ],
)
def test_on_demand_run_validation(
    aep: Aep, body: Callable[[dict[str, str]], dict[str, Any]], code: str
) -> None:
    ids = aep.once_flow()
    response = aep.post("/flowservice/runs", json=body(ids))
    assert response.status_code == 400 and _type(response) == code, response.text
    assert aep.runs(ids["flow"]) == []


def test_on_demand_run_needs_a_once_flow_ref2_9(aep: Aep) -> None:
    ids = aep.onboard(startTime=str(int(time.time()) + 3600), frequency="hour", interval=1)
    response = aep.post("/flowservice/runs", json={"flowId": ids["flow"], "params": _window()})
    assert response.status_code == 400 and "once" in response.json()["errorMessage"]


def test_on_demand_run_accepts_integers_and_delta_column_once_ref2_9(aep: Aep) -> None:
    ids = aep.once_flow()
    params = _window(startTime=1663735590, deltaColumn={"name": "updatedAt"})
    assert aep.post("/flowservice/runs", json={"flowId": ids["flow"], "params": params}).status_code == 201
    changed = _window(deltaColumn={"name": "created"})
    response = aep.post("/flowservice/runs", json={"flowId": ids["flow"], "params": changed})
    assert response.status_code == 400 and "deltaColumn" in response.json()["errorMessage"]


# ---------------------------------------------------------------- §2.8 runs: shape, filters, order
def test_runs_filter_on_start_and_order_by_created_ref2_8(aep: Aep) -> None:
    ids = aep.once_flow()
    first = aep.post("/flowservice/runs", json={"flowId": ids["flow"], "params": _window()}).json()["items"][
        0
    ]
    time.sleep(0.05)
    second = aep.post("/flowservice/runs", json={"flowId": ids["flow"], "params": _window()}).json()["items"][
        0
    ]
    runs = aep.runs(ids["flow"])
    assert [r["id"] for r in runs] == [second["id"], first["id"]]
    started = runs[1]["metrics"]["durationSummary"]["startedAtUTC"]
    newer = aep.get(
        "/flowservice/runs",
        params=[
            ("property", f"flowId=={ids['flow']}"),
            ("property", f"metrics.durationSummary.startedAtUTC>{started}"),
        ],
    ).json()["items"]
    assert [r["id"] for r in newer] == [second["id"]]
    ascending = aep.get(
        "/flowservice/runs", params={"property": f"flowId=={ids['flow']}", "orderby": "createdAt"}
    )
    assert [r["id"] for r in ascending.json()["items"]] == [first["id"], second["id"]]


def test_run_goes_in_progress_then_terminal_in_epoch_ms_ref2_8(aep: Aep) -> None:
    ids = aep.once_flow()
    created = aep.post("/flowservice/runs", json={"flowId": ids["flow"], "params": _window()}).json()[
        "items"
    ][0]
    run = aep.get(f"/flowservice/runs/{created['id']}").json()["items"][0]
    assert run["metrics"]["statusSummary"]["status"] == "inProgress"
    assert run["etag"] == created["etag"]
    assert run["createdAt"] > 10**12  # epoch milliseconds

    def finished() -> dict[str, Any] | None:
        item: dict[str, Any] = aep.get(f"/flowservice/runs/{created['id']}").json()["items"][0]
        return item if item["metrics"]["statusSummary"]["status"] != "inProgress" else None

    done = wait_for(finished)
    assert done["metrics"]["statusSummary"]["status"] == "success"
    assert (
        done["metrics"]["durationSummary"]["completedAtUTC"]
        >= done["metrics"]["durationSummary"]["startedAtUTC"]
    )
    assert done["etag"] != created["etag"]
    record = done["metrics"]["recordSummary"]
    assert record["inputRecordCount"] == record["outputRecordCount"] > 0 and record["failedRecordCount"] == 0


def test_unknown_run_is_404_ref2_12(aep: Aep) -> None:
    response = aep.get("/flowservice/runs/does-not-exist")
    assert response.status_code == 404 and _type(response).startswith("FLOW-")


# ---------------------------------------------------------------- §5 Data Prep expressions
def _mapping_body(schema: str, source: str, source_type: str = "EXPRESSION", **extra: Any) -> dict[str, Any]:
    return {
        "outputSchema": {"schemaRef": {"id": schema, "contentType": XED_FULL}},
        "mappings": [
            {"sourceType": source_type, "source": source, "destination": f"_{TENANT}.charges_data.id"}
        ],
        **extra,
    }


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        pytest.param("lower(data.id)", True, id="§5-known-function"),
        pytest.param("dformat(data.created * 1000, \"yyyy-MM-dd'T'HH:mm:ss.SSSX\")", True, id="§5-dformat"),
        pytest.param('concat(data.id, "-", upper(data.currency))', True, id="§5-nested-variadic"),
        pytest.param('iif(data.paid.equals("true"), "y", "n")', True, id="§5-method-call"),
        pytest.param("nosuchfn(data.id)", False, id="§5-unknown-function"),
        pytest.param("lower(data.id", False, id="§5-unclosed-parenthesis"),
        pytest.param('lower("abc)', False, id="§5-unclosed-quote"),
        pytest.param("lower(data.id, data.currency)", False, id="§5-arity"),
        pytest.param("substr(data.id, 1)", False, id="§5-arity-too-few"),
        pytest.param("lower(data.id))", False, id="§5-extra-parenthesis"),
    ],
)
def test_expressions_checked_in_validate_and_create(aep: Aep, source: str, ok: bool) -> None:
    schema = aep.schema(aep.field_group())
    body = _mapping_body(schema, source)
    validation = aep.post("/conversion/mappingSets/validate", json=body)
    assert validation.status_code == 200
    entry = validation.json()["validationResponse"][0]
    assert entry["status"] == ("SUCCESS" if ok else "FAILED")
    if not ok:
        error = entry["errors"][0]
        assert {"source", "destination", "exception", "columnName", "sourceType"} <= set(error)
        assert error["source"] == source and error["sourceType"] == "EXPRESSION"
    created = aep.post("/conversion/mappingSets", json=body)
    assert created.status_code == (200 if ok else 400), created.text
    if not ok:
        assert created.json()["errors"][0]["source"] == source


def test_source_fields_checked_against_the_given_input_schema_ref5(aep: Aep) -> None:
    schema = aep.schema(aep.field_group())
    input_schema = {
        "type": "object",
        "properties": {"data": {"type": "object", "properties": {"id": {"type": "string"}}}},
    }
    good = _mapping_body(schema, "data.id", "ATTRIBUTE", inputSchema={"schema": input_schema})
    bad = _mapping_body(schema, "lower(data.nope)", inputSchema={"schema": input_schema})
    assert (
        aep.post("/conversion/mappingSets/validate", json=good).json()["validationResponse"][0]["status"]
        == "SUCCESS"
    )
    result = aep.post("/conversion/mappingSets/validate", json=bad).json()["validationResponse"][0]
    assert result["status"] == "FAILED" and "data.nope" in result["errors"][0]["exception"]
    assert aep.post("/conversion/mappingSets", json=bad).status_code == 400


def test_flow_refuses_a_mapping_reading_fields_its_source_lacks_ref2_6_1419(aep: Aep) -> None:
    ids = aep.onboard()
    body = _mapping_body(ids["schema"], "lower(data.no_such_field)")
    mapping = aep.post("/conversion/mappingSets", json=body)
    assert mapping.status_code == 200
    flow = flow_body(ids)
    flow["transformations"][0]["params"]["mappingId"] = mapping.json()["id"]
    response = aep.post("/flowservice/flows", json=flow)
    assert response.status_code == 400 and _type(response) == "FLOW-1419-400"
    assert "data.no_such_field" in response.json()["errorMessage"]
