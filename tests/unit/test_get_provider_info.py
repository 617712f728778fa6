"""Airflow discovers the provider and its connection types, and the example DAGs import cleanly."""

from __future__ import annotations

from aep_testing import dag_bag, load_dag


def test_provider_is_discovered_with_both_connection_types():
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    assert "airflow-provider-stripe-aep" in manager.providers
    hooks = manager.hooks
    assert hooks["adobe_experience_platform"].hook_class_name.endswith("AdobeExperiencePlatformHook")
    assert hooks["stripe"].hook_class_name.endswith("StripeHook")
    assert hooks["adobe_experience_platform"].connection_id_attribute_name == "aep_conn_id"


def test_example_dags_import_without_errors():
    dag = dag_bag().dags.get("stripe_to_aep_onboarding")
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
    monkeypatch.setenv("STRIPE_AEP_ONBOARDING_SCHEDULE", "@daily")
    scheduled = load_dag("stripe_to_aep_onboarding")
    assert scheduled.timetable.can_be_scheduled
    monkeypatch.delenv("STRIPE_AEP_ONBOARDING_SCHEDULE")
    manual = load_dag("stripe_to_aep_onboarding")
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


def test_the_version_is_written_once_and_read_by_the_package_metadata():
    from importlib.metadata import version
    from pathlib import Path

    import tomllib

    import airflow_provider_stripe_aep
    from airflow_provider_stripe_aep.get_provider_info import VERSION, get_provider_info

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"]
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"].endswith("get_provider_info.VERSION")
    assert version("airflow-provider-stripe-aep") == VERSION
    assert airflow_provider_stripe_aep.__version__ == VERSION
    assert get_provider_info()["versions"] == [VERSION]


def test_the_metadata_validates_against_airflows_provider_info_schema():
    import json
    from importlib.resources import files

    import jsonschema

    from airflow_provider_stripe_aep.get_provider_info import get_provider_info

    schema = json.loads(files("airflow").joinpath("provider_info.schema.json").read_text())
    info = get_provider_info()
    jsonschema.validate(info, schema)
    integrations = {i["integration-name"] for i in info["integrations"]}
    for kind in ("hooks", "operators", "sensors", "triggers"):
        assert info[kind], kind
        assert {entry["integration-name"] for entry in info[kind]} <= integrations


def _defines(module_name: str, base: type) -> bool:
    """The module defines (not only imports) a subclass of `base`."""
    import importlib
    import inspect

    from airflow_provider_stripe_aep.version_compat import NeedsAirflow3Error

    try:
        module = importlib.import_module(module_name)
    except NeedsAirflow3Error:  # the AssetWatcher trigger on Airflow 2
        return base.__name__ == "BaseTrigger"
    return any(
        issubclass(obj, base) and obj.__module__ == module_name
        for obj in vars(module).values()
        if inspect.isclass(obj)
    )


def test_every_hook_operator_sensor_and_trigger_module_is_listed():
    """A module added under hooks/, operators/, sensors/ or triggers/ that defines such a class must be
    listed in get_provider_info(), and every listed module must define one."""
    import pkgutil

    from airflow.providers.common.compat.sdk import BaseHook, BaseOperator, BaseSensorOperator

    import airflow_provider_stripe_aep
    from airflow_provider_stripe_aep.get_provider_info import get_provider_info

    try:
        from airflow.triggers.base import BaseTrigger
    except ImportError:  # pragma: no cover - moved in a later Airflow
        from airflow.sdk.bases.trigger import BaseTrigger  # type: ignore[no-redef]

    bases = {
        "hooks": BaseHook,
        "operators": BaseOperator,
        "sensors": BaseSensorOperator,
        "triggers": BaseTrigger,
    }
    info = get_provider_info()
    package = airflow_provider_stripe_aep.__name__
    root = airflow_provider_stripe_aep.__path__
    for kind, base in bases.items():
        listed = {m for entry in info[kind] for m in entry["python-modules"]}
        found = {
            f"{package}.{kind}.{m.name}"
            for m in pkgutil.iter_modules([f"{root[0]}/{kind}"])
            if _defines(f"{package}.{kind}.{m.name}", base)
        }
        assert found, kind
        assert listed == found, kind


def test_airflow_lists_our_triggers_and_sensors():
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    triggers = {
        t.trigger_class_name for t in manager.trigger if t.package_name == "airflow-provider-stripe-aep"
    }
    assert triggers == {
        "airflow_provider_stripe_aep.triggers.dataflow_run",
        "airflow_provider_stripe_aep.triggers.dataflow_run_events",
    }
