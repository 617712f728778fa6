"""Get-or-create for any AEP resource: look it up by name, reuse it, or create it once.

AEP has no unique-name constraint, so the name is the key: a create is sent only when no resource
with that name exists, and after an ambiguous create (the POST may have been carried out) the
lookup runs again before any second POST.
"""

from __future__ import annotations

import time
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


def differences(existing: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """`field: existing X != asked Y` for every expected dotted field that differs. A dict value is
    compared key by key (`fields.<path>: ...`), a list as a multiset, anything else as text."""
    diffs = []
    for dotted, want in expected.items():
        have = existing[dotted] if dotted in existing else dig(existing, dotted)
        if isinstance(want, dict):
            have_map = have if isinstance(have, dict) else {}
            for key in sorted(set(have_map) | set(want), key=str):
                if not _same(have_map.get(key), want.get(key)):
                    diffs.append(
                        f"{dotted}.{key}: existing {_show(have_map.get(key))} != asked {_show(want.get(key))}"
                    )
        elif not _same(have, want):
            diffs.append(f"{dotted}: existing {_show(have)} != asked {_show(want)}")
    return diffs


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
    failing when `on_conflict == "update"` (a policy the caller adds to ON_CONFLICT_VALUES)."""
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
