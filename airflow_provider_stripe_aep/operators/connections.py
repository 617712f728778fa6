"""Flow Service connection steps: base connection, explore, source connection, target connection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.providers.common.compat.sdk import BaseHook, mask_secret

from airflow_provider_stripe_aep.hooks.stripe import StripeHook
from airflow_provider_stripe_aep.operators.base import AEPBaseOperator
from airflow_provider_stripe_aep.sources import stripe
from airflow_provider_stripe_aep.validation import (
    InvalidInputError,
    validate_data_format,
    validate_id,
    validate_name,
    validate_resource_path,
    validate_table_path,
)

#: Attributes of an Airflow connection an auth param may be read from (besides `extra.<key>`).
CONNECTION_ATTRIBUTES = ("host", "login", "password", "schema", "port")
#: Attributes whose values are secrets: masked in logs, never shown in errors.
SECRET_ATTRIBUTES = ("password",)


def _auth_param_source(attribute: Any) -> str:
    allowed = f"must be one of {', '.join(CONNECTION_ATTRIBUTES)} or extra.<key>"
    if not isinstance(attribute, str) or not (
        attribute in CONNECTION_ATTRIBUTES or (attribute.startswith("extra.") and len(attribute) > 6)
    ):
        raise InvalidInputError("auth_fields", attribute, allowed)
    return attribute


class AEPCreateBaseConnectionOperator(AEPBaseOperator):
    """Create (or reuse) the base connection of any Flow Service source; returns its ID.

    The auth params are read at run time from an Airflow connection (`auth_conn_id`), so secrets stay
    out of DAG code, rendered templates, XCom and logs. `auth_fields` says which auth param comes from
    which connection attribute, e.g. PayPal's `{"host": "host", "clientId": "login",
    "clientSecret": "password"}`; values from `password` and `extra` are registered as secrets.

    :param name: base connection name (used to find it again).
    :param connection_spec_id: the source's connection spec (Stripe's by default).
    :param auth_spec_name: the `auth.specName` of that spec.
    :param auth_conn_id: the Airflow connection holding the source's credentials.
    :param auth_fields: auth param -> `host`, `login`, `password`, `schema`, `port` or `extra.<key>`.
    """

    template_fields: Sequence[str] = ("aep_conn_id", "name", "description", "auth_conn_id")

    def __init__(
        self,
        *,
        name: str,
        auth_conn_id: str,
        auth_fields: Mapping[str, str],
        connection_spec_id: str = stripe.STRIPE_CONNECTION_SPEC_ID,
        auth_spec_name: str = stripe.STRIPE_AUTH_SPEC_NAME,
        description: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(auth_fields, Mapping) or not auth_fields:
            raise InvalidInputError("auth_fields", auth_fields, "must map each auth param to an attribute")
        self.auth_fields = {name: _auth_param_source(attr) for name, attr in auth_fields.items()}
        self.name = name
        self.auth_conn_id = auth_conn_id
        self.connection_spec_id = connection_spec_id
        self.auth_spec_name = auth_spec_name
        self.description = description

    def _auth_params(self) -> dict[str, Any]:
        conn = BaseHook.get_connection(self.auth_conn_id)
        extra = conn.extra_dejson
        params: dict[str, Any] = {}
        for param, attribute in self.auth_fields.items():
            is_extra = attribute.startswith("extra.")
            value = extra.get(attribute[6:]) if is_extra else getattr(conn, attribute, None)
            secret = is_extra or attribute in SECRET_ATTRIBUTES
            if value is None or value == "":
                raise InvalidInputError(
                    f"{self.auth_conn_id}.{attribute}",
                    value,
                    f"must be set: it is the {param!r} auth param of the base connection",
                )
            if secret:
                mask_secret(str(value))
            params[param] = value
        return params

    def execute(self, context: Any) -> str:
        name = validate_name(self.name, "name")
        spec_id = validate_id(self.connection_spec_id, "connection_spec_id")
        auth_spec = validate_name(self.auth_spec_name, "auth_spec_name")
        return self.hook.ensure_base_connection(
            name,
            auth_params=self._auth_params(),
            connection_spec_id=spec_id,
            auth_spec_name=auth_spec,
            description=self.description,
            on_conflict=self.on_conflict,
        )


class AEPCreateStripeBaseConnectionOperator(AEPCreateBaseConnectionOperator):
    """The base connection preset for Stripe: Stripe's connection spec, its secret key as the
    `accessToken` auth param, read at run time from the `stripe` connection (so it never appears in
    DAG code, rendered templates, XCom or logs); returns its ID.

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
        super().__init__(
            name=name,
            auth_conn_id=stripe_conn_id,
            auth_fields={"accessToken": "password"},
            description=description,
            **kwargs,
        )
        self.stripe_conn_id = stripe_conn_id

    def _auth_params(self) -> dict[str, Any]:
        """The key through StripeHook: it says where to find the key when it is missing."""
        return {"accessToken": StripeHook(self.stripe_conn_id).get_api_key()}


class _AEPExploreOperator(AEPBaseOperator):
    """What exploring one object of a source shares: the base connection, `preview`, a log line.
    A subclass holds the object (a table, a resource path) and says how it is checked and explored."""

    def __init__(self, *, base_connection_id: str, preview: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_connection_id = base_connection_id
        self.preview = preview

    def _explore(self, base_connection_id: str) -> tuple[str, dict[str, Any], str]:
        """(the checked object, the explore response, a summary for the log)."""
        raise NotImplementedError

    def execute(self, context: Any) -> dict[str, Any]:
        base_id = validate_id(self.base_connection_id, "base_connection_id")
        explored_object, explored, summary = self._explore(base_id)
        self.log.info("Explored %r: %s", explored_object, summary)
        return explored


class AEPExploreTableOperator(_AEPExploreOperator):
    """Explore one table of a table-based source (payments apps such as PayPal); returns the explore
    response (`{"format": "flat", "schema": {"columns": [...]}}`), from which the schema and mapping
    are inferred.

    :param base_connection_id: the base connection (XCom of the base-connection task).
    :param table_path: the table, e.g. `PayPal.Catalog_Products`.
    :param preview: also return sample rows (`data`).
    """

    template_fields: Sequence[str] = ("aep_conn_id", "base_connection_id", "table_path")

    def __init__(self, *, table_path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.table_path = table_path

    def _explore(self, base_connection_id: str) -> tuple[str, dict[str, Any], str]:
        table_path = validate_table_path(self.table_path)
        explored = self.hook.explore_table(base_connection_id, table_path, preview=self.preview)
        columns = (explored.get("schema") or {}).get("columns") or []
        return table_path, explored, f"{len(columns)} columns"


class AEPExploreStripeResourceOperator(_AEPExploreOperator):
    """Explore one Stripe resource path through the base connection; returns the explore response
    (`{"format": "hierarchical", "schema": {...}}`), from which the schema and mapping are inferred.

    :param base_connection_id: the base connection (XCom of the base-connection task).
    :param resource_path: one of charges, subscriptions, refunds, balance_transactions, customers, prices.
    :param preview: also return sample records (`data`).
    """

    template_fields: Sequence[str] = ("aep_conn_id", "base_connection_id", "resource_path")

    def __init__(self, *, resource_path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.resource_path = resource_path

    def _explore(self, base_connection_id: str) -> tuple[str, dict[str, Any], str]:
        resource_path = validate_resource_path(self.resource_path)
        explored = self.hook.explore(base_connection_id, resource_path, preview=self.preview)
        data = ((explored.get("schema") or {}).get("properties") or {}).get("data") or {}
        return resource_path, explored, f"{len(data.get('properties') or {})} top-level fields"


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

    def _source_params(self) -> dict[str, Any]:
        return dict(self.source_params)

    def execute(self, context: Any) -> str:
        name = validate_name(self.name, "name")
        base_id = validate_id(self.base_connection_id, "base_connection_id")
        return self.hook.ensure_source_connection(
            name,
            base_connection_id=base_id,
            connection_spec_id=validate_id(self.connection_spec_id, "connection_spec_id"),
            params=self._source_params(),
            data_format=validate_data_format(self.data_format, ("tabular", "json", "delimited", "parquet")),
            description=self.description,
            on_conflict=self.on_conflict,
        )


class AEPCreateStripeSourceConnectionOperator(AEPCreateSourceConnectionOperator):
    """The source connection preset for one Stripe resource path (Stripe's spec, `json` data,
    `params.resourcePath`); returns its ID.

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

    def __init__(self, *, resource_path: str, **kwargs: Any) -> None:
        super().__init__(
            connection_spec_id=stripe.STRIPE_CONNECTION_SPEC_ID,
            source_params={},
            data_format=stripe.STRIPE_DATA_FORMAT,
            **kwargs,
        )
        self.resource_path = resource_path

    def _source_params(self) -> dict[str, Any]:
        return {"resourcePath": validate_resource_path(self.resource_path)}


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
    "AEPCreateBaseConnectionOperator",
    "AEPCreateSourceConnectionOperator",
    "AEPCreateStripeBaseConnectionOperator",
    "AEPCreateStripeSourceConnectionOperator",
    "AEPCreateTargetConnectionOperator",
    "AEPExploreStripeResourceOperator",
    "AEPExploreTableOperator",
]
