"""The window an ingest run asks AEP for: contiguous, never overlapping, the same again on a re-run."""

from __future__ import annotations

import itertools

import pytest

from airflow_provider_stripe_aep.resources.ingest_window import ingest_window
from airflow_provider_stripe_aep.validation import InvalidInputError

MINUTE = 60
T0 = 1_790_000_000


def test_a_real_data_interval_is_the_first_window():
    assert ingest_window(end=T0, interval_start=T0 - MINUTE, windows=[], first_start=None) == (
        T0 - MINUTE,
        T0,
    )


def test_an_empty_interval_first_starts_at_the_onboardings_start_time():
    assert ingest_window(end=T0, interval_start=None, windows=[], first_start=T0 - 3600) == (T0 - 3600, T0)


def test_an_empty_interval_starts_where_the_latest_earlier_window_ended():
    windows = [(T0 - 2 * MINUTE, T0 - MINUTE), (T0 - 3 * MINUTE, T0 - 2 * MINUTE)]
    assert ingest_window(end=T0, interval_start=None, windows=windows, first_start=0) == (T0 - MINUTE, T0)


def test_consecutive_runs_of_any_kind_chain_without_gap_or_overlap():
    windows: list[tuple[int, int]] = []
    # three scheduled runs (real intervals), a manual run between two of them (empty interval), one more
    runs = [
        (T0, T0 - MINUTE),
        (T0 + MINUTE, T0),
        (T0 + 2 * MINUTE, T0 + MINUTE),
        (T0 + 2 * MINUTE + 17, None),
        (T0 + 3 * MINUTE, T0 + 2 * MINUTE),
    ]
    for end, interval_start in runs:
        windows.append(
            ingest_window(end=end, interval_start=interval_start, windows=windows, first_start=None)
        )
    assert windows[0] == (T0 - MINUTE, T0)
    assert all(start < end for start, end in windows)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    assert windows[3] == (T0 + 2 * MINUTE, T0 + 2 * MINUTE + 17)
    assert windows[4] == (T0 + 2 * MINUTE + 17, T0 + 3 * MINUTE)  # clipped: never ingested twice


def test_a_re_run_gets_its_own_window_back_not_an_empty_one():
    windows = [(T0 - MINUTE, T0), (T0, T0 + MINUTE)]
    assert ingest_window(end=T0, interval_start=T0 - MINUTE, windows=windows, first_start=None) == (
        T0 - MINUTE,
        T0,
    )
    assert ingest_window(end=T0 + MINUTE, interval_start=None, windows=windows, first_start=None) == (
        T0,
        T0 + MINUTE,
    )


def test_a_gap_left_by_skipped_intervals_is_ingested_by_the_next_run():
    windows = [(T0 - 10 * MINUTE, T0 - 9 * MINUTE)]
    assert ingest_window(end=T0, interval_start=T0 - MINUTE, windows=windows, first_start=None) == (
        T0 - 9 * MINUTE,
        T0,
    )


def test_a_first_run_without_interval_or_start_names_the_start_param():
    with pytest.raises(InvalidInputError, match="start") as info:
        ingest_window(end=T0, interval_start=None, windows=[], first_start=None)
    assert info.value.field == "start"


def test_nothing_to_ingest_yet_is_refused():
    with pytest.raises(InvalidInputError) as info:
        ingest_window(end=T0, interval_start=None, windows=[], first_start=T0 + 5)
    assert info.value.field == "window_end"


def test_a_run_dated_inside_an_ingested_window_gets_that_window_not_an_overlap():
    windows = [(T0 - MINUTE, T0), (T0, T0 + MINUTE)]
    assert ingest_window(end=T0 + 20, interval_start=None, windows=windows, first_start=None) == (
        T0,
        T0 + MINUTE,
    )
