"""Constants of a table-based payments source, as Adobe's payments tutorial (seed 004) documents them
for PayPal: connection spec, table `params.path`, the `CRMToAEP` flow spec and its `Copy` delta column.
"""

from __future__ import annotations

PAYPAL_CONNECTION_SPEC_ID = "221c7626-58f6-4eec-8ee2-042b0226f03b"
PAYPAL_AUTH_SPEC_NAME = "Client-Id-Secret Based Authentication"
#: Auth param of the base connection -> the attribute of the Airflow connection it is read from.
PAYPAL_AUTH_FIELDS: dict[str, str] = {"host": "host", "clientId": "login", "clientSecret": "password"}
PAYPAL_DEFAULT_CONN_ID = "paypal_default"
PAYPAL_LABEL = "PayPal"
PAYPAL_API = "https://api-m.paypal.com"
"""PayPal's REST API host: the namespace of a PayPal table's OpenLineage dataset (docs/lineage.md)."""
PAYPAL_DEFAULT_TABLE = "PayPal.Catalog_Products"

TABLE_DATA_FORMAT = "tabular"
CRM_FLOW_SPEC_NAME = "CRMToAEP"

#: The tutorial's example delta column; `yyyy-MM-dd HH:mm:ss` is the format it says is supported.
DEFAULT_DELTA_COLUMN = "updatedAt"
DEFAULT_DELTA_DATE_FORMAT = "YYYY-MM-DD"
DEFAULT_DELTA_TIMEZONE = "UTC"


def copy_transformation(
    delta_column: str, date_format: str | None = None, timezone: str | None = None
) -> dict[str, object]:
    """The `Copy` transformation of a table-based flow: which column tells new rows from old ones."""
    delta: dict[str, str] = {"name": delta_column}
    if date_format:
        delta["dateFormat"] = date_format
    if timezone:
        delta["timezone"] = timezone
    return {"name": "Copy", "params": {"deltaColumn": delta}}
