"""Errors the domain raises. Every one carries a one-line message fit for an operator."""

from __future__ import annotations


class KonkursError(Exception):
    """Base of every rule violation an operator can cause and read about."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class SpecError(KonkursError):
    """A contest spec that does not validate."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        first = problems[0] if problems else f"{source}: invalid"
        more = f" (and {len(problems) - 1} more; see `konkurs spec check`)" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}")


class InputFileError(KonkursError):
    """A file the operator handed in cannot be read as asked."""


class UnknownContest(KonkursError):
    pass


class ReportAlreadyRecorded(KonkursError):
    """A municipality's report is recorded once: another date or reference for it is a conflict."""


class ContestAlreadyAnnounced(KonkursError):
    pass


class UnknownNomination(KonkursError):
    pass


class UnknownSubmission(KonkursError):
    pass


class PhaseClosed(KonkursError):
    """An intake event arrived when its phase is not open."""


class DuplicateSubmission(KonkursError):
    pass


class IneligibleApplicant(KonkursError):
    pass


class ScoreOutOfRange(KonkursError):
    pass


class NotAssigned(KonkursError):
    """A scorecard from an expert the submission was not assigned to."""


class DuplicateBallot(KonkursError):
    pass


class BallotRefused(KonkursError):
    """A ballot outside the window, off the shortlist, or for an unknown nomination or region."""


class PromotionConflict(KonkursError):
    """A promotion that the regional stage's sealed results do not give, or that differs from
    the one already taken from that stage; nothing was written."""


class InvalidCommand(KonkursError):
    """An operator command that the contest's current state does not allow."""


class Forbidden(KonkursError):
    """An actor asked for something its role or scope does not cover; nothing was written."""


class Unauthenticated(KonkursError):
    """No credential, or one that is unknown, revoked, expired or forged."""


class MaterialRefused(KonkursError):
    """A file of a type, or beyond a count, that the contest's spec does not take."""


class MaterialTooLarge(MaterialRefused):
    """A file larger than the contest's spec allows."""


class EngineUnavailable(KonkursError):
    """The workflow engine (Temporal, or a worker on its queue) cannot be reached: try again."""
