"""Seed 004, the Municipal Dialog marathon, as it ran, on the time-skipping server: the example
spec, moved as a whole so that it starts now (its review dates and report date move with it).

Entries come from the marathon generator, scaled down from 81,312 initiatives to 3,000 over
1,000 municipalities so that the test runs in seconds; the seed's practices are kept as they are:
Krasnodar 4, Kemerovo 252, Novgorod 104. The review of 05.09.2024 names Krasnodar as lagging with
its silent municipalities; some Krasnodar municipalities report before 30.09.2024; the review of
01.10.2024 chases exactly the others; and the marathon ends with no judging, no vote and no
places, its outcome the participation record."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.aggregates import Contest
from domain.commands.intake import Submit
from domain.commands.participation import MunicipalReportRow, RecordMunicipalReports
from domain.commands.registry import ImportMunicipalities
from domain.phases import Phase
from konkurs import intake_files, marathon_population, municipality_files
from konkurs.operations import rebase_shift
from konkurs.spec_files import load_spec
from projections import ViewsDB, catch_up, default_views, participation
from projections.participation_queries import municipal_reports
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import OPERATOR
from tests.workflows.driving import completed, phase_becomes, signed_input, sleep_until
from workflows.contest import ContestWorkflow

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parents[2] / "examples" / "municipal-dialog-2024.yaml"
KRASNODAR, KEMEROVO, NOVGOROD = "23", "42", "53"
REPORTING = 5  # Krasnodar municipalities that report on time


async def reviews_up_to(konkurs: Konkurs, slug: str, moment: datetime) -> list[dict[str, Any]]:
    """The reviews recorded, once the one at `moment` is (activities take real time)."""
    contest = konkurs.store.get_contest(slug).id
    for _ in range(400):
        found = [e.state for e in konkurs.store.read_log([topic_of(Contest.ParticipationReviewed)])
                 if e.originator_id == contest]
        if any(datetime.fromisoformat(r["moment"]) == moment for r in found):
            return found
        await asyncio.sleep(0.025)
    raise AssertionError(f"no review recorded at {moment}")


async def test_the_marathon_chases_krasnodar_and_its_missing_reports_and_ends_without_places(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs, tmp_path: Path
) -> None:
    env = time_skipping_env
    spec = load_spec(EXAMPLE)
    slug = spec.slug
    plan = spec.phase_plan()
    moved = rebase_shift(plan, await env.get_current_time() + timedelta(hours=1))
    plan = plan.shifted(moved)

    def then(day: date, hour: int = 0) -> datetime:
        """A moment of the seed's calendar, moved as the plan was."""
        return spec.local_moment(day, end_of_day=False) + timedelta(hours=hour) + moved

    handle = await client.start_workflow(
        ContestWorkflow.run, signed_input(client, spec, plan),
        id=f"contest-{slug}", task_queue=client.test_queue,  # type: ignore[attr-defined]
    )
    rosters_csv, entries_csv, truth = marathon_population.generate(
        spec, tmp_path, municipalities=1_000, initiatives=3_000)
    konkurs.participation.import_municipalities(ImportMunicipalities(
        rows=municipality_files.municipality_rows(rosters_csv), actor=OPERATOR))
    await sleep_until(env, then(date(2023, 12, 12), hour=2))
    await phase_becomes(handle, Phase.COLLECTING)
    konkurs.submissions.submit(Submit(slug=slug, forms=intake_files.submission_forms(entries_csv),
                                      actor=OPERATOR))

    # The letter of 05.09.2024: Krasnodar lags on practices posted, and its silent municipalities
    # are named (a count, and the first of them by OKTMO code).
    letter = then(date(2024, 9, 5))
    await sleep_until(env, letter + timedelta(hours=1))
    [review] = [r for r in await reviews_up_to(konkurs, slug, letter)
                if datetime.fromisoformat(r["moment"]) == letter]
    lagging = {lag["code"]: lag for lag in review["laggards"]}
    assert KRASNODAR in lagging and KEMEROVO not in lagging and NOVGOROD not in lagging
    krasnodar = lagging[KRASNODAR]
    assert (krasnodar["practices"], krasnodar["target"], krasnodar["counts"]) == (4, 426, "practices")
    assert krasnodar["initiatives"] == truth.initiatives[KRASNODAR]
    silent = krasnodar["silent"]
    assert silent["count"] == 426 - truth.posting_practices[KRASNODAR]
    assert len(silent["named"]) == 50
    assert review["submissions"] == 3_000 + sum(truth.practices.values())
    assert review["missing_reports"] is None
    asked = set(lagging)

    # Reports from some Krasnodar municipalities, received before 30.09.2024.
    roster = truth.rosters[KRASNODAR]
    received = (then(date(2024, 9, 20)) + timedelta(hours=12)).date()
    konkurs.participation.record_reports(RecordMunicipalReports(slug=slug, actor=OPERATOR, rows=[
        (f"--municipality {code}", MunicipalReportRow(oktmo=code, received=received,
                                                     reference=f"исх. № {k + 1}"))
        for k, code in enumerate(roster[:REPORTING])]))

    # The chase after report_by: exactly the municipalities asked that have not reported.
    chase = then(date(2024, 10, 1))
    await sleep_until(env, chase + timedelta(hours=1))
    [after] = [r for r in await reviews_up_to(konkurs, slug, chase)
               if datetime.fromisoformat(r["moment"]) == chase]
    missing = {found["region"]: found for found in after["missing_reports"]}
    assert set(missing) == asked
    assert missing[KRASNODAR]["count"] == 426 - REPORTING
    assert [m["oktmo"] for m in missing[KRASNODAR]["named"]] == roster[REPORTING:REPORTING + 50]

    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())
    reports = municipal_reports(views, slug)
    in_krasnodar = next(region for region in reports.regions if region.code == KRASNODAR)
    assert [m.oktmo for m in in_krasnodar.missing] == roster[REPORTING:]
    assert [r.oktmo for r in in_krasnodar.received] == roster[:REPORTING]

    # To the end: collection, screening, results; no judging, no vote, no places.
    await sleep_until(env, plan.window(Phase.RESULTS).closes_at + timedelta(hours=1))
    await completed(handle, seconds=30)
    contest = konkurs.store.get_contest(slug)
    assert contest.phase == Phase.CLOSED and contest.published
    assert contest.judging is None and contest.tally is None
    assert contest.results is not None
    assert not contest.results.winners and not contest.results.people_choice
    audit = konkurs.audit.audit_contest(slug)
    assert audit.holds, [d.describe() for d in audit.differences]

    catch_up(konkurs.store, views, default_views())
    outcome = participation(views, slug)
    assert outcome.initiatives == 3_000
    lines = {line.code: line for line in outcome.regions}
    assert (lines[KRASNODAR].practices, lines[KEMEROVO].practices, lines[NOVGOROD].practices) == (4, 252, 104)
    assert outcome.regions[0].practices == max(truth.practices.values())  # ranked on practices
