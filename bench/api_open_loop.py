"""An open-loop HTTP load generator, run by bench/api.py as a process of its own.

    BENCH_TOKEN=… python bench/api_open_loop.py --port P --step PATH BODY_FILE TYPE [--step …] --rate 1000

Requests leave on a fixed schedule, `--rate` a second for `--seconds`, whether or not earlier
ones have been answered, over a pool of keep-alive HTTP/1.1 connections that grows up to
`--connections`. Each latency counts from the request's scheduled time, so a server that falls
behind shows its queue in the figures instead of slowing the sender (wrk, closed-loop, would hide
it). With several `--step`s each scheduled request is that sequence, one step after the other on
one connection, and its latency runs to the last answer. `{n}` in a path or a body is replaced by
a name unique to the scheduled request, which is also its Idempotency-Key. Prints one JSON object:
the latencies, the rate achieved, how late the generator itself got to requests (its own
saturation would show there first), how long they then waited for a free connection, and the
share of a core it used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import uvloop

LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
ANSWER_TIMEOUT_S = 30.0


def now() -> float:
    """uvloop's own clock is libuv's, in whole milliseconds and cached per loop iteration."""
    return time.perf_counter()


@dataclass(frozen=True)
class Sample:
    due: float
    started: float  # when the generator got to it: later than due only when it falls behind
    sent: float
    answered: float
    status: int  # 0: no answer
    accepted: bool


@dataclass(frozen=True)
class Step:
    path: str
    body: bytes
    content_type: str


@dataclass(frozen=True)
class Requests:
    """Builds the requests of the scheduled request named `name`, one per step."""

    host: str
    token: str
    steps: list[Step]

    def named(self, name: str) -> list[bytes]:
        return [self._request(step, name) for step in self.steps]

    def _request(self, step: Step, name: str) -> bytes:
        body = step.body.replace(b"{n}", name.encode())
        head = (f"POST {step.path.replace('{n}', name)} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Authorization: Bearer {self.token}\r\nContent-Type: {step.content_type}\r\n"
                f"Idempotency-Key: {name}\r\nContent-Length: {len(body)}\r\n\r\n")
        return head.encode() + body


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = LENGTH.search(head)
        body = await self.reader.readexactly(int(length.group(1)) if length else 0)
        return int(head[9:12]), body

    def close(self) -> None:
        self.writer.close()


class Pool:
    """At most `most` connections, each carrying one request at a time; a connection is opened
    only when none is idle, so the pool grows to what the schedule needs."""

    def __init__(self, port: int, most: int) -> None:
        self.port = port
        self.slots = asyncio.Semaphore(most)
        self.idle: list[Connection] = []
        self.opened = 0

    async def acquire(self) -> Connection:
        await self.slots.acquire()
        if self.idle:
            return self.idle.pop()
        self.opened += 1
        try:
            return Connection(*await asyncio.open_connection("127.0.0.1", self.port))
        except BaseException:
            self.slots.release()
            raise

    def release(self, connection: Connection, reusable: bool) -> None:
        if reusable:
            self.idle.append(connection)
        else:
            connection.close()
        self.slots.release()


async def one(pool: Pool, requests: list[bytes], due: float) -> Sample:
    started = now()
    connection = await pool.acquire()
    sent = now()
    try:
        status, body = await asyncio.wait_for(steps(connection, requests), ANSWER_TIMEOUT_S)
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
        pool.release(connection, reusable=False)
        return Sample(due, started, sent, now(), 0, False)
    pool.release(connection, reusable=True)
    return Sample(due, started, sent, now(), status, b'"accepted"' in body)


async def steps(connection: Connection, requests: list[bytes]) -> tuple[int, bytes]:
    """The last answer, or the first that is not a success."""
    for request in requests:
        status, body = await connection.exchange(request)
        if not 200 <= status < 300:
            break
    return status, body


async def run(requests: Requests, pool: Pool, rate: float, seconds: float, run_name: str) -> list[Sample]:
    start = now() + 0.1
    tasks = []
    for number in range(round(rate * seconds)):
        due = start + number / rate
        if due > now():
            await asyncio.sleep(due - now())
        tasks.append(asyncio.create_task(one(pool, requests.named(f"{run_name}-{number}"), due)))
    return list(await asyncio.gather(*tasks))


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value at least `fraction` of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(samples: list[Sample], rate: float, connections: int, cpu_s: float) -> dict[str, float]:
    answered = [s for s in samples if 200 <= s.status < 300]
    latencies = [(s.answered - s.due) * 1000 for s in answered] or [math.nan]
    first_due = samples[0].due
    return {
        "offered_per_s": rate,
        "sent_per_s": len(samples) / (max(s.sent for s in samples) - first_due + 1 / rate),
        "answered_per_s": len(answered) / (max(s.answered for s in samples) - first_due),
        "requests": len(samples),
        "answered_2xx": len(answered),
        "accepted": sum(s.accepted for s in answered),
        "failed": len(samples) - len(answered),
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "dispatch_lag_p99_ms": percentile([(s.started - s.due) * 1000 for s in samples], 0.99),
        "connection_wait_p99_ms": percentile([(s.sent - s.started) * 1000 for s in samples], 0.99),
        "connections_opened": connections,
        "generator_cores": cpu_s / (max(s.answered for s in samples) - first_due),
    }


async def main(args: argparse.Namespace) -> dict[str, float]:
    requests = Requests(f"127.0.0.1:{args.port}", os.environ["BENCH_TOKEN"],
                        [Step(path, Path(body).read_bytes(), kind) for path, body, kind in args.step])
    pool = Pool(args.port, args.connections)
    cpu_started = time.process_time()
    samples = await run(requests, pool, args.rate, args.seconds, args.run)
    cpu_s = time.process_time() - cpu_started
    for connection in pool.idle:
        connection.close()
    return summary(samples, args.rate, pool.opened, cpu_s)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="a server on 127.0.0.1")
    parser.add_argument("--step", nargs=3, action="append", required=True,
                        metavar=("PATH", "BODY_FILE", "CONTENT_TYPE"), help="a POST of each request")
    parser.add_argument("--rate", type=float, default=1000.0, help="requests a second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=256, help="the most open at once")
    parser.add_argument("--run", default="open", help="prefix of the requests' unique names")
    return parser.parse_args()


if __name__ == "__main__":
    print(json.dumps(uvloop.run(main(arguments()))))
