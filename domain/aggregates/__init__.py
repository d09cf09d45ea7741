from domain.aggregates.ballot import Ballot
from domain.aggregates.contest import Contest
from domain.aggregates.review import Review
from domain.aggregates.submission import Applicant, Submission, SubmissionStatus

__all__ = ["Applicant", "Ballot", "Contest", "Review", "Submission", "SubmissionStatus"]
