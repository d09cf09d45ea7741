from domain.aggregates.acceptance import Acceptance, IntakeKind
from domain.aggregates.announcement import Announcement
from domain.aggregates.ballot import Ballot
from domain.aggregates.contest import Contest
from domain.aggregates.expert import Expert, ExpertProfile
from domain.aggregates.judging import Judging, Pair, Reminder
from domain.aggregates.municipalities import Municipality, MunicipalRoster
from domain.aggregates.registry import RegistryEntry, RegistryRow
from domain.aggregates.review import Review
from domain.aggregates.submission import Applicant, Material, Submission, SubmissionStatus

__all__ = [
    "Acceptance", "Announcement", "Applicant", "Ballot", "Contest", "Expert", "ExpertProfile",
    "IntakeKind", "Judging", "Material", "MunicipalRoster", "Municipality", "Pair",
    "RegistryEntry", "RegistryRow", "Reminder", "Review", "Submission", "SubmissionStatus",
]
