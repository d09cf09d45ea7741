"""Whether a submission's texts fit the lengths its contest allows."""

from __future__ import annotations

from domain.commands.intake import SubmissionForm
from domain.errors import KonkursError
from domain.spec.limits import Limits


class TextTooLong(KonkursError):
    """A title, summary or name longer than the contest allows."""


def check_lengths(form: SubmissionForm, limits: Limits, where: str) -> None:
    """Refuse the first text longer than the spec allows, naming the field as the import's column."""
    texts = (("title", form.title, limits.title), ("summary", form.summary, limits.summary),
             ("applicant_name", form.applicant.name, limits.name),
             ("nominee_name", form.nominee.name if form.nominee else "", limits.name))
    for field, text, most in texts:
        if len(text) > most:
            raise TextTooLong(f"{where}: {field} is {len(text)} characters, the contest allows {most}")
