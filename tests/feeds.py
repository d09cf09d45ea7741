"""Events for subscriber and webhook tests: contests that collect, and submissions into them."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.commands.contest import Announce
from domain.commands.intake import SubmissionForm, Submit
from domain.phases import Phase
from services.konkurs import Konkurs
from tests.factories import OPERATOR, close_phase, make_spec

START = datetime(2030, 1, 1, tzinfo=UTC)


def collecting(konkurs: Konkurs, slug: str) -> None:
    """Announce `slug` and open its collection."""
    spec = make_spec(START, slug=slug)
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id=f"announce {slug}", actor=OPERATOR)
    )
    close_phase(konkurs, slug, Phase.ANNOUNCED, f"close-announced {slug}")


def submit(konkurs: Konkurs, slug: str, references: range | list[str], batch: int = 1) -> None:
    """Submit one practice per reference, `batch` to a transaction."""
    forms = [
        (
            f"entry {ref}",
            SubmissionForm.model_validate(
                {
                    "reference": f"{slug}-{ref}",
                    "nomination": "HC-1",
                    "title": f"Практика {ref}",
                    "applicant": {"name": f"АНО «Участник {ref}»", "kind": "ngo", "region": "23"},
                }
            ),
        )
        for ref in references
    ]
    for start in range(0, len(forms), batch):
        konkurs.submissions.submit(Submit(slug=slug, forms=forms[start : start + batch], actor=OPERATOR))
