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
    for field in ("org_id", "sandbox", "scopes", "ims_endpoint", "access_token"):
        assert f"extra__adobe_experience_platform__{field}" in widgets
    assert "extra__adobe_experience_platform__ims_token_url" not in widgets  # read, no longer offered
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


def _should_hide(name: str) -> bool:
    try:
        from airflow._shared.secrets_masker import should_hide_value_for_key
    except ImportError:  # Airflow 2
        from airflow.utils.log.secrets_masker import should_hide_value_for_key
    return bool(should_hide_value_for_key(name))


def test_only_the_secret_extras_have_names_airflow_masks():
    """Airflow masks every extra whose name contains a sensitive word ("token", "secret"...): a plain
    setting with such a name is shown as `***` in the form, and saved as `***`."""
    from airflow_provider_stripe_aep.get_provider_info import AEP_CONN_FIELDS
    from airflow_provider_stripe_aep.hooks.connection_config import KNOWN_EXTRAS, LEGACY_IMS_EXTRA

    masked = {name for name in (*AEP_CONN_FIELDS, *KNOWN_EXTRAS) if _should_hide(name)}
    assert masked == {"access_token", LEGACY_IMS_EXTRA}
    assert LEGACY_IMS_EXTRA not in AEP_CONN_FIELDS
    secret_fields = {n for n, spec in AEP_CONN_FIELDS.items() if spec["schema"].get("format") == "password"}
    assert secret_fields == {"access_token"}


def test_form_descriptions_show_the_defaults_and_examples():
    """Airflow 3 shows an extra field's description but not its placeholder."""
    from airflow_provider_stripe_aep.client.defaults import DEFAULT_IMS_TOKEN_URL, DEFAULT_SCOPES
    from airflow_provider_stripe_aep.get_provider_info import AEP_CONN_FIELDS, field_behaviour

    assert "ABC123@AdobeOrg" in AEP_CONN_FIELDS["org_id"]["description"]
    assert "Default: prod" in AEP_CONN_FIELDS["sandbox"]["description"]
    assert f"Default: {DEFAULT_SCOPES}" in AEP_CONN_FIELDS["scopes"]["description"]
    assert f"Default: {DEFAULT_IMS_TOKEN_URL}" in AEP_CONN_FIELDS["ims_endpoint"]["description"]
    assert "session" in field_behaviour("adobe_experience_platform")["placeholders"]["scopes"]


def test_documentation_url_is_the_projects_readme_and_matches_pyproject():
    from pathlib import Path

    import tomllib

    from airflow_provider_stripe_aep.get_provider_info import PROJECT_URL, get_provider_info

    info = get_provider_info()
    assert info["documentation-url"] == f"{PROJECT_URL}#readme"
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    urls = pyproject["project"]["urls"]
    assert urls["Homepage"] == PROJECT_URL
    assert urls["Documentation"] == info["documentation-url"]
