"""A user's own DAG with the onboarding building block between two of their tasks."""

from __future__ import annotations

import pendulum
from airflow.providers.common.compat.sdk import DAG, BaseOperator

from airflow_provider_stripe_aep.task_groups import stripe_to_aep_onboarding_group


class Record(BaseOperator):
    """Returns what it was given (templated), so the test sees what it received."""

    template_fields = ("value",)

    def __init__(self, *, value: object = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.value = value

    def execute(self, context: object) -> object:
        return self.value


with DAG(
    "user_dag_with_onboarding", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC")
) as dag:
    extract = Record(task_id="extract", value="extracted")
    refunds = stripe_to_aep_onboarding_group(
        "refunds", name_prefix="Mine", frequency="day", interval=1, poll_interval=0.2
    )
    notify = Record(task_id="notify", value={"flow": refunds.dataflow_id, "run": refunds.run})
    extract >> refunds >> notify
