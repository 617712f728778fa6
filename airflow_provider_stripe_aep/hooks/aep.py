"""Airflow hook for Adobe Experience Platform: one authenticated client and idempotent steps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import cached_property
from typing import Any

from airflow.providers.common.compat.sdk import BaseHook, mask_secret

from airflow_provider_stripe_aep import stripe
from airflow_provider_stripe_aep.client import AEPClient, AEPError, AEPValidationError
from airflow_provider_stripe_aep.client.config import AEPClientConfig
from airflow_provider_stripe_aep.client.data_prep import describe_failures
from airflow_provider_stripe_aep.get_provider_info import AEP_CONN_FIELDS, field_behaviour
from airflow_provider_stripe_aep.hooks.connection_config import CONN_TYPE, build_client_config
from airflow_provider_stripe_aep.idempotency import OnConflict, dig, ensure


class AdobeExperiencePlatformHook(BaseHook):
    """Talks to AEP's Flow Service, Schema Registry, Catalog and Data Prep APIs.

    Every `ensure_*` method is idempotent: it looks for a resource with the same name first and
    reuses it, and after an ambiguous failure it looks again before any second POST.

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
        return AEPClient(config, on_secret=mask_secret)

    def get_conn(self) -> AEPClient:
        return self.client

    async def aget_client(self) -> AEPClient:
        """A client built without blocking the event loop (for triggers)."""
        aget_connection = getattr(BaseHook, "aget_connection", None)  # Airflow 3 only
        if aget_connection is not None:
            conn = await aget_connection(self.aep_conn_id)
        else:
            conn = await asyncio.to_thread(self.get_connection, self.aep_conn_id)
        # Registering secrets may talk to the supervisor synchronously: keep that off the event loop.
        config = await asyncio.to_thread(self._config_from, conn)
        return self._client_for(config)

    def test_connection(self) -> tuple[bool, str]:
        """Mint a token and make one cheap read; the message names the step that failed."""
        try:
            client = self.client
        except Exception as exc:
            return False, f"Connection settings: {exc}"
        try:
            client.http.tokens.token()
        except AEPError as exc:
            return False, f"IMS token: {exc}"
        try:
            tenant = client.schemas.tenant_id()
        except AEPError as exc:
            return False, f"Platform call (Schema Registry /stats): {exc}"
        return True, f"Connected to sandbox {self.client_config.sandbox!r} (tenant {tenant})."

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
    ) -> str:
        return ensure(
            kind, name, find=find, create=create, expected=expected, on_conflict=on_conflict, log=self.log
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
        flows = self.client.flows
        body = {
            "name": name,
            "description": description,
            "connectionSpec": {"id": connection_spec_id, "version": stripe.SPEC_VERSION},
            "auth": {"specName": auth_spec_name, "params": auth_params},
        }
        return self._ensure(
            "base connection",
            name,
            lambda: flows.find_by_name("connections", name),
            lambda: flows.create("connections", body)["id"],
            {"connectionSpec.id": connection_spec_id},
            on_conflict,
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
        flows = self.client.flows
        body = {
            "name": name,
            "description": description,
            "baseConnectionId": base_connection_id,
            "connectionSpec": {"id": connection_spec_id, "version": stripe.SPEC_VERSION},
            "data": {"format": data_format},
            "params": params,
        }
        expected = {"connectionSpec.id": connection_spec_id, "baseConnectionId": base_connection_id}
        expected.update({f"params.{k}": v for k, v in params.items()})
        return self._ensure(
            "source connection",
            name,
            lambda: flows.find_by_name("sourceConnections", name, f"baseConnectionId=={base_connection_id}"),
            lambda: flows.create("sourceConnections", body)["id"],
            expected,
            on_conflict,
        )

    def tenant_id(self) -> str:
        return self.client.schemas.tenant_id()

    def ensure_field_group(self, body: dict[str, Any], *, on_conflict: OnConflict = "fail") -> str:
        schemas = self.client.schemas
        title = body["title"]
        return self._ensure(
            "field group",
            title,
            lambda: schemas.find_by_title("fieldgroups", title),
            lambda: schemas.create("fieldgroups", body)["$id"],
            {},
            on_conflict,
        )

    def ensure_schema(self, body: dict[str, Any], *, on_conflict: OnConflict = "fail") -> str:
        schemas = self.client.schemas
        title = body["title"]
        refs = [ref["$ref"] for ref in body.get("allOf", [])]

        def find() -> dict[str, Any] | None:
            summary = schemas.find_by_title("schemas", title)
            if summary is None:
                return None
            full = schemas.get("schemas", summary["$id"], accept="application/vnd.adobe.xed+json; version=1")
            return {"$id": summary["$id"], "refs": [r.get("$ref") for r in full.get("allOf", [])]}

        return self._ensure(
            "schema",
            title,
            find,
            lambda: schemas.create("schemas", body)["$id"],
            {"refs": refs},
            on_conflict,
        )

    def ensure_dataset(
        self, name: str, *, schema_id: str, description: str = "", on_conflict: OnConflict = "fail"
    ) -> str:
        catalog = self.client.catalog
        body = {
            "name": name,
            "description": description,
            "schemaRef": {"id": schema_id, "contentType": stripe.XED_FULL_CONTENT_TYPE},
        }
        return self._ensure(
            "dataset",
            name,
            lambda: catalog.find_dataset(name),
            lambda: catalog.create_dataset(body),
            {"schemaRef.id": schema_id},
            on_conflict,
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
        flows = self.client.flows
        body = {
            "name": name,
            "description": description,
            "connectionSpec": {"id": stripe.DATA_LAKE_CONNECTION_SPEC_ID, "version": stripe.SPEC_VERSION},
            "data": {
                "format": stripe.TARGET_DATA_FORMAT,
                "schema": {"id": schema_id, "version": stripe.XED_FULL_CONTENT_TYPE},
            },
            "params": {"dataSetId": dataset_id},
        }
        return self._ensure(
            "target connection",
            name,
            lambda: flows.find_by_name(
                "targetConnections", name, f"connectionSpec.id=={stripe.DATA_LAKE_CONNECTION_SPEC_ID}"
            ),
            lambda: flows.create("targetConnections", body)["id"],
            {"data.schema.id": schema_id, "params.dataSetId": dataset_id},
            on_conflict,
        )

    def ensure_mapping_set(
        self, name: str, *, body: dict[str, Any], on_conflict: OnConflict = "fail"
    ) -> tuple[str, int]:
        """Validate the mapping set with Data Prep, then get or create it; returns (id, version)."""
        data_prep = self.client.data_prep
        schema_id = body["outputSchema"]["schemaRef"]["id"]
        version: dict[str, int] = {}

        def find() -> dict[str, Any] | None:
            existing = data_prep.find_mapping_set(name)
            if existing is None:
                return None
            version["value"] = int(existing.get("version") or 0)
            existing_schema = dig(existing, "outputSchema.schemaRef.id") or existing.get("xdmSchema")
            return {**existing, "schemaId": existing_schema}

        def create() -> str:
            failures = describe_failures(data_prep.validate_mapping_set(body))
            if failures:
                raise AEPValidationError(
                    f"Data Prep rejected {len(failures)} mapping(s) of {name!r}: " + "; ".join(failures[:20])
                )
            created = data_prep.create_mapping_set({**body, "name": name})
            version["value"] = int(created.get("version") or 0)
            return str(created["id"])

        mapping_id = self._ensure("mapping set", name, find, create, {"schemaId": schema_id}, on_conflict)
        return mapping_id, version.get("value", 0)

    def ensure_dataflow(
        self,
        name: str,
        *,
        source_connection_id: str,
        target_connection_id: str,
        mapping_id: str | None,
        mapping_version: int | str = 0,
        schedule_params: dict[str, Any],
        flow_spec_id: str = stripe.REST_FLOW_SPEC_ID,
        description: str = "",
        on_conflict: OnConflict = "fail",
        transformations: list[dict[str, Any]] | None = None,
    ) -> str:
        """`transformations` come before the `Mapping` one (e.g. a table source's `Copy`)."""
        flows = self.client.flows
        body: dict[str, Any] = {
            "name": name,
            "description": description,
            "flowSpec": {"id": flow_spec_id, "version": stripe.SPEC_VERSION},
            "sourceConnectionIds": [source_connection_id],
            "targetConnectionIds": [target_connection_id],
            "scheduleParams": schedule_params,
        }
        expected: dict[str, Any] = {
            "flowSpec.id": flow_spec_id,
            "sourceConnectionIds": [source_connection_id],
            "targetConnectionIds": [target_connection_id],
            # startTime is left out: it is "now" on every run of an onboarding DAG.
            "scheduleParams.frequency": schedule_params["frequency"],
            "scheduleParams.interval": schedule_params.get("interval"),
        }
        steps = [dict(t) for t in transformations or []]
        if mapping_id:
            steps.append(
                {"name": "Mapping", "params": {"mappingId": mapping_id, "mappingVersion": mapping_version}}
            )
        if steps:
            body["transformations"] = steps
        return self._ensure(
            "dataflow",
            name,
            lambda: flows.find_by_name("flows", name),
            lambda: flows.create("flows", body)["id"],
            expected,
            on_conflict,
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
