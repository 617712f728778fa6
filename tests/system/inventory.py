"""What an emulator holds, by kind and name, read from its `/_emulator/state` dump; and what an
onboarding should have made. Shared by the real-Airflow tests, the crash tests and `scripts/soak.py`."""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from collections.abc import Iterable
from typing import Any

# state-dump key -> (kind, name field)
KINDS: dict[str, tuple[str, str]] = {
    "connections": ("base connection", "name"),
    "sourceConnections": ("source connection", "name"),
    "fieldGroups": ("field group", "title"),
    "schemas": ("schema", "title"),
    "dataSets": ("dataset", "name"),
    "targetConnections": ("target connection", "name"),
    "mappingSets": ("mapping set", "name"),
    "flows": ("dataflow", "name"),
}
PER_PATH_KINDS = tuple(kind for kind, _ in KINDS.values() if kind != "base connection")
TOKEN = re.compile(r"emu\.[A-Za-z0-9_-]{20,}")


def state_dump(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/_emulator/state", timeout=30) as response:
        return dict(json.loads(response.read()))


def emulator_requests(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/_emulator/requests", timeout=30) as response:
        return list(json.loads(response.read()))


def resources(dump: dict[str, Any], sandbox: str = "prod") -> dict[str, list[dict[str, Any]]]:
    """Every resource of the sandbox as `{kind: [{"id", "name", "created"}, ...]}`."""
    store = dump["sandboxes"][sandbox]
    found: dict[str, list[dict[str, Any]]] = {kind: [] for kind, _ in KINDS.values()}
    for key, (kind, name_field) in KINDS.items():
        items = store.get(key, [])
        for item_id, item in items.items() if isinstance(items, dict) else ((None, i) for i in items):
            found[kind].append(
                {
                    "id": item_id or item.get("id") or item.get("$id"),
                    "name": item.get(name_field),
                    "created": item.get("createdAt") or item.get("created"),
                }
            )
    return found


def with_prefix(found: dict[str, list[dict[str, Any]]], prefix: str) -> dict[str, list[dict[str, Any]]]:
    """Only the resources an onboarding with this `name_prefix` made."""
    return {
        kind: [r for r in items if str(r["name"] or "").startswith(f"{prefix} ")]
        for kind, items in found.items()
    }


def expected_counts(paths: int) -> dict[str, int]:
    """One shared base connection, and one of every other kind per resource path."""
    return {"base connection": 1, **{kind: paths for kind in PER_PATH_KINDS}}


def counts(found: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    return {kind: len(items) for kind, items in found.items()}


def duplicates(found: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    """Names that more than one resource of the same kind carries."""
    dupes = {}
    for kind, items in found.items():
        repeated = [name for name, n in Counter(r["name"] for r in items).items() if n > 1]
        if repeated:
            dupes[kind] = sorted(repeated)
    return dupes


def ids(found: dict[str, list[dict[str, Any]]]) -> set[str]:
    return {str(r["id"]) for items in found.values() for r in items}


def created_ids(values: Iterable[tuple[str, str, Any]]) -> list[tuple[str, str]]:
    """`(task, id)` of every create task's return value (`create_*` tasks, schema field group too)."""
    out = []
    for task_id, key, value in values:
        leaf = task_id.rsplit(".", 1)[-1]
        if not leaf.startswith("create_") or not isinstance(value, str):
            continue
        if key == "return_value" or key == "field_group_id":
            out.append((task_id, value))
    return out


def secrets_in(text: str, secrets: Iterable[str]) -> list[str]:
    """Which of the secrets occur in the text (returns them, for counting; never print them)."""
    return [s for s in secrets if s and s in text]
