"""What an applicant's own pages read: its submissions across contests, a draft's form as it
stands (to revise it), and when a contest's intake closed. Rights are `SubmissionReads`'s: an
applicant sees only what it may read there."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import Field

from domain.actors import Actor
from domain.aggregates import Contest, Submission
from domain.commands.intake import SubmissionForm
from domain.commands.order import Order
from domain.commands.reads import ReadSubmissions, SubmissionRecord
from domain.errors import Forbidden
from domain.ids import submission_id
from domain.model import Value
from domain.phases import Phase
from services.submission_reads import SubmissionReads
from store.application import StoreApplication
from store.log import topic_of


class ReadOwnSubmissions(Order):
    actor: Actor


class OwnSubmission(Value):
    slug: str
    contest_title: str
    record: SubmissionRecord


class OwnSubmissions(Value):
    submissions: list[OwnSubmission]


class ReadIntakeWindow(Order):
    slug: str


class IntakeWindow(Value):
    """Whether a contest takes submissions now and, if not, since when it has stopped."""

    open: bool
    deadline: datetime = Field(description="Collection's deadline, with its recorded extensions")
    closed_at: datetime | None = Field(description="When collection stopped: the earlier of its recorded "
                                                   "close and its deadline; None while it is open or ahead")


class ApplicantDesk:
    def __init__(self, store: StoreApplication, submission_reads: SubmissionReads) -> None:
        self.store = store
        self.submission_reads = submission_reads

    def own_submissions(self, query: ReadOwnSubmissions) -> OwnSubmissions:
        """Every submission the actor may read, contest by contest in announcement order."""
        found: list[OwnSubmission] = []
        for slug in self.store.contest_slugs():
            try:
                records = self.submission_reads.submissions(ReadSubmissions(actor=query.actor, slug=slug))
            except Forbidden:
                continue  # a contest the actor has no right to read at all
            if records:
                title = self.store.get_contest(slug).spec.title
                found.extend(OwnSubmission(slug=slug, contest_title=title, record=r) for r in records)
        return OwnSubmissions(submissions=found)

    def form_of(self, query: ReadSubmissions) -> SubmissionForm:
        """The submission's form as it stands, for whoever may read it (its applicant revises a draft)."""
        [record] = self.submission_reads.submissions(query)
        submission: Submission = self.store.existing(submission_id(query.slug, record.reference))
        return SubmissionForm(
            reference=submission.reference, nomination=submission.nomination, title=submission.title,
            applicant=submission.applicant, summary=submission.summary,
            conditions=tuple(submission.conditions), nominee=submission.nominee)

    def intake_window(self, query: ReadIntakeWindow) -> IntakeWindow:
        contest = self.store.get_contest(query.slug)
        deadline = contest.plan.window(Phase.COLLECTING).closes_at
        now = datetime.now(UTC)
        if contest.phase == Phase.COLLECTING and not contest.deadline_passed(Phase.COLLECTING, now):
            return IntakeWindow(open=True, deadline=deadline, closed_at=None)
        if contest.phase in (Phase.ANNOUNCED, Phase.COLLECTING):
            ahead = contest.phase == Phase.ANNOUNCED
            return IntakeWindow(open=False, deadline=deadline, closed_at=None if ahead else deadline)
        return IntakeWindow(open=False, deadline=deadline, closed_at=min(deadline, self._closed(contest)))

    def _closed(self, contest: Contest) -> datetime:
        """When the log recorded collection's close; a contest cancelled before it closed stopped then."""
        for logged in self.store.read_log([topic_of(Contest.PhaseChanged), topic_of(Contest.Cancelled)]):
            if logged.originator_id == contest.id and (
                    logged.state.get("closed") == Phase.COLLECTING
                    or logged.state.get("in_phase") in (Phase.ANNOUNCED, Phase.COLLECTING)):
                return datetime.fromisoformat(logged.state["timestamp"])
        return contest.plan.window(Phase.COLLECTING).closes_at
