"""The tables the demo contest has not: the promotions into a federal stage, with their
provenance checked against each regional stage's published winners, and the participation
league checked against the log's submissions."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from domain.aggregates import Submission
from konkurs.exports.files import export, plan_exports
from projections import ViewsDB, catch_up, default_views
from services.konkurs import Konkurs
from tests.example_contests import run_example

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def exported_rows(
    konkurs: Konkurs, slug: str, folder: Path, table: str
) -> dict[str, list[dict[str, Any]]]:
    views = ViewsDB(folder / "views.db")
    catch_up(konkurs.store, views, default_views())
    plan = plan_exports(konkurs, views, slug, ["xlsx"], [table])
    [written] = export(konkurs, views, slug, folder / "out", plan)
    book = openpyxl.load_workbook(written.path)
    sheets = {}
    for sheet in book.worksheets:
        header, *rows = sheet.iter_rows(values_only=True)
        sheets[sheet.title] = [dict(zip(header, row, strict=True)) for row in rows]
    return sheets


@pytest.mark.slow
def test_promotions_carry_the_place_and_score_each_regional_stage_published(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    federal, *regional = run_example(konkurs, EXAMPLES / "social-services-2025-federal.yaml", tmp_path)
    sheets = exported_rows(konkurs, federal, tmp_path, "promotions")
    promoted = sheets["Переданные заявки"]
    published = {}
    for stage in regional:
        results = konkurs.store.get_contest(stage).results
        assert results is not None
        published.update({(stage, w.reference): (w.place, w.score) for w in results.winners})
    links = sheets["Региональные этапы"]
    assert promoted and len(promoted) == sum(link["Передано заявок"] for link in links)
    assert {link["Региональный этап"] for link in links if link["Передача"] == "передал"} == set(regional)
    assert {link["Передача"] for link in links if link["Региональный этап"] not in regional} == {"ожидается"}
    for row in promoted:
        stage, reference = row["Региональный этап"], row["Номер на этапе"]
        assert (row["Место на этапе"], row["Балл на этапе"]) == published[stage, reference]
        assert isinstance(row["Место на этапе"], int) and isinstance(row["Балл на этапе"], int | float)


def test_the_participation_league_counts_each_region_and_municipality(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    [slug] = run_example(konkurs, EXAMPLES / "municipal-dialog-2024.yaml", tmp_path)
    sheets = exported_rows(konkurs, slug, tmp_path, "participation")
    submitted = [logged.state["applicant"]
                 for logged in konkurs.store.contest_events(slug, [Submission.Submitted])
                 if not logged.state.get("draft")]
    by_region = Counter(applicant["region"] for applicant in submitted)
    league = sheets["Лига регионов"]
    assert {row["Код региона"]: row["Заявок"] for row in league if row["Заявок"]} == by_region
    assert [row["Место"] for row in league] == sorted(row["Место"] for row in league)
    by_municipality = Counter(a["municipality"] for a in submitted if a.get("municipality"))
    named = {row["ОКТМО"]: row["Заявок"] for row in sheets["Муниципалитеты"] if row["Заявок"]}
    assert named == by_municipality
