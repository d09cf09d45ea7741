"""Single ballots committed together: requests that arrive while a commit is on disk wait for
the next one, so one durable transaction answers many clicks.

Each request is its own batch in the log (its Idempotency-Key names it), with its own answer;
only the transaction is shared. A request is answered after the commit that holds it returns,
so an acknowledged ballot is durable.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from domain.commands.intake import BatchOutcome, CastBallots
from services.ballots import BallotService

Waiting = tuple[CastBallots, "asyncio.Future[BatchOutcome]"]


@dataclass
class GroupCommit:
    """`most` caps a group; 1 turns group commit off (one transaction per request). `gather` is
    how long a lone request waits for company before its commit starts."""

    ballots: BallotService
    most: int = 512
    gather: float = 0.002
    _queue: asyncio.Queue[Waiting] | None = None
    _writer: asyncio.Task[None] | None = None
    _thread: ThreadPoolExecutor | None = None

    async def cast(self, order: CastBallots) -> BatchOutcome:
        if self._queue is None:  # the first ballot since the app started
            self._queue = asyncio.Queue()
            self._thread = ThreadPoolExecutor(1, "group-commit")
            self._writer = asyncio.create_task(self._write_forever(self._queue, self._thread))
        answer: asyncio.Future[BatchOutcome] = asyncio.get_running_loop().create_future()
        await self._queue.put((order, answer))
        return await answer

    async def close(self) -> None:
        """Stop writing; a later ballot (the app started again) starts afresh."""
        if self._writer is not None:
            self._writer.cancel()
        if self._thread is not None:
            self._thread.shutdown(wait=True)
        self._queue = self._writer = self._thread = None

    async def _write_forever(self, queue: asyncio.Queue[Waiting], thread: ThreadPoolExecutor) -> None:
        loop = asyncio.get_running_loop()
        while True:
            group = [await queue.get()]
            if self.most > 1 and queue.empty() and self.gather > 0:
                await asyncio.sleep(self.gather)
            while len(group) < self.most and not queue.empty():
                group.append(queue.get_nowait())
            orders = [order for order, _ in group]
            answers: list[BatchOutcome | Exception]
            try:
                answers = list(await loop.run_in_executor(thread, self.ballots.cast_together, orders))
            except Exception as failure:  # the whole transaction failed: every request hears it
                answers = [failure] * len(group)
            for (_, future), answer in zip(group, answers, strict=True):
                if future.done():  # its client went away
                    continue
                if isinstance(answer, Exception):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)
