"""OpenLineage facets of the tasks that move data from a source into an AEP dataset.

Imports OpenLineage only inside `operator_lineage`, which only `get_openlineage_facets_on_*` methods
call: without the `[openlineage]` extra nothing imports it, and the methods return None. They use what
the task already knows (its arguments, the run it saw end); nothing here makes a request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_stripe_aep.resources.lineage import LineageDataset, aep_dataset, output_statistics

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


def lineage_input_dataset(value: Any) -> LineageDataset | None:
    """The `lineage_input` argument (`{"namespace": ..., "name": ...}`, e.g. from
    `resources.lineage.stripe_resource_dataset(...).as_dict()`) as a dataset, or None."""
    if isinstance(value, LineageDataset):
        return value
    if (
        isinstance(value, dict)
        and isinstance(value.get("namespace"), str)
        and isinstance(value.get("name"), str)
    ):
        return LineageDataset(value["namespace"], value["name"])
    return None


def lineage_fields(value: Any) -> list[dict[str, str]] | None:
    """The `dataset_fields` argument: a list of `{name, type}`, or that list as JSON (a template
    rendered with `| tojson`); None when it is neither."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, list) and all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in value):
        return value
    return None


class DataflowLineage:
    """OpenLineage facets for a task that (makes a dataflow that) moves a source into an AEP dataset:
    input `lineage_input`, output the dataset `dataset_id` on the AEP connection's host with its XDM
    fields `dataset_fields` (all three task arguments, templatable, none required), and on complete the
    output statistics of the run the task saw end (`_lineage_run`). Expects `hook` on the task."""

    lineage_input: Any = None
    dataset_id: Any = None
    dataset_fields: Any = None
    hook: Any

    def _lineage_run(self) -> Mapping[str, Any] | None:
        """The run summary whose counts become the output statistics (None: no run)."""
        return None

    def _dataflow_lineage(self, run: Mapping[str, Any] | None) -> OperatorLineage | None:
        source = lineage_input_dataset(self.lineage_input)
        outputs = []
        if isinstance(self.dataset_id, str) and self.dataset_id not in ("", "None"):
            outputs.append(aep_dataset(self.hook.client_config.base_url, self.dataset_id))
        return operator_lineage(
            [source] if source else [],
            outputs,
            output_fields=lineage_fields(self.dataset_fields),
            output_statistics=output_statistics(run) if run else None,
        )

    def get_openlineage_facets_on_start(self) -> OperatorLineage | None:
        """The source (the Stripe resource) as input, the AEP dataset with its XDM fields as output;
        built from the task's arguments, no request."""
        return self._dataflow_lineage(None)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage | None:
        """As on start, plus the output statistics (`rowCount` = `outputRecordCount`, `size` =
        `outputBytes`) of the run the task saw end, if any; no request."""
        return self._dataflow_lineage(self._lineage_run())
