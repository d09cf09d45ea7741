"""A marathon without judging or a vote: initiatives and practices counted apart, the silent
municipalities of a lagging region, and municipalities' written reports chased after report_by."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from domain.aggregates import Applicant, Contest
from domain.aggregates.municipalities import MunicipalReport
from domain.commands.contest import Announce, ReviewParticipation
from domain.commands.intake import SubmissionForm, Submit
from domain.commands.participation import MunicipalReportRow, RecordMunicipalReports
from domain.commands.registry import ImportMunicipalities
from domain.errors import InputFileError, ReportAlreadyRecorded
from domain.phases import Phase
from domain.spec import ApplicantKind, ContestSpec
from konkurs.participation_chart import draw_league
from projections import ViewsDB, catch_up, default_views, participation
from projections.participation_queries import municipal_reports
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import DAY, OPERATOR, close_phase, spec_data
from tests.unit.test_participation import KEMEROVO, KRASNODAR, NOVGOROD, oktmo, roster_rows

SLUG = "marathon-test"
START = datetime.now(UTC) - DAY
REPORT_BY = (START + 30 * DAY).date()


def marathon_data() -> dict[str, Any]:
    """HC-1 takes initiatives, HC-2 practices; two practices per region; no judging, no vote."""
    data = spec_data(START, SLUG, voting=False)
    del data["schedule"]["judging_closes"]
    data["judging"] = {"enabled": False}
    data["directions"][0]["nominations"][0]["kind"] = "initiative"
    data["participation"] = {"target": {"absolute": 2, "counts": "practices"},
                             "review": {"every_days": 7}, "report_by": REPORT_BY.isoformat()}
    return data


def announce(konkurs: Konkurs) -> ContestSpec:
    spec = ContestSpec.model_validate(marathon_data())
    konkurs.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id="announce",
                                       actor=OPERATOR))
    close_phase(konkurs, SLUG, Phase.ANNOUNCED, "open")
    konkurs.participation.import_municipalities(ImportMunicipalities(rows=roster_rows(), actor=OPERATOR))
    return spec


def entry(reference: str, nomination: str, region: str, municipality: str) -> tuple[str, SubmissionForm]:
    return (reference, SubmissionForm(
        reference=reference, nomination=nomination, title=f"Предложение {reference}",
        applicant=Applicant(name="Администрация", kind=ApplicantKind.NGO, region=region,
                            municipality=municipality)))


def review(konkurs: Konkurs, on: datetime, command_id: str) -> dict[str, Any]:
    konkurs.participation.review_participation(
        ReviewParticipation(slug=SLUG, moment=on, command_id=command_id, actor=OPERATOR))
    return [e.state for e in konkurs.store.read_log([topic_of(Contest.ParticipationReviewed)])][-1]


def report(konkurs: Konkurs, *rows: tuple[str, date, str]) -> Any:
    return konkurs.participation.record_reports(RecordMunicipalReports(slug=SLUG, actor=OPERATOR, rows=[
        (f"reports.csv:{i + 2}", MunicipalReportRow(oktmo=code, received=on, reference=reference))
        for i, (code, on, reference) in enumerate(rows)]))


def test_a_spec_without_judging_or_a_vote_needs_a_participation_drive() -> None:
    data = marathon_data()
    assert not ContestSpec.model_validate(data).judging.enabled
    del data["participation"]
    with pytest.raises(ValidationError, match="at least one of judging or voting"):
        ContestSpec.model_validate(data)


def test_a_report_date_given_as_excel_writes_it_is_read() -> None:
    assert MunicipalReportRow(oktmo="23000001", received="27.09.2024").received == date(2024, 9, 27)


def test_practices_and_initiatives_are_counted_apart_and_silent_municipalities_named(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    announce(konkurs)
    konkurs.submissions.submit(Submit(slug=SLUG, actor=OPERATOR, forms=[
        entry("I-1", "HC-1", KRASNODAR, oktmo(KRASNODAR, 0)),
        entry("I-2", "HC-1", KRASNODAR, oktmo(KRASNODAR, 1)),
        entry("I-3", "HC-1", KRASNODAR, oktmo(KRASNODAR, 2)),
        entry("P-1", "HC-2", KRASNODAR, oktmo(KRASNODAR, 0)),
        entry("P-2", "HC-2", KEMEROVO, oktmo(KEMEROVO, 0)),
        entry("P-3", "HC-2", KEMEROVO, oktmo(KEMEROVO, 1)),
    ]))
    found = review(konkurs, START + 10 * DAY, "review-1")
    # Kemerovo has two practices, its target; Krasnodar three initiatives but one practice.
    [krasnodar] = [lag for lag in found["laggards"] if lag["code"] == KRASNODAR]
    assert (krasnodar["practices"], krasnodar["initiatives"], krasnodar["target"]) == (1, 3, 2)
    assert KEMEROVO not in {lag["code"] for lag in found["laggards"]}
    # Municipalities 1 and 2 posted initiatives, not practices: they are silent on what counts.
    silent = krasnodar["silent"]
    assert silent["count"] == 7
    assert [m["oktmo"] for m in silent["named"]] == [oktmo(KRASNODAR, k) for k in range(1, 8)]
    assert found["missing_reports"] is None  # report_by is still ahead

    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())
    shown = participation(views, SLUG)
    assert (shown.initiatives, shown.practices) == (3, 3)
    line = next(r for r in shown.regions if r.code == KRASNODAR)
    assert (line.submissions, line.practices, line.initiatives, line.lagging) == (4, 1, 3, True)
    [seen] = [lag for lag in shown.reviews[-1].laggards if lag.code == KRASNODAR]
    assert seen.silent is not None and seen.silent.count == 7
    chart = draw_league(shown, tmp_path / "league.svg").read_text()
    assert "3 initiatives, 3 practices" in chart and "initiatives (no target)" in chart


def test_reports_are_recorded_and_those_missing_after_report_by_are_chased(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    announce(konkurs)
    review(konkurs, START + 10 * DAY, "review-1")  # nothing posted: every region lags, all are asked
    on_time = REPORT_BY.replace(day=1) if REPORT_BY.day > 1 else REPORT_BY
    outcome = report(konkurs, (oktmo(KRASNODAR, 1), on_time, "исх. № 12"), (oktmo(KRASNODAR, 3), on_time, ""))
    assert (outcome.recorded, outcome.regions) == (2, [KRASNODAR])
    [first, _] = [e for e in konkurs.store.read_log([topic_of(MunicipalReport.Received)])]
    assert first.state["reference"] == "исх. № 12" and first.state["region"] == KRASNODAR
    assert report(konkurs, (oktmo(KRASNODAR, 1), on_time, "исх. № 12")).unchanged == 1

    with pytest.raises(InputFileError, match=r"^reports.csv:2: unknown municipality 99000001"):
        report(konkurs, ("99000001", on_time, ""))
    with pytest.raises(ReportAlreadyRecorded, match="has a report recorded already"):
        report(konkurs, (oktmo(KRASNODAR, 1), REPORT_BY, "исх. № 13"))

    chase = review(konkurs, START + 40 * DAY, "review-2")
    missing = {m["region"]: m for m in chase["missing_reports"]}
    assert set(missing) == {KRASNODAR, KEMEROVO, NOVGOROD}  # the regions with a roster
    assert missing[KRASNODAR]["count"] == 6
    assert [m["oktmo"] for m in missing[KRASNODAR]["named"]] == [
        oktmo(KRASNODAR, k) for k in (0, 2, 4, 5, 6, 7)]
    assert missing[KEMEROVO]["count"] == 4

    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())
    asked = municipal_reports(views, SLUG)
    krasnodar = next(r for r in asked.regions if r.code == KRASNODAR)
    assert [m.oktmo for m in krasnodar.missing] == [m["oktmo"] for m in missing[KRASNODAR]["named"]]
    assert [(r.oktmo, r.late) for r in krasnodar.received] == [
        (oktmo(KRASNODAR, 1), False), (oktmo(KRASNODAR, 3), False)]
    assert asked.missing == 6 + 4 + 2


def test_a_review_names_at_most_fifty_silent_municipalities_and_counts_them_all(konkurs: Konkurs) -> None:
    announce(konkurs)
    konkurs.participation.import_municipalities(ImportMunicipalities(
        rows=roster_rows({KRASNODAR: 2_000}), actor=OPERATOR))
    found = review(konkurs, START + 10 * DAY, "review-1")
    [krasnodar] = [lag for lag in found["laggards"] if lag["code"] == KRASNODAR]
    assert krasnodar["silent"]["count"] == 2_000 and len(krasnodar["silent"]["named"]) == 50


def test_a_review_stored_before_reports_and_kinds_were_counted_still_reads() -> None:
    old = {"originator_id": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "originator_version": 3,
           "timestamp": "2024-09-05T00:00:00+03:00", "moment": "2024-09-05T00:00:00+03:00",
           "counted_to": 10, "report_by": None, "submissions": 4, "command_id": "old",
           "laggards": [{"rank": 1, "code": KRASNODAR, "name": "Краснодарский край", "submissions": 4,
                         "target": 426, "percent_of_target": 0.9, "municipalities": 426,
                         "taking_part": 2, "lagging": True}]}
    event = Contest.ParticipationReviewed.model_validate(old)
    assert event.missing_reports is None  # type: ignore[attr-defined]
    [lag] = event.laggards  # type: ignore[attr-defined]
    assert (lag.counts, lag.practices, lag.silent, lag.counted) == ("submissions", 0, None, 4)
