"""The table-column check of an ExperienceEvent onboarding (no HTTP): it reads what validate_params
returned and the explore response."""

from __future__ import annotations

import pytest
from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_stripe_aep.operators.checks import (
    AEPCheckTableColumnsOperator,
    AEPValidateOnboardingOperator,
)

TABLE = {
    "schema": {"columns": [{"name": "Id", "type": "string"}, {"name": "At", "xdm": {"type": "integer"}}]}
}
EVENT = {"id_column": "Id", "timestamp_column": "At", "timestamp_format": "epoch_milliseconds"}


def check(columns: object) -> AEPCheckTableColumnsOperator:
    return AEPCheckTableColumnsOperator(task_id="check_columns", explore=TABLE, columns=columns)


def test_validate_params_output_flows_into_the_column_check():
    checked = AEPValidateOnboardingOperator(
        task_id="validate_params",
        targets="Shop.Orders",
        resource_field="table_path",
        tables=True,
        name_prefix="Shop",
        class_id="experienceevent",
        delta_column="At",
        **EVENT,
    ).check()
    assert {k: checked[k] for k in EVENT} == EVENT
    assert check(checked).execute({}) == [
        {"sourceType": "ATTRIBUTE", "source": "Id", "destination": "_id"},
        {
            "sourceType": "EXPRESSION",
            "source": "dformat(At, \"yyyy-MM-dd'T'HH:mm:ss.SSSX\")",
            "destination": "timestamp",
        },
    ]


@pytest.mark.parametrize("columns", [{}, None, {"table_path": "Shop.Orders", "class_id": "profile"}])
def test_nothing_to_check_without_event_columns(columns):
    assert check(columns).execute({}) is None


@pytest.mark.parametrize(
    ("override", "field"),
    [({"id_column": "ID"}, "id_column"), ({"timestamp_format": "yyyy-MM-dd"}, "timestamp_format")],
)
def test_a_column_that_does_not_fit_fails_without_retry_naming_the_field(override, field):
    with pytest.raises(AirflowFailException, match=f"Invalid {field}"):
        check({**EVENT, **override}).execute({})
    assert check(EVENT).retries == 0
