"""A resource with the asked name that differs in what defines it is a conflict, for every kind:
against the emulator over real HTTP, one onboarding created once, then each `ensure_*` asked again
with one thing changed."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aep_testing import aep_connection, platform_writes
from onboarding_chain import ENSURE_METHOD, Chain, build_chain

from airflow_provider_stripe_aep.client import AEPResourceConflictError
from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.validation import validate_schedule


@pytest.fixture(scope="module")
def created() -> Iterator[tuple[EmulatorServer, AdobeExperiencePlatformHook, Chain]]:
    with EmulatorServer(EmulatorConfig()) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(server)))
        hook = AdobeExperiencePlatformHook()
        chain = build_chain(hook)
        # A second base connection, schema and dataset for the cases that point elsewhere.
        other_base = hook.ensure_base_connection("other base", auth_params={"accessToken": "k-654321"})
        other_schema = hook.ensure_schema({**chain.asked["schema"]["body"], "title": "other schema"})
        other_dataset = hook.ensure_dataset("other dataset", schema_id=other_schema)
        chain.ids.update(other_base=other_base, other_schema=other_schema, other_dataset=other_dataset)
        yield server, hook, chain


def _field_group_with_another_type(chain: Chain) -> dict[str, Any]:
    body = copy.deepcopy(chain.asked["field group"]["body"])
    (definition,) = body["definitions"].values()
    (tenant,) = definition["properties"].values()
    (container,) = tenant["properties"].values()
    container["properties"]["amount"] = {"type": "string"}
    return {"body": body}


def _field_group_with_a_field_less(chain: Chain) -> dict[str, Any]:
    body = copy.deepcopy(chain.asked["field group"]["body"])
    (definition,) = body["definitions"].values()
    (tenant,) = definition["properties"].values()
    (container,) = tenant["properties"].values()
    del container["properties"]["currency"]
    return {"body": body}


def _field_group_for_another_class(chain: Chain) -> dict[str, Any]:
    body = copy.deepcopy(chain.asked["field group"]["body"])
    body["meta:intendedToExtend"] = ["https://ns.adobe.com/xdm/context/experienceevent"]
    return {"body": body}


def _schema_of_another_class(chain: Chain) -> dict[str, Any]:
    body = copy.deepcopy(chain.asked["schema"]["body"])
    body["allOf"][0] = {"$ref": "https://ns.adobe.com/xdm/context/experienceevent"}
    return {"body": body}


def _schema_without_its_field_group(chain: Chain) -> dict[str, Any]:
    body = copy.deepcopy(chain.asked["schema"]["body"])
    body["allOf"] = body["allOf"][:1]
    return {"body": body}


def _mapping_set_with_another_source(chain: Chain) -> dict[str, Any]:
    asked = copy.deepcopy(chain.asked["mapping set"])
    first = asked["body"]["mappings"][0]
    first["source"] = "data.id"
    return asked


def _mapping_set_with_a_mapping_less(chain: Chain) -> dict[str, Any]:
    asked = copy.deepcopy(chain.asked["mapping set"])
    asked["body"]["mappings"] = asked["body"]["mappings"][1:]
    return asked


def _changed(kind: str, **changes: Any) -> Callable[[Chain], dict[str, Any]]:
    """The first call's arguments with `changes` (values naming another created ID as `@key`)."""

    def build(chain: Chain) -> dict[str, Any]:
        args = copy.deepcopy(chain.asked[kind])
        for key, value in changes.items():
            args[key] = chain.ids[value[1:]] if isinstance(value, str) and value.startswith("@") else value
        return args

    return build


CASES: list[tuple[str, Callable[[Chain], dict[str, Any]], list[str]]] = [
    (
        "base connection",
        _changed("base connection", auth_spec_name="Basic Authentication"),
        ["auth.specName: existing 'OAuth2 Refresh Code' != asked 'Basic Authentication'"],
    ),
    (
        "source connection",
        _changed("source connection", base_connection_id="@other_base"),
        ["baseConnectionId: existing "],
    ),
    (
        "source connection",
        _changed("source connection", params={"resourcePath": "charges"}),
        ["params.resourcePath: existing 'refunds' != asked 'charges'"],
    ),
    (
        "source connection",
        _changed("source connection", data_format="parquet"),
        ["data.format: existing 'json' != asked 'parquet'"],
    ),
    (
        "source connection",
        _changed("source connection", connection_spec_id="a0000000-0000-4000-8000-000000000000"),
        ["connectionSpec.id: existing "],
    ),
    ("field group", _field_group_with_another_type, [".amount: existing 'integer' != asked 'string'"]),
    ("field group", _field_group_with_a_field_less, [".currency: existing 'string' != asked (absent)"]),
    ("field group", _field_group_for_another_class, ["meta:intendedToExtend: existing "]),
    (
        "schema",
        _schema_of_another_class,
        ["meta:class: existing 'https://ns.adobe.com/xdm/context/profile' != asked "],
    ),
    ("schema", _schema_without_its_field_group, ["fieldGroups: existing ["]),
    ("dataset", _changed("dataset", schema_id="@other_schema"), ["schemaRef.id: existing "]),
    ("target connection", _changed("target connection", dataset_id="@other_dataset"), ["params.dataSetId"]),
    (
        "target connection",
        _changed("target connection", schema_id="@other_schema"),
        ["data.schema.id: existing "],
    ),
    ("mapping set", _mapping_set_with_another_source, ["mappings.", "!= asked 'ATTRIBUTE data.id'"]),
    ("mapping set", _mapping_set_with_a_mapping_less, ["mappings.", "!= asked (absent)"]),
    ("dataflow", _changed("dataflow", mapping_version=7), ["transformations.Mapping.mappingVersion"]),
    ("dataflow", _changed("dataflow", mapping_id=None), ["transformations.Mapping.mappingId: existing "]),
    (
        "dataflow",
        _changed("dataflow", schedule_params=validate_schedule("day", interval=1)),
        ["scheduleParams.frequency: existing 'hour' != asked 'day'"],
    ),
    (
        "dataflow",
        _changed("dataflow", schedule_params=validate_schedule("hour", interval=2)),
        ["scheduleParams.interval: existing '1' != asked '2'"],
    ),
    (
        "dataflow",
        _changed("dataflow", source_connection_id="@other_base"),
        ["sourceConnectionIds: existing "],
    ),
    (
        "dataflow",
        _changed("dataflow", flow_spec_id="a0000000-0000-4000-8000-000000000001"),
        ["flowSpec.id: existing "],
    ),
]


@pytest.mark.parametrize(("kind", "change", "named"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_changed_resource_is_a_conflict_naming_the_difference(created, kind, change, named):
    server, hook, chain = created
    server.state.request_log.clear()
    with pytest.raises(AEPResourceConflictError) as info:
        getattr(hook, ENSURE_METHOD[kind])(**change(chain))
    message = str(info.value)
    assert f"A {kind} named " in message
    for text in named:
        assert text in message
    assert [r for r in platform_writes(server) if "validate" not in r["path"]] == []


@pytest.mark.parametrize("kind", list(ENSURE_METHOD))
def test_the_same_request_reuses_the_resource_without_a_post(created, kind):
    server, hook, chain = created
    server.state.request_log.clear()
    answer = getattr(hook, ENSURE_METHOD[kind])(**chain.asked[kind])
    expected = (chain.ids[kind], chain.ids["mapping version"]) if kind == "mapping set" else chain.ids[kind]
    assert answer == expected
    assert platform_writes(server) == []


@pytest.mark.parametrize(("kind", "change", "named"), CASES[::3], ids=[c[0] for c in CASES[::3]])
def test_reuse_keeps_the_existing_resource_with_a_warning(created, kind, change, named, caplog, capsys):
    server, hook, chain = created
    server.state.request_log.clear()
    with caplog.at_level(logging.WARNING):
        answer = getattr(hook, ENSURE_METHOD[kind])(**change(chain), on_conflict="reuse")
    assert (answer[0] if kind == "mapping set" else answer) == chain.ids[kind]
    logged = caplog.text + capsys.readouterr().out  # Airflow 3 logs through structlog to stdout
    assert "despite differences" in logged and named[0] in logged
    assert platform_writes(server) == []
