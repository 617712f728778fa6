"""Get-or-create for any AEP resource: look it up by name, reuse it, or create it once.

AEP has no unique-name constraint, so the name is the key: a create is sent only when no resource
with that name exists, and after an ambiguous create (the POST may have been carried out) the
lookup runs again before any second POST.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from airflow_provider_stripe_aep.client import AEPAmbiguousError, AEPResourceConflictError

OnConflict = Literal["fail", "reuse"]
ON_CONFLICT_VALUES: tuple[str, ...] = ("fail", "reuse")


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


# Concurrent creates --------------------------------------------------------------------------------
# Two processes that look up the same name at the same moment both find nothing and both create. After
# a create, `reconcile` lists every resource with that name: the oldest one wins, a loser deletes what
# it created and carries on with the winner. Both sides agree on the winner without talking to each
# other, because the side that saw only its own resource is the oldest one.

CREATED_FIELDS = ("createdAt", "created", "createdDate", "meta:createdDate")


def created_time(resource: dict[str, Any]) -> float:
    """When the resource was created, as AEP's lists report it (epoch ms, or ISO text); unknown: +inf."""
    for key in CREATED_FIELDS:
        value = resource.get(key)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str) and value:
            try:
                return float(value)
            except ValueError:
                try:
                    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000
                except ValueError:
                    continue
    return float("inf")


def resource_id(resource: dict[str, Any]) -> str:
    return str(resource.get("id") or resource.get("$id"))


def winner(same_name: list[dict[str, Any]]) -> dict[str, Any]:
    """The resource every racer keeps: the oldest; the smallest ID breaks a tie."""
    return min(same_name, key=lambda r: (created_time(r), resource_id(r)))


def reconcile(
    kind: str,
    name: str,
    created_id: str,
    *,
    find_all: Callable[[], list[dict[str, Any]]],
    delete: Callable[[str], None],
    log: Any,
) -> str:
    """The ID to use after creating `created_id`: the oldest resource named `name`. When another
    process created one too, the younger one is deleted by the process that made it."""
    same_name = find_all()
    if not any(resource_id(r) == created_id for r in same_name):
        return created_id  # lists lag behind creates; nothing to compare with yet
    if len(same_name) == 1:
        return created_id
    keep = resource_id(winner(same_name))
    if keep != created_id:
        log.warning(
            "Another run created %s %r at the same time (%s); deleting ours (%s) and using theirs",
            kind,
            name,
            keep,
            created_id,
        )
        delete(created_id)
    return keep


def ensure_reconciled(
    kind: str,
    name: str,
    *,
    find: Callable[[], dict[str, Any] | None],
    find_all: Callable[[], list[dict[str, Any]]],
    create: Callable[[], str],
    delete: Callable[[str], None],
    expected: dict[str, Any],
    on_conflict: OnConflict,
    log: Any,
) -> str:
    """`ensure`, then `reconcile` when this call created the resource: safe when other processes
    (another DAG, another run, a colleague's script) may onboard the same names at the same time."""
    created: list[str] = []

    def create_and_remember() -> str:
        new_id = create()
        created.append(new_id)
        return new_id

    got = ensure(
        kind, name, find=find, create=create_and_remember, expected=expected, on_conflict=on_conflict, log=log
    )
    if not created or got != created[-1]:
        return got
    return reconcile(kind, name, got, find_all=find_all, delete=delete, log=log)
