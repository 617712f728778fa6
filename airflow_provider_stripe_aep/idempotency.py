"""Get-or-create for any AEP resource: look it up by name, reuse it, or create it once.

AEP has no unique-name constraint, so the name is the key: a create is sent only when no resource
with that name exists, and after an ambiguous create (the POST may have been carried out) the
lookup runs again before any second POST.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from airflow_provider_stripe_aep.client import AEPAmbiguousError, AEPResourceConflictError

OnConflict = Literal["fail", "reuse", "update"]
# "update" changes an existing dataflow to match (hook `ensure_dataflow`); other kinds treat it as "fail".
ON_CONFLICT_VALUES: tuple[str, ...] = ("fail", "reuse", "update")


def dig(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def differences(existing: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """`field: existing != asked` for every expected dotted field that differs."""
    diffs = []
    for dotted, want in expected.items():
        have = dig(existing, dotted)
        if isinstance(want, list) and isinstance(have, list):
            same = sorted(map(str, have)) == sorted(map(str, want))
        else:
            same = str(have) == str(want)
        if not same:
            diffs.append(f"{dotted}: existing {have!r} != asked {want!r}")
    return diffs


def ensure(
    kind: str,
    name: str,
    *,
    find: Callable[[], dict[str, Any] | None],
    create: Callable[[], str],
    expected: dict[str, Any],
    on_conflict: OnConflict,
    log: Any,
) -> str:
    """The ID of the resource named `name`: the existing one, or one created now."""
    existing = find()
    if existing is None:
        try:
            new_id = create()
        except AEPAmbiguousError as exc:
            log.warning("Creating %s %r may or may not have worked (%s); looking it up", kind, name, exc)
            existing = find()
            if existing is None:
                log.info("No %s named %r exists; sending the create once more", kind, name)
                new_id = create()
                log.info("Created %s %r: %s", kind, name, new_id)
                return new_id
        else:
            log.info("Created %s %r: %s", kind, name, new_id)
            return new_id
    existing_id = str(existing.get("id") or existing.get("$id"))
    diffs = differences(existing, expected)
    if diffs and on_conflict != "reuse":
        raise AEPResourceConflictError(
            f"A {kind} named {name!r} already exists ({existing_id}) but differs from what was asked: "
            + "; ".join(diffs)
            + ". Choose another name, delete it, or set on_conflict='reuse'."
        )
    if diffs:
        log.warning("Reusing %s %r (%s) despite differences: %s", kind, name, existing_id, "; ".join(diffs))
    else:
        log.info("Reusing existing %s %r: %s", kind, name, existing_id)
    return existing_id
