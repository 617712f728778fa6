"""One poll of a flow's runs per interval, shared by every wait on that flow in this event loop (the
triggerer runs all its triggers in one loop): a thousand tasks waiting on twenty flows send twenty
`GET /runs` per interval, not a thousand.

Each flow (connection ID and flow ID; a connection names one sandbox, so its ID stands for both) has
at most one `SharedRunPoll` per loop while anything waits on it. It polls at the shortest interval any
of its waits asked for, reads the run list once per round for the distinct run selections of the
waits, and hands each wait the answer for its own selection (or the round's error, exactly as the
wait would have met it polling alone). A wait that leaves (its run ended, it timed out, the triggerer
cancelled it) leaves the others polling; the last one to leave stops the poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_stripe_aep.resources.run_status import RunSelector

Run = dict[str, Any]
Answer = Run | None | Exception
"""What one selection gets from a round: its run, None (no such run yet), or the error that is its alone."""
Fetch = Callable[[Collection[RunSelector]], Awaitable[Mapping[RunSelector, Answer]]]
"""One read of the flow's runs for these selections; raises when the read as a whole fails."""


@dataclass(eq=False)
class RunWait:
    """One wait's place in a shared poll: its selection, its interval, and the latest answer for it."""

    selector: RunSelector
    interval: float
    _answer: Answer | BaseException = None
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    def deliver(self, answer: Answer | BaseException) -> None:
        self._answer = answer
        self._ready.set()

    async def next(self) -> Run | None:
        """The answer of the next round that included this wait; the round's error is raised."""
        await self._ready.wait()
        self._ready.clear()
        answer = self._answer
        if isinstance(answer, BaseException):
            raise answer
        return answer


def answer_for(wait: RunWait, answers: Mapping[RunSelector, Answer]) -> Answer:
    """A wait's share of a round's answers (None when the round had nothing for its selection)."""
    return answers.get(wait.selector)


def next_round_delay(round_started: float, now: float, intervals: Collection[float]) -> float:
    """Seconds until the next round: the shortest interval asked, counted from when the last round
    began (so the period does not drift by the answer time); 0 when it is already due."""
    if not intervals:
        return 0.0
    return max(0.0, round_started + min(intervals) - now)


class SharedRunPoll:
    """The poll of one flow's runs, shared by the waits subscribed to it."""

    def __init__(self, fetch: Fetch, on_idle: Callable[[], None] = lambda: None) -> None:
        self._fetch = fetch
        self._on_idle = on_idle
        self._waits: dict[int, RunWait] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.rounds = 0

    @property
    def waits(self) -> int:
        return len(self._waits)

    @contextlib.asynccontextmanager
    async def subscribe(self, selector: RunSelector, interval: float) -> AsyncIterator[RunWait]:
        """Join the poll for as long as the block runs. The first wait starts it at once; a later one
        gets the next round's answer (brought forward when it asks for a shorter interval)."""
        wait = RunWait(selector, interval)
        self._waits[id(wait)] = wait
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._loop())
        try:
            yield wait
        finally:
            del self._waits[id(wait)]
            if not self._waits:
                self._on_idle()
                self._task.cancel()

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waits:
            started = loop.time()
            served = list(self._waits.values())
            try:
                answers = await self._fetch({w.selector for w in served})
            except Exception as exc:
                for wait in served:
                    wait.deliver(exc)
            except BaseException:
                # Cancelled with waits still subscribed (the loop shutting down): none waits forever.
                for wait in self._waits.values():
                    wait.deliver(RuntimeError("the shared poll of this flow was stopped"))
                raise
            else:
                for wait in served:
                    wait.deliver(answer_for(wait, answers))
            self.rounds += 1
            while self._waits:
                self._wake.clear()
                delay = next_round_delay(started, loop.time(), [w.interval for w in self._waits.values()])
                if delay <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)


_POLLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str], SharedRunPoll]] = (
    weakref.WeakKeyDictionary()
)


def shared_run_poll(aep_conn_id: str, flow_id: str) -> SharedRunPoll:
    """The running loop's poll of this flow through this connection (made on first use)."""
    polls = _POLLS.setdefault(asyncio.get_running_loop(), {})
    key = (aep_conn_id, flow_id)
    poll = polls.get(key)
    if poll is None:
        from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook

        hook = AdobeExperiencePlatformHook(aep_conn_id)

        async def fetch(selectors: Collection[RunSelector]) -> Mapping[RunSelector, Answer]:
            return await hook.afind_runs(flow_id, selectors)

        def forget() -> None:
            if polls.get(key) is poll:
                del polls[key]

        poll = polls[key] = SharedRunPoll(fetch, forget)
    return poll


__all__ = ["RunWait", "SharedRunPoll", "answer_for", "next_round_delay", "shared_run_poll"]
