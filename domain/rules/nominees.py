"""Personal nominations name their person: the applicant, when it is one, or a nominee it puts
forward. The nominee's age is checked against the nomination's age rule at screening, like a
person applicant's."""

from __future__ import annotations

from domain.aggregates.submission import Applicant, Nominee
from domain.personal import is_natural_person
from domain.spec import Nomination, NominationKind


def nominee_refusal(
    nomination: Nomination | None, applicant: Applicant, nominee: Nominee | None
) -> str | None:
    """Why a submission cannot be taken as it names (or fails to name) its nominee, or None.

    A practice or an organisation is judged on its own: a nominee there would be a person's
    particulars kept for nothing, so it is refused rather than stored."""
    if nomination is None:
        return None  # an unknown nomination is refused for that
    code = nomination.code
    if nomination.kind != NominationKind.PERSON:
        if nominee is not None:
            return f"nomination {code} is about a {nomination.kind}, not a person: it takes no nominee"
        return None
    if nominee is None and not is_natural_person(applicant.model_dump(mode="json")):
        return (f"nomination {code} is about a person: name the nominee (nominee_name, nominee_position"
                f"{', nominee_age' if nomination.min_age or nomination.max_age else ''})")
    return None


def person_screened(applicant: Applicant, nominee: Nominee | None) -> Applicant:
    """The applicant as the nomination's age rule reads it: with the nominee's age, when there is one."""
    return applicant if nominee is None else applicant.model_copy(update={"age": nominee.age})
