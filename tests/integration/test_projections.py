"""Read models projected from the log: the board, the results, and the runner that feeds them."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.aggregates import Contest
from domain.commands.contest import Announce, RecordCancellation, RecordExtension
from domain.commands.intake import BallotInput, CastBallots, ReviewForm, Submit
from domain.commands.judging import EnrollExperts
from domain.commands.order import ContestOrder
from domain.errors import UnknownContest
from domain.phases import Phase
from domain.spec import ApplicantKind, ContestSpec
from projections import (
    BoardView,
    ResultsView,
    ViewsDB,
    board,
    catch_up,
    default_views,
    follow,
    list_contests,
    participation,
    rebuild,
    results,
)
from projections.runner import ScanMarks
from projections.view import topics
from services.konkurs import Konkurs
from store.log import LoggedEvent, topic_of
from tests.factories import DAY, OPERATOR, close_phase, expert_panel, practice_forms, record_cards, spec_data

SLUG = "test-contest"
START = datetime(2030, 1, 1, tzinfo=UTC)
EXTENDED = START + 70 * DAY
VOTER_KEY = b"test-key"

NGO, STATE, BUSINESS = ApplicantKind.NGO, ApplicantKind.STATE_INSTITUTION, ApplicantKind.BUSINESS
# reference, nomination, applicant kind, region
ENTRIES = [
    ("A1", "HC-1", NGO, "23"),
    ("A2", "HC-1", NGO, "23"),
    ("A3", "HC-1", STATE, "75"),
    ("B1", "HC-2", NGO, "23"),
    ("B2", "HC-2", NGO, "42"),
    ("B3", "HC-2", BUSINESS, "75"),
]


def contest_spec() -> ContestSpec:
    """The test contest, judged by two reviewers per submission."""
    data = spec_data(START, SLUG)
    return ContestSpec.model_validate(
        data | {"judging": data["judging"] | {"reviewers_per_submission": 2}}
    )


PANEL = expert_panel(3)[1:]  # E1 and E2: with two reviewers each, they review everything


def announce_and_collect(konkurs: Konkurs) -> None:
    spec = contest_spec()
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )
    close_phase(konkurs, SLUG, Phase.ANNOUNCED, "open")
    konkurs.submissions.submit(
        Submit(slug=SLUG, forms=practice_forms(ENTRIES), actor=OPERATOR)
    )
    konkurs.contests.extend_deadline(
        RecordExtension(
            slug=SLUG,
            phase=Phase.COLLECTING,
            closes_at=EXTENDED,
            reason="more time",
            command_id="extend",
            actor=OPERATOR,
        )
    )


def screen_and_judge(konkurs: Konkurs) -> None:
    close_phase(konkurs, SLUG, Phase.COLLECTING, "close-collecting")
    konkurs.results.conclude_screening(ContestOrder(slug=SLUG, command_id="screen", actor=OPERATOR))
    konkurs.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=PANEL, actor=OPERATOR))
    close_phase(konkurs, SLUG, Phase.SCREENING, "close-screening")
    konkurs.judging.assign_experts(ContestOrder(slug=SLUG, command_id="assign", actor=OPERATOR))
    scores = {"A1": (9, 5), "A2": (6, 3), "A3": (7, 4), "B1": (8, 2), "B2": (5, 5)}
    record_cards(konkurs, SLUG, [
                (
                    f"{ref}/{expert}",
                    ReviewForm(
                        submission=ref,
                        expert=expert,
                        scores={"impact": impact, "replicable": replicable},
                    ),
                )
                for ref, (impact, replicable) in scores.items()
                for expert in ("E1", "E2")
            ])
    record_cards(konkurs, SLUG, [
                ("again", ReviewForm(submission="A2", expert="E1", scores={"impact": 5, "replicable": 3})),
            ])
    close_phase(konkurs, SLUG, Phase.JUDGING, "close-judging")
    konkurs.results.conclude_judging(ContestOrder(slug=SLUG, command_id="judge", actor=OPERATOR))


def vote_and_declare(konkurs: Konkurs) -> None:
    votes = [("HC-1", "A3", "23"), ("HC-1", "A3", "75"), ("HC-1", "A1", "23"), ("HC-2", "B1", "42")]
    konkurs.ballots.cast_ballots(
        CastBallots(
            slug=SLUG,
            ballots=[
                BallotInput(voter=f"voter{i}", nomination=n, submission=ref, region=region, label=f"row{i}")
                for i, (n, ref, region) in enumerate(votes)
            ],
            voter_key=VOTER_KEY,
            strict=True,
            actor=OPERATOR,
        )
    )
    close_phase(konkurs, SLUG, Phase.VOTING, "close-voting")
    konkurs.results.tally_votes(ContestOrder(slug=SLUG, command_id="tally", actor=OPERATOR))
    konkurs.results.declare_results(ContestOrder(slug=SLUG, command_id="declare", actor=OPERATOR))


def run_whole_contest(konkurs: Konkurs) -> None:
    announce_and_collect(konkurs)
    screen_and_judge(konkurs)
    vote_and_declare(konkurs)
    close_phase(konkurs, SLUG, Phase.RESULTS, "close-results")
    konkurs.results.publish_results(ContestOrder(slug=SLUG, command_id="publish", actor=OPERATOR))


@pytest.fixture
def views_db(tmp_path: Path) -> ViewsDB:
    return ViewsDB(tmp_path / "views.db")


class LogPrefix:
    """The log as it stood at `stop`: what a runner had seen when it stopped there."""

    def __init__(self, konkurs: Konkurs, stop: int) -> None:
        self.konkurs = konkurs
        self.stop = stop

    def read_log(
        self, topics: Sequence[str] = (), start: int = 1, stop: int | None = None
    ) -> Iterator[LoggedEvent]:
        return self.konkurs.store.read_log(topics, start=start, stop=self.stop)


class RacedLog:
    """The log, read while another runner catches the same views up before the first event."""

    def __init__(self, konkurs: Konkurs, views_db: ViewsDB) -> None:
        self.konkurs = konkurs
        self.views_db = views_db
        self.raced = False

    def read_log(
        self, topics: Sequence[str] = (), start: int = 1, stop: int | None = None
    ) -> Iterator[LoggedEvent]:
        for logged in self.konkurs.store.read_log(topics, start=start, stop=stop):
            if not self.raced:
                self.raced = True
                catch_up(self.konkurs.store, self.views_db, [BoardView()])
            yield logged


class BoardKilledAt(BoardView):
    """The board view, dying while it applies its `nth` event."""

    def __init__(self, nth: int) -> None:
        super().__init__()
        self.nth = nth
        self.seen = 0

    def apply(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        self.seen += 1
        if self.seen == self.nth:
            raise RuntimeError("killed")
        super().apply(cursor, logged)


def test_the_board_shows_phase_extended_deadlines_and_counts_by_nomination_and_region(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    announce_and_collect(konkurs)
    screen_and_judge(konkurs)
    catch_up(konkurs.store, views_db, default_views())

    shown = board(views_db, SLUG)

    assert (shown.phase, shown.title, shown.level) == ("voting", "Тестовый конкурс", "federal")
    deadlines = {d.phase: d for d in shown.deadlines}
    plan = contest_spec().phase_plan()
    assert [d.phase for d in shown.deadlines] == [phase.value for phase in plan.phases]
    assert deadlines["collecting"].closes_at == EXTENDED
    assert deadlines["collecting"].extensions == 1
    assert deadlines["judging"].extensions == 0
    assert (shown.submissions, shown.admitted, shown.rejected) == (6, 5, 1)
    assert shown.reviews == 10
    assert [(n.code, n.title, n.submissions, n.admitted) for n in shown.by_nomination] == [
        ("HC-1", "Запись к врачу", 3, 3),
        ("HC-2", "Лекарственное обеспечение", 3, 2),
    ]
    assert [(r.code, r.name, r.submissions, r.admitted) for r in shown.by_region] == [
        ("23", "Краснодарский край", 3, 3),
        ("75", "Забайкальский край", 2, 1),
        ("42", "Кемеровская область — Кузбасс", 1, 1),
    ]


def test_the_board_counts_ballots_and_lists_every_contest(konkurs: Konkurs, views_db: ViewsDB) -> None:
    run_whole_contest(konkurs)
    catch_up(konkurs.store, views_db, default_views())

    [summary] = list_contests(views_db)

    assert (summary.slug, summary.phase, summary.ballots) == (SLUG, "closed", 4)


def test_participation_lists_every_region_most_submissions_first_including_empty_ones(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    announce_and_collect(konkurs)
    catch_up(konkurs.store, views_db, default_views())

    shown = participation(views_db, SLUG)

    assert shown.submissions == 6
    assert len(shown.regions) == 89
    assert [(r.code, r.submissions) for r in shown.regions[:4]] == [
        ("23", 3),
        ("75", 2),
        ("42", 1),
        ("01", 0),
    ]
    assert shown.regions[3].name == "Республика Адыгея"


def test_a_cancelled_contest_shows_its_phase_and_reason(konkurs: Konkurs, views_db: ViewsDB) -> None:
    announce_and_collect(konkurs)
    konkurs.contests.cancel(
        RecordCancellation(slug=SLUG, reason="the ministry withdrew it", command_id="cancel", actor=OPERATOR)
    )
    catch_up(konkurs.store, views_db, default_views())

    shown = board(views_db, SLUG)

    assert (shown.phase, shown.cancelled_reason) == ("cancelled", "the ministry withdrew it")


def test_the_expert_ranking_shows_before_results_are_declared(konkurs: Konkurs, views_db: ViewsDB) -> None:
    announce_and_collect(konkurs)
    screen_and_judge(konkurs)
    catch_up(konkurs.store, views_db, default_views())

    shown = results(views_db, SLUG)

    assert (shown.judged, shown.declared, shown.published) == (True, False, False)
    hc1 = shown.nominations[0]
    assert [(e.place, e.reference, e.title, e.reviews) for e in hc1.ranking] == [
        (1, "A1", "Practice A1", 2),
        (2, "A3", "Practice A3", 2),
        (3, "A2", "Practice A2", 2),
    ]
    assert [e.shortlisted for e in hc1.ranking] == [True, True, False]
    assert hc1.winners == [] and hc1.people_choice == []


def test_results_show_winners_with_titles_once_declared_and_published_once_published(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    announce_and_collect(konkurs)
    screen_and_judge(konkurs)
    vote_and_declare(konkurs)
    catch_up(konkurs.store, views_db, default_views())

    declared = results(views_db, SLUG)
    hc1 = declared.nominations[0]
    assert (declared.declared, declared.published) == (True, False)
    assert [(w.place, w.reference, w.title, w.applicant, w.region_name, w.votes) for w in hc1.winners] == [
        (1, "A1", "Practice A1", "Applicant A1", "Краснодарский край", 1),
        (2, "A3", "Practice A3", "Applicant A3", "Забайкальский край", 2),
    ]
    assert [(p.reference, p.votes) for p in hc1.people_choice] == [("A3", 2)]

    close_phase(konkurs, SLUG, Phase.RESULTS, "close-results")
    konkurs.results.publish_results(ContestOrder(slug=SLUG, command_id="publish", actor=OPERATOR))
    catch_up(konkurs.store, views_db, default_views())

    published = results(views_db, SLUG)
    assert published.published is True
    assert declared.sealed_head is None
    [publication] = konkurs.store.read_log([topic_of(Contest.ResultsPublished)])
    konkurs.chain.extend()
    sealed = publication.position - 1  # the head when it was recorded: the event before it
    assert (published.sealed_position, published.sealed_head) == (sealed, konkurs.chain.link(sealed).hex())


def test_declaring_results_again_replaces_the_contests_standings(konkurs: Konkurs, views_db: ViewsDB) -> None:
    announce_and_collect(konkurs)
    screen_and_judge(konkurs)
    vote_and_declare(konkurs)
    catch_up(konkurs.store, views_db, default_views())
    before = results(views_db, SLUG)

    konkurs.results.declare_results(ContestOrder(slug=SLUG, command_id="declare-again", actor=OPERATOR))
    catch_up(konkurs.store, views_db, default_views())

    assert results(views_db, SLUG) == before


def test_an_unknown_contest_is_reported_as_never_announced(konkurs: Konkurs, views_db: ViewsDB) -> None:
    for query in (board, results, participation):
        with pytest.raises(UnknownContest, match="no contest 'nope' has been announced"):
            query(views_db, "nope")
    assert list_contests(views_db) == []


def test_catching_up_twice_applies_nothing_new_the_second_time(konkurs: Konkurs, views_db: ViewsDB) -> None:
    run_whole_contest(konkurs)
    views = default_views()

    first = catch_up(konkurs.store, views_db, views)
    dump = views_db.dump()

    assert first == sum(len(list(konkurs.store.read_log(topics(v)))) for v in views)
    assert catch_up(konkurs.store, views_db, views) == 0
    assert views_db.dump() == dump


def test_a_view_killed_mid_batch_keeps_rows_and_position_together_and_resumes_exactly_once(
    konkurs: Konkurs, views_db: ViewsDB, tmp_path: Path
) -> None:
    announce_and_collect(konkurs)
    screen_and_judge(konkurs)
    handled = list(konkurs.store.read_log(topics(BoardView())))

    with pytest.raises(RuntimeError, match="killed"):
        catch_up(konkurs.store, views_db, [BoardKilledAt(nth=15)], batch_size=10)

    tenth = handled[9].position
    assert views_db.positions()["board"] == tenth
    reference = ViewsDB(tmp_path / "reference.db")
    catch_up(LogPrefix(konkurs, stop=tenth), reference, [BoardView()])
    assert views_db.dump() == reference.dump()

    assert catch_up(konkurs.store, views_db, [BoardView()], batch_size=10) == len(handled) - 10
    complete = ViewsDB(tmp_path / "complete.db")
    catch_up(konkurs.store, complete, [BoardView()])
    assert views_db.dump() == complete.dump()
    assert board(views_db, SLUG).submissions == len(ENTRIES)


def test_two_runners_on_one_view_never_apply_an_event_twice(
    konkurs: Konkurs, views_db: ViewsDB, tmp_path: Path
) -> None:
    announce_and_collect(konkurs)

    assert catch_up(RacedLog(konkurs, views_db), views_db, [BoardView()]) == 0

    single = ViewsDB(tmp_path / "single.db")
    catch_up(konkurs.store, single, [BoardView()])
    assert views_db.dump() == single.dump()


def test_a_rebuild_from_position_zero_gives_byte_identical_tables(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    stages = [announce_and_collect, screen_and_judge, vote_and_declare]
    for stage in stages:
        stage(konkurs)
        catch_up(konkurs.store, views_db, default_views(), batch_size=7)
    konkurs.results.declare_results(ContestOrder(slug=SLUG, command_id="declare-again", actor=OPERATOR))
    close_phase(konkurs, SLUG, Phase.RESULTS, "close-results")
    konkurs.results.publish_results(ContestOrder(slug=SLUG, command_id="publish", actor=OPERATOR))
    catch_up(konkurs.store, views_db, default_views(), batch_size=7)
    incremental = "\n".join(views_db.dump()).encode()

    applied = rebuild(konkurs.store, views_db, default_views())

    assert applied > 0
    assert "\n".join(views_db.dump()).encode() == incremental


def test_following_the_log_picks_up_new_events_until_stopped(konkurs: Konkurs, views_db: ViewsDB) -> None:
    stop = threading.Event()
    follower = threading.Thread(
        target=follow, args=(konkurs.store, views_db, [BoardView(), ResultsView()], 0.01, stop)
    )
    follower.start()
    try:
        announce_and_collect(konkurs)
        last = konkurs.store.head_position()  # the extension, which the board handles
        for _ in range(500):
            if views_db.positions().get("board") == last:
                break
            threading.Event().wait(0.01)
    finally:
        stop.set()
        follower.join(timeout=5)

    assert not follower.is_alive()
    assert board(views_db, SLUG).submissions == len(ENTRIES)


def test_catching_up_from_where_this_process_last_read_misses_no_event_and_survives_a_rebuild(
    konkurs: Konkurs, views_db: ViewsDB, tmp_path: Path
) -> None:
    marks = ScanMarks()
    announce_and_collect(konkurs)
    catch_up(konkurs.store, views_db, default_views(), marks=marks)
    assert catch_up(konkurs.store, views_db, default_views(), marks=marks) == 0
    screen_and_judge(konkurs)
    assert catch_up(konkurs.store, views_db, default_views(), marks=marks) > 0

    polled = ViewsDB(tmp_path / "polled.db")
    catch_up(konkurs.store, polled, default_views())
    assert views_db.dump() == polled.dump()

    # Another process rebuilds the views under this one and stops halfway: this one's marks no
    # longer match the tracked positions, so it reads on from those, not from its old head.
    rebuild(LogPrefix(konkurs, konkurs.store.head_position() // 2), views_db, default_views())
    assert views_db.dump() != polled.dump()
    catch_up(konkurs.store, views_db, default_views(), marks=marks)
    assert views_db.dump() == polled.dump()
