"""An onboarding driven through Adobe's own Python client, aepp 0.6.0 (run by test_aepp.py).

Run as a script, in a process whose ``sys.path`` has aepp: ``python aepp_onboarding.py EMULATOR_URL``.
Prints one JSON line per step: ``{"step", "ok", "detail"}``. A step is "ok" when aepp returned what
the API documents for it; aepp returns error bodies instead of raising, so each step checks the
answer itself. Nothing from the provider's client is used.
"""

from __future__ import annotations

import base64
import json
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import aepp
from aepp import catalog, dataprep, flowservice, schema

STRIPE_SPEC = "cc2c31d6-7b8c-4581-b49f-5c8698aa3ab3"
DATA_LAKE_SPEC = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
REST_FLOW_SPEC = "6499120c-0b15-42dc-936e-847ea3c24d72"
PROFILE = "https://ns.adobe.com/xdm/context/profile"
XED_FULL = "application/vnd.adobe.xed-full+json;version=1"


def configure(url: str) -> None:
    """aepp reads its endpoints from module-level dicts that ``configure`` fills; point them here."""
    aepp.configure(
        org_id="EMULATORORG@AdobeOrg",
        tech_id="tech@techacct.adobe.com",
        secret="aepp-secret",
        client_id="aepp-client",
        scopes="openid,AdobeID,read_organizations,additional_info.projectedProductContext",
        sandbox="prod",
        environment="prod",
    )
    aepp.config.endpoints["global"] = url
    aepp.config.config_object["imsEndpoint"] = url
    aepp.config.config_object["oauthTokenEndpointV2"] = f"{url}/ims/token/v3"


class Steps:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def run(self, name: str, call: Callable[[], Any], ok: Callable[[Any], bool]) -> Any:
        try:
            result = call()
            passed = bool(ok(result))
            detail = result if not passed else None
        except Exception as exc:
            result, passed = None, False
            detail = f"{type(exc).__name__}: {exc} {traceback.format_exc(limit=2)[-300:]}"
        line = {
            "step": name,
            "ok": passed,
            "detail": json.dumps(detail, default=str)[:600] if detail else None,
        }
        print(json.dumps(line), flush=True)
        return result


def has(*keys: str) -> Callable[[Any], bool]:
    return lambda r: isinstance(r, dict) and all(k in r for k in keys)


def main(url: str) -> None:
    configure(url)
    s = Steps()
    fs = s.run("FlowService() mints an IMS token", flowservice.FlowService, lambda r: bool(r.connector.token))
    sch = schema.Schema()
    cat = catalog.Catalog()
    dp = dataprep.DataPrep()
    s.run("schema.getTenantId (GET /stats/)", sch.getTenantId, lambda r: isinstance(r, str) and r)
    stats = s.run(
        "GET /stats through aepp's connector",
        lambda: sch.connector.getData(sch.endpoint + "/stats"),
        has("tenantId"),
    )
    tenant = stats["tenantId"] if isinstance(stats, dict) and "tenantId" in stats else "emulatortenant"
    s.run(
        "getConnectionSpec(stripe)",
        lambda: fs.getConnectionSpec(STRIPE_SPEC),
        lambda r: r["items"][0]["id"] == STRIPE_SPEC,
    )
    s.run("getFlowSpec(rest)", lambda: fs.getFlowSpec(REST_FLOW_SPEC), has("id"))
    base = s.run(
        "createConnection (Stripe base connection)",
        lambda: fs.createConnection(
            data={
                "name": "aepp stripe base",
                "connectionSpec": {"id": STRIPE_SPEC, "version": "1.0"},
                "auth": {"specName": "OAuth2 Refresh Code", "params": {"accessToken": "sk_test_aepp"}},
            }
        ),
        has("id", "etag"),
    )
    base_id = base["id"]
    s.run(
        "connectionTest", lambda: fs.connectionTest(base_id), lambda r: isinstance(r, dict) and "result" in r
    )
    source_params = base64.b64encode(b'{"resourcePath":"charges"}').decode()
    s.run(
        "explore through aepp's connector",
        lambda: fs.connector.getData(
            f"{fs.endpoint}/connections/{base_id}/explore",
            params={
                "objectType": "rest",
                "object": "json",
                "fileType": "json",
                "preview": "false",
                "sourceParams": source_params,
            },
        ),
        lambda r: isinstance(r, dict) and "data" in r["schema"]["properties"],
    )
    source = s.run(
        "createSourceConnection",
        lambda: fs.createSourceConnection(
            data={
                "name": "aepp stripe charges",
                "baseConnectionId": base_id,
                "connectionSpec": {"id": STRIPE_SPEC, "version": "1.0"},
                "data": {"format": "json"},
                "params": {"resourcePath": "charges"},
            }
        ),
        has("id"),
    )
    field_group_body = {
        "title": "aepp charges",
        "type": "object",
        "meta:intendedToExtend": [PROFILE],
        "definitions": {
            "charge": {
                "properties": {
                    f"_{tenant}": {
                        "type": "object",
                        "properties": {"chargeId": {"type": "string"}, "currency": {"type": "string"}},
                    }
                }
            }
        },
        "allOf": [{"$ref": "#/definitions/charge"}],
    }
    field_group = s.run(
        "createFieldGroup (POST /tenant/fieldgroups/)",
        lambda: sch.createFieldGroup(field_group_body),
        has("$id"),
    )
    schema_body = {
        "title": "aepp charges schema",
        "type": "object",
        "allOf": [{"$ref": PROFILE}, {"$ref": field_group["$id"]}],
    }
    schema_obj = s.run(
        "createSchema (POST /tenant/schemas/)", lambda: sch.createSchema(schema_body), has("$id")
    )
    schema_id = schema_obj["$id"]
    s.run(
        "getSchemas",
        sch.getSchemas,
        lambda r: isinstance(r, list) and any(x.get("$id") == schema_id for x in r),
    )
    s.run("getSchema (full)", lambda: sch.getSchema(schema_id, full=True), has("$id"))
    dataset = s.run(
        "createDataSet",
        lambda: cat.createDataSet(name="aepp charges", schemaId=schema_id, requestDataSource=True),
        lambda r: isinstance(r, list) and str(r[0]).startswith("@/dataSets/"),
    )
    dataset_id = dataset[0].split("/")[-1]
    s.run("getDataSets", cat.getDataSets, lambda r: isinstance(r, dict) and dataset_id in r)
    target = s.run(
        "createTargetConnection",
        lambda: fs.createTargetConnection(
            data={
                "name": "aepp target",
                "connectionSpec": {"id": DATA_LAKE_SPEC, "version": "1.0"},
                "data": {"format": "parquet_xdm", "schema": {"id": schema_id, "version": XED_FULL}},
                "params": {"dataSetId": dataset_id},
            }
        ),
        has("id"),
    )
    mappings = [
        {"sourceType": "ATTRIBUTE", "source": "data.id", "destination": f"_{tenant}.chargeId"},
        {"sourceType": "EXPRESSION", "source": "upper(data.currency)", "destination": f"_{tenant}.currency"},
    ]
    mapping = s.run(
        "createMappingSet (validate=true)",
        lambda: dp.createMappingSet(schemaId=schema_id, mappingList=mappings, validate=True),
        has("id", "version"),
    )
    bad = [{"sourceType": "EXPRESSION", "source": "nosuchfn(data.id)", "destination": f"_{tenant}.currency"}]
    s.run(
        "createMappingSet with an unknown function is refused",
        lambda: dp.createMappingSet(schemaId=schema_id, mappingList=bad),
        lambda r: isinstance(r, dict) and r.get("status") == 400,
    )
    s.run("getMappingSet", lambda: dp.getMappingSet(mapping["id"]), has("id", "mappings"))
    s.run("getMappingSets (sends limit without start)", dp.getMappingSets, lambda r: isinstance(r, list))
    flow = s.run(
        "createFlow (documented body)",
        lambda: fs.createFlow(
            REST_FLOW_SPEC,
            obj={
                "name": "aepp flow",
                "flowSpec": {"id": REST_FLOW_SPEC, "version": "1.0"},
                "sourceConnectionIds": [source["id"]],
                "targetConnectionIds": [target["id"]],
                "transformations": [
                    {"name": "Mapping", "params": {"mappingId": mapping["id"], "mappingVersion": 0}}
                ],
                "scheduleParams": {"startTime": str(int(time.time()) + 3600), "frequency": "once"},
            },
        ),
        has("id", "etag"),
    )
    flow_id = flow["id"]
    s.run(
        "createFlow (aepp's 'once' schedule: interval 0, timeUnit) is refused",
        lambda: fs.createFlow(
            REST_FLOW_SPEC,
            name="aepp flow params",
            source_connection_id=source["id"],
            target_connection_id=target["id"],
            schedule_start_time=str(int(time.time())),
            schedule_frequency="once",
            transformation_mapping_id=mapping["id"],
            transformation_name="Mapping",
        ),
        lambda r: isinstance(r, dict) and r.get("status") == 400,
    )
    current = s.run(
        "getFlow", lambda: fs.getFlow(flow_id), lambda r: isinstance(r, dict) and r.get("id") == flow_id
    )
    s.run("getFlows", fs.getFlows, lambda r: isinstance(r, list) and any(f["id"] == flow_id for f in r))
    s.run(
        "updateFlow (PATCH + If-Match)",
        lambda: fs.updateFlow(
            flow_id, current["etag"], [{"op": "replace", "path": "/description", "value": "from aepp"}]
        ),
        has("id", "etag"),
    )
    s.run("postFlowAction disable", lambda: fs.postFlowAction(flow_id, "disable"), has("id", "etag"))
    s.run("postFlowAction enable", lambda: fs.postFlowAction(flow_id, "enable"), has("id", "etag"))
    run = s.run(
        "createRun (on-demand)",
        lambda: fs.createRun(
            flow_id,
            params={
                "startTime": "1663735590",
                "windowStartTime": "1651584991",
                "windowEndTime": "1651585956",
            },
        ),
        lambda r: isinstance(r, dict) and r["items"][0]["id"],
    )
    run_id = run["items"][0]["id"]
    s.run("getRun", lambda: fs.getRun(run_id), lambda r: (r[0] if isinstance(r, list) else r)["id"] == run_id)
    s.run(
        "getRuns (property=flowId==)",
        lambda: fs.getRuns(prop=f"flowId=={flow_id}"),
        lambda r: isinstance(r, list) and [x["id"] for x in r] == [run_id],
    )
    s.run(
        "getConnections",
        fs.getConnections,
        lambda r: isinstance(r, list) and any(c["id"] == base_id for c in r),
    )
    s.run(
        "deleteConnection while a flow uses it is refused",
        lambda: fs.deleteConnection(base_id),
        lambda r: isinstance(r, dict) and "1418-400" in str(r.get("type")),
    )
    s.run(
        "deleteFlow", lambda: fs.deleteFlow(flow_id), lambda r: not (isinstance(r, dict) and r.get("status"))
    )
    s.run(
        "deleteSourceConnection",
        lambda: fs.deleteSourceConnection(source["id"]),
        lambda r: not (isinstance(r, dict) and r.get("status")),
    )
    s.run(
        "deleteTargetConnection",
        lambda: fs.deleteTargetConnection(target["id"]),
        lambda r: not (isinstance(r, dict) and r.get("status")),
    )
    s.run(
        "deleteConnection",
        lambda: fs.deleteConnection(base_id),
        lambda r: not (isinstance(r, dict) and r.get("status")),
    )
    s.run(
        "deleteMappingSet is refused (Data Prep documents no DELETE)",
        lambda: dp.deleteMappingSet(mapping["id"]),
        lambda r: isinstance(r, dict) and r.get("status") == 405,
    )
    s.run(
        "deleteDataSet",
        lambda: cat.deleteDataSet(dataset_id),
        lambda r: r in (200, [f"@/dataSets/{dataset_id}"]),  # aepp returns the status code
    )
    s.run(
        "deleteSchema",
        lambda: sch.deleteSchema(schema_id),
        lambda r: not (isinstance(r, dict) and r.get("status")),
    )
    s.run(
        "deleteFieldGroup",
        lambda: sch.deleteFieldGroup(field_group["$id"]),
        lambda r: not (isinstance(r, dict) and r.get("status")),
    )


if __name__ == "__main__":
    main(sys.argv[1])
