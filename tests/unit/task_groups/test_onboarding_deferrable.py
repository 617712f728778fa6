"""The TaskGroup factories wait like any Airflow operator: `[operators] default_deferrable` decides."""

from __future__ import annotations

import pendulum
import pytest
from airflow.providers.common.compat.sdk import DAG

from airflow_provider_stripe_aep.task_groups import (
    stripe_to_aep_onboarding_group,
    table_to_aep_onboarding_group,
)

FACTORIES = {
    "stripe": lambda **kw: stripe_to_aep_onboarding_group("charges", **kw),
    "table": lambda **kw: table_to_aep_onboarding_group("transactions", **kw),
}


def _wait_task(factory, **kwargs):
    with DAG("d", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC")) as dag:
        group = FACTORIES[factory](**kwargs)
    return next(t for t in dag.tasks if t.task_id == f"{group.group_id}.wait_for_run")


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("setting", ["True", "False"])
def test_deferrable_defaults_to_airflows_default_deferrable(monkeypatch, factory, setting):
    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", setting)
    assert _wait_task(factory).deferrable is (setting == "True")


@pytest.mark.parametrize("factory", FACTORIES)
def test_an_explicit_deferrable_wins(monkeypatch, factory):
    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", "True")
    assert _wait_task(factory, deferrable=False).deferrable is False
