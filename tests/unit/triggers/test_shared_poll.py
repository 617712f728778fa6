"""The shared poll of one flow: one read per round for every wait, each wait its own answer; a cancelled
wait leaves the others polling; a failed read reaches every wait. Driven with a fake read, real asyncio."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from typing import Any

import pytest

from airflow_provider_stripe_aep.resources.run_status import RunSelector
from airflow_provider_stripe_aep.triggers.shared_poll import (
    Answer,
    RunWait,
    SharedRunPoll,
    answer_for,
    next_round_delay,
    shared_run_poll,
)

A, B = RunSelector(run_id="a"), RunSelector(run_id="b")


class FakeRead:
    """Answers each selection with a run whose id is the selection's run_id and a round counter."""

    def __init__(self) -> None:
        self.calls: list[frozenset[RunSelector]] = []
        self.fail: Exception | None = None

    async def __call__(self, selectors: Collection[RunSelector]) -> Mapping[RunSelector, Answer]:
        self.calls.append(frozenset(selectors))
        await asyncio.sleep(0)
        if self.fail is not None:
            raise self.fail
        return {s: {"id": s.run_id, "round": len(self.calls)} for s in selectors}


def test_next_round_is_due_the_shortest_interval_after_the_last_round_began():
    assert next_round_delay(10.0, 11.0, [5.0, 2.0]) == 1.0
    assert next_round_delay(10.0, 13.0, [2.0]) == 0.0
    assert next_round_delay(10.0, 10.0, []) == 0.0


def test_each_wait_takes_its_own_selection_from_the_round():
    answers: dict[RunSelector, Answer] = {A: {"id": "a"}, B: None}
    assert answer_for(RunWait(A, 1.0), answers) == {"id": "a"}
    assert answer_for(RunWait(B, 1.0), answers) is None
    assert answer_for(RunWait(RunSelector(run_id="c"), 1.0), answers) is None


def test_waits_on_one_flow_share_one_read_per_round():
    read = FakeRead()

    async def main() -> list[Any]:
        poll = SharedRunPoll(read)
        async with poll.subscribe(A, 0.05) as wa, poll.subscribe(B, 0.05) as wb:
            first = [await wa.next(), await wb.next()]
            second = [await wa.next(), await wb.next()]
        return [first, second, poll.rounds]

    first, second, rounds = asyncio.run(main())
    # Both joined before the first round began: each round answers both from one read.
    assert first == [{"id": "a", "round": 1}, {"id": "b", "round": 1}]
    assert second == [{"id": "a", "round": 2}, {"id": "b", "round": 2}]
    assert read.calls == [frozenset({A, B})] * 2
    assert rounds == 2  # one read per round, not one per wait


def test_a_wait_that_joins_later_gets_the_next_round():
    read = FakeRead()

    async def main() -> list[Any]:
        poll = SharedRunPoll(read)
        async with poll.subscribe(A, 0.05) as wa:
            first = await wa.next()
            async with poll.subscribe(B, 0.05) as wb:
                return [first, await wb.next(), await wa.next()]

    first, joined, again = asyncio.run(main())
    assert first == {"id": "a", "round": 1}
    assert joined == {"id": "b", "round": 2} and again == {"id": "a", "round": 2}
    assert read.calls == [frozenset({A}), frozenset({A, B})]


def test_the_shortest_interval_asked_sets_the_pace():
    read = FakeRead()

    async def main() -> int:
        poll = SharedRunPoll(read)
        async with poll.subscribe(A, 30.0) as slow:
            await slow.next()
            async with poll.subscribe(B, 0.01) as fast:  # brings the next round forward
                for _ in range(5):
                    await fast.next()
        return poll.rounds

    assert asyncio.run(asyncio.wait_for(main(), 5)) >= 6


def test_a_cancelled_wait_leaves_the_others_polling():
    read = FakeRead()

    async def waiter(poll: SharedRunPoll, selector: RunSelector, rounds: int) -> list[Any]:
        async with poll.subscribe(selector, 0.01) as wait:
            return [await wait.next() for _ in range(rounds)]

    async def main() -> tuple[list[Any], int, int]:
        poll = SharedRunPoll(read)
        stays = asyncio.create_task(waiter(poll, A, 6))
        leaves = asyncio.create_task(waiter(poll, B, 1000))
        while poll.rounds < 2:
            await asyncio.sleep(0.005)
        leaves.cancel()
        with pytest.raises(asyncio.CancelledError):
            await leaves
        waits_after_cancel = poll.waits
        return await stays, waits_after_cancel, poll.waits

    got, waits_after_cancel, waits_at_end = asyncio.run(asyncio.wait_for(main(), 5))
    assert [r["id"] for r in got] == ["a"] * 6
    assert waits_after_cancel == 1 and waits_at_end == 0
    assert frozenset({A}) in read.calls[-2:]  # the cancelled wait's selection is no longer read


def test_an_error_of_the_shared_read_reaches_every_wait_and_the_poll_goes_on():
    read = FakeRead()

    async def main() -> tuple[list[str], Any]:
        poll = SharedRunPoll(read)
        async with poll.subscribe(A, 0.01) as wa, poll.subscribe(B, 0.01) as wb:
            await wa.next()
            await wb.next()
            read.fail = RuntimeError("429 throttled")
            errors = []
            for wait in (wa, wb):
                with pytest.raises(RuntimeError, match="429") as info:
                    await wait.next()
                errors.append(str(info.value))
            read.fail = None
            return errors, await wa.next()

    errors, after = asyncio.run(asyncio.wait_for(main(), 5))
    assert errors == ["429 throttled", "429 throttled"]
    assert after["id"] == "a"  # a wait that stays after an error keeps getting answers


def test_the_last_wait_to_leave_stops_the_poll_and_frees_its_place():
    async def main() -> tuple[bool, bool, bool]:
        poll = shared_run_poll("aep_default", "flow-1")
        same = shared_run_poll("aep_default", "flow-1") is poll
        other = shared_run_poll("aep_other", "flow-1") is not poll
        poll._fetch = FakeRead()  # no HTTP here
        async with poll.subscribe(A, 0.01) as wait:
            await wait.next()
            task = poll._task
        assert task is not None
        await asyncio.wait([task], timeout=1)
        fresh = shared_run_poll("aep_default", "flow-1") is not poll
        return same and other, task.cancelled(), fresh

    shared, stopped, fresh = asyncio.run(main())
    assert shared and stopped and fresh
