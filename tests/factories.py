"""Specs and forms for tests, with schedules measured from a given moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.spec import ContestSpec

DAY = timedelta(days=1)


def spec_data(start: datetime, slug: str = "test-contest", voting: bool = True) -> dict[str, Any]:
    """A small federal contest whose phases last months, starting at `start`."""
    moments = {
        "announced": start,
        "collection_closes": start + 60 * DAY,
        "screening_closes": start + 75 * DAY,
        "judging_closes": start + 120 * DAY,
        "results_published": start + 180 * DAY,
    }
    if voting:
        moments["voting_closes"] = start + 150 * DAY
    return {
        "slug": slug,
        "title": "Тестовый конкурс",
        "organisers": ["АСИ"],
        "level": "federal",
        "directions": [
            {
                "code": "health",
                "title": "Здравоохранение",
                "nominations": [
                    {"code": "HC-1", "title": "Запись к врачу"},
                    {"code": "HC-2", "title": "Лекарственное обеспечение"},
                ],
            }
        ],
        "schedule": {key: value.isoformat() for key, value in moments.items()},
        "eligibility": {"applicant_kinds": ["state_institution", "ngo"]},
        "judging": {
            "criteria": [
                {"code": "impact", "title": "Результат", "weight": 2},
                {"code": "replicable", "title": "Тиражируемость", "weight": 1,
                 "scale": {"min": 1, "max": 5}},
            ]
        },
        "voting": {"enabled": voting, "shortlist_size": 2},
        "places_per_nomination": 2,
    }


def make_spec(start: datetime, slug: str = "test-contest", voting: bool = True) -> ContestSpec:
    return ContestSpec.model_validate(spec_data(start, slug, voting))
