"""Airflow discovers the provider and its connection types, and the example DAGs import cleanly."""

from __future__ import annotations

from aep_testing import EXAMPLE_DAGS


def test_provider_is_discovered_with_both_connection_types():
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    assert "airflow-provider-stripe-aep" in manager.providers
    hooks = manager.hooks
    assert hooks["adobe_experience_platform"].hook_class_name.endswith("AdobeExperiencePlatformHook")
    assert hooks["stripe"].hook_class_name.endswith("StripeHook")
    assert hooks["adobe_experience_platform"].connection_id_attribute_name == "aep_conn_id"


def test_example_dags_import_without_errors():
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 2
        from airflow.models.dagbag import DagBag

    bag = DagBag(dag_folder=str(EXAMPLE_DAGS))
    assert bag.import_errors == {}
    dag = bag.dags.get("stripe_to_aep_onboarding")
    assert dag is not None
    assert set(dag.params.keys()) >= {
        "resource_path",
        "frequency",
        "interval",
        "name_prefix",
        "poll_interval",
        "deferrable",
    }
    upstream = {t.task_id: {u.task_id for u in t.upstream_list} for t in dag.tasks}
    # Independent steps run in parallel: the source connection does not wait for the schema.
    assert upstream["create_source_connection"] == {"create_base_connection"}
    assert upstream["create_target_schema"] == {"explore_resource"}
    assert upstream["create_dataflow"] == {
        "create_source_connection",
        "create_target_connection",
        "create_mapping_set",
    }
    assert upstream["wait_for_run"] == {"create_dataflow"}


def test_connection_form_uses_aep_words():
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    widgets = manager.connection_form_widgets
    for field in ("org_id", "sandbox", "scopes", "ims_token_url", "access_token"):
        assert f"extra__adobe_experience_platform__{field}" in widgets
    assert widgets["extra__adobe_experience_platform__access_token"].is_sensitive
    behaviour = manager.field_behaviours["adobe_experience_platform"]
    assert behaviour["relabeling"]["login"] == "Client ID"
    assert behaviour["relabeling"]["password"] == "Client secret"
    assert "port" in behaviour["hidden_fields"]
    assert manager.field_behaviours["stripe"]["relabeling"]["password"] == "Stripe secret API key"


def test_the_onboarding_dag_can_run_on_a_schedule(monkeypatch):
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 2
        from airflow.models.dagbag import DagBag

    monkeypatch.setenv("STRIPE_AEP_ONBOARDING_SCHEDULE", "@daily")
    scheduled = DagBag(dag_folder=str(EXAMPLE_DAGS)).dags["stripe_to_aep_onboarding"]
    assert scheduled.timetable.can_be_scheduled
    monkeypatch.delenv("STRIPE_AEP_ONBOARDING_SCHEDULE")
    manual = DagBag(dag_folder=str(EXAMPLE_DAGS)).dags["stripe_to_aep_onboarding"]
    assert not manual.timetable.can_be_scheduled
