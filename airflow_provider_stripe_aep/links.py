"""Links from Airflow to the AEP UI, and the Airflow Asset (Dataset on 2.x) of a target dataset.

The UI URL shape (`https://experience.adobe.com/#/@<org>/sname:<sandbox>/platform/source/dataflows/<id>`)
is inferred from the Experience Cloud's URL scheme: Adobe documents no deep link to a dataflow. The
links are built only from non-secret data the task pushed to XCom (org ID, sandbox, flow and run IDs).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from airflow.providers.common.compat.sdk import Asset, AssetAlias, BaseOperatorLink, XCom

from airflow_provider_stripe_aep.version_compat import AIRFLOW_V_3_0_PLUS

AEP_UI = "https://experience.adobe.com"
LINK_XCOM_KEY = "aep_link"


def dataflow_url(org_id: str, sandbox: str, flow_id: str) -> str:
    return f"{AEP_UI}/#/@{quote(org_id)}/sname:{quote(sandbox)}/platform/source/dataflows/{quote(flow_id)}"


def run_url(org_id: str, sandbox: str, flow_id: str, run_id: str) -> str:
    return f"{dataflow_url(org_id, sandbox, flow_id)}/runs/{quote(run_id)}"


def push_link(context: Any, *, org_id: str, sandbox: str, flow_id: str, run_id: str | None = None) -> None:
    """Record what the extra links need (no secret) in the task instance's XCom."""
    ti = context.get("ti") if hasattr(context, "get") else None
    if ti is None:  # called outside a task run (tests calling execute({}) directly)
        return
    value = {"org_id": org_id, "sandbox": sandbox, "flow_id": flow_id, "run_id": run_id}
    ti.xcom_push(key=LINK_XCOM_KEY, value=value)


def _pushed(ti_key: Any) -> dict[str, Any] | None:
    value = XCom.get_value(ti_key=ti_key, key=LINK_XCOM_KEY)
    return value if isinstance(value, dict) and value.get("flow_id") else None


class AEPDataflowLink(BaseOperatorLink):
    """The dataflow in the AEP UI."""

    name = "AEP dataflow"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        pushed = _pushed(ti_key)
        if pushed is None:
            return ""
        return dataflow_url(pushed["org_id"], pushed["sandbox"], pushed["flow_id"])


class AEPDataflowRunLink(BaseOperatorLink):
    """The dataflow run in the AEP UI (the dataflow when the run is not known yet)."""

    name = "AEP dataflow run"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        pushed = _pushed(ti_key)
        if pushed is None:
            return ""
        if not pushed.get("run_id"):
            return dataflow_url(pushed["org_id"], pushed["sandbox"], pushed["flow_id"])
        return run_url(pushed["org_id"], pushed["sandbox"], pushed["flow_id"], pushed["run_id"])


def dataset_asset_uri(sandbox: str, dataset_name: str) -> str:
    """`aep://<sandbox>/datasets/<dataset name>`: known before run time, unlike the dataset's ID."""
    return f"aep://{quote(sandbox, safe='')}/datasets/{quote(dataset_name, safe='')}"


def dataset_asset(sandbox: str, dataset_name: str) -> Any:
    """The Airflow Asset (Airflow 3) / Dataset (2.x) of a target dataset, for `outlets=[...]`; a DAG
    scheduled on it runs when new Stripe data has landed in that dataset."""
    return Asset(dataset_asset_uri(sandbox, dataset_name))


def dataset_alias(name: str) -> Any:
    """An AssetAlias (Airflow 3) / DatasetAlias (2.x): an outlet whose Asset is chosen at run time."""
    return AssetAlias(name)


def announce_dataset(
    context: Any, alias: str, sandbox: str, dataset_name: str, extra: dict[str, Any] | None = None
) -> Any:
    """Emit the target dataset's Asset event (with `extra`) through the task's alias outlet `alias`;
    returns the Asset. The dataset is the one the run actually wrote to, known only at run time."""
    asset = dataset_asset(sandbox, dataset_name)
    events = context.get("outlet_events") if hasattr(context, "get") else None
    if events is None:  # called outside a task run
        return asset
    events[AssetAlias(alias)].add(asset, extra=_alias_extra(extra or {}))
    return asset


def _alias_extra(extra: dict[str, Any]) -> dict[str, Any]:
    """Airflow 2.11 groups a DatasetAlias's events by `frozenset(extra.items())`, so there a nested value
    (a dict or list) travels as JSON text; `run_status.runs_in_events` reads both forms back."""
    if AIRFLOW_V_3_0_PLUS:
        return extra
    return {k: json.dumps(v, sort_keys=True) if isinstance(v, dict | list) else v for k, v in extra.items()}


def dataflow_runs_asset_uri(sandbox: str, dataflow_name: str) -> str:
    """`aep://<sandbox>/dataflows/<dataflow name>/runs`: the runs of one dataflow, as AEP reports them."""
    return f"aep://{quote(sandbox, safe='')}/dataflows/{quote(dataflow_name, safe='')}/runs"


def dataflow_runs_asset(sandbox: str, dataflow_name: str, watchers: list[Any] | None = None) -> Any:
    """The Asset that an `AssetWatcher` on AEP's runs of a dataflow feeds (Airflow 3): one event per
    run that ended, whoever started it. Apart from the dataset's Asset, which the ingest DAG announces
    for the runs it starts, so a DAG scheduled on this one hears each run once (docs/asset-events.md)."""
    uri = dataflow_runs_asset_uri(sandbox, dataflow_name)
    return Asset(uri, watchers=watchers) if watchers else Asset(uri)
