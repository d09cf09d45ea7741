from domain.aggregates.ballot import Ballot
from domain.aggregates.contest import Contest
from domain.aggregates.expert import Expert, ExpertProfile
from domain.aggregates.judging import Judging, Pair, Reminder
from domain.aggregates.review import Review
from domain.aggregates.submission import Applicant, Submission, SubmissionStatus

__all__ = [
    "Applicant", "Ballot", "Contest", "Expert", "ExpertProfile", "Judging", "Pair", "Reminder",
    "Review", "Submission", "SubmissionStatus",
]
