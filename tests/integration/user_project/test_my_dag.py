"""A user's own DAG test, exactly as docs/testing-your-dags.md shows it: the plugin's fixtures only.
(Not collected by our suite: tests/integration/test_users_dag_test.py runs it in a pytest of its own.)"""

import pytest
from airflow.models import DagBag


@pytest.mark.usefixtures("aep_airflow_db")
def test_my_dag_onboards_refunds(aep_connections):
    dag = DagBag().dags["user_dag_with_onboarding"]
    run = dag.test()
    assert "success" in str(run.state)
    flows = aep_connections.state.sandbox("prod").flows.values()
    assert [flow["name"] for flow in flows] == ["Mine Stripe refunds dataflow"]
