"""Drafts in the participation drive: a saved draft counts nowhere; once filed it counts, in the
region of its last revision, alike in reviews, in the view and in time travel."""

from __future__ import annotations

from pathlib import Path

from domain.commands.intake import FileDraft, Submit
from domain.commands.registry import ImportMunicipalities
from projections import ViewsDB, catch_up, default_views, participation, region_participation
from projections.views_db import record_schema
from services.konkurs import Konkurs
from tests.factories import OPERATOR
from tests.unit.test_participation import (
    KEMEROVO,
    KRASNODAR,
    NOVGOROD,
    SLUG,
    collecting,
    form,
    oktmo,
    roster_rows,
)


def service_counts(konkurs: Konkurs) -> dict[str, int]:
    counted = konkurs.participation._count(konkurs.store.get_contest(SLUG).spec, None)
    return {region: n for region, n in counted.submissions.items() if n}


def view_counts(konkurs: Konkurs, tmp_path: Path) -> dict[str, int]:
    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())
    shown = participation(views, SLUG)
    assert sum(d.submissions for d in shown.days) == shown.submissions
    return {r.code: r.submissions for r in shown.regions if r.submissions}


def submitted_by_time_travel(konkurs: Konkurs) -> int:
    return konkurs.time_travel.contest_at(SLUG, konkurs.store.head_position()).submissions.submitted


def test_a_draft_counts_only_once_filed_and_where_its_last_revision_put_it(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    collecting(konkurs)
    konkurs.participation.import_municipalities(ImportMunicipalities(rows=roster_rows(), actor=OPERATOR))
    konkurs.submissions.submit(Submit(slug=SLUG, forms=[("s.csv:2", form("F1", NOVGOROD))], actor=OPERATOR))
    konkurs.submissions.submit(Submit(
        slug=SLUG, forms=[("d.csv:2", form("D1", KRASNODAR, oktmo(KRASNODAR, 0)))], actor=OPERATOR,
        draft=True))

    assert service_counts(konkurs) == {NOVGOROD: 1}
    assert view_counts(konkurs, tmp_path) == {NOVGOROD: 1}
    assert submitted_by_time_travel(konkurs) == 1

    konkurs.submissions.submit(Submit(  # the applicant turns out to be in Kemerovo
        slug=SLUG, forms=[("d.csv:2", form("D1", KEMEROVO, oktmo(KEMEROVO, 1)))], actor=OPERATOR,
        draft=True))
    saved = konkurs.store.head_position()
    assert service_counts(konkurs) == {NOVGOROD: 1}
    assert view_counts(konkurs, tmp_path) == {NOVGOROD: 1}

    konkurs.submissions.file_draft(FileDraft(slug=SLUG, reference="D1", actor=OPERATOR))

    assert service_counts(konkurs) == {NOVGOROD: 1, KEMEROVO: 1}
    assert view_counts(konkurs, tmp_path) == {NOVGOROD: 1, KEMEROVO: 1}
    assert submitted_by_time_travel(konkurs) == 2
    assert konkurs.time_travel.contest_at(SLUG, saved).submissions.submitted == 1
    counted_before = konkurs.participation._count(konkurs.store.get_contest(SLUG).spec, saved)
    assert sum(counted_before.submissions.values()) == 1
    views = ViewsDB(tmp_path / "views.db")
    kemerovo = region_participation(views, SLUG, KEMEROVO)
    assert [(m.oktmo, m.submissions) for m in kemerovo.municipalities if m.submissions] == [
        (oktmo(KEMEROVO, 1), 1)]
    assert region_participation(views, SLUG, KRASNODAR).days == []


def test_a_draft_revised_and_filed_in_one_go_counts_once(konkurs: Konkurs, tmp_path: Path) -> None:
    collecting(konkurs)
    konkurs.submissions.submit(Submit(
        slug=SLUG, forms=[("d.csv:2", form("D1", KRASNODAR))], actor=OPERATOR, draft=True))
    konkurs.submissions.submit(Submit(slug=SLUG, forms=[("d.csv:2", form("D1", NOVGOROD))], actor=OPERATOR))

    assert service_counts(konkurs) == view_counts(konkurs, tmp_path) == {NOVGOROD: 1}
    assert submitted_by_time_travel(konkurs) == 1


def test_a_views_file_built_before_drafts_were_kept_is_rebuilt_not_double_counted(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    collecting(konkurs)
    konkurs.submissions.submit(Submit(slug=SLUG, forms=[("s.csv:2", form("F1", NOVGOROD))], actor=OPERATOR))
    assert view_counts(konkurs, tmp_path) == {NOVGOROD: 1}
    with ViewsDB(tmp_path / "views.db").connect() as connection:  # as the previous version left it
        connection.execute("DROP TABLE participation_drafts")
        record_schema(connection.cursor(), "participation", "before-drafts")
    konkurs.submissions.submit(Submit(
        slug=SLUG, forms=[("d.csv:2", form("D1", KEMEROVO))], actor=OPERATOR, draft=True))
    konkurs.submissions.file_draft(FileDraft(slug=SLUG, reference="D1", actor=OPERATOR))

    assert view_counts(konkurs, tmp_path) == service_counts(konkurs) == {NOVGOROD: 1, KEMEROVO: 1}
