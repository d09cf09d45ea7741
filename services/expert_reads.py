"""What an expert's pages read: their contests, their desk in one contest and one assigned
submission with their own card. The rights are the submission reads' and `domain.access`'s;
what these add is reading only the expert's own assignments (never the whole contest), so a
desk of a hundred cards in a stage of thousands costs a hundred reads, and hiding the applicant
when the spec asks for blind judging."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from pydantic import Field

from domain.access import Stage, may_read_submission, refuse
from domain.actors import Actor, ActorKind
from domain.aggregates import Applicant, Contest, Review, Submission
from domain.commands.reads import ReadAssignments, ReadSubmissions
from domain.errors import PhaseClosed
from domain.ids import review_id, submission_id
from domain.model import Value
from domain.phases import Phase
from domain.rules.scoring import weighted_score
from domain.spec.judging import Criterion
from services.aggregate_states import event_states
from services.judging_reads import JudgingReads
from services.submission_reads import SubmissionReads
from store.application import StoreApplication


class Judged(Value):
    """Where judging of a contest stands for its experts."""

    slug: str
    title: str
    phase: Phase
    closes_at: datetime | None = Field(description="Judging's deadline with its extensions")
    open: bool = Field(description="Cards are taken now: in judging, before its deadline")
    criteria: list[Criterion]


class DeskRow(Value):
    reference: str
    title: str
    nomination: str
    nomination_title: str
    scores: dict[str, float] | None = Field(description="The expert's own card, if recorded")
    total: float | None = Field(description="The card's weighted score out of 100")


class Desk(Value):
    judged: Judged
    rows: list[DeskRow]

    @property
    def scored(self) -> int:
        return sum(row.scores is not None for row in self.rows)


class ShownMaterial(Value):
    number: int
    sha256: str
    name: str = Field(description="The file's name, or a neutral one under blind judging")
    size: int
    media_type: str


class ExpertSubmission(Value):
    judged: Judged
    blind: bool
    reference: str
    nomination: str
    nomination_title: str
    title: str
    summary: str
    applicant: Applicant | None = Field(description="None under blind judging")
    nominee_name: str | None = Field(description="None under blind judging or without a nominee")
    nominee_position: str | None
    materials: list[ShownMaterial]
    scores: dict[str, float] | None
    total: float | None


class ExpertContest(Value):
    slug: str
    title: str
    assigned: int


class ExpertReads:
    def __init__(self, store: StoreApplication, reads: JudgingReads, submissions: SubmissionReads) -> None:
        self.store = store
        self.reads = reads
        self.submissions = submissions

    def contests(self, actor: Actor) -> list[ExpertContest]:
        """The contests within the expert's scope where they hold assignments now."""
        _require_expert(actor, "read assignments")
        found = []
        for slug in self.store.contest_slugs():
            if actor.scope.covers(slug):
                contest = self.store.get_contest(slug)
                assigned = self._assigned(actor, contest)
                if assigned:
                    found.append(ExpertContest(slug=slug, title=contest.spec.title, assigned=len(assigned)))
        return found

    def desk(self, query: ReadAssignments) -> Desk:
        actor = query.actor
        _require_expert(actor, f"read assignments in {query.slug}")
        contest = self.store.get_contest(query.slug)
        spec, criteria = contest.spec, contest.spec.judging.criteria
        references = sorted(self._assigned(actor, contest))
        slug = query.slug
        entries = {reference: (submission_id(slug, reference), review_id(slug, reference, actor.id))
                   for reference in references}
        states = event_states(self.store, [key for pair in entries.values() for key in pair])
        rows = []
        for reference, (entry, card) in entries.items():
            # Later events (a draft's revisions, a card's rescoring) restate what they change.
            submitted = _folded(states[entry], ("title", "nomination"))
            scores = _folded(states.get(card, []), ("scores",)).get("scores")
            nomination = spec.nomination(submitted["nomination"])
            rows.append(DeskRow(
                reference=reference, title=submitted["title"], nomination=submitted["nomination"],
                nomination_title=nomination.title if nomination else submitted["nomination"], scores=scores,
                total=None if scores is None else weighted_score(scores, criteria)))
        return Desk(judged=_judged(contest), rows=rows)

    def submission(self, query: ReadSubmissions) -> ExpertSubmission:
        """One assigned submission as its expert sees it; refused alike whether it exists or not."""
        actor, slug = query.actor, query.slug
        _require_expert(actor, f"read submission {query.reference} of {slug}")
        [record] = self.submissions.submissions(query)
        submission: Submission = self.store.repository.get(submission_id(slug, record.reference))
        contest = self.store.get_contest(slug)
        spec = contest.spec
        blind = spec.judging.blind
        nominee = submission.nominee
        nomination = spec.nomination(record.nomination)
        scores = self._card(slug, record.reference, actor)
        return ExpertSubmission(
            judged=_judged(contest), blind=blind, reference=record.reference, nomination=record.nomination,
            nomination_title=nomination.title if nomination else record.nomination, title=record.title,
            summary=record.summary, applicant=None if blind else record.applicant,
            nominee_name=None if blind or nominee is None else nominee.name,
            nominee_position=None if nominee is None else nominee.position,
            materials=[ShownMaterial(number=number, sha256=m.sha256, size=m.size, media_type=m.media_type,
                                     name=_blind_name(number, m.name) if blind else m.name)
                       for number, m in enumerate(record.materials, start=1)],
            scores=scores, total=None if scores is None else weighted_score(scores, spec.judging.criteria))

    def _assigned(self, actor: Actor, contest: Contest) -> list[str]:
        stage = Stage.of(contest.spec)
        return [reference for judging in self.reads.judgings(contest.spec).values()
                for reference, experts in judging.assigned.items()
                if may_read_submission(actor, stage, None, experts)]

    def _card(self, slug: str, reference: str, actor: Actor) -> dict[str, float] | None:
        review: Review | None = self.store.existing(review_id(slug, reference, actor.id))
        return None if review is None else dict(review.scores)


def _folded(states: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: state[key] for state in states for key in keys if key in state}


def _require_expert(actor: Actor, right: str) -> None:
    if actor.kind != ActorKind.EXPERT:
        raise refuse(actor, right, "only an expert has assignments")


def _judged(contest: Contest) -> Judged:
    closes_at = contest.plan.window(Phase.JUDGING).closes_at if Phase.JUDGING in contest.plan.phases else None
    try:
        contest.takes(Phase.JUDGING, "reviews", datetime.now(UTC))
        is_open = True
    except PhaseClosed:
        is_open = False
    return Judged(slug=contest.slug, title=contest.spec.title, phase=contest.phase, closes_at=closes_at,
                  open=is_open, criteria=list(contest.spec.judging.criteria))


def _blind_name(number: int, name: str) -> str:
    # A file's name often carries its author's: blind judging keeps only its kind.
    suffix = PurePath(name).suffix.lower()
    return f"material-{number}{suffix if suffix.isascii() and len(suffix) <= 8 else ''}"
