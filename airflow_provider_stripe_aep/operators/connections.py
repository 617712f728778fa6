"""Flow Service connection steps: base connection, explore, source connection, target connection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_stripe_aep.hooks.stripe import StripeHook
from airflow_provider_stripe_aep.operators.base import AEPBaseOperator
from airflow_provider_stripe_aep.validation import (
    validate_data_format,
    validate_id,
    validate_name,
    validate_resource_path,
)


class AEPCreateStripeBaseConnectionOperator(AEPBaseOperator):
    """Create (or reuse) the Stripe base connection; returns its ID.

    The Stripe secret key is read from the `stripe` connection at run time, so it never appears in
    DAG code, rendered templates, XCom or logs.

    :param name: base connection name (unique in the sandbox; used to find it again).
    :param stripe_conn_id: connection of type `stripe` whose password is the secret API key.
    """

    template_fields: Sequence[str] = ("aep_conn_id", "name", "description", "stripe_conn_id")

    def __init__(
        self,
        *,
        name: str,
        stripe_conn_id: str = StripeHook.default_conn_name,
        description: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.stripe_conn_id = stripe_conn_id
        self.description = description

    def execute(self, context: Any) -> str:
        name = validate_name(self.name, "name")
        api_key = StripeHook(self.stripe_conn_id).get_api_key()
        return self.hook.ensure_base_connection(
            name,
            auth_params={"accessToken": api_key},
            description=self.description,
            on_conflict=self.on_conflict,
        )


class AEPExploreStripeResourceOperator(AEPBaseOperator):
    """Explore one Stripe resource path through the base connection; returns the explore response
    (`{"format": "hierarchical", "schema": {...}}`), from which the schema and mapping are inferred.

    :param base_connection_id: the base connection (XCom of the base-connection task).
    :param resource_path: one of charges, subscriptions, refunds, balance_transactions, customers, prices.
    :param preview: also return sample records (`data`).
    """

    template_fields: Sequence[str] = ("aep_conn_id", "base_connection_id", "resource_path")

    def __init__(
        self, *, base_connection_id: str, resource_path: str, preview: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.base_connection_id = base_connection_id
        self.resource_path = resource_path
        self.preview = preview

    def execute(self, context: Any) -> dict[str, Any]:
        base_id = validate_id(self.base_connection_id, "base_connection_id")
        resource_path = validate_resource_path(self.resource_path)
        explored = self.hook.explore(base_id, resource_path, preview=self.preview)
        fields = (((explored.get("schema") or {}).get("properties") or {}).get("data") or {}).get(
            "properties"
        )
        self.log.info("Explored %r: %d top-level fields", resource_path, len(fields or {}))
        return explored


class AEPCreateStripeSourceConnectionOperator(AEPBaseOperator):
    """Create (or reuse) the source connection of one Stripe resource path; returns its ID.

    :param name: source connection name.
    :param base_connection_id: the base connection ID.
    :param resource_path: one of the six Stripe resource paths.
    """

    template_fields: Sequence[str] = (
        "aep_conn_id",
        "name",
        "description",
        "base_connection_id",
        "resource_path",
    )

    def __init__(
        self,
        *,
        name: str,
        base_connection_id: str,
        resource_path: str,
        description: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.base_connection_id = base_connection_id
        self.resource_path = resource_path
        self.description = description

    def execute(self, context: Any) -> str:
        name = validate_name(self.name, "name")
        base_id = validate_id(self.base_connection_id, "base_connection_id")
        resource_path = validate_resource_path(self.resource_path)
        return self.hook.ensure_source_connection(
            name,
            base_connection_id=base_id,
            params={"resourcePath": resource_path},
            description=self.description,
            on_conflict=self.on_conflict,
        )


class AEPCreateSourceConnectionOperator(AEPBaseOperator):
    """Create (or reuse) a source connection of any source, such as a table-based payments app
    (`data.format` `tabular`, `params.path`), as in Adobe's payments tutorial; returns its ID.

    :param connection_spec_id: the source's connection spec ID.
    :param source_params: the source connection `params` (e.g. `{"path": "PayPal.Catalog_Products"}`).
    :param data_format: `tabular` for table-based sources; `json`, `delimited`, `parquet` for files.
    """

    template_fields: Sequence[str] = (
        "aep_conn_id",
        "name",
        "description",
        "base_connection_id",
        "source_params",
    )

    def __init__(
        self,
        *,
        name: str,
        base_connection_id: str,
        connection_spec_id: str,
        source_params: dict[str, Any],
        data_format: str = "tabular",
        description: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.base_connection_id = base_connection_id
        self.connection_spec_id = connection_spec_id
        self.source_params = source_params
        self.data_format = data_format
        self.description = description

    def execute(self, context: Any) -> str:
        return self.hook.ensure_source_connection(
            validate_name(self.name, "name"),
            base_connection_id=validate_id(self.base_connection_id, "base_connection_id"),
            connection_spec_id=validate_id(self.connection_spec_id, "connection_spec_id"),
            params=dict(self.source_params),
            data_format=validate_data_format(self.data_format, ("tabular", "json", "delimited", "parquet")),
            description=self.description,
            on_conflict=self.on_conflict,
        )


class AEPCreateTargetConnectionOperator(AEPBaseOperator):
    """Create (or reuse) the data-lake target connection (`parquet_xdm`, schema, dataset); returns its ID."""

    template_fields: Sequence[str] = ("aep_conn_id", "name", "description", "schema_id", "dataset_id")

    def __init__(
        self, *, name: str, schema_id: str, dataset_id: str, description: str = "", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.schema_id = schema_id
        self.dataset_id = dataset_id
        self.description = description

    def execute(self, context: Any) -> str:
        return self.hook.ensure_target_connection(
            validate_name(self.name, "name"),
            schema_id=validate_id(self.schema_id, "schema_id", allow_slash=True),
            dataset_id=validate_id(self.dataset_id, "dataset_id"),
            description=self.description,
            on_conflict=self.on_conflict,
        )


__all__ = [
    "AEPCreateSourceConnectionOperator",
    "AEPCreateStripeBaseConnectionOperator",
    "AEPCreateStripeSourceConnectionOperator",
    "AEPCreateTargetConnectionOperator",
    "AEPExploreStripeResourceOperator",
]
