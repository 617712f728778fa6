"""One onboarding builder, the source a value: the Stripe and table entry points share its settings."""

from __future__ import annotations

from dataclasses import fields

import pendulum
import pytest
from airflow.providers.common.compat.sdk import DAG

from airflow_provider_stripe_aep.operators.connections import (
    AEPCreateBaseConnectionOperator,
    AEPCreateSourceConnectionOperator,
    AEPCreateStripeBaseConnectionOperator,
    AEPCreateStripeSourceConnectionOperator,
)
from airflow_provider_stripe_aep.task_groups import (
    OnboardingSettings,
    TableSource,
    stripe_to_aep_onboarding_group,
    table_to_aep_onboarding_group,
)
from airflow_provider_stripe_aep.validation import InvalidInputError

START = pendulum.datetime(2026, 1, 1, tz="UTC")


def test_the_stripe_connection_steps_are_presets_of_the_generic_ones():
    assert issubclass(AEPCreateStripeBaseConnectionOperator, AEPCreateBaseConnectionOperator)
    assert issubclass(AEPCreateStripeSourceConnectionOperator, AEPCreateSourceConnectionOperator)
    with DAG("presets", schedule=None, start_date=START):
        base = AEPCreateStripeBaseConnectionOperator(task_id="b", name="n", stripe_conn_id="mine")
        source = AEPCreateStripeSourceConnectionOperator(
            task_id="s", name="n", base_connection_id="id", resource_path="refunds"
        )
    assert (base.auth_conn_id, dict(base.auth_fields)) == ("mine", {"accessToken": "password"})
    assert source._source_params() == {"resourcePath": "refunds"}
    assert (source.data_format, source.connection_spec_id) == ("json", "cc2c31d6-7b8c-4581-b49f-5c8698aa3ab3")


@pytest.mark.parametrize("entry", [stripe_to_aep_onboarding_group, table_to_aep_onboarding_group])
def test_both_entry_points_take_every_setting(entry):
    resource = "refunds" if entry is stripe_to_aep_onboarding_group else "PayPal.Catalog_Products"
    given = {
        "name_prefix": "Shop",
        "base_connection_id": "base-123",
        "frequency": "day",
        "interval": 2,
        "start_time": 1767225600,
        "backfill": False,
        "class_id": "profile",
        "poll_interval": 5,
        "deferrable": True,
        "max_failed_ratio": 0.05,
        "plan_only": True,
        "on_conflict": "update",
        "on_schema_change": "extend",
        "aep_conn_id": "aep_other",
        "group_id": "mine",
        "prefix_group_id": False,
    }
    assert set(given) == {f.name for f in fields(OnboardingSettings)}  # a new setting joins this test
    with DAG("settings", schedule=None, start_date=START) as dag:
        group = entry(resource, **given)
    assert group.group_id == "mine"
    assert group.names.dataflow.startswith("Shop ")
    tasks = {t.task_id: t for t in dag.tasks}
    assert "create_base_connection" not in tasks  # the given base connection is used
    assert tasks["create_source_connection"].base_connection_id == "base-123"
    flow = tasks["create_dataflow"]
    assert (flow.frequency, flow.interval, flow.start_time, flow.backfill) == ("day", 2, 1767225600, False)
    wait = tasks["wait_for_run"]
    assert (wait.poll_interval, wait.deferrable, wait.aep_conn_id) == (5, True, "aep_other")
    assert wait.max_failed_ratio == 0.05
    assert tasks["validate_params"].name_prefix == "Shop"
    assert tasks["plan"].upstream_task_ids == tasks["apply"].upstream_task_ids == {"validate_params"}
    assert (tasks["apply"].plan_only, tasks["plan"].plan_only) == (True, True)
    assert (flow.on_conflict, flow.on_schema_change) == ("update", "extend")
    assert tasks["create_target_schema"].on_schema_change == "extend"


@pytest.mark.parametrize("entry", [stripe_to_aep_onboarding_group, table_to_aep_onboarding_group])
def test_an_unknown_argument_is_named_with_the_allowed_ones(entry):
    with DAG("unknown", schedule=None, start_date=START):
        with pytest.raises(TypeError, match=r"unexpected keyword arguments: frequncy; allowed: .*frequency"):
            entry("charges", frequncy="day")


def test_a_table_source_is_a_value_its_label_names_the_resources():
    shop = TableSource(connection_spec_id="0123-abcd", auth_conn_id="shop_default", label="Shop")
    with DAG("shop", schedule=None, start_date=START) as dag:
        group = table_to_aep_onboarding_group("Shop.Orders", source=shop, name_prefix="Mine")
    tasks = {t.task_id.removeprefix(f"{group.group_id}."): t for t in dag.tasks}
    assert tasks["create_base_connection"].name == "Mine Shop base connection"
    assert tasks["create_base_connection"].auth_conn_id == "shop_default"
    assert tasks["create_source_connection"].connection_spec_id == "0123-abcd"
    assert tasks["create_source_connection"].source_params == {"path": "Shop.Orders"}
    assert group.names.dataflow == "Mine Shop Shop.Orders dataflow"


def test_a_literal_max_failed_ratio_out_of_range_is_refused_when_the_dag_is_parsed():
    from airflow_provider_stripe_aep.validation import InvalidInputError

    with DAG("ratio", schedule=None, start_date=START):
        with pytest.raises(InvalidInputError, match="max_failed_ratio"):
            stripe_to_aep_onboarding_group("charges", max_failed_ratio=5)


def test_a_literal_false_plan_only_adds_no_plan_and_apply_tasks_a_template_adds_both():
    with DAG("plain", schedule=None, start_date=START) as plain:
        stripe_to_aep_onboarding_group("refunds", prefix_group_id=False)
    assert {"plan", "apply"}.isdisjoint(plain.task_ids)
    with DAG("templated", schedule=None, start_date=START) as templated:
        stripe_to_aep_onboarding_group("refunds", prefix_group_id=False, plan_only="{{ params.plan_only }}")
    assert templated.get_task("create_base_connection").upstream_task_ids == {"apply"}
    with pytest.raises(InvalidInputError, match="on_schema_change"):
        stripe_to_aep_onboarding_group("refunds", on_schema_change="grow")
