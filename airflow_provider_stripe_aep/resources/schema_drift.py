"""Schema drift: what changed between the field group and mapping set AEP holds and the ones the
explore response (with Stripe's field types) asks for now, and the additive changes that carry it.

Adobe's rule (reference §8c, schema composition guide): once a schema has ingested data or is enabled
for Profile, only additive changes are allowed - fields may be added, never removed, renamed, retyped
or moved. A field group grows with `PATCH` JSON Patch `add` operations at
`/definitions/<def>/properties/_<TENANT>/properties/<field>`; a mapping set grows by `PUT`, which makes
its next version. Everything here is compared leaf by leaf (`facts.field_tree`), so a typed Stripe
object mapped field by field drifts field by field. Pure: no HTTP, no Airflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from airflow_provider_stripe_aep.resources.facts import field_tree, mapping_set_facts

OnSchemaChange = Literal["fail", "ignore", "extend"]
"""See `validation.ON_SCHEMA_CHANGE_ALLOWED`."""

ADDITIVE_RULE = (
    "AEP allows only additive changes to a schema that has ingested data or is enabled for Profile: "
    "fields may be added, never removed, renamed, retyped or moved"
)


@dataclass(frozen=True)
class FieldDrift:
    """Leaf fields (`_<tenant>.<resource>_data.<path>` -> type) that differ."""

    added: dict[str, str] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)
    retyped: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.retyped)

    @property
    def additive(self) -> bool:
        return not (self.removed or self.retyped)

    def refusals(self) -> list[str]:
        """One line per change AEP forbids, naming the field and the rule."""
        lines = [
            f"{path}: type {old} -> {new} is a retype ({ADDITIVE_RULE})"
            for path, (old, new) in sorted(self.retyped.items())
        ]
        lines += [f"{path}: is gone from the source ({ADDITIVE_RULE})" for path in sorted(self.removed)]
        return lines

    def describe(self) -> list[str]:
        """Every change, one line each (`+ path (type)`, `- path (type)`, `~ path: old -> new`)."""
        lines = [f"+ {path} ({kind})" for path, kind in sorted(self.added.items())]
        lines += [f"- {path} ({kind})" for path, kind in sorted(self.removed.items())]
        lines += [f"~ {path}: {old} -> {new}" for path, (old, new) in sorted(self.retyped.items())]
        return lines


def field_drift(existing_group: Mapping[str, Any], wanted_group: Mapping[str, Any]) -> FieldDrift:
    """The leaf fields `wanted_group` adds to, removes from or retypes in `existing_group`."""
    have = field_tree(dict(existing_group))
    want = field_tree(dict(wanted_group))
    return FieldDrift(
        added={p: t for p, t in want.items() if p not in have},
        removed={p: t for p, t in have.items() if p not in want},
        retyped={p: (have[p], want[p]) for p in want if p in have and have[p] != want[p]},
    )


def _pointer_token(name: str) -> str:
    return str(name).replace("~", "~0").replace("/", "~1")


def _add_ops(have: Any, want: Any, pointer: str, ops: list[dict[str, Any]]) -> None:
    """`add` for every property of `want` missing from `have` (a whole subtree when its top is
    missing); recurse into properties both have."""
    have_props = have.get("properties") if isinstance(have, dict) else None
    want_props = want.get("properties") if isinstance(want, dict) else None
    if not isinstance(want_props, dict):
        return
    have_props = have_props if isinstance(have_props, dict) else {}
    for name, node in want_props.items():
        path = f"{pointer}/properties/{_pointer_token(name)}"
        if name not in have_props:
            ops.append({"op": "add", "path": path, "value": node})
        else:
            _add_ops(have_props[name], node, path, ops)


def field_group_add_ops(
    existing_group: Mapping[str, Any], wanted_group: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The JSON Patch `add` operations that give `existing_group` every field of `wanted_group`
    (reference §8c: `/definitions/<def>/properties/_<TENANT>/properties/<field>`). Only adds: call it
    after `field_drift(...).additive` said the change is additive."""
    ops: list[dict[str, Any]] = []
    have_defs = existing_group.get("definitions") or {}
    want_defs = wanted_group.get("definitions") or {}
    for name, definition in want_defs.items() if isinstance(want_defs, dict) else ():
        pointer = f"/definitions/{_pointer_token(name)}"
        if name not in have_defs:
            ops.append({"op": "add", "path": pointer, "value": definition})
        else:
            _add_ops(have_defs[name], definition, pointer, ops)
    return ops


@dataclass(frozen=True)
class MappingDrift:
    """Mappings (destination -> `SOURCETYPE source`) that differ."""

    added: dict[str, str] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    @property
    def additive(self) -> bool:
        return not (self.removed or self.changed)

    def refusals(self) -> list[str]:
        lines = [
            f"{dest}: mapped from {old} -> {new} (a mapping that changes is not additive)"
            for dest, (old, new) in sorted(self.changed.items())
        ]
        lines += [f"{dest}: no longer mapped ({ADDITIVE_RULE})" for dest in sorted(self.removed)]
        return lines


def mapping_drift(existing_set: Mapping[str, Any], wanted_body: Mapping[str, Any]) -> MappingDrift:
    have = mapping_set_facts(dict(existing_set))["mappings"]
    want = mapping_set_facts(dict(wanted_body))["mappings"]
    return MappingDrift(
        added={d: s for d, s in want.items() if d not in have},
        removed={d: s for d, s in have.items() if d not in want},
        changed={d: (have[d], want[d]) for d in want if d in have and have[d] != want[d]},
    )


_MAPPING_KEYS = ("sourceType", "source", "destination", "name", "description")


def extended_mapping_set(existing_set: Mapping[str, Any], wanted_body: Mapping[str, Any]) -> dict[str, Any]:
    """The `PUT /mappingSets/{id}` body of the next version: the existing mappings as they are, then
    the wanted ones whose destination is new; the output schema of `wanted_body`."""
    kept = [
        {k: m[k] for k in _MAPPING_KEYS if k in m}
        for m in existing_set.get("mappings") or []
        if isinstance(m, dict)
    ]
    have = {str(m.get("destination")) for m in kept}
    added = [dict(m) for m in wanted_body.get("mappings") or [] if str(m.get("destination")) not in have]
    body = {k: v for k, v in wanted_body.items() if k != "mappings"}
    body["mappings"] = kept + added
    return body
