"""OpenLineage objects from this provider's lineage data (resources/lineage.py).

Imports OpenLineage only inside its functions, which only `get_openlineage_facets_on_*` methods call:
without the `[openlineage]` extra nothing imports it, and these functions return None. They use what
the task already knows; no function here makes a request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_stripe_aep.resources.lineage import LineageDataset

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage


def operator_lineage(
    inputs: Sequence[LineageDataset],
    outputs: Sequence[LineageDataset],
    *,
    output_fields: Sequence[Mapping[str, str]] | None = None,
    output_statistics: Mapping[str, int] | None = None,
) -> OperatorLineage | None:
    """An `OperatorLineage` with these input and output datasets; the outputs carry the schema facet
    (`output_fields`: `{name, type}`) and the output statistics facet (`rowCount`, `size`).
    None when the OpenLineage provider is not installed."""
    try:
        from airflow.providers.common.compat.openlineage.facet import (
            Dataset,
            OutputDataset,
            OutputStatisticsOutputDatasetFacet,
            SchemaDatasetFacet,
            SchemaDatasetFacetFields,
        )
        from airflow.providers.openlineage.extractors import OperatorLineage
    except ImportError:
        return None

    facets: dict[str, Any] = {}
    if output_fields:
        facets["schema"] = SchemaDatasetFacet(
            fields=[SchemaDatasetFacetFields(name=f["name"], type=f.get("type")) for f in output_fields]
        )
    output_facets: dict[str, Any] = {}
    if output_statistics:
        output_facets["outputStatistics"] = OutputStatisticsOutputDatasetFacet(
            rowCount=output_statistics.get("rowCount"), size=output_statistics.get("size")
        )
    return OperatorLineage(
        inputs=[Dataset(namespace=d.namespace, name=d.name) for d in inputs],
        outputs=[
            OutputDataset(
                namespace=d.namespace, name=d.name, facets=dict(facets), outputFacets=dict(output_facets)
            )
            for d in outputs
        ],
    )
