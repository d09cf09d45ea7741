"""Ballots through `konkurs api` server processes under load: an acknowledged ballot survives
SIGKILL, a retry never counts twice, and two servers over one store record a voter once.

Each test runs on the store of the pass (SQLite by default, PostgreSQL with --store=postgres).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from domain.actors import Role, Scope
from domain.aggregates import Ballot as LoggedBallot
from domain.commands.credentials import IssueToken
from domain.ids import ballot_hex
from domain.outcomes import VoteTally
from konkurs.settings import Settings
from services.ballots import ALREADY_VOTED, voter_pseudonym
from services.konkurs import Konkurs
from tests.e2e.api_server import Answer, ApiServer, Ballot, Heard, PortalClient
from tests.e2e.conftest import SLUG, Cli, Contests, Store
from tests.factories import OPERATOR

CLIENTS = 64
CLICKS_PER_CLIENT = 20
KILL_AFTER = 300
FREEZES = 50
SETTLE = 0.2  # seconds for the answers on the wire to reach a frozen server's clients
PAIRS = 100
PAIR_CLIENTS = 16
SERVER_CLIENTS = 16  # per server, for voters it alone hears
TEST_SECONDS = 60

StartServer = Callable[[str], ApiServer]
MakePortal = Callable[[], PortalClient]
T = TypeVar("T")


@pytest.fixture
def shortlist(contests: Contests) -> list[str]:
    """The contest is voting; the practices on the ballot of HC-1."""
    return contests.voting()["HC-1"]


@pytest.fixture
def portal(store: Store) -> MakePortal:
    """Makes clients of the vote's portal, with its token."""
    with store.open() as app:
        token = app.credentials.issue(IssueToken(
            role=Role.PORTAL, id="vote-portal", scope=Scope(contests=(SLUG,)), actor=OPERATOR)).token
    return lambda: PortalClient(token, SLUG)


@pytest.fixture
def voter_key(home: Path) -> bytes:
    """The home's key of voter pseudonyms, made before any server starts so that none races
    another to create it."""
    return Settings(home=home, persistence_module="", production=False).voter_key()


@pytest.fixture
def servers(cli: Cli, tmp_path: Path) -> Iterator[StartServer]:
    """Starts `konkurs api` processes over the home's store; every one is killed afterwards."""
    started: list[ApiServer] = []

    def start(name: str) -> ApiServer:
        server = ApiServer(cli.env, tmp_path / f"{name}.log")
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.kill()


async def test_a_server_killed_mid_load_loses_no_acknowledged_ballot_and_counts_none_twice(
    shortlist: list[str], portal: MakePortal, voter_key: bytes, store: Store, servers: StartServer
) -> None:
    server = servers("api")
    heard = Heard()

    async def client(number: int) -> None:
        async with portal() as own:
            for n in range(CLICKS_PER_CLIENT):
                ballot = Ballot(f"citizen-{number}-{n}", shortlist[n % 2], key=f"click-{number}-{n}")
                heard.add(await own.cast(server.url, ballot))

    async def kill_and_restart() -> int:
        await heard.at_least(KILL_AFTER)
        unanswered = await freeze_after_a_commit(server, store, heard)
        server.kill()
        await server.restart()
        return unanswered

    async with meanwhile(kill_and_restart()) as killer:
        await within(TEST_SECONDS, [server], heard.answers, *map(client, range(CLIENTS)))
        assert killer.done(), "the load ended before the kill"
    unanswered = killer.result()

    answers = heard.answers
    refused = [a for a in answers if not a.accepted]
    assert refused == [], f"{len(refused)} of {len(answers)} distinct voters refused, e.g. {refused[:3]}"
    assert any(a.repeated for a in answers), \
        f"no retry of a committed ballot: {unanswered} were logged but unanswered at the kill"
    assert_log_holds_exactly(store, voter_key, answers)


async def freeze_after_a_commit(server: ApiServer, store: Store, heard: Heard) -> int:
    """Freeze the server as an answer arrives, while the rest of its group's answers are likely
    unsent, and let those already sent arrive; keep it frozen once the log holds ballots nobody
    heard accepted. Returns how many, or 0 if no try found any."""
    with store.open() as app:
        for _ in range(FREEZES):
            await heard.next()
            server.freeze()
            await asyncio.sleep(SETTLE)
            unanswered = len(await asyncio.to_thread(logged_ballots, app)) - heard.accepted()
            if unanswered > 0:
                return unanswered
            server.thaw()
    return 0


async def test_two_servers_over_one_store_record_each_voter_once(
    shortlist: list[str], portal: MakePortal, voter_key: bytes, store: Store, servers: StartServer
) -> None:
    first, second = servers("first"), servers("second")
    answers: list[Answer] = []

    async def own_voters(server: ApiServer, client: int) -> None:
        async with portal() as own:
            for n in range(CLICKS_PER_CLIENT):
                voter = f"{server.port}-{client}-{n}"
                answers.append(await own.cast(server.url, Ballot(voter, shortlist[n % 2], key=voter)))

    contested = [two_portals(f"contested-{n}", shortlist) for n in range(PAIRS)]
    retried = [one_retry(f"retried-{n}", shortlist[0]) for n in range(PAIRS)]
    loads = [own_voters(server, c) for server in (first, second) for c in range(SERVER_CLIENTS)]
    loads += [on_both(portal, first, second, share, answers) for share in dealt(contested + retried)]
    await within(TEST_SECONDS, [first, second], answers, *loads)

    by_voter = answers_by_voter(answers)
    for voter in (to_first.voter for to_first, _ in contested):
        outcomes = sorted((a.status, a.reason) for a in by_voter.pop(voter))
        assert outcomes == [("accepted", None), ("refused", ALREADY_VOTED)], f"{voter}: {outcomes}"
    for voter in (ballot.voter for ballot, _ in retried):
        pair = by_voter.pop(voter)
        assert [(a.status, a.batch) for a in pair] == [("accepted", pair[0].batch)] * 2, f"{pair}"
    refused = [a for own in by_voter.values() for a in own if not a.accepted]
    assert refused == [], f"{len(refused)} voters of one server refused, e.g. {refused[:3]}"
    assert_log_holds_exactly(store, voter_key, answers)


async def test_a_retry_through_the_other_server_at_once_answers_as_a_retry(
    shortlist: list[str], portal: MakePortal, servers: StartServer
) -> None:
    first, second = servers("first"), servers("second")
    answers: list[Answer] = []
    retried = [one_retry(f"retried-{n}", shortlist[0]) for n in range(PAIRS)]
    await within(TEST_SECONDS, [first, second], answers,
                 *(on_both(portal, first, second, share, answers) for share in dealt(retried)))

    both_new = [pair for pair in answers_by_voter(answers).values() if not any(a.repeated for a in pair)]
    assert both_new == [], f"{len(both_new)} of {PAIRS} requests recorded once and answered twice as new"


def two_portals(voter: str, shortlist: list[str]) -> tuple[Ballot, Ballot]:
    """A voter on two portals' pages at once: two requests, two choices."""
    return (Ballot(voter, shortlist[0], key=f"{voter}-first"),
            Ballot(voter, shortlist[1], key=f"{voter}-second"))


def one_retry(voter: str, submission: str) -> tuple[Ballot, Ballot]:
    """One request, sent again through the other server before the first answer came back."""
    ballot = Ballot(voter, submission, key=f"{voter}-click")
    return ballot, ballot


async def on_both(portal: MakePortal, first: ApiServer, second: ApiServer,
                  pairs: list[tuple[Ballot, Ballot]], answers: list[Answer]) -> None:
    """Each pair sent at once, its first ballot to the first server and its second to the second."""
    async with portal() as own:
        for to_first, to_second in pairs:
            answers.extend(await asyncio.gather(own.cast(first.url, to_first),
                                                own.cast(second.url, to_second)))


def dealt(items: list[T], hands: int = PAIR_CLIENTS) -> list[list[T]]:
    """`items` dealt round-robin to `hands` clients."""
    return [items[hand::hands] for hand in range(hands)]


def answers_by_voter(answers: list[Answer]) -> dict[str, list[Answer]]:
    found: dict[str, list[Answer]] = {}
    for answer in answers:
        found.setdefault(answer.ballot.voter, []).append(answer)
    return found


@asynccontextmanager
async def meanwhile(work: Coroutine[Any, Any, T]) -> AsyncIterator[asyncio.Task[T]]:
    """`work` runs while the block does, and is cancelled if the block ends first."""
    task = asyncio.create_task(work)
    try:
        yield task
    finally:
        task.cancel()


async def within(seconds: float, servers: list[ApiServer], answers: list[Answer],
                 *loads: Awaitable[None]) -> None:
    """Run the loads together, failing with the servers' logs if they take longer than `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            await asyncio.gather(*loads)
    except TimeoutError:
        logs = "\n".join(f"--- {server.log_path.name}:\n{server.log_tail()}" for server in servers)
        pytest.fail(f"only {len(answers)} ballots were answered within {seconds} s\n{logs}")


def assert_log_holds_exactly(store: Store, voter_key: bytes, answers: list[Answer]) -> None:
    """Every accepted answer's ballot is in the log once, nothing else is, and the recount from the
    log finds the acknowledged votes per practice."""
    accepted = list({a.batch: a.ballot for a in answers if a.accepted}.values())  # a retry's batch once
    acknowledged = {ballot_hex(SLUG, b.nomination, voter_pseudonym(voter_key, b.voter)) for b in accepted}
    logged, recount = read_vote(store)
    assert len(logged) == len(set(logged)), f"{len(logged) - len(set(logged))} ballots logged twice"
    lost, unacknowledged = acknowledged - set(logged), set(logged) - acknowledged
    assert not lost, f"{len(lost)} acknowledged ballots are not in the log"
    assert not unacknowledged, f"{len(unacknowledged)} ballots in the log were never acknowledged"
    assert len(logged) == len(accepted), f"{len(accepted)} accepted answers for {len(logged)} ballots"
    assert recount.accepted == len(accepted)
    assert recount.by_submission == {"HC-1": dict(Counter(b.submission for b in accepted))}


def logged_ballots(app: Konkurs) -> list[str]:
    return [event.originator_id.hex for event in app.store.contest_events(SLUG, [LoggedBallot.Cast])]


def read_vote(store: Store) -> tuple[list[str], VoteTally]:
    """The ids of the contest's logged ballots, and the vote recounted from the log."""
    with store.open() as app:
        return logged_ballots(app), app.results.count(SLUG, app.store.head_position())
