"""Airflow hook for Adobe Experience Platform: one authenticated client and idempotent steps."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from airflow.providers.common.compat.sdk import BaseHook, mask_secret

from airflow_provider_stripe_aep.client.config import AEPClientConfig
from airflow_provider_stripe_aep.client.errors import (
    AEPAmbiguousError,
    AEPConflictError,
    AEPError,
    AEPNotFoundError,
    AEPResourceConflictError,
    AEPValidationError,
)
from airflow_provider_stripe_aep.get_provider_info import AEP_CONN_FIELDS, field_behaviour
from airflow_provider_stripe_aep.hooks.connection_config import CONN_TYPE, build_client_config
from airflow_provider_stripe_aep.resources import platform
from airflow_provider_stripe_aep.resources.dataflow_patch import plan_dataflow_patch
from airflow_provider_stripe_aep.resources.facts import (
    FLOW_FIELDS_FIXED_AT_CREATE,
    MAPPING_VERSION_FACT,
    base_connection_facts,
    dataflow_facts,
    dataset_facts,
    field_group_facts,
    mapping_set_facts,
    schema_facts,
    source_connection_facts,
    target_connection_facts,
)
from airflow_provider_stripe_aep.resources.get_or_create import OnConflict, differences, ensure_reconciled
from airflow_provider_stripe_aep.resources.naming import OnboardingNames
from airflow_provider_stripe_aep.resources.plan import Observed
from airflow_provider_stripe_aep.resources.run_diagnostics import (
    DIAGNOSTIC_KINDS,
    RunDiagnostics,
    batch_ids,
    diagnose,
    empty_tally,
    tally_rows,
)
from airflow_provider_stripe_aep.resources.run_status import (
    RunSelector,
    run_window,
    same_window,
    select_run,
    unsettled,
    window_params,
)
from airflow_provider_stripe_aep.resources.schema_drift import (
    OnSchemaChange,
    extended_mapping_set,
    field_drift,
    field_group_add_ops,
    mapping_drift,
)
from airflow_provider_stripe_aep.sources import stripe

if TYPE_CHECKING:  # the client (and `requests`) is imported when first used, not at DAG parse time
    from airflow_provider_stripe_aep.client import AEPClient
    from airflow_provider_stripe_aep.client.async_http import AsyncAEPHttpClient
    from airflow_provider_stripe_aep.client.flow_service import FlowResource


class AdobeExperiencePlatformHook(BaseHook):
    """Talks to AEP's Flow Service, Schema Registry, Catalog and Data Prep APIs.

    Every `ensure_*` method is idempotent: it looks for a resource with the same name first and
    reuses it, and after an ambiguous failure it looks again before any second POST. A resource
    with the same name that differs in what defines it (see `resource_facts`) fails with
    AEPResourceConflictError listing each difference, unless `on_conflict="reuse"`.

    :param aep_conn_id: connection of type `adobe_experience_platform`.
    :param retry_overrides: per-task retry settings (`max_attempts`, `backoff_base`, ...) that
        override the connection's extras.
    """

    conn_name_attr = "aep_conn_id"
    default_conn_name = "aep_default"
    conn_type = CONN_TYPE
    hook_name = "Adobe Experience Platform"

    def __init__(
        self, aep_conn_id: str = default_conn_name, retry_overrides: dict[str, Any] | None = None
    ) -> None:
        super().__init__()
        self.aep_conn_id = aep_conn_id
        self.retry_overrides = retry_overrides or {}

    def __repr__(self) -> str:
        return f"AdobeExperiencePlatformHook(aep_conn_id={self.aep_conn_id!r})"

    # Connection and client ----------------------------------------------------------------------
    @cached_property
    def client_config(self) -> AEPClientConfig:
        return self._config_from(self.get_connection(self.aep_conn_id))

    def _config_from(self, conn: Any) -> AEPClientConfig:
        if conn.password:
            mask_secret(conn.password)
        config = build_client_config(
            conn_id=self.aep_conn_id,
            host=conn.host,
            login=conn.login,
            password=conn.password,
            extra=conn.extra,
            retry_overrides=self.retry_overrides,
        )
        if config.access_token:
            mask_secret(config.access_token)
        return config

    @cached_property
    def client(self) -> AEPClient:
        return self._client_for(self.client_config)

    @staticmethod
    def _client_for(config: AEPClientConfig) -> AEPClient:
        from airflow_provider_stripe_aep.client import AEPClient

        return AEPClient(config, on_secret=mask_secret)

    def get_conn(self) -> AEPClient:
        return self.client

    async def aget_client(self) -> AEPClient:
        """A client built without blocking the event loop (for triggers)."""
        # common-compat picks the lookup that cannot deadlock the triggerer on this Airflow version;
        # imported here because only triggers need it and it costs DAG parsing ~10 ms.
        from airflow.providers.common.compat.connection import get_async_connection

        conn = await get_async_connection(self.aep_conn_id, self)
        # Registering secrets may talk to the supervisor synchronously: keep that off the event loop.
        config = await asyncio.to_thread(self._config_from, conn)
        return self._client_for(config)

    def test_connection(self) -> tuple[bool, str]:
        """Check the fields, mint a token and make one cheap read; the message names the failing step
        and the field to check (not the connection ID: Airflow tests under a random one)."""
        try:
            conn = self.get_connection(self.aep_conn_id)
        except Exception as exc:
            return False, f"Connection settings: {exc}"
        from airflow_provider_stripe_aep.hooks.connection_check import (
            check_aep_connection,  # loads the client
        )

        return check_aep_connection(conn, mask_secret)

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Airflow 2 form; Airflow 3 reads the same from `get_provider_info()`."""
        return field_behaviour(CONN_TYPE)

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Airflow 2 form widgets (Flask-AppBuilder); Airflow 3 uses `conn-fields` instead."""
        from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
        from flask_babel import lazy_gettext
        from wtforms import PasswordField, StringField

        widgets: dict[str, Any] = {}
        for name, spec in AEP_CONN_FIELDS.items():
            secret = spec["schema"].get("format") == "password"
            field_class, widget = (
                (PasswordField, BS3PasswordFieldWidget) if secret else (StringField, BS3TextFieldWidget)
            )
            widgets[name] = field_class(
                lazy_gettext(spec["label"]),
                widget=widget(),
                description=spec["description"],
                default=spec["schema"].get("default"),
            )
        return widgets

    # Idempotent creation ------------------------------------------------------------------------
    def _ensure(
        self,
        kind: str,
        name: str,
        find: Callable[[], dict[str, Any] | None],
        create: Callable[[], str],
        expected: dict[str, Any],
        on_conflict: OnConflict,
        update: Callable[[dict[str, Any], list[str]], str] | None = None,
        *,
        find_all: Callable[[], Iterable[dict[str, Any]]],
        delete: Callable[[str], None],
    ) -> str:
        """Get or create; after a create, `find_all` lists every resource of that name (one GET, only
        then) and the oldest wins: another run that created one at the same moment does not leave a
        duplicate (AEP has no unique-name constraint), the younger is deleted by whoever made it."""
        # A create that timed out may still be under way: wait one request timeout for it to land.
        return ensure_reconciled(
            kind,
            name,
            find=find,
            find_all=lambda: list(find_all()),
            create=create,
            delete=delete,
            expected=expected,
            on_conflict=on_conflict,
            log=self.log,
            settle=self.client.http.config.timeout,
            update=update,
        )

    @staticmethod
    def _found(resource: dict[str, Any] | None, facts: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
        """What `ensure` compares of a resource found by name (None when there is none)."""
        if resource is None:
            return None
        return {"id": resource.get("id") or resource.get("$id"), **facts(resource)}

    def _ensure_flow_resource(
        self,
        kind: str,
        resource: FlowResource,
        body: dict[str, Any],
        facts: Callable[[dict[str, Any]], dict[str, Any]],
        on_conflict: OnConflict,
        *filters: str,
        update: Callable[[dict[str, Any], list[str]], str] | None = None,
    ) -> str:
        """`_ensure` for a Flow Service resource found by its `name` (narrowed by `filters`)."""
        flows = self.client.flows
        name = body["name"]
        return self._ensure(
            kind,
            name,
            lambda: self._found(flows.find_by_name(resource, name, *filters), facts),
            lambda: flows.create(resource, body)["id"],
            facts(body),
            on_conflict,
            update,
            find_all=lambda: flows.iter_named(resource, name, *filters),
            delete=lambda created: flows.delete(resource, created),
        )

    def _ensure_titled(
        self,
        kind: str,
        resource: Literal["schemas", "fieldgroups"],
        body: dict[str, Any],
        facts: Callable[[dict[str, Any]], dict[str, Any]],
        on_conflict: OnConflict,
    ) -> str:
        """`_ensure` for a Schema Registry resource found by its `title`, compared as stored
        (`xed+json; version=1`)."""
        schemas = self.client.schemas
        title = body["title"]

        def find() -> dict[str, Any] | None:
            summary = schemas.find_by_title(resource, title)
            if summary is None:
                return None
            return self._found(
                schemas.get(resource, summary["$id"], accept=platform.XED_RAW_CONTENT_TYPE), facts
            )

        return self._ensure(
            kind,
            title,
            find,
            lambda: self._create_titled(resource, body),
            facts(body),
            on_conflict,
            find_all=lambda: schemas.list_by_title(resource, title),
            delete=lambda created: schemas.delete(resource, created),
        )

    def ensure_base_connection(
        self,
        name: str,
        *,
        auth_params: dict[str, Any],
        connection_spec_id: str = stripe.STRIPE_CONNECTION_SPEC_ID,
        auth_spec_name: str = stripe.STRIPE_AUTH_SPEC_NAME,
        description: str = "",
        on_conflict: OnConflict = "fail",
    ) -> str:
        body = {
            "name": name,
            "description": description,
            "connectionSpec": {"id": connection_spec_id, "version": platform.SPEC_VERSION},
            "auth": {"specName": auth_spec_name, "params": auth_params},
        }
        return self._ensure_flow_resource(
            "base connection", "connections", body, base_connection_facts, on_conflict
        )

    def explore(
        self, base_connection_id: str, resource_path: str, *, preview: bool = False
    ) -> dict[str, Any]:
        return self.client.flows.explore(base_connection_id, resource_path, preview=preview)

    def explore_table(self, base_connection_id: str, path: str, *, preview: bool = False) -> dict[str, Any]:
        return self.client.flows.explore_table(base_connection_id, path, preview=preview)

    def ensure_source_connection(
        self,
        name: str,
        *,
        base_connection_id: str,
        params: dict[str, Any],
        connection_spec_id: str = stripe.STRIPE_CONNECTION_SPEC_ID,
        data_format: str = stripe.STRIPE_DATA_FORMAT,
        description: str = "",
        on_conflict: OnConflict = "fail",
    ) -> str:
        body = {
            "name": name,
            "description": description,
            "baseConnectionId": base_connection_id,
            "connectionSpec": {"id": connection_spec_id, "version": platform.SPEC_VERSION},
            "data": {"format": data_format},
            "params": params,
        }
        # Name is not filterable on source connections, and filtering on the base connection would
        # hide a same-named one on another base connection: page them all, match the name here.
        return self._ensure_flow_resource(
            "source connection", "sourceConnections", body, source_connection_facts, on_conflict
        )

    def tenant_id(self) -> str:
        return self.client.schemas.tenant_id()

    def ensure_field_group(
        self,
        body: dict[str, Any],
        *,
        on_conflict: OnConflict = "fail",
        on_schema_change: OnSchemaChange = "fail",
    ) -> str:
        """Compared: `meta:intendedToExtend` and every field under the tenant namespace, with its
        type, read from the existing field group as stored (`xed+json; version=1`).

        When only fields differ, `on_schema_change` decides: `fail` (a conflict, as any difference),
        `ignore` (keep it as it is, log the new fields) or `extend` (PATCH with `add` operations; a
        field removed or retyped is refused before any write, each named)."""
        if on_schema_change != "fail":
            existing = self.find_field_group(str(body["title"]))
            if existing is not None and self._only_fields_differ(existing, body):
                return self._carry_field_drift(existing, body, on_schema_change)
        return self._ensure_titled("field group", "fieldgroups", body, field_group_facts, on_conflict)

    @staticmethod
    def _only_fields_differ(existing: dict[str, Any], body: dict[str, Any]) -> bool:
        have, want = field_group_facts(existing), field_group_facts(body)
        have.pop("fields")
        want.pop("fields")
        return not differences(have, want)

    def _carry_field_drift(self, existing: dict[str, Any], body: dict[str, Any], policy: str) -> str:
        group_id = str(existing["$id"])
        drift = field_drift(existing, body)
        if drift.empty:
            self.log.info("Reusing existing field group %r: %s", body["title"], group_id)
            return group_id
        if policy == "ignore":
            self.log.warning(
                "Field group %r (%s) differs from the source (on_schema_change='ignore', kept as it is): %s",
                body["title"],
                group_id,
                "; ".join(drift.describe()),
            )
            return group_id
        if not drift.additive:
            raise AEPResourceConflictError(
                f"Schema change refused for field group {body['title']!r} ({group_id}), nothing was "
                "changed: " + "; ".join(drift.refusals())
            )
        ops = field_group_add_ops(existing, body)
        self.log.info(
            "Extending field group %r (%s) with %d field(s): %s",
            body["title"],
            group_id,
            len(drift.added),
            ", ".join(sorted(drift.added)),
        )
        self.client.schemas.patch("fieldgroups", group_id, ops)
        return group_id

    def _create_titled(self, resource: Literal["schemas", "fieldgroups"], body: dict[str, Any]) -> str:
        """Schema Registry keeps tenant titles unique (`XDM-3005-400`): when another run created the
        title between our lookup and our create, look it up again (as after an ambiguous create) and
        reuse it if it is what was asked."""
        try:
            return str(self.client.schemas.create(resource, body)["$id"])
        except AEPValidationError as exc:
            if "3005" not in str(exc.code):
                raise
            raise AEPAmbiguousError(
                f"{body.get('title')!r} was created by another run meanwhile ({exc.code})",
                status=exc.status,
                code=exc.code,
            ) from exc

    def ensure_schema(self, body: dict[str, Any], *, on_conflict: OnConflict = "fail") -> str:
        return self._ensure_titled("schema", "schemas", body, schema_facts, on_conflict)

    def ensure_dataset(
        self, name: str, *, schema_id: str, description: str = "", on_conflict: OnConflict = "fail"
    ) -> str:
        catalog = self.client.catalog
        body = {
            "name": name,
            "description": description,
            "schemaRef": {"id": schema_id, "contentType": platform.XED_FULL_CONTENT_TYPE},
        }
        return self._ensure(
            "dataset",
            name,
            lambda: self._found(catalog.find_dataset(name), dataset_facts),
            lambda: catalog.create_dataset(body),
            dataset_facts(body),
            on_conflict,
            find_all=lambda: catalog.iter_datasets_named(name),
            delete=catalog.delete_dataset,
        )

    def ensure_target_connection(
        self,
        name: str,
        *,
        schema_id: str,
        dataset_id: str,
        description: str = "",
        on_conflict: OnConflict = "fail",
    ) -> str:
        body = {
            "name": name,
            "description": description,
            "connectionSpec": {"id": platform.DATA_LAKE_CONNECTION_SPEC_ID, "version": platform.SPEC_VERSION},
            "data": {
                "format": platform.TARGET_DATA_FORMAT,
                "schema": {"id": schema_id, "version": platform.XED_FULL_CONTENT_TYPE},
            },
            "params": {"dataSetId": dataset_id},
        }
        data_lake = f"connectionSpec.id=={platform.DATA_LAKE_CONNECTION_SPEC_ID}"
        return self._ensure_flow_resource(
            "target connection", "targetConnections", body, target_connection_facts, on_conflict, data_lake
        )

    def ensure_mapping_set(
        self,
        name: str,
        *,
        body: dict[str, Any],
        on_conflict: OnConflict = "fail",
        on_schema_change: OnSchemaChange = "fail",
    ) -> tuple[str, int]:
        """Validate the mapping set with Data Prep, then get or create it; returns (id, version).

        When only mappings differ, `on_schema_change` decides: `fail` (a conflict), `ignore` (keep
        the version it has) or `extend` (new mappings only: `PUT` makes the next version)."""
        data_prep = self.client.data_prep
        if on_schema_change != "fail":
            summary = data_prep.find_mapping_set(name)
            if summary is not None:
                existing = data_prep.get_mapping_set(str(summary.get("id")))
                have, want = mapping_set_facts(existing), mapping_set_facts(body)
                if have["outputSchema.schemaRef.id"] == want["outputSchema.schemaRef.id"]:
                    return self._carry_mapping_drift(name, existing, body, on_schema_change)
        version: dict[str, int] = {}

        def find() -> dict[str, Any] | None:
            summary = data_prep.find_mapping_set(name)
            if summary is None:
                return None
            existing = data_prep.get_mapping_set(str(summary.get("id") or name))
            version["value"] = int(existing.get("version") or 0)
            return self._found(existing, mapping_set_facts)

        def create() -> str:
            self._validate_mapping_set(name, body)
            created = data_prep.create_mapping_set({**body, "name": name})
            version["value"] = int(created.get("version") or 0)
            return str(created["id"])

        listed: dict[str, int] = {}

        def find_all() -> list[dict[str, Any]]:
            same_name = list(data_prep.iter_mapping_sets_named(name))
            listed.update({str(m.get("id")): int(m.get("version") or 0) for m in same_name})
            return same_name

        def keep_orphan(created: str) -> None:
            self.log.warning(
                "Data Prep documents no DELETE: mapping set %r (%s) stays behind as an orphan", name, created
            )

        mapping_id = self._ensure(
            "mapping set",
            name,
            find,
            create,
            mapping_set_facts(body),
            on_conflict,
            find_all=find_all,
            delete=keep_orphan,
        )
        return mapping_id, listed.get(mapping_id, version.get("value", 0))

    def _validate_mapping_set(self, name: str, body: dict[str, Any]) -> None:
        """Data Prep's documented validation, before a mapping set is created or updated."""
        from airflow_provider_stripe_aep.client.data_prep import describe_failures

        failures = describe_failures(self.client.data_prep.validate_mapping_set(body))
        if failures:
            raise AEPValidationError(
                f"Data Prep rejected {len(failures)} mapping(s) of {name!r}: " + "; ".join(failures[:20])
            )

    def _carry_mapping_drift(
        self, name: str, existing: dict[str, Any], body: dict[str, Any], policy: str
    ) -> tuple[str, int]:
        mapping_id, version = str(existing["id"]), int(existing.get("version") or 0)
        drift = mapping_drift(existing, body)
        if drift.empty or policy == "ignore":
            self.log.info("Reusing mapping set %r (%s), version %d", name, mapping_id, version)
            return mapping_id, version
        if not drift.additive:
            raise AEPResourceConflictError(
                f"Schema change refused for mapping set {name!r} ({mapping_id}), nothing was changed: "
                + "; ".join(drift.refusals())
            )
        next_body = extended_mapping_set(existing, body)
        self._validate_mapping_set(name, next_body)
        updated = self.client.data_prep.update_mapping_set(mapping_id, {**next_body, "name": name})
        new_version = int(updated.get("version") or version + 1)
        self.log.info(
            "Mapping set %r (%s): version %d -> %d, new mappings: %s",
            name,
            mapping_id,
            version,
            new_version,
            ", ".join(sorted(drift.added)),
        )
        return mapping_id, new_version

    def ensure_dataflow(
        self,
        name: str,
        *,
        source_connection_id: str,
        target_connection_id: str,
        mapping_id: str | None,
        mapping_version: int | str = 0,
        schedule_params: dict[str, Any],
        flow_spec_id: str = platform.REST_FLOW_SPEC_ID,
        description: str = "",
        on_conflict: OnConflict = "fail",
        transformations: list[dict[str, Any]] | None = None,
        on_schema_change: OnSchemaChange = "fail",
    ) -> str:
        """`transformations` come before the `Mapping` one (e.g. a table source's `Copy`). With
        `on_schema_change="extend"`, a dataflow that differs only in its mapping version is PATCHed to
        the asked version (If-Match, a stale etag read again once)."""
        body: dict[str, Any] = {
            "name": name,
            "description": description,
            "flowSpec": {"id": flow_spec_id, "version": platform.SPEC_VERSION},
            "sourceConnectionIds": [source_connection_id],
            "targetConnectionIds": [target_connection_id],
            "scheduleParams": schedule_params,
        }
        steps = [dict(t) for t in transformations or []]
        if mapping_id:
            steps.append(
                {"name": "Mapping", "params": {"mappingId": mapping_id, "mappingVersion": mapping_version}}
            )
        if steps:
            body["transformations"] = steps

        def update(existing: dict[str, Any], diffs: list[str]) -> str:
            if on_conflict != "update":  # on_schema_change="extend": only the mapping version moves
                others = [d for d in diffs if not d.startswith(MAPPING_VERSION_FACT)]
                if others and on_conflict == "reuse":
                    self.log.warning("Reusing dataflow %r despite differences: %s", name, "; ".join(others))
                    return str(existing["id"])
                if others:
                    raise AEPResourceConflictError(
                        f"A dataflow named {name!r} already exists ({existing['id']}) but differs from "
                        "what was asked: " + "; ".join(others) + ". Choose another name, delete it, or "
                        "set on_conflict='update'."
                    )
                self.update_dataflow(
                    str(existing["id"]), {"mapping_id": mapping_id, "mapping_version": mapping_version}
                )
                return str(existing["id"])
            fixed = [d for d in diffs if d.split(":")[0].startswith(FLOW_FIELDS_FIXED_AT_CREATE)]
            if fixed:
                raise AEPResourceConflictError(
                    f"Dataflow {name!r} ({existing['id']}) differs in what AEP cannot change in place: "
                    + "; ".join(fixed)
                    + ". Choose another name, or delete the dataflow first."
                )
            flow_id = str(existing["id"])
            self.update_dataflow(flow_id, _dataflow_changes(schedule_params, mapping_id, mapping_version))
            return flow_id

        policy: OnConflict = "update" if on_schema_change == "extend" and mapping_id else on_conflict
        return self._ensure_flow_resource("dataflow", "flows", body, dataflow_facts, policy, update=update)

    # Plan: reads only -----------------------------------------------------------------------------
    def observe_onboarding(
        self, names: OnboardingNames, resource_path: str, *, table: bool = False
    ) -> Observed:
        """What AEP holds for one onboarding (of a Stripe resource path, or of a table when `table`),
        found by name the way the run's steps find it; only GETs. The explore response is read when
        the base connection exists (explore needs it)."""
        flows, schemas, catalog = self.client.flows, self.client.schemas, self.client.catalog
        base = flows.find_by_name("connections", names.base_connection)
        data_lake = f"connectionSpec.id=={platform.DATA_LAKE_CONNECTION_SPEC_ID}"
        schema = schemas.find_by_title("schemas", names.schema)
        mapping = self.client.data_prep.find_mapping_set(names.mapping_set)
        return Observed(
            base_connection=base,
            source_connection=flows.find_by_name("sourceConnections", names.source_connection),
            explore=(self.explore_table if table else self.explore)(str(base["id"]), resource_path)
            if base
            else None,
            tenant_id=self.tenant_id(),
            field_group=self.find_field_group(names.field_group),
            schema=schema and schemas.get("schemas", schema["$id"], accept=platform.XED_RAW_CONTENT_TYPE),
            dataset=catalog.find_dataset(names.dataset),
            target_connection=flows.find_by_name("targetConnections", names.target_connection, data_lake),
            mapping_set=mapping and self.client.data_prep.get_mapping_set(str(mapping.get("id"))),
            dataflow=flows.find_by_name("flows", names.dataflow),
        )

    # Runs ---------------------------------------------------------------------------------------
    def latest_run(self, flow_id: str) -> dict[str, Any] | None:
        return self.client.flows.latest_run(flow_id)

    def flow_spec_id(self, name: str) -> str:
        """The ID of the flow spec with this name (e.g. `CRMToAEP` for table-based sources)."""
        spec = self.client.flows.find_flow_spec(name)
        if spec is None:
            raise AEPError(f"No flow spec named {name!r} in this sandbox.")
        return str(spec["id"])

    # Day two: runs, updates, key rotation, enable/disable, teardown -------------------------------
    # Appended as one section so the get-or-create methods above stay as they are.

    def get_dataflow(self, flow_id: str) -> dict[str, Any]:
        return self.client.flows.get("flows", flow_id)

    def find_dataflow_id(self, name: str) -> str:
        """The ID of the dataflow named `name`; a clear not-found error when there is none."""
        flow = self.client.flows.find_by_name("flows", name)
        if flow is None:
            raise AEPNotFoundError(
                f"No dataflow named {name!r} in sandbox {self.client_config.sandbox!r}: "
                "run the onboarding first, or check name_prefix and resource_path."
            )
        return str(flow["id"])

    def find_run(self, flow_id: str, selector: RunSelector) -> dict[str, Any] | None:
        return self._find_run(self.client, flow_id, selector)

    async def afind_run(self, flow_id: str, selector: RunSelector) -> dict[str, Any] | None:
        """`find_run` for triggers, on the event loop with the async sender (no thread per poll);
        the client is built without blocking the loop, once per hook."""
        sender = await self._async()
        if selector.run_id:
            return self._check_run_flow(await sender.run(selector.run_id), flow_id, selector)
        answer = (await self.afind_runs(flow_id, [selector]))[selector]
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def afind_runs(
        self, flow_id: str, selectors: Iterable[RunSelector]
    ) -> dict[RunSelector, dict[str, Any] | AEPError | None]:
        """What each selector picks among the flow's runs, from one read of the run list shared by
        all of them: pages are read (newest first, §2.10) only until every selector is settled. A
        `run_id` the list does not show (not listed yet, or another flow's) is asked by ID, and a
        failure of that lookup is that selector's answer alone. A failure of the list raises."""
        sender = await self._async()
        wanted = frozenset(selectors)
        listed: list[dict[str, Any]] = []
        open_selectors = wanted
        if wanted:
            async for page in sender.run_pages(flow_id):
                listed.extend(page)
                open_selectors = unsettled(page, open_selectors)
                if not open_selectors:
                    break
        answers: dict[RunSelector, dict[str, Any] | AEPError | None] = {
            s: select_run(listed, s) for s in wanted
        }

        # Adobe does not document how soon a new run is listed: a run ID the list lacks is asked by ID
        # (those lookups side by side, so one slow lookup does not hold up the others).
        async def by_id(selector: RunSelector) -> dict[str, Any] | AEPError | None:
            try:
                return self._check_run_flow(await sender.run(str(selector.run_id)), flow_id, selector)
            except AEPError as exc:
                return exc

        missing = [s for s in wanted if s.run_id and answers[s] is None]
        for selector, answer in zip(missing, await asyncio.gather(*map(by_id, missing)), strict=True):
            answers[selector] = answer
        return answers

    async def _async(self) -> AsyncAEPHttpClient:
        if self._async_sender is None:
            from airflow_provider_stripe_aep.client.async_http import AsyncAEPHttpClient

            self._async_sender = AsyncAEPHttpClient((await self.aget_client()).http)
        return self._async_sender

    _async_sender: AsyncAEPHttpClient | None = None

    @classmethod
    def _find_run(cls, client: AEPClient, flow_id: str, selector: RunSelector) -> dict[str, Any] | None:
        if selector.run_id:
            try:
                run = client.flows.get_run(selector.run_id)
            except AEPNotFoundError:
                return None  # a run just created may not be listed yet
            return cls._check_run_flow(run, flow_id, selector)
        return select_run(client.flows.iter_runs(flow_id), selector)

    @staticmethod
    def _check_run_flow(
        run: dict[str, Any] | None, flow_id: str, selector: RunSelector
    ) -> dict[str, Any] | None:
        if run is not None and run.get("flowId") not in (None, flow_id):
            raise AEPValidationError(
                f"Run {selector.run_id} belongs to flow {run.get('flowId')}, not {flow_id}."
            )
        return run

    def flow_runs(self, flow_id: str) -> list[dict[str, Any]]:
        """All the flow's runs, newest first."""
        return list(self.client.flows.iter_runs(flow_id))

    def run_windows(
        self, flow_id: str, runs: Iterable[dict[str, Any]] | None = None
    ) -> list[tuple[int, int]]:
        """The windows (epoch seconds) of the flow's runs that show one (`run_status.run_window`);
        `runs`: the flow's runs when the caller has just listed them."""
        listed = self.client.flows.iter_runs(flow_id) if runs is None else runs
        windows = (run_window(run) for run in listed)
        return [(start // 1000, end // 1000) for start, end in filter(None, windows)]

    def find_window_run(
        self, flow_id: str, window_start: int, window_end: int, runs: Iterable[dict[str, Any]] | None = None
    ) -> dict[str, Any] | None:
        """The flow's newest run started for exactly this window, if any (in `runs` when given)."""
        listed = self.client.flows.iter_runs(flow_id) if runs is None else runs
        return next((r for r in listed if same_window(r, window_start, window_end)), None)

    def trigger_run(
        self,
        flow_id: str,
        *,
        window_start: int,
        window_end: int,
        start_time: int | None = None,
        delta_column: str | None = None,
        flow: dict[str, Any] | None = None,
        runs: Iterable[dict[str, Any]] | None = None,
    ) -> tuple[str, bool]:
        """Start an on-demand run for the window, unless one for it exists; returns (run ID, created).

        AEP runs flows on demand only when they are scheduled `once` (§2.9): checked before the POST,
        on `flow` when the caller has just read it (and `runs`, the flow's runs, when it has just
        listed them). After an ambiguous POST the runs are looked up again before any second POST.
        """
        flow = flow if flow is not None else self.get_dataflow(flow_id)
        frequency = (flow.get("scheduleParams") or {}).get("frequency")
        if frequency != "once":
            raise AEPValidationError(
                f"Dataflow {flow_id} is scheduled {frequency!r}; AEP starts on-demand runs only for "
                "dataflows scheduled 'once'. Update its schedule to frequency='once' first."
            )
        existing = self.find_window_run(flow_id, window_start, window_end, runs)
        if existing is not None:
            self.log.info(
                "Dataflow %s already has run %s for window %s-%s; not starting another",
                flow_id,
                existing.get("id"),
                window_start,
                window_end,
            )
            return str(existing["id"]), False
        params = window_params(
            window_start, window_end, start_time=start_time or int(time.time()), delta_column=delta_column
        )
        try:
            run_id = self.client.flows.create_run(flow_id, params)
        except AEPAmbiguousError as exc:
            self.log.warning("Starting a run may or may not have worked (%s); looking it up", exc)
            existing = self.find_window_run(flow_id, window_start, window_end)
            if existing is not None:
                return str(existing["id"]), True
            run_id = self.client.flows.create_run(flow_id, params)
        self.log.info(
            "Started run %s of dataflow %s for window %s-%s", run_id, flow_id, window_start, window_end
        )
        return run_id, True

    def _patch_with_etag(
        self, resource: FlowResource, resource_id: str, build_ops: Callable[[dict[str, Any]], list[Any]]
    ) -> str | None:
        """GET (etag) → PATCH with If-Match; on a stale etag (`1404-412`) read again and try once more.
        Returns the new etag, or None when there was nothing to change."""
        flows = self.client.flows
        for attempt in (1, 2):
            current = flows.get(resource, resource_id)
            ops = build_ops(current)
            if not ops:
                return None
            try:
                return str(flows.patch(resource, resource_id, ops, str(current["etag"])).get("etag"))
            except AEPConflictError as exc:
                if attempt == 2 or "1404-412" not in str(exc.code or exc):
                    raise
                self.log.info(
                    "%s %s changed since it was read (%s); reading it again", resource, resource_id, exc.code
                )
        raise AssertionError("unreachable")

    def update_dataflow(self, flow_id: str, changes: dict[str, Any]) -> str | None:
        """Apply `changes` (name, description, schedule, mapping) with PATCH + If-Match; returns the new
        etag, or None when the dataflow already matches. What AEP forbids is refused before the call."""

        def ops(flow: dict[str, Any]) -> list[Any]:
            planned = plan_dataflow_patch(flow, changes)
            if planned:
                self.log.info("Updating dataflow %s: %s", flow_id, planned)
            return planned

        etag = self._patch_with_etag("flows", flow_id, ops)
        if etag is None:
            self.log.info("Dataflow %s already matches %s", flow_id, sorted(changes))
        return etag

    def update_base_connection_auth(self, connection_id: str, auth_params: dict[str, Any]) -> None:
        """Replace the base connection's `auth.params` (e.g. a rotated Stripe key). Never logs them."""
        for value in auth_params.values():
            if isinstance(value, str) and value:
                mask_secret(value)
        self._patch_with_etag(
            "connections",
            connection_id,
            lambda _: [{"op": "replace", "path": "/auth/params", "value": auth_params}],
        )
        self.log.info(
            "Replaced auth.params (%s) of base connection %s", ", ".join(sorted(auth_params)), connection_id
        )

    def set_dataflow_enabled(self, flow_id: str, enabled: bool) -> bool:
        """Enable or disable a dataflow; True if its state changed, False if it was already so."""
        target = "enabled" if enabled else "disabled"
        if self.get_dataflow(flow_id).get("state") == target:
            self.log.info("Dataflow %s is already %s", flow_id, target)
            return False
        try:
            self.client.flows.flow_action(flow_id, "enable" if enabled else "disable")
        except AEPValidationError as exc:
            # 1422-400: the action does not apply to the current state, e.g. a concurrent change won.
            if "1422-400" in str(exc.code) and self.get_dataflow(flow_id).get("state") == target:
                return False
            raise
        self.log.info("Dataflow %s is now %s", flow_id, target)
        return True

    def delete_flow_resource(self, resource: FlowResource, resource_id: str) -> bool:
        """Delete a flow, (source/target) connection; False when it was already gone."""
        try:
            self.client.flows.delete(resource, resource_id)
        except AEPNotFoundError:
            self.log.info("%s %s is already gone", resource, resource_id)
            return False
        self.log.info("Deleted %s %s", resource, resource_id)
        return True

    def teardown(
        self, names: OnboardingNames, *, delete_data_resources: bool = False
    ) -> dict[str, list[str]]:
        """Delete what an onboarding made for one resource, in AEP's order: the dataflow, then its source
        and target connections; then, when asked, the dataset, the schema and the field group. The base
        connection is shared by every resource: see `delete_base_connection`. Already gone counts as
        done. A schema or field group AEP refuses to delete (data ingested, Profile enabled: reference
        §8c) is reported as kept and the rest still goes. Returns {"deleted": [...], "absent": [...],
        "skipped": [...], "kept": [...]}, entries `kind 'name' (id)`."""
        flows = self.client.flows
        report: dict[str, list[str]] = {"deleted": [], "absent": [], "skipped": [], "kept": []}

        def note(done: bool, kind: str, name: str, resource_id: str | None) -> None:
            suffix = f" ({resource_id})" if resource_id else ""
            report["deleted" if done else "absent"].append(f"{kind} {name!r}{suffix}")

        def delete_each(resource: FlowResource, kind: str, name: str, ids: list[str]) -> None:
            for resource_id in ids:
                note(self.delete_flow_resource(resource, resource_id), kind, name, resource_id)
            if not ids:
                note(False, kind, name, None)

        flow = flows.find_by_name("flows", names.dataflow)
        source_ids = [str(i) for i in flow.get("sourceConnectionIds", [])] if flow else []
        target_ids = [str(i) for i in flow.get("targetConnectionIds", [])] if flow else []
        delete_each("flows", "dataflow", names.dataflow, [str(flow["id"])] if flow else [])
        if not source_ids:  # a flow deleted by an earlier try: find its connections by name
            base = flows.find_by_name("connections", names.base_connection)
            found = base and flows.find_by_name(
                "sourceConnections", names.source_connection, f"baseConnectionId=={base['id']}"
            )
            source_ids = [str(found["id"])] if found else []
        delete_each("sourceConnections", "source connection", names.source_connection, source_ids)
        if not target_ids:
            spec_filter = f"connectionSpec.id=={platform.DATA_LAKE_CONNECTION_SPEC_ID}"
            found = flows.find_by_name("targetConnections", names.target_connection, spec_filter)
            target_ids = [str(found["id"])] if found else []
        delete_each("targetConnections", "target connection", names.target_connection, target_ids)
        if not delete_data_resources:
            return report
        dataset = self.client.catalog.find_dataset(names.dataset)
        dataset_id = str(dataset["id"]) if dataset else None
        if dataset_id:
            self.client.catalog.delete_dataset(dataset_id)
        note(dataset_id is not None, "dataset", names.dataset, dataset_id)
        # The schema before its field group: a field group in use cannot go.
        self._delete_schema_resource("schemas", "schema", names.schema, note, report["kept"])
        self._delete_schema_resource("fieldgroups", "field group", names.field_group, note, report["kept"])
        mapping = self.client.data_prep.find_mapping_set(names.mapping_set)
        if mapping is not None:
            # Data Prep documents no DELETE for mapping sets (reference §5): left in place on purpose.
            self.log.info(
                "Mapping set %r (%s) kept: Data Prep documents no DELETE for mapping sets",
                names.mapping_set,
                mapping.get("id"),
            )
            report["skipped"].append(
                f"mapping set {names.mapping_set!r} ({mapping.get('id')}): Data Prep documents no DELETE"
            )
        return report

    def _delete_schema_resource(
        self,
        resource: Literal["schemas", "fieldgroups"],
        kind: str,
        title: str,
        note: Callable[[bool, str, str, str | None], None],
        kept: list[str],
    ) -> None:
        """Delete one schema or field group; one AEP refuses to delete is added to `kept`, not raised."""
        found = self.client.schemas.find_by_title(resource, title)
        resource_id = str(found["$id"]) if found else None
        done = False
        if resource_id:
            try:
                self.client.schemas.delete(resource, resource_id)
                done = True
            except AEPNotFoundError:
                pass
            except (AEPValidationError, AEPConflictError) as exc:
                # Once data is ingested or Profile is enabled, AEP refuses to delete a schema (and a
                # field group such a schema uses); the documents name no error code for it (§8c).
                self.log.warning(
                    "%s %r (%s) kept: AEP refused to delete it (%s)", kind, title, resource_id, exc
                )
                kept.append(f"{kind} {title!r} ({resource_id}): AEP refused to delete it ({exc.code or exc})")
                return
        note(done, kind, title, resource_id)

    def delete_base_connection(self, name: str) -> Literal["deleted", "absent", "in use"]:
        """Delete the base connection named `name`, unless flows still use it (AEP's `1418-400`)."""
        base = self.client.flows.find_by_name("connections", name)
        if base is None:
            self.log.info("Base connection %r is already gone", name)
            return "absent"
        try:
            return "deleted" if self.delete_flow_resource("connections", str(base["id"])) else "absent"
        except AEPValidationError as exc:
            if "1418-400" not in str(exc.code):
                raise
            self.log.info("Base connection %r (%s) kept: dataflows still use it", name, base["id"])
            return "in use"

    # Lineage: the target of an onboarded flow, by the names the onboarding gave it ----------------
    def find_dataset_id(self, name: str) -> str:
        """The ID of the Catalog dataset named `name`; a clear not-found error when there is none."""
        dataset = self.client.catalog.find_dataset(name)
        if dataset is None:
            raise AEPNotFoundError(
                f"No dataset named {name!r} in sandbox {self.client_config.sandbox!r}: "
                "run the onboarding first, or check name_prefix and resource_path."
            )
        return str(dataset["id"])

    def find_field_group(self, title: str) -> dict[str, Any] | None:
        """The tenant field group titled `title`, as stored (`xed+json; version=1`), or None."""
        schemas = self.client.schemas
        summary = schemas.find_by_title("fieldgroups", title)
        if summary is None:
            return None
        return schemas.get("fieldgroups", summary["$id"], accept=platform.XED_RAW_CONTENT_TYPE)

    def ui_context(self) -> dict[str, str]:
        """Non-secret facts the AEP UI links are built from: org ID and sandbox."""
        return {"org_id": self.client_config.org_id, "sandbox": self.client_config.sandbox}

    # Day three: the health of every flow -------------------------------------------------------
    def iter_source_flows(self) -> Iterable[dict[str, Any]]:
        """Every source dataflow of the sandbox (one paged list call)."""
        return self.client.flows.iter("flows", "inheritedAttributes.properties.isSourceFlow==true")

    def runs_started_after(self, flow_id: str, since_ms: int) -> list[dict[str, Any]]:
        """The flow's runs that started after `since_ms` (one paged list call)."""
        return list(self.client.flows.iter_runs_started_after(flow_id, since_ms))

    # Day three: why a run lost records (reference §8b) -------------------------------------------
    DIAGNOSTIC_FILES_PER_KIND = 3
    DIAGNOSTIC_LINES_PER_FILE = 5000
    DIAGNOSTIC_MAX_FILE_BYTES = 20 * 1024 * 1024

    def diagnose_run(self, run_id: str) -> RunDiagnostics:
        """What AEP documents about a run's failures: its and its activities' status errors, and,
        for each batch it wrote, the codes and XDM paths of the failed rows (Data Access row-error
        and failed-record files; bounded: a few files per batch, a few thousand lines per file).
        Record values are never kept (see `resources.run_diagnostics`). Diagnostic files that cannot
        be read (none kept, expired after ~30 days, no access) leave a note, not an error."""
        run = self.client.flows.get_run(run_id)
        tally = empty_tally()
        notes: list[str] = []
        for batch_id in batch_ids(run):
            for kind in DIAGNOSTIC_KINDS:
                try:
                    files = self.client.data_access.list_files(batch_id, kind)
                except AEPError as exc:
                    notes.append(f"{kind} of batch {batch_id} unavailable (HTTP {exc.status or '?'})")
                    continue
                wanted = [f for f in files if _length(f) > 0 and not f["name"].startswith("_")]
                readable = [f for f in wanted if _length(f) <= self.DIAGNOSTIC_MAX_FILE_BYTES]
                readable = readable[: self.DIAGNOSTIC_FILES_PER_KIND]
                if len(readable) < len(wanted):
                    notes.append(f"{kind} of batch {batch_id}: {len(readable)} of {len(wanted)} files read")
                for file in readable:
                    lines = self.client.data_access.read_lines(
                        batch_id, kind, file["name"], max_lines=self.DIAGNOSTIC_LINES_PER_FILE
                    )
                    tally_rows(lines, kind, tally)
        return diagnose(run, tally, note="; ".join(notes))

    # Watching runs (the AssetWatcher's trigger) ----------------------------------------------------
    async def aruns_started_after(self, started_after_ms: int) -> list[dict[str, Any]]:
        """Every run of the connection's sandbox (all flows) started after `started_after_ms`, newest
        first, on the event loop; one request per page however many flows are watched."""
        return await (await self._async()).runs_started_after(started_after_ms)

    async def afind_dataflow_id(self, name: str) -> str | None:
        """The ID of the dataflow named `name`, or None while there is none; the connection is read
        without blocking the event loop, the lookup runs in a thread."""
        client = await self.aget_client()
        flow = await asyncio.to_thread(client.flows.find_by_name, "flows", name)
        return str(flow["id"]) if flow else None


def _length(file: dict[str, Any]) -> int:
    """A listed file's `length` (a string of digits in the guides); unknown counts as 1 (read it)."""
    try:
        return int(str(file.get("length", "1")))
    except ValueError:
        return 1


def _dataflow_changes(
    schedule_params: dict[str, Any], mapping_id: str | None, mapping_version: int | str
) -> dict[str, Any]:
    """`update_dataflow` changes that make an existing flow match a create request (startTime aside:
    it is "now" on every run of an onboarding DAG, and AEP forbids changing it once passed)."""
    changes: dict[str, Any] = {
        "frequency": schedule_params["frequency"],
        "interval": schedule_params.get("interval"),
    }
    if "backfill" in schedule_params:
        changes["backfill"] = schedule_params["backfill"]
    if mapping_id:
        changes.update(mapping_id=mapping_id, mapping_version=mapping_version)
    return changes
