"""Events for subscriber and webhook tests: contests that collect, and submissions into them."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.intake import SubmissionForm
from domain.konkurs import Konkurs
from domain.phases import Phase
from tests.factories import make_spec

START = datetime(2030, 1, 1, tzinfo=UTC)


def collecting(konkurs: Konkurs, slug: str) -> None:
    """Announce `slug` and open its collection."""
    spec = make_spec(START, slug=slug)
    konkurs.announce(spec, spec.phase_plan(), f"announce {slug}")
    konkurs.change_phase(slug, Phase.ANNOUNCED, "deadline", "", f"close-announced {slug}")


def submit(konkurs: Konkurs, slug: str, references: range | list[str], batch: int = 1) -> None:
    """Submit one practice per reference, `batch` to a transaction."""
    forms = [(f"entry {ref}", SubmissionForm.model_validate({
        "reference": f"{slug}-{ref}", "nomination": "HC-1", "title": f"Практика {ref}",
        "applicant": {"name": f"АНО «Участник {ref}»", "kind": "ngo", "region": "23"},
    })) for ref in references]
    for start in range(0, len(forms), batch):
        konkurs.submit(slug, forms[start:start + batch])
