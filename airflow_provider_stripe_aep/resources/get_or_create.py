"""Get-or-create for any AEP resource: look it up by name, reuse it, or create it once.

AEP has no unique-name constraint, so the name is the key: a create is sent only when no resource
with that name exists, and after an ambiguous create (the POST may have been carried out) the
lookup runs again before any second POST.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from airflow_provider_stripe_aep.client import AEPAmbiguousError, AEPResourceConflictError

OnConflict = Literal["fail", "reuse", "update"]
# "update" changes an existing dataflow to match (hook `ensure_dataflow`); other kinds treat it as "fail".


def dig(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


MAX_DIFFERENCES_SHOWN = 20
CREATE_ROUNDS = 3
"""Creates sent per `ensure` call at most, each after a lookup found nothing; an ambiguous third
failure is left to Airflow's task retry (which looks up again first)."""

_ABSENT = "(absent)"


def _show(value: Any) -> str:
    return _ABSENT if value is None else repr(value)


def _same(have: Any, want: Any) -> bool:
    if isinstance(want, list) and isinstance(have, list):
        return sorted(map(str, have)) == sorted(map(str, want))
    if have is None or want is None:
        return have is None and want is None
    return str(have) == str(want)


def changed_fields(existing: dict[str, Any], expected: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """`(field, existing value, asked value)` for every expected dotted field that differs. A dict
    value is compared key by key (`fields.<path>`), a list as a multiset, anything else as text."""
    changes: list[tuple[str, Any, Any]] = []
    for dotted, want in expected.items():
        have = existing[dotted] if dotted in existing else dig(existing, dotted)
        if isinstance(want, dict):
            have_map = have if isinstance(have, dict) else {}
            for key in sorted(set(have_map) | set(want), key=str):
                if not _same(have_map.get(key), want.get(key)):
                    changes.append((f"{dotted}.{key}", have_map.get(key), want.get(key)))
        elif not _same(have, want):
            changes.append((dotted, have, want))
    return changes


def differences(existing: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """`field: existing X != asked Y` for every field `changed_fields` finds."""
    return [
        f"{field}: existing {_show(have)} != asked {_show(want)}"
        for field, have, want in changed_fields(existing, expected)
    ]


def _summary(diffs: list[str]) -> str:
    shown = "; ".join(diffs[:MAX_DIFFERENCES_SHOWN])
    more = len(diffs) - MAX_DIFFERENCES_SHOWN
    return shown + (f"; and {more} more difference(s)" if more > 0 else "")


def ensure(
    kind: str,
    name: str,
    *,
    find: Callable[[], dict[str, Any] | None],
    create: Callable[[], str],
    expected: dict[str, Any],
    on_conflict: OnConflict,
    log: Any,
    settle: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
    update: Callable[[dict[str, Any], list[str]], str] | None = None,
) -> str:
    """The ID of the resource named `name`: the existing one, or one created now.

    `find` returns the existing resource (with `id` or `$id`) in the shape `expected` describes,
    or None; `expected` maps dotted fields to what was asked. A create that may or may not have
    been carried out (AEPAmbiguousError) is followed by a lookup before any second POST; when it
    timed out (the service may still be working on it) and the first lookup finds nothing, a
    second lookup follows after `settle` seconds.

    `update(existing, differences)`, for kinds that can be changed in place, is called instead of
    failing when `on_conflict == "update"`."""
    existing = find()
    rounds = 0
    while existing is None:
        rounds += 1
        try:
            new_id = create()
        except AEPAmbiguousError as exc:
            if rounds >= CREATE_ROUNDS:
                raise
            log.warning("Creating %s %r may or may not have worked (%s); looking it up", kind, name, exc)
            existing = find()
            if existing is None and exc.timed_out and settle > 0:
                log.info("No %s named %r yet; looking again in %.1f s", kind, name, settle)
                sleep(settle)
                existing = find()
            if existing is None:
                log.info("No %s named %r exists; sending the create once more", kind, name)
            continue
        log.info("Created %s %r: %s", kind, name, new_id)
        return new_id
    existing_id = str(existing.get("id") or existing.get("$id"))
    diffs = differences(existing, expected)
    if diffs and update is not None and str(on_conflict) == "update":
        log.info("Updating %s %r (%s): %s", kind, name, existing_id, _summary(diffs))
        return update(existing, diffs)
    if diffs and on_conflict != "reuse":
        raise AEPResourceConflictError(
            f"A {kind} named {name!r} already exists ({existing_id}) but differs from what was asked: "
            + _summary(diffs)
            + ". Choose another name, delete it, or set on_conflict='reuse'."
        )
    if diffs:
        log.warning("Reusing %s %r (%s) despite differences: %s", kind, name, existing_id, _summary(diffs))
    else:
        log.info("Reusing existing %s %r: %s", kind, name, existing_id)
    return existing_id


# Concurrent creates --------------------------------------------------------------------------------
# Two processes that look up the same name at the same moment both find nothing and both create. After
# a create, `reconcile` lists every resource with that name: the oldest one wins, a loser deletes what
# it created and carries on with the winner. Both sides agree on the winner without talking to each
# other, because the side that saw only its own resource is the oldest one.

CREATED_FIELDS = (
    "createdAt",
    "created",
    "createdDate",
    "meta:createdDate",
    "meta:registryMetadata.repo:createdDate",
)


def created_time(resource: dict[str, Any]) -> float:
    """When the resource was created, as AEP's lists report it (epoch ms, or ISO text); unknown: +inf."""
    for key in CREATED_FIELDS:
        value = dig(resource, key)
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
    **ensure_options: Any,
) -> str:
    """`ensure`, then `reconcile` when this call created the resource: safe when other processes
    (another DAG, another run, a colleague's script) may onboard the same names at the same time.
    `ensure_options` (`settle`, `sleep`, `update`) go to `ensure`."""
    created: list[str] = []

    def create_and_remember() -> str:
        new_id = create()
        created.append(new_id)
        return new_id

    got = ensure(
        kind,
        name,
        find=find,
        create=create_and_remember,
        expected=expected,
        on_conflict=on_conflict,
        log=log,
        **ensure_options,
    )
    if not created or got != created[-1]:
        return got
    return reconcile(kind, name, got, find_all=find_all, delete=delete, log=log)
