"""Two runs onboarding the same names at the same moment through the hook itself: every `ensure_*`
reconciles after a create by default, so one resource of each name is left and both runs use it.
Real HTTP against the emulator; a barrier holds each racer after its lookup found nothing, so both
create (AEP has no unique-name constraint)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from onboarding_chain import STORE_ATTRIBUTE, build_chain

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook

RACERS = 2

LOOKUP = {
    "base connection": ("flows", "find_by_name"),
    "field group": ("schemas", "find_by_title"),
    "schema": ("schemas", "find_by_title"),
    "dataset": ("catalog", "find_dataset"),
    "mapping set": ("data_prep", "find_mapping_set"),
}
"""The client call each kind's lookup starts with: the racer waits there after finding nothing."""


def renamed(kind: str, asked: dict[str, Any], name: str) -> dict[str, Any]:
    if kind in ("field group", "schema"):
        return {**asked, "body": {**asked["body"], "title": name}}
    return {**asked, "name": name}


def race(kind: str, asked: dict[str, Any]) -> list[Any]:
    all_looked = threading.Barrier(RACERS, timeout=30)
    results: list[Any] = []
    errors: list[BaseException] = []
    method = {
        "base connection": "ensure_base_connection",
        "field group": "ensure_field_group",
        "schema": "ensure_schema",
        "dataset": "ensure_dataset",
        "mapping set": "ensure_mapping_set",
    }[kind]

    def racer() -> None:
        hook = AdobeExperiencePlatformHook()  # its own client and HTTP session
        api_name, lookup_name = LOOKUP[kind]
        api = getattr(hook.client, api_name)
        lookup = getattr(api, lookup_name)

        def held_lookup(*args: Any) -> Any:
            found = lookup(*args)
            if found is None and not all_looked.broken:
                all_looked.wait()  # every racer looked and found nothing: now all create
            return found

        setattr(api, lookup_name, held_lookup)
        try:
            results.append(getattr(hook, method)(**asked))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(results) == RACERS
    return results


def named(aep, kind: str, name: str) -> list[str]:
    store = getattr(aep.state.sandbox("prod"), STORE_ATTRIBUTE[kind])
    out = []
    for key, item in store.items():
        latest = item["_versions"][-1] if "_versions" in item else item
        if name in (latest.get("name"), latest.get("title")):
            out.append(str(item.get("id") or item.get("$id") or key))
    return out


@pytest.fixture
def chain(connections):
    return build_chain(AdobeExperiencePlatformHook(), prefix="setup")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["base connection", "field group", "schema", "dataset"])
def test_racing_ensures_leave_one_resource_and_both_use_it(connections, chain, kind):
    name = f"Race {kind}"
    results = race(kind, renamed(kind, chain.asked[kind], name))
    left = named(connections, kind, name)
    assert len(left) == 1
    assert results == [left[0]] * RACERS
    deletes = [r for r in connections.state.request_log if r["method"] == "DELETE"]
    # Schema Registry keeps titles unique: the loser's create is refused, there is nothing to delete.
    assert len(deletes) == (0 if kind in ("field group", "schema") else RACERS - 1)


@pytest.mark.slow
def test_racing_mapping_sets_share_the_oldest_and_leave_the_other_as_a_logged_orphan(
    connections, chain, capsys
):
    """Data Prep documents no DELETE: the loser cannot remove its own, but uses the winner's."""
    name = "Race mapping set"
    results = race("mapping set", renamed("mapping set", chain.asked["mapping set"], name))
    left = named(connections, "mapping set", name)
    assert len(left) == RACERS
    assert len({mapping_id for mapping_id, _ in results}) == 1
    assert results[0][0] in left
    orphan = next(mapping_id for mapping_id in left if mapping_id != results[0][0])
    assert f"({orphan}) stays behind as an orphan" in capsys.readouterr().out
