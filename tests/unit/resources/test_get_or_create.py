"""The get-or-create engine: reuse, conflicts, and lookups after an ambiguous create."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from airflow_provider_stripe_aep.client import AEPAmbiguousError, AEPResourceConflictError
from airflow_provider_stripe_aep.resources.get_or_create import CREATE_ROUNDS, MAX_DIFFERENCES_SHOWN, ensure

log = logging.getLogger("test-ensure")


class Store:
    """A name-keyed store whose creates can fail ambiguously, acting or not."""

    def __init__(self, failures: list[bool] | None = None) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.failures = list(failures or [])  # per create: True = acted then failed, False = failed only
        self.calls: list[str] = []

    def find(self) -> dict[str, Any] | None:
        self.calls.append("find")
        return self.items.get("n")

    def create(self) -> str:
        self.calls.append("create")
        acted = self.failures.pop(0) if self.failures else None
        if acted is not False:
            self.items["n"] = {"id": f"id-{len(self.calls)}", "color": "red"}
        if acted is not None:
            raise AEPAmbiguousError("maybe")
        return self.items["n"]["id"]


def run(store: Store, expected: dict[str, Any] | None = None, on_conflict: Any = "fail") -> str:
    return ensure(
        "thing",
        "n",
        find=store.find,
        create=store.create,
        expected=expected or {},
        on_conflict=on_conflict,
        log=log,
    )


def test_an_ambiguous_create_that_acted_is_found_and_not_sent_again():
    store = Store([True])
    assert run(store) == "id-2"
    assert store.calls == ["find", "create", "find"]


def test_an_ambiguous_create_that_did_not_act_is_sent_again_after_a_lookup():
    store = Store([False])
    assert run(store) == "id-4"
    assert store.calls == ["find", "create", "find", "create"]


def test_creates_are_bounded_then_the_ambiguity_is_raised():
    store = Store([False] * 10)
    with pytest.raises(AEPAmbiguousError):
        run(store)
    assert store.calls.count("create") == CREATE_ROUNDS
    assert store.calls == ["find"] + ["create", "find"] * (CREATE_ROUNDS - 1) + ["create"]


def test_a_difference_is_a_conflict_naming_it():
    store = Store()
    store.items["n"] = {"id": "x", "color": "red"}
    with pytest.raises(AEPResourceConflictError, match=r"\(x\).*color: existing 'red' != asked 'blue'"):
        run(store, {"color": "blue"})
    assert "create" not in store.calls


def test_reuse_returns_the_existing_one_with_a_warning(caplog):
    store = Store()
    store.items["n"] = {"id": "x", "color": "red"}
    with caplog.at_level(logging.WARNING, logger="test-ensure"):
        assert run(store, {"color": "blue"}, on_conflict="reuse") == "x"
    assert "despite differences: color: existing 'red' != asked 'blue'" in caplog.text


def test_a_long_list_of_differences_is_cut_short():
    store = Store()
    store.items["n"] = {"id": "x", "fields": {f"f{i}": "string" for i in range(50)}}
    with pytest.raises(AEPResourceConflictError) as info:
        run(store, {"fields": {f"f{i}": "integer" for i in range(50)}})
    message = str(info.value)
    assert message.count("existing 'string' != asked 'integer'") == MAX_DIFFERENCES_SHOWN
    assert f"and {50 - MAX_DIFFERENCES_SHOWN} more difference(s)" in message


def test_a_create_that_timed_out_is_looked_up_again_after_settling():
    """The service may still be working on a create whose answer never came: the second lookup
    waits `settle` seconds, and finds what the first one could not."""
    calls: list[str] = []
    items: dict[str, Any] = {}

    def find() -> dict[str, Any] | None:
        calls.append("find")
        return items.get("n")

    def create() -> str:
        calls.append("create")
        raise AEPAmbiguousError("ReadTimeout", timed_out=True)

    def sleep(seconds: float) -> None:
        calls.append(f"sleep {seconds}")
        items["n"] = {"id": "late"}  # the create lands while we wait

    answer = ensure(
        "thing",
        "n",
        find=find,
        create=create,
        expected={},
        on_conflict="fail",
        log=log,
        settle=2.5,
        sleep=sleep,
    )
    assert answer == "late"
    assert calls == ["find", "create", "find", "sleep 2.5", "find"]


def test_an_answered_ambiguous_create_does_not_wait():
    store = Store([False])
    slept: list[float] = []
    ensure(
        "thing",
        "n",
        find=store.find,
        create=store.create,
        expected={},
        on_conflict="fail",
        log=log,
        settle=9,
        sleep=slept.append,
    )
    assert slept == []


def test_an_update_policy_calls_the_update_with_the_differences():
    store = Store()
    store.items["n"] = {"id": "x", "color": "red"}
    seen: list[Any] = []

    def update(existing: dict[str, Any], diffs: list[str]) -> str:
        seen.append((existing["id"], diffs))
        return "x"

    answer = ensure(
        "thing",
        "n",
        find=store.find,
        create=store.create,
        expected={"color": "blue"},
        on_conflict="update",
        log=log,
        update=update,
    )  # type: ignore[arg-type]
    assert answer == "x"
    assert seen == [("x", ["color: existing 'red' != asked 'blue'"])]
    with pytest.raises(AEPResourceConflictError):  # no update given: still a conflict
        run(store, {"color": "blue"}, on_conflict="update")
