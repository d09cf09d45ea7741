"""What the public site shows of one contest, gathered once from the views and the record:
the published results, the vote by region and over time, replication demand, participation
and the chain head."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.aggregates import Contest
from domain.errors import KonkursError
from domain.outcomes import VoteTally
from domain.regions import region_name
from domain.rules.tally import demand_by_practice
from konkurs.site.tile_map import TileMap, tile_map
from konkurs.site.vote_timeline import Timeline, vote_timeline
from projections.models import Board, RegionDemand, Results
from projections.participation_models import Participation
from projections.participation_queries import participation
from projections.queries import board, results
from projections.views_db import ViewsDB
from projections.vote_queries import demand
from services.contest_record import read_contest_record
from services.konkurs import Konkurs


class NotPublished(KonkursError):
    """The site shows published results only."""


@dataclass(frozen=True)
class PracticeDemand:
    reference: str
    title: str | None
    votes: int
    top_regions: list[tuple[str, int]]  # (region name, votes), most first


@dataclass(frozen=True)
class Vote:
    tally: VoteTally
    by_region: dict[str, int]  # region code → ballots from there, over all nominations
    tiles: TileMap
    timeline: Timeline
    regions: list[RegionDemand]  # what each region wants most, per nomination
    practices: dict[str, list[PracticeDemand]]  # nomination code → its practices, most votes first


@dataclass(frozen=True)
class SiteContent:
    slug: str
    title: str
    organisers: list[str]
    decides_winners: bool  # false for a marathon: its outcome is the participation record
    results_day: date | None  # when the log recorded the publication, in the contest's timezone
    results: Results
    board: Board
    vote: Vote | None
    participation: Participation | None
    chain_position: int
    chain_head: str


TOP_REGIONS = 5


def gather(konkurs: Konkurs, views: ViewsDB, slug: str) -> SiteContent:
    """Everything the pages need; NotPublished when the contest's results are not public yet."""
    contest = konkurs.store.get_contest(slug)
    shown = results(views, slug)
    if not shown.published:
        raise NotPublished(f"contest {slug}: results are not published yet, so there is nothing "
                           f"public to show (see `konkurs status {slug}`)")
    spec = contest.spec
    head = konkurs.chain.extend()
    published = read_contest_record(konkurs.store, slug).last(Contest.ResultsPublished)
    return SiteContent(
        slug=slug, title=spec.title, organisers=list(spec.organisers),
        decides_winners=spec.judging.enabled or spec.voting.enabled,
        results_day=None if published is None else datetime.fromisoformat(
            published.state["timestamp"]).astimezone(ZoneInfo(spec.timezone)).date(),
        results=shown, board=board(views, slug),
        vote=_vote(konkurs, views, slug, contest.tally) if contest.tally is not None else None,
        participation=participation(views, slug) if spec.participation is not None else None,
        chain_position=head.position, chain_head=head.hex,
    )


def _vote(konkurs: Konkurs, views: ViewsDB, slug: str, tally: VoteTally) -> Vote:
    by_region: dict[str, int] = defaultdict(int)
    for region, nominations in tally.by_region.items():
        by_region[region] += sum(sum(votes.values()) for votes in nominations.values())
    return Vote(tally=tally, by_region=dict(by_region), tiles=tile_map(by_region),
                timeline=vote_timeline(konkurs, slug, tally.voting_closed_at, tally.anomalies),
                regions=demand(views, slug, top=1), practices=_practices(views, slug, tally))


def _practices(views: ViewsDB, slug: str, tally: VoteTally) -> dict[str, list[PracticeDemand]]:
    titles = {entry.reference: entry.title
              for nomination in results(views, slug).nominations for entry in nomination.ranking}
    answer = {}
    for nomination, practices in demand_by_practice(tally.by_region).items():
        answer[nomination] = sorted((
            PracticeDemand(reference=reference, title=titles.get(reference), votes=sum(regions.values()),
                           top_regions=[(_name(code), votes)
                                        for code, votes in list(regions.items())[:TOP_REGIONS]])
            for reference, regions in practices.items()), key=lambda p: (-p.votes, p.reference))
    return answer


def _name(code: str) -> str:
    return region_name(code) or code
