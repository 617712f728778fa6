"""Which window an ingest run sends to AEP (pure).

A DAG run with a real data interval ingests that interval; one without (a trigger timetable, a manual
run, a run triggered by an Asset) ingests up to its own date. Either way the window starts where the
flow's latest earlier window ended, as AEP's runs show it, so consecutive windows never overlap and
never leave a gap; a DAG run whose window AEP already has (a re-run) gets that same window back.
"""

from __future__ import annotations

from collections.abc import Iterable

from airflow_provider_stripe_aep.validation import InvalidInputError


def ingest_window(
    *,
    end: int,
    interval_start: int | None,
    windows: Iterable[tuple[int, int]],
    first_start: int | None,
) -> tuple[int, int]:
    """The window (epoch seconds) for a DAG run that ends at `end`.

    :param end: the data interval's end, or the run's own date when its interval is empty.
    :param interval_start: the data interval's start; None when the interval is empty or absent.
    :param windows: the windows of the flow's earlier on-demand runs (epoch seconds).
    :param first_start: where the flow's first window starts when there is no earlier window and no
        data interval (a `start` given by the user, else the onboarding's start time).
    """
    known = list(windows)
    for window in known:
        if window[1] == end:
            return window  # this DAG run's own window: a re-run reuses it
    for window in known:
        if window[0] < end < window[1]:
            # `end` lies in a window AEP already ingested (e.g. a manual run dated inside a scheduled
            # run's interval): that window's run is this run's data; ingesting it again would duplicate.
            return window
    earlier_ends = [window_end for _, window_end in known if window_end < end]
    if earlier_ends:
        start = max(earlier_ends)
    elif interval_start is not None:
        start = interval_start
    elif first_start is not None:
        start = first_start
    else:
        raise InvalidInputError(
            "start", None, "is required for a first run without a data interval (no earlier AEP run window)"
        )
    if start >= end:
        raise InvalidInputError(
            "window_end", end, f"must be after the window's start ({start}): nothing to ingest yet"
        )
    return start, end
