"""The teardown DAG through dag.test(), twice, after an onboarding: nothing the onboarding made is left
(the mapping set aside: Data Prep documents no DELETE), and neither run fails."""

from __future__ import annotations

import pytest
from aep_testing import run_dag

from airflow_provider_stripe_aep.resources.naming import base_connection_name, onboarding_names

PREFIX = "Gone"


def named(store, prefix: str) -> dict[str, list[str]]:
    """Every emulator resource whose name or title starts with the prefix, by kind."""
    kinds = {
        "connections": store.connections.values(),
        "sourceConnections": store.source_connections.values(),
        "targetConnections": store.target_connections.values(),
        "flows": store.flows.values(),
        "datasets": store.datasets.values(),
        "schemas": store.schemas.values(),
        "fieldgroups": store.fieldgroups.values(),
    }
    found = {
        kind: [
            str(r.get("name") or r.get("title"))
            for r in items
            if str(r.get("name") or r.get("title")).startswith(prefix)
        ]
        for kind, items in kinds.items()
    }
    return {kind: names for kind, names in found.items() if names}


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_teardown_twice_removes_everything_and_never_fails(connections):
    aep = connections
    store = aep.state.sandbox("prod")
    for resource_path in ("charges", "refunds"):
        dagrun, _ = run_dag(
            "stripe_to_aep_onboarding",
            {"name_prefix": PREFIX, "resource_path": resource_path, "poll_interval": 0.2},
        )
        assert str(dagrun.state).endswith("success")
    made = named(store, PREFIX)
    assert len(made["flows"]) == 2 and len(made["connections"]) == 1 and len(made["datasets"]) == 2

    conf = {"name_prefix": PREFIX, "delete_data_resources": True}
    first, xcom = run_dag("stripe_to_aep_teardown", conf)

    assert str(first.state).endswith("success")
    assert named(store, PREFIX) == {}
    report = xcom[("teardown", "return_value")]
    charges = onboarding_names(PREFIX, "charges")
    for name in (
        charges.dataflow,
        charges.source_connection,
        charges.dataset,
        charges.schema,
        charges.field_group,
    ):
        assert any(repr(name) in entry for entry in report["deleted"]), name
    assert any(repr(base_connection_name(PREFIX)) in entry for entry in report["deleted"])
    assert any(repr(charges.mapping_set) in entry for entry in report["skipped"])
    assert len(report["deleted"]) == 2 * 6 + 1

    second, again = run_dag("stripe_to_aep_teardown", conf)
    assert str(second.state).endswith("success")
    assert again[("teardown", "return_value")]["deleted"] == []
    assert named(store, PREFIX) == {}


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_teardown_of_one_resource_keeps_the_base_connection_others_use(connections):
    aep = connections
    store = aep.state.sandbox("prod")
    for resource_path in ("customers", "prices"):
        run_dag(
            "stripe_to_aep_onboarding",
            {"name_prefix": PREFIX, "resource_path": resource_path, "poll_interval": 0.2},
        )

    dagrun, xcom = run_dag("stripe_to_aep_teardown", {"name_prefix": PREFIX, "resource_paths": ["customers"]})

    assert str(dagrun.state).endswith("success")
    left = named(store, PREFIX)
    assert left["flows"] == [onboarding_names(PREFIX, "prices").dataflow]
    assert left["connections"] == [base_connection_name(PREFIX)]
    assert sorted(left["datasets"]) == sorted(
        onboarding_names(PREFIX, p).dataset for p in ("customers", "prices")
    )
    assert any("still use it" in entry for entry in xcom[("teardown", "return_value")]["skipped"])


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_a_schema_aep_refuses_to_delete_is_kept_and_the_rest_still_goes(connections):
    """A schema enabled for Profile cannot be deleted (reference §3.4, §8c), nor the field group it
    uses: the teardown reports both as kept and deletes everything else (it used to stop there)."""
    from urllib.parse import quote

    from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook

    aep = connections
    store = aep.state.sandbox("prod")
    dagrun, xcom = run_dag(
        "stripe_to_aep_onboarding", {"name_prefix": PREFIX, "resource_path": "prices", "poll_interval": 0.2}
    )
    assert str(dagrun.state).endswith("success")
    schema_id = xcom[("create_target_schema", "return_value")]
    enable_profile = [{"op": "add", "path": "/meta:immutableTags", "value": ["union"]}]
    AdobeExperiencePlatformHook().client.http.request(
        "PATCH", "schemaregistry", f"/tenant/schemas/{quote(schema_id, safe='')}", json=enable_profile
    )

    torn, torn_xcom = run_dag(
        "stripe_to_aep_teardown", {"name_prefix": PREFIX, "delete_data_resources": True}
    )

    assert str(torn.state).endswith("success")
    names = onboarding_names(PREFIX, "prices")
    report = torn_xcom[("teardown", "return_value")]
    assert [entry.split(" (")[0] for entry in report["kept"]] == [
        f"schema {names.schema!r}",
        f"field group {names.field_group!r}",
    ]
    assert all("AEP refused to delete it" in entry for entry in report["kept"])
    assert named(store, PREFIX) == {"schemas": [names.schema], "fieldgroups": [names.field_group]}
    assert any(repr(base_connection_name(PREFIX)) in entry for entry in report["deleted"])
