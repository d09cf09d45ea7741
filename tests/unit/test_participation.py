"""The participation drive through the domain: rosters, intake against them, reviews, the view."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.aggregates import Applicant, Contest, MunicipalRoster, Submission
from domain.aggregates.municipalities import UnknownMunicipality
from domain.commands.contest import Announce, ReviewParticipation
from domain.commands.intake import SubmissionForm, Submit
from domain.commands.registry import ImportMunicipalities, MunicipalityRow
from domain.errors import DuplicateSubmission, InputFileError
from domain.phases import Phase
from domain.spec import ApplicantKind, ContestSpec
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import DAY, OPERATOR, close_phase, spec_data

SLUG = "drive-test"
KRASNODAR, KEMEROVO, NOVGOROD = "23", "42", "53"
ROSTERS = {KRASNODAR: 8, KEMEROVO: 4, NOVGOROD: 2}  # municipalities per region


def oktmo(region: str, k: int) -> str:
    return f"{region}{k:06d}"


def roster_rows(sizes: dict[str, int] = ROSTERS) -> list[tuple[str, MunicipalityRow]]:
    return [(f"municipalities.csv:{i + 2}", MunicipalityRow(oktmo=code, name=f"МО {code}", region=r))
            for i, (r, code) in enumerate((r, oktmo(r, k)) for r, n in sizes.items() for k in range(n))]


def form(reference: str, region: str, municipality: str | None = None) -> SubmissionForm:
    return SubmissionForm(reference=reference, nomination="HC-1", title=f"Практика {reference}",
                          applicant=Applicant(name="Администрация", kind=ApplicantKind.NGO, region=region,
                                              municipality=municipality))


def collecting(konkurs: Konkurs) -> ContestSpec:
    """Targets: 50 per 100 municipalities, Novgorod 3 of its own; report by 1 Jan 2031."""
    data = spec_data(datetime.now(UTC) - DAY, SLUG) | {"participation": {
        "target": {"per_100_municipalities": 50}, "regions": {NOVGOROD: {"absolute": 3}},
        "review": {"every_days": 7}, "report_by": "2031-01-01"}}
    spec = ContestSpec.model_validate(data)
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )
    close_phase(konkurs, SLUG, Phase.ANNOUNCED, "open")
    return spec


def events(konkurs: Konkurs, event_class: type) -> list[dict[str, Any]]:
    return [e.state for e in konkurs.store.read_log([topic_of(event_class)])]


def test_a_reimport_writes_only_the_regions_whose_roster_changed(konkurs: Konkurs) -> None:
    first = konkurs.participation.import_municipalities(
        ImportMunicipalities(rows=roster_rows(), actor=OPERATOR)
    )
    again = konkurs.participation.import_municipalities(
        ImportMunicipalities(rows=roster_rows(), actor=OPERATOR)
    )
    changed = konkurs.participation.import_municipalities(
        ImportMunicipalities(rows=roster_rows({KRASNODAR: 9, KEMEROVO: 4}), actor=OPERATOR)
    )

    assert (first.municipalities, first.written) == (14, [KRASNODAR, KEMEROVO, NOVGOROD])
    assert again.written == []
    assert changed.written == [KRASNODAR]
    assert len(events(konkurs, MunicipalRoster.Listed)) == 3
    assert [e["region"] for e in events(konkurs, MunicipalRoster.Revised)] == [KRASNODAR]
    assert konkurs.participation.roster_sizes() == {KRASNODAR: 9, KEMEROVO: 4, NOVGOROD: 2}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            MunicipalityRow(oktmo="99000001", name="МО", region="00"),
            "municipalities.csv:99: unknown region code '00'",
        ),
        (
            MunicipalityRow(oktmo=oktmo(KEMEROVO, 1), name="МО", region=KEMEROVO),
            f"municipalities.csv:99: OKTMO code {oktmo(KEMEROVO, 1)} is listed twice "
            "(first at municipalities.csv:11)",
        ),
    ],
)
def test_a_bad_row_names_its_line_and_nothing_of_the_file_is_saved(
    konkurs: Konkurs, bad: MunicipalityRow, message: str
) -> None:
    with pytest.raises(InputFileError) as refused:
        konkurs.participation.import_municipalities(
            ImportMunicipalities(rows=[*roster_rows(), ("municipalities.csv:99", bad)], actor=OPERATOR)
        )

    assert str(refused.value) == message
    assert konkurs.store.head_position() == 0


def test_a_region_with_a_roster_refuses_a_municipality_it_does_not_list(konkurs: Konkurs) -> None:
    collecting(konkurs)
    konkurs.participation.import_municipalities(ImportMunicipalities(rows=roster_rows(), actor=OPERATOR))
    head = konkurs.store.head_position()

    with pytest.raises(UnknownMunicipality) as refused:
        konkurs.submissions.submit(
            Submit(
                slug=SLUG,
                forms=[
                    ("s.csv:2", form("A", KRASNODAR, oktmo(KRASNODAR, 0))),
                    ("s.csv:3", form("B", KRASNODAR, oktmo(KEMEROVO, 0))),
                ],
                actor=OPERATOR,
            )
        )

    assert str(refused.value).startswith(
        f"s.csv:3: municipality {oktmo(KEMEROVO, 0)} is not on the roster of Краснодарский край (23)"
    )
    assert "\n" not in str(refused.value)
    assert konkurs.store.head_position() == head
    # No roster for region 75, and naming no municipality at all, are both fine.
    assert (
        konkurs.submissions.submit(
            Submit(
                slug=SLUG,
                forms=[("s.csv:2", form("A", KRASNODAR)), ("s.csv:3", form("B", "75", "1"))],
                actor=OPERATOR,
            )
        ).recorded
        == 2
    )


def test_a_file_repeating_a_recorded_submission_is_refused_whole(konkurs: Konkurs) -> None:
    collecting(konkurs)
    konkurs.submissions.submit(
        Submit(slug=SLUG, forms=[("first.csv:2", form("A", KRASNODAR))], actor=OPERATOR)
    )
    head = konkurs.store.head_position()

    with pytest.raises(DuplicateSubmission, match=r"^second.csv:3: submission A already exists$"):
        konkurs.submissions.submit(
            Submit(
                slug=SLUG,
                forms=[("second.csv:2", form("B", KEMEROVO)), ("second.csv:3", form("A", KEMEROVO))],
                actor=OPERATOR,
            )
        )
    with pytest.raises(DuplicateSubmission, match=r"^third.csv:3: submission C already exists$"):
        konkurs.submissions.submit(
            Submit(
                slug=SLUG,
                forms=[("third.csv:2", form("C", KEMEROVO)), ("third.csv:3", form("C", KEMEROVO))],
                actor=OPERATOR,
            )
        )

    assert konkurs.store.head_position() == head
    assert (
        konkurs.submissions.submit(
            Submit(slug=SLUG, forms=[("second.csv:2", form("B", KEMEROVO))], actor=OPERATOR)
        ).recorded
        == 1
    )
    recorded: Submission = konkurs.store.repository.get(Submission.create_id(contest=SLUG, reference="B"))
    assert recorded.applicant.region == KEMEROVO


def submit_seed_like(konkurs: Konkurs) -> None:
    """Krasnodar 1 of 8 municipalities (target 4), Kemerovo 5 (target 2), Novgorod 2 (own target 3)."""
    forms = [form("K1", KRASNODAR, oktmo(KRASNODAR, 0))]
    forms += [form(f"M{k}", KEMEROVO, oktmo(KEMEROVO, k % 3)) for k in range(5)]
    forms += [form("N1", NOVGOROD, oktmo(NOVGOROD, 0)), form("N2", NOVGOROD)]
    konkurs.submissions.submit(
        Submit(slug=SLUG, forms=[(f"s.csv:{i + 2}", f) for i, f in enumerate(forms)], actor=OPERATOR)
    )


def test_a_review_records_the_regions_below_target_once_per_command(konkurs: Konkurs) -> None:
    collecting(konkurs)
    konkurs.participation.import_municipalities(ImportMunicipalities(rows=roster_rows(), actor=OPERATOR))
    submit_seed_like(konkurs)
    moment = datetime(2030, 1, 8, tzinfo=UTC)

    assert (
        konkurs.participation.review_participation(
            ReviewParticipation(
                slug=SLUG, moment=moment, command_id=f"{SLUG}:participation:{moment}", actor=OPERATOR
            )
        ).applied
        is True
    )
    assert (
        konkurs.participation.review_participation(
            ReviewParticipation(
                slug=SLUG, moment=moment, command_id=f"{SLUG}:participation:{moment}", actor=OPERATOR
            )
        ).applied
        is False
    )

    [review] = events(konkurs, Contest.ParticipationReviewed)
    assert review["moment"] == moment.isoformat().replace("+00:00", "Z")
    assert review["report_by"] == "2031-01-02T00:00:00+03:00"  # the end of 1 January, Moscow
    assert review["submissions"] == 8 and review["counted_to"] == konkurs.store.head_position() - 1
    lagging = [
        (lag["code"], lag["submissions"], lag["target"], lag["taking_part"], lag["municipalities"])
        for lag in review["laggards"]
    ]
    # Every other region has no roster, so no per-100 target: only these two lag.
    assert lagging == [(KRASNODAR, 1, 4, 1, 8), (NOVGOROD, 2, 3, 1, 2)]
