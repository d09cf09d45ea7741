"""Time travel: the contest as it stood at a log position or a moment, read from the log prefix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from domain.aggregates import Contest, Judging
from domain.commands.contest import Announce, RecordExtension
from domain.commands.intake import BallotInput, CastBallots, Submit
from domain.commands.judging import ConcludeNomination, EnrollExperts
from domain.commands.order import ContestOrder
from domain.errors import KonkursError, UnknownContest
from domain.phases import Phase
from domain.spec import ApplicantKind
from services.konkurs import Konkurs
from services.time_travel import SKEW, NotAnnouncedYet
from store.log import topic_of
from tests.factories import (
    DAY,
    OPERATOR,
    cards_for_assignments,
    close_phase,
    expert_panel,
    make_spec,
    practice_forms,
    record_cards,
)

SLUG = "test-contest"
ENTRIES = [  # reference, nomination, applicant kind; the business is not eligible
    ("A1", "HC-1", ApplicantKind.NGO),
    ("A2", "HC-1", ApplicantKind.STATE_INSTITUTION),
    ("A3", "HC-1", ApplicantKind.BUSINESS),
    ("B1", "HC-2", ApplicantKind.NGO),
]
IMPACT = {"A1": 9, "A2": 6, "B1": 8}
VOTES = [("HC-1", "A1", "23"), ("HC-1", "A2", "23"), ("HC-1", "A2", "75"), ("HC-2", "B1", "75")]


@dataclass(frozen=True)
class History:
    konkurs: Konkurs
    start: datetime
    marks: dict[str, int]

    def at(self, event_class: type) -> int:
        """The position of the contest's first event of this class."""
        return next(e.position for e in self.konkurs.store.read_log([topic_of(event_class)]))


@pytest.fixture
def history(konkurs: Konkurs) -> History:
    """A contest driven from announcement to published results, positions marked on the way."""
    start = datetime.now(UTC) + DAY
    spec = make_spec(start, SLUG)
    marks: dict[str, int] = {}

    def mark(name: str) -> None:
        marks[name] = konkurs.store.head_position()

    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )
    close_phase(konkurs, SLUG, Phase.ANNOUNCED, "close:announced")
    konkurs.submissions.submit(
        Submit(slug=SLUG, forms=practice_forms(ENTRIES), actor=OPERATOR)
    )
    mark("submitted")
    konkurs.contests.extend_deadline(
        RecordExtension(
            slug=SLUG,
            phase=Phase.COLLECTING,
            closes_at=start + 65 * DAY,
            reason="more time",
            command_id="extend",
            actor=OPERATOR,
        )
    )
    konkurs.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=expert_panel(4), actor=OPERATOR))
    close_phase(konkurs, SLUG, Phase.COLLECTING, "close:collecting")
    konkurs.results.conclude_screening(ContestOrder(slug=SLUG, command_id="screen", actor=OPERATOR))
    close_phase(konkurs, SLUG, Phase.SCREENING, "close:screening")
    konkurs.judging.assign_experts(ContestOrder(slug=SLUG, command_id="assign", actor=OPERATOR))
    mark("assigned")
    cards = cards_for_assignments(konkurs, SLUG, lambda ref, _: IMPACT[ref])
    record_cards(konkurs, SLUG, cards)
    marks["cards"] = len(cards)
    close_phase(konkurs, SLUG, Phase.JUDGING, "close:judging")
    konkurs.judging.conclude_nomination(
        ConcludeNomination(slug=SLUG, nomination="HC-1", command_id="conclude:HC-1", actor=OPERATOR)
    )
    konkurs.results.conclude_judging(ContestOrder(slug=SLUG, command_id="judge", actor=OPERATOR))
    konkurs.ballots.cast_ballots(
        CastBallots(
            slug=SLUG,
            ballots=[
                BallotInput(
                    voter=f"v{n}", nomination=nomination, submission=ref, region=region, label=f"ballot {n}"
                )
                for n, (nomination, ref, region) in enumerate(VOTES)
            ],
            voter_key=b"test-key",
            strict=True,
            actor=OPERATOR,
        )
    )
    mark("voted")
    close_phase(konkurs, SLUG, Phase.VOTING, "close:voting")
    konkurs.results.tally_votes(ContestOrder(slug=SLUG, command_id="tally", actor=OPERATOR))
    konkurs.results.declare_results(ContestOrder(slug=SLUG, command_id="declare", actor=OPERATOR))
    close_phase(konkurs, SLUG, Phase.RESULTS, "close:results")
    konkurs.results.publish_results(ContestOrder(slug=SLUG, command_id="publish", actor=OPERATOR))
    return History(konkurs, start, marks)


def collection_closes(history: History, position: int) -> datetime:
    at = history.konkurs.time_travel.contest_at(SLUG, position)
    return next(w.closes_at for w in at.deadlines if w.phase == Phase.COLLECTING)


# Positions


def test_the_phase_follows_the_log(history: History) -> None:
    konkurs = history.konkurs
    announced = history.at(Contest.Announced)
    assert konkurs.time_travel.contest_at(SLUG, announced).phase == Phase.ANNOUNCED
    assert konkurs.time_travel.contest_at(SLUG, history.marks["submitted"]).phase == Phase.COLLECTING
    assert konkurs.time_travel.contest_at(SLUG, history.marks["assigned"]).phase == Phase.JUDGING
    assert konkurs.time_travel.contest_at(SLUG, history.marks["voted"]).phase == Phase.VOTING
    assert konkurs.time_travel.contest_at(SLUG, konkurs.store.head_position()).phase == Phase.CLOSED


def test_the_deadlines_show_an_extension_only_from_its_event_on(history: History) -> None:
    extended = history.at(Contest.DeadlineExtended)
    assert collection_closes(history, extended - 1) == history.start + 60 * DAY
    assert collection_closes(history, extended) == history.start + 65 * DAY


def test_admissions_appear_with_the_screening_conclusion_and_not_before(history: History) -> None:
    konkurs = history.konkurs
    concluded = history.at(Contest.ScreeningConcluded)
    before = konkurs.time_travel.contest_at(SLUG, concluded - 1).submissions
    at = konkurs.time_travel.contest_at(SLUG, concluded).submissions
    assert (before.submitted, before.admitted, before.rejected) == (4, None, None)
    assert (at.submitted, at.withdrawn, at.admitted, at.rejected) == (4, 0, 3, 1)


def test_cards_count_from_their_recording(history: History) -> None:
    konkurs = history.konkurs
    assert konkurs.time_travel.contest_at(SLUG, history.marks["assigned"]).expert_cards == 0
    judging_closed = konkurs.store.phase_closed_at(SLUG, Phase.JUDGING)
    assert judging_closed is not None
    assert konkurs.time_travel.contest_at(SLUG, judging_closed).expert_cards == history.marks["cards"] > 0


def test_a_nominations_ranking_is_known_from_its_conclusion_and_all_from_judgings(
    history: History,
) -> None:
    konkurs = history.konkurs
    nomination = history.at(Judging.Concluded)
    judged = history.at(Contest.JudgingConcluded)
    assert konkurs.time_travel.contest_at(SLUG, nomination - 1).rankings == []
    assert [r.nomination for r in konkurs.time_travel.contest_at(SLUG, nomination).rankings] == ["HC-1"]
    rankings = konkurs.time_travel.contest_at(SLUG, judged).rankings
    assert [r.nomination for r in rankings] == ["HC-1", "HC-2"]
    assert [(e.reference, e.place) for e in rankings[0].entries] == [("A1", 1), ("A2", 2)]


def test_votes_then_winners_then_publication_appear_in_log_order(history: History) -> None:
    konkurs = history.konkurs
    voted = konkurs.time_travel.contest_at(SLUG, history.marks["voted"])
    assert (voted.ballots, voted.votes, voted.results) == (4, None, None)
    tallied = konkurs.time_travel.contest_at(SLUG, history.at(Contest.VotesTallied))
    assert tallied.votes == {"HC-1": {"A1": 1, "A2": 2}, "HC-2": {"B1": 1}}
    assert tallied.results is None
    declared = konkurs.time_travel.contest_at(SLUG, history.at(Contest.ResultsDeclared))
    assert declared.results is not None and not declared.published
    assert [(w.nomination, w.place, w.reference) for w in declared.results.winners][:2] == [
        ("HC-1", 1, "A1"),
        ("HC-1", 2, "A2"),
    ]
    assert konkurs.time_travel.contest_at(SLUG, history.at(Contest.ResultsPublished)).published


def test_at_the_head_it_is_the_contest_as_it_is_now(history: History) -> None:
    konkurs = history.konkurs
    now = konkurs.store.get_contest(SLUG)
    at = konkurs.time_travel.contest_at(SLUG, konkurs.store.head_position())
    assert now.judging is not None and now.tally is not None
    assert (at.phase, at.results, at.rankings, at.votes) == (
        now.phase,
        now.results,
        now.judging.rankings,
        now.tally.by_submission,
    )
    assert at.moment is not None and at.moment <= datetime.now(UTC)


def test_before_its_announcement_a_contest_was_not_there(konkurs: Konkurs) -> None:
    earlier = make_spec(datetime.now(UTC) + DAY, "earlier")
    konkurs.contests.announce(
        Announce(spec=earlier, plan=earlier.phase_plan(), command_id="announce:earlier", actor=OPERATOR)
    )
    before = konkurs.store.head_position()
    spec = make_spec(datetime.now(UTC) + DAY, SLUG)
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )
    not_yet = rf"contest {SLUG} was not announced yet at position {before} \("
    with pytest.raises(NotAnnouncedYet, match=not_yet):
        konkurs.time_travel.contest_at(SLUG, before)
    with pytest.raises(NotAnnouncedYet,
                       match=r"not announced yet at the end of 31.12.1999 \(24:00 UTC\) \(position 0\)"):
        konkurs.time_travel.contest_as_of(SLUG, datetime(2000, 1, 1, tzinfo=UTC))
    with pytest.raises(UnknownContest, match="no contest 'nowhere'"):
        konkurs.time_travel.contest_at("nowhere", before)
    with pytest.raises(KonkursError, match="outside the log, which ends at"):
        konkurs.time_travel.contest_at(SLUG, konkurs.store.head_position() + 1)


# Moments


def first_after(stamps: list[tuple[int, datetime]], moment: datetime) -> int:
    """The definition, by brute force: the position before the first event stamped after it."""
    last = 0
    for position, stamp in stamps:
        if stamp > moment:
            return last
        last = position
    return last


def stamps_of(konkurs: Konkurs) -> list[tuple[int, datetime]]:
    return [(e.position, datetime.fromisoformat(e.state["timestamp"])) for e in konkurs.store.read_log()]


def test_a_moment_maps_to_the_prefix_recorded_by_then_on_a_real_log(history: History) -> None:
    konkurs = history.konkurs
    stamps = stamps_of(konkurs)
    tick = timedelta(microseconds=1)
    moments = [m + d for _, m in stamps for d in (-tick, timedelta(0))]
    assert [konkurs.time_travel.position_at(m) for m in moments] == [first_after(stamps, m) for m in moments]
    assert konkurs.time_travel.position_at(stamps[0][1] - DAY) == 0
    assert konkurs.time_travel.position_at(datetime.now(UTC) + DAY) == konkurs.store.head_position()


def ticks(konkurs: Konkurs, moments: list[datetime]) -> None:
    """Events stamped as given, in this order; time travel reads nothing else of them."""
    konkurs.store.recorder.insert_events(
        [
            StoredEvent(
                uuid4(),
                1,
                "tests:Tick",
                konkurs.store.mapper.encode_state(  # type: ignore[attr-defined]
                    {"timestamp": moment.isoformat()}
                ),
            )
            for moment in moments
        ]
    )


T0 = datetime(2030, 6, 18, 12, tzinfo=UTC)


def test_a_moment_on_a_long_log_in_time_order_is_found_by_bisection(konkurs: Konkurs) -> None:
    ticks(konkurs, [T0 + timedelta(seconds=n) for n in range(5000)])
    assert konkurs.time_travel.position_at(T0 + timedelta(seconds=2999)) == 3000
    assert konkurs.time_travel.position_at(T0 + timedelta(seconds=2999.5)) == 3000
    assert konkurs.time_travel.position_at(T0 - timedelta(seconds=1)) == 0


def test_an_event_that_overtook_an_earlier_stamped_one_ends_the_prefix(konkurs: Konkurs) -> None:
    """Position 4 was stamped after noon but committed before 5–7, stamped by noon: at noon
    the log held 1–3 only, since nothing after 4 had been committed yet. Bisection alone lands
    on 7."""
    lag = SKEW / 2
    ticks(
        konkurs,
        [
            T0 - 3 * SKEW,
            T0 - 2 * lag,
            T0 - lag,
            T0 + lag,
            T0 - lag / 2,
            T0 - lag / 4,
            T0,
            T0 + SKEW,
            T0 + 2 * SKEW,
        ],
    )
    assert konkurs.time_travel.position_at(T0) == 3
    assert konkurs.time_travel.position_at(T0 + SKEW) == 8
    assert konkurs.time_travel.position_at(T0 - 2 * SKEW) == 1


def test_a_moment_needs_a_timezone(konkurs: Konkurs) -> None:
    with pytest.raises(KonkursError, match="needs a timezone"):
        konkurs.time_travel.position_at(datetime(2030, 6, 18, 12))
