"""The participation view: the league, municipalities, days and reviews, read from a views DB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.aggregates import Contest
from domain.commands.contest import Announce, ReviewParticipation
from domain.commands.intake import Submit
from domain.commands.registry import ImportMunicipalities
from domain.errors import DuplicateSubmission
from domain.phases import Phase
from domain.spec import ContestSpec
from projections import ViewsDB, catch_up, default_views, participation, region_participation
from services.konkurs import Konkurs
from tests.factories import OPERATOR, close_phase, spec_data
from tests.unit.test_participation import (
    KEMEROVO,
    KRASNODAR,
    NOVGOROD,
    SLUG,
    collecting,
    events,
    form,
    oktmo,
    roster_rows,
    submit_seed_like,
)


def test_the_view_shows_the_league_the_municipalities_days_and_reviews(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    collecting(konkurs)
    konkurs.participation.import_municipalities(ImportMunicipalities(rows=roster_rows(), actor=OPERATOR))
    submit_seed_like(konkurs)
    konkurs.participation.review_participation(
        ReviewParticipation(slug=SLUG, moment=datetime.now(UTC), command_id="review", actor=OPERATOR)
    )
    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())

    shown = participation(views, SLUG)

    top = [
        (r.rank, r.code, r.submissions, r.target, r.taking_part, r.municipalities, r.lagging)
        for r in shown.regions[:4]
    ]
    assert top == [
        (1, KEMEROVO, 5, 2, 3, 4, False),
        (2, NOVGOROD, 2, 3, 1, 2, True),
        (3, KRASNODAR, 1, 4, 1, 8, True),
        (4, "01", 0, None, 0, 0, False),
    ]
    assert len(shown.regions) == 89 and shown.submissions == 8
    assert [r.code for r in shown.lagging] == [NOVGOROD, KRASNODAR]
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()
    assert [(d.day, d.submissions, d.total) for d in shown.days] == [(today, 8, 8)]
    [review] = shown.reviews
    assert [lag.code for lag in review.laggards] == [KRASNODAR, NOVGOROD]

    krasnodar = region_participation(views, SLUG, KRASNODAR)
    assert [(m.oktmo, m.submissions) for m in krasnodar.municipalities[:2]] == [
        (oktmo(KRASNODAR, 0), 1),
        (oktmo(KRASNODAR, 1), 0),
    ]
    assert len(krasnodar.municipalities) == 8
    novgorod = region_participation(views, SLUG, NOVGOROD)
    assert novgorod.unnamed == 1 and novgorod.days[0].total == 2


def test_a_contest_without_a_drive_still_shows_its_league_without_targets(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    spec = ContestSpec.model_validate(spec_data(datetime.now(UTC) - timedelta(hours=1), SLUG))
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )
    close_phase(konkurs, SLUG, Phase.ANNOUNCED, "open")
    konkurs.submissions.submit(Submit(slug=SLUG, forms=[("s.csv:2", form("A", KRASNODAR))], actor=OPERATOR))
    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())

    shown = participation(views, SLUG)

    assert shown.drive is None and shown.lagging == []
    assert (shown.regions[0].code, shown.regions[0].target) == (KRASNODAR, None)


def test_on_postgresql_a_file_goes_in_whole_or_not_at_all_and_reviews_count_it(
    postgres_env: dict[str, str],
) -> None:
    konkurs = Konkurs(env=postgres_env)
    try:
        collecting(konkurs)
        konkurs.participation.import_municipalities(ImportMunicipalities(rows=roster_rows(), actor=OPERATOR))
        submit_seed_like(konkurs)
        head = konkurs.store.head_position()
        with pytest.raises(DuplicateSubmission, match=r"^again.csv:3: submission K1 already exists$"):
            konkurs.submissions.submit(
                Submit(
                    slug=SLUG,
                    forms=[("again.csv:2", form("K2", KRASNODAR)), ("again.csv:3", form("K1", KRASNODAR))],
                    actor=OPERATOR,
                )
            )
        assert konkurs.store.head_position() == head
        assert (
            konkurs.submissions.submit(
                Submit(slug=SLUG, forms=[("again.csv:2", form("K2", KRASNODAR))], actor=OPERATOR)
            ).recorded
            == 1
        )

        konkurs.participation.review_participation(
            ReviewParticipation(
                slug=SLUG, moment=datetime(2030, 1, 8, tzinfo=UTC), command_id="review", actor=OPERATOR
            )
        )
        [review] = events(konkurs, Contest.ParticipationReviewed)
        assert [(lag["code"], lag["submissions"]) for lag in review["laggards"]] == [
            (KRASNODAR, 2),
            (NOVGOROD, 2),
        ]
    finally:
        konkurs.close()
