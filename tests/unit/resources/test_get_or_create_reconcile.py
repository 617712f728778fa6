"""reconcile(): after a create, the oldest resource of a name wins; a loser deletes its own."""

from __future__ import annotations

import logging

import pytest

from airflow_provider_stripe_aep.resources.get_or_create import (
    created_time,
    ensure_reconciled,
    reconcile,
    winner,
)

log = logging.getLogger(__name__)


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ({"createdAt": 1700000000123}, 1700000000123.0),
        ({"created": 5}, 5.0),
        ({"createdDate": "42"}, 42.0),
        ({"createdDate": "2026-01-01T00:00:00Z"}, 1767225600000.0),
        ({"meta:registryMetadata": {"repo:createdDate": 1586042956286}}, 1586042956286.0),
        ({"createdAt": "not a time"}, float("inf")),
        ({}, float("inf")),
    ],
)
def test_created_time_reads_every_form_aep_lists_use(resource, expected):
    assert created_time(resource) == expected


def test_the_oldest_wins_and_the_smallest_id_breaks_a_tie():
    assert winner([{"id": "b", "createdAt": 2}, {"id": "c", "createdAt": 1}])["id"] == "c"
    assert winner([{"id": "b", "createdAt": 1}, {"id": "a", "createdAt": 1}])["id"] == "a"


def test_the_loser_deletes_what_it_created_and_returns_the_winner():
    deleted: list[str] = []
    same = [{"id": "mine", "createdAt": 20}, {"id": "theirs", "createdAt": 10}]
    got = reconcile("dataflow", "x", "mine", find_all=lambda: same, delete=deleted.append, log=log)
    assert (got, deleted) == ("theirs", ["mine"])


def test_the_winner_keeps_its_own_and_deletes_nothing():
    deleted: list[str] = []
    same = [{"id": "mine", "createdAt": 10}, {"id": "theirs", "createdAt": 20}]
    got = reconcile("dataflow", "x", "mine", find_all=lambda: same, delete=deleted.append, log=log)
    assert (got, deleted) == ("mine", [])


def test_a_list_that_does_not_show_our_create_yet_changes_nothing():
    deleted: list[str] = []
    got = reconcile(
        "dataflow",
        "x",
        "mine",
        find_all=lambda: [{"id": "old", "createdAt": 1}],
        delete=deleted.append,
        log=log,
    )
    assert (got, deleted) == ("mine", [])


def test_ensure_reconciled_does_not_reconcile_a_reused_resource():
    def find_all() -> list:
        raise AssertionError("no listing needed when nothing was created")

    got = ensure_reconciled(
        "dataflow",
        "x",
        find=lambda: {"id": "existing"},
        find_all=find_all,
        create=lambda: "new",
        delete=lambda _: None,
        expected={},
        on_conflict="fail",
        log=log,
    )
    assert got == "existing"
