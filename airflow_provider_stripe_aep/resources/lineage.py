"""What the lineage of an onboarded flow is made of, as plain data (no OpenLineage import here):
the names of its input and output datasets, the output's schema fields, and a run's statistics.

OpenLineage's naming spec has no entry for Stripe or AEP yet; both follow its REST-API proposal,
namespace = the API's scheme and host, name = the resource's path (docs/lineage.md explains why):

- a Stripe resource: `https://api.stripe.com` + `/v1/<resource path>` (`/v1/charges`);
- a table of a table-based source (seed 004's payments apps): the source's API host + `/<table path>`;
- an AEP dataset: the AEP connection's host (`https://platform.adobe.io`) +
  `/data/foundation/catalog/dataSets/<dataset ID>`, the dataset's Catalog path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit

STRIPE_API = "https://api.stripe.com"
STRIPE_API_VERSION_PATH = "/v1"
CATALOG_DATASETS_PATH = "/data/foundation/catalog/dataSets"


class LineageDataset(NamedTuple):
    namespace: str
    name: str

    def as_dict(self) -> dict[str, str]:
        return {"namespace": self.namespace, "name": self.name}


def stripe_resource_dataset(resource_path: str) -> LineageDataset:
    """The Stripe resource a flow reads (`charges` -> `https://api.stripe.com` + `/v1/charges`).
    `resource_path` may be a Jinja template: it is only placed in the name."""
    return LineageDataset(STRIPE_API, f"{STRIPE_API_VERSION_PATH}/{resource_path.strip('/')}")


def table_dataset(api_host: str, table_path: str) -> LineageDataset:
    """A table of a table-based source (`PayPal.Catalog_Products` on the PayPal API's host)."""
    return LineageDataset(host_namespace(api_host), f"/{table_path.strip('/')}")


def host_namespace(url: str) -> str:
    """`scheme://host[:port]` of a URL, lowercased (`https://platform.adobe.io/` -> same, no slash)."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"not an absolute URL: {url!r}")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def aep_dataset(platform_url: str, dataset_id: str) -> LineageDataset:
    """The AEP dataset `dataset_id` on the platform at `platform_url` (the connection's host)."""
    return LineageDataset(host_namespace(platform_url), f"{CATALOG_DATASETS_PATH}/{dataset_id}")


def _leaf_fields(properties: Mapping[str, Any], prefix: str) -> list[dict[str, str]]:
    fields: list[dict[str, str]] = []
    for name, spec in properties.items():
        if not isinstance(spec, Mapping):
            continue
        path = f"{prefix}.{name}" if prefix else str(name)
        nested = spec.get("properties")
        if spec.get("type") == "object" and isinstance(nested, Mapping) and nested:
            fields.extend(_leaf_fields(nested, path))
            continue
        field = {"name": path, "type": str(spec.get("type") or "object")}
        if isinstance(spec.get("format"), str):
            field["type"] = f"{field['type']}:{spec['format']}"
        fields.append(field)
    return fields


def field_group_fields(field_group: Mapping[str, Any]) -> list[dict[str, str]]:
    """The fields of an XDM field group body (`definitions.*.properties`), as `{name, type}` with
    the field's XDM path (`_tenant.charges_data.amount`) and its type (`string:date-time` when the
    field has a format). Objects are walked into; arrays and maps are one field each. Schema only:
    no example or default value is read."""
    fields: list[dict[str, str]] = []
    definitions = field_group.get("definitions")
    if isinstance(definitions, Mapping):
        for definition in definitions.values():
            if isinstance(definition, Mapping) and isinstance(definition.get("properties"), Mapping):
                fields.extend(_leaf_fields(definition["properties"], ""))
    return fields


def output_statistics(summary: Mapping[str, Any]) -> dict[str, int] | None:
    """OpenLineage's output statistics of a run summary: `rowCount` = the run's `outputRecordCount`,
    `size` = its `outputBytes`; None when the run reported neither."""
    counts = summary.get("counts") or {}
    sizes = summary.get("bytes") or {}
    stats: dict[str, int] = {}
    if isinstance(counts.get("outputRecordCount"), int):
        stats["rowCount"] = counts["outputRecordCount"]
    if isinstance(sizes.get("outputBytes"), int):
        stats["size"] = sizes["outputBytes"]
    return stats or None
