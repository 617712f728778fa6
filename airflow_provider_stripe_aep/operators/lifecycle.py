"""Day two: change a dataflow, rotate the Stripe key, enable/disable a dataflow, tear an onboarding down."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_stripe_aep.hooks.stripe import StripeHook
from airflow_provider_stripe_aep.links import AEPDataflowLink, push_link
from airflow_provider_stripe_aep.operators.base import AEPBaseOperator
from airflow_provider_stripe_aep.resources.dataflow_patch import CHANGE_FIELDS
from airflow_provider_stripe_aep.resources.naming import base_connection_name, onboarding_names
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS
from airflow_provider_stripe_aep.utils.failures import fail_fast
from airflow_provider_stripe_aep.validation import (
    InvalidInputError,
    validate_bool,
    validate_choice,
    validate_id,
    validate_name,
    validate_resource_path,
)

_UNSET = object()


class AEPUpdateDataflowOperator(AEPBaseOperator):
    """Change a dataflow's name, description, schedule or mapping (set version) with PATCH + If-Match;
    a stale etag (`FLOW-1404-412`) is read again and the change tried once more. What AEP forbids
    (an invalid schedule, a startTime change after it passed) is refused before the call.
    Returns the flow ID. Only the arguments given are changed.

    :param flow_id: the dataflow ID.
    :param name, description, frequency, interval, start_time, backfill, mapping_id, mapping_version:
        the new values.
    """

    template_fields: Sequence[str] = ("aep_conn_id", "flow_id", *CHANGE_FIELDS)
    operator_extra_links = (AEPDataflowLink(),)

    def __init__(self, *, flow_id: str, **kwargs: Any) -> None:
        changes = {key: kwargs.pop(key) for key in CHANGE_FIELDS if key in kwargs}
        super().__init__(**kwargs)
        self.flow_id = flow_id
        for key in CHANGE_FIELDS:
            setattr(self, key, changes.get(key, _UNSET))

    def execute(self, context: Any) -> str:
        flow_id = validate_id(self.flow_id, "flow_id")
        changes = {key: getattr(self, key) for key in CHANGE_FIELDS if getattr(self, key) is not _UNSET}
        if not changes:
            raise InvalidInputError("changes", {}, f"give at least one of {', '.join(CHANGE_FIELDS)}")
        with fail_fast():
            self.hook.update_dataflow(flow_id, changes)
            push_link(context, **self.hook.ui_context(), flow_id=flow_id)
        return flow_id


class AEPRotateStripeKeyOperator(AEPBaseOperator):
    """Replace the Stripe key in the base connection's `auth.params` with the `stripe` connection's
    current key (PATCH + If-Match). The key is read at run time and masked; it never reaches a
    template, XCom, a log line or an exception. Returns the base connection ID.

    :param base_connection_id: the base connection; or `name_prefix` to find it by the onboarding's name.
    """

    template_fields: Sequence[str] = ("aep_conn_id", "base_connection_id", "name_prefix", "stripe_conn_id")

    def __init__(
        self,
        *,
        base_connection_id: str | None = None,
        name_prefix: str | None = None,
        stripe_conn_id: str = StripeHook.default_conn_name,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.base_connection_id = base_connection_id
        self.name_prefix = name_prefix
        self.stripe_conn_id = stripe_conn_id

    def execute(self, context: Any) -> str:
        if bool(self.base_connection_id) == bool(self.name_prefix):
            raise InvalidInputError(
                "base_connection_id", self.base_connection_id, "give base_connection_id or name_prefix"
            )
        with fail_fast():
            if self.name_prefix:
                name = base_connection_name(validate_name(self.name_prefix, "name_prefix"))
                found = self.hook.client.flows.find_by_name("connections", name)
                if found is None:
                    raise InvalidInputError(
                        "name_prefix", self.name_prefix, f"no base connection named {name!r}"
                    )
                self.base_connection_id = str(found["id"])
            connection_id = validate_id(self.base_connection_id, "base_connection_id")
            key = StripeHook(self.stripe_conn_id).get_api_key()
            self.hook.update_base_connection_auth(connection_id, {"accessToken": key})
        return connection_id


class AEPSetDataflowStateOperator(AEPBaseOperator):
    """Enable or disable a dataflow (`POST /flows/{id}/action?op=...`). Asking for the state it is
    already in is not an error. Returns the flow ID.

    :param state: `enabled` or `disabled`.
    """

    template_fields: Sequence[str] = ("aep_conn_id", "flow_id", "state")
    operator_extra_links = (AEPDataflowLink(),)

    def __init__(self, *, flow_id: str, state: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow_id = flow_id
        self.state = state

    def execute(self, context: Any) -> str:
        flow_id = validate_id(self.flow_id, "flow_id")
        state = validate_choice(self.state, ("enabled", "disabled"), "state")
        with fail_fast():
            self.hook.set_dataflow_enabled(flow_id, state == "enabled")
            push_link(context, **self.hook.ui_context(), flow_id=flow_id)
        return flow_id


class AEPTeardownOnboardingOperator(AEPBaseOperator):
    """Delete what an onboarding made, found by the names it gives (`naming.onboarding_names`), in the
    order AEP requires: each resource's dataflow, source and target connections (and, with
    `delete_data_resources`, its dataset, schema and field group), then the shared base connection
    once no onboarded resource remains. What is already gone counts as done, so it can be re-run.
    Mapping sets stay: Data Prep documents no DELETE (reported as skipped). A schema or field group
    AEP refuses to delete (data ingested, Profile enabled) is reported as kept, with a warning, and
    the rest is still deleted. Returns {"deleted": [...], "absent": [...], "skipped": [...], "kept": [...]}.

    :param resource_paths: the Stripe resource paths onboarded under `name_prefix` (default all six).
    :param delete_base_connection: also delete the shared base connection (default true).
    """

    template_fields: Sequence[str] = ("aep_conn_id", "name_prefix", "resource_paths", "delete_data_resources")

    def __init__(
        self,
        *,
        name_prefix: str,
        resource_paths: Sequence[str] | str = RESOURCE_PATHS,
        delete_data_resources: bool | str = False,
        delete_base_connection: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name_prefix = name_prefix
        self.resource_paths = resource_paths
        self.delete_data_resources = delete_data_resources
        self.delete_base_connection = delete_base_connection

    def execute(self, context: Any) -> dict[str, list[str]]:
        prefix = validate_name(self.name_prefix, "name_prefix")
        raw = self.resource_paths
        paths = [p.strip() for p in raw.split(",") if p.strip()] if isinstance(raw, str) else list(raw)
        paths = [validate_resource_path(p, "resource_paths") for p in paths]
        data_too = validate_bool(self.delete_data_resources, "delete_data_resources")
        with fail_fast():
            report: dict[str, list[str]] = {"deleted": [], "absent": [], "skipped": [], "kept": []}
            for path in paths:
                part = self.hook.teardown(onboarding_names(prefix, path), delete_data_resources=data_too)
                for key, entries in part.items():
                    report[key].extend(entries)
            if self.delete_base_connection:
                name = base_connection_name(prefix)
                outcome = self.hook.delete_base_connection(name)
                key = {"deleted": "deleted", "absent": "absent"}.get(outcome, "skipped")
                suffix = ": dataflows of other resources still use it" if key == "skipped" else ""
                report[key].append(f"base connection {name!r}{suffix}")
        for key in ("deleted", "absent", "skipped"):
            self.log.info("%s: %d%s", key, len(report[key]), "".join(f"\n  {e}" for e in report[key]))
        if report["kept"]:
            self.log.warning(
                "kept (AEP refused to delete them; delete them in AEP once allowed): %d%s",
                len(report["kept"]),
                "".join(f"\n  {e}" for e in report["kept"]),
            )
        return report
