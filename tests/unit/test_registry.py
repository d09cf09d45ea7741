"""Registries through the domain: importing one, re-importing it, and screening against it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.aggregates import Applicant, RegistryRow, Submission
from domain.commands.contest import Announce
from domain.commands.intake import SubmissionForm, Submit
from domain.commands.order import ContestOrder
from domain.commands.registry import ImportRegistry
from domain.errors import KonkursError
from domain.ids import submission_id
from domain.phases import Phase
from domain.rules.eligibility import submission_day
from domain.spec import ContestSpec
from services.konkurs import Konkurs
from services.registry import DuplicateRegistryRow, UnknownRegistry, UnknownRegistryEntry
from tests.factories import OPERATOR, close_phase, spec_data

SLUG = "providers-75"
REGISTRY = "social-service-providers"
START = datetime(2030, 1, 1, tzinfo=UTC)
# Valid INNs (their check digits match), as a registry holds them.
INNS = ["7536796700", "7536875159", "7524144757", "7527974604", "7530689734", "7534232473",
        "7536927047"]
DAY = timedelta(days=1)


def row(inn: str, entered_on: date = date(2020, 1, 15), removed_on: date | None = None,
        name: str = "ГУСО «Ингода»", region: str = "75") -> tuple[str, RegistryRow]:
    return f"registry.csv:{INNS.index(inn) + 2}", RegistryRow(
        inn=inn, name=name, region=region, entered_on=entered_on, removed_on=removed_on)


def regional_spec() -> ContestSpec:
    data = spec_data(START, SLUG)
    data.update(level="regional", region="75", timezone="Asia/Chita")
    data["eligibility"] = {"applicant_kinds": ["ngo", "state_institution"], "registry": REGISTRY}
    data["directions"][0]["nominations"].append(
        {"code": "YOUNG", "title": "Открытие года", "kind": "person", "max_age": 35})
    return ContestSpec.model_validate(data)


def entry(reference: str, inn: str | None, nomination: str = "HC-1", **applicant: Any) -> tuple[str, Any]:
    fields = {"name": f"Организация {reference}", "kind": "ngo", "region": "75", "inn": inn}
    return f"submissions.csv:{reference}", SubmissionForm(
        reference=reference, nomination=nomination, title=f"Практика {reference}",
        applicant=Applicant(**(fields | applicant)))


# Import


def test_importing_the_same_registry_again_writes_nothing(konkurs: Konkurs) -> None:
    rows = [row(inn) for inn in INNS[:3]]
    first = konkurs.registry.import_registry(ImportRegistry(registry=REGISTRY, rows=rows, actor=OPERATOR))
    head = konkurs.store.head_position()
    again = konkurs.registry.import_registry(ImportRegistry(registry=REGISTRY, rows=rows, actor=OPERATOR))

    assert (first.entered, first.revised, first.unchanged) == (3, 0, 0)
    assert (again.entered, again.revised, again.unchanged) == (0, 0, 3)
    assert konkurs.store.head_position() == head


def test_a_changed_row_is_recorded_as_a_revision_and_a_missing_one_is_kept(konkurs: Konkurs) -> None:
    konkurs.registry.import_registry(
        ImportRegistry(registry=REGISTRY, rows=[row(inn) for inn in INNS[:3]], actor=OPERATOR)
    )
    removed = date(2025, 3, 1)
    outcome = konkurs.registry.import_registry(
        ImportRegistry(
            registry=REGISTRY, rows=[row(INNS[0], removed_on=removed), row(INNS[1])], actor=OPERATOR
        )
    )

    assert (outcome.entered, outcome.revised, outcome.unchanged, outcome.not_in_file) == (0, 1, 1, 1)
    revised = konkurs.registry.registry_entry(REGISTRY, INNS[0])
    assert (revised.row.removed_on, revised.version) == (removed, 2)
    assert konkurs.registry.registry_entry(REGISTRY, INNS[2]).row.removed_on is None


def test_a_duplicate_inn_names_both_lines_and_nothing_is_saved(konkurs: Konkurs) -> None:
    konkurs.registry.import_registry(ImportRegistry(registry=REGISTRY, rows=[row(INNS[0])], actor=OPERATOR))
    head = konkurs.store.head_position()
    with pytest.raises(DuplicateRegistryRow) as refused:
        konkurs.registry.import_registry(
            ImportRegistry(
                registry=REGISTRY,
                rows=[row(INNS[1]), row(INNS[2]), ("registry.csv:9", row(INNS[1])[1])],
                actor=OPERATOR,
            )
        )
    assert str(refused.value) == f"registry.csv:9: INN {INNS[1]} is already on registry.csv:3"
    assert konkurs.store.head_position() == head


def test_a_registry_name_must_be_fit_for_a_spec(konkurs: Konkurs) -> None:
    with pytest.raises(KonkursError, match="lower-case"):
        konkurs.registry.import_registry(
            ImportRegistry(registry="Социальные поставщики", rows=[row(INNS[0])], actor=OPERATOR)
        )


def test_registries_are_kept_apart_and_counted_per_region(konkurs: Konkurs) -> None:
    konkurs.registry.import_registry(
        ImportRegistry(
            registry=REGISTRY,
            rows=[
                row(INNS[0]),
                row(INNS[1], removed_on=date(2025, 1, 1)),
                row(INNS[2], entered_on=date(2025, 6, 1)),
                row(INNS[3], region="03"),
            ],
            actor=OPERATOR,
        )
    )
    konkurs.registry.import_registry(ImportRegistry(registry="other", rows=[row(INNS[4])], actor=OPERATOR))

    counts = konkurs.registry.registry_regions(REGISTRY, date(2024, 12, 31))
    assert [(c.region, c.entries, c.members) for c in counts] == [("03", 1, 1), ("75", 3, 2)]
    assert counts[1].name == "Забайкальский край"
    with pytest.raises(UnknownRegistryEntry, match=f"INN {INNS[4]} is not in registry {REGISTRY}"):
        konkurs.registry.registry_entry(REGISTRY, INNS[4])
    with pytest.raises(UnknownRegistry, match="konkurs import registry never"):
        konkurs.registry.registry_regions("never", date(2025, 1, 1))


# Screening against the registry


def screened(konkurs: Konkurs, entries: list[tuple[str, Any]], registry: Any) -> date:
    """Announce, take `entries`, import the registry `registry(day)` built for the day they were
    recorded, then close collection and screen. Returns that day."""
    spec = regional_spec()
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )
    close_phase(konkurs, SLUG, Phase.ANNOUNCED, "close:announced")
    konkurs.submissions.submit(Submit(slug=SLUG, forms=entries, actor=OPERATOR))
    [day] = {
        submission_day(datetime.fromisoformat(e.state["timestamp"]), spec.timezone)
        for e in konkurs.store.contest_events(SLUG, [Submission.Submitted])
    }
    konkurs.registry.import_registry(ImportRegistry(registry=REGISTRY, rows=registry(day), actor=OPERATOR))
    close_phase(konkurs, SLUG, Phase.COLLECTING, "close:collecting")
    konkurs.results.conclude_screening(ContestOrder(slug=SLUG, command_id="screen", actor=OPERATOR))
    return day


def reasons(konkurs: Konkurs, references: list[str]) -> dict[str, str | None]:
    return {
        ref: konkurs.store.repository.get(submission_id(SLUG, ref)).rejection_reason for ref in references
    }


def test_screening_rejects_applicants_not_in_the_registry_on_the_day_they_submitted(
    konkurs: Konkurs,
) -> None:
    entries = [
        entry("A", INNS[0]),
        entry("B", INNS[1]),
        entry("C", INNS[2]),
        entry("D", INNS[3]),
        entry("E", None),
        entry("F", INNS[4], nomination="YOUNG", age=36),
        entry("G", INNS[5], region="03"),
        entry("H", INNS[6], nomination="YOUNG", age=35),
    ]
    konkurs.registry.import_registry(
        ImportRegistry(registry="other-registry", rows=[row(INNS[3])], actor=OPERATOR)
    )  # the wrong registry does not count
    day = screened(
        konkurs,
        entries,
        lambda day: [
            row(INNS[0], entered_on=day),
            row(INNS[1], entered_on=day + DAY),
            row(INNS[2], removed_on=day),
            row(INNS[4]),
            row(INNS[5]),
            row(INNS[6], removed_on=day + DAY),
        ],
    )

    assert reasons(konkurs, list("ABCDEFGH")) == {
        "A": None,
        "B": f"not in registry on {day}",
        "C": f"not in registry on {day}",
        "D": f"not in registry on {day}",
        "E": f"no INN to look up in registry {REGISTRY}",
        "F": "age 36 above the maximum 35 of nomination YOUNG",
        "G": "region 03 outside the contest",
        "H": None,
    }
    outcome = konkurs.store.get_contest(SLUG).screening
    assert outcome is not None
    assert outcome.admitted == 2
    assert outcome.rejected == {
        "above the maximum age": 1,
        "no INN": 1,
        "not in registry": 3,
        "region outside the contest": 1,
    }


def test_screening_goes_by_the_registry_as_last_imported_before_it(konkurs: Konkurs) -> None:
    def registry(day: date) -> list[tuple[str, RegistryRow]]:
        konkurs.registry.import_registry(
            ImportRegistry(
                registry=REGISTRY, rows=[row(INNS[0], entered_on=day + DAY), row(INNS[1])], actor=OPERATOR
            )
        )
        return [row(INNS[0], entered_on=day - DAY), row(INNS[1], removed_on=day)]

    day = screened(konkurs, [entry("A", INNS[0]), entry("B", INNS[1])], registry)

    assert reasons(konkurs, ["A", "B"]) == {"A": None, "B": f"not in registry on {day}"}
    assert [konkurs.registry.registry_entry(REGISTRY, inn).version for inn in INNS[:2]] == [2, 2]


def test_screening_goes_by_the_registry_as_it_stood_when_collection_closed(konkurs: Konkurs) -> None:
    """A revision imported after the close and before screening ran changes nothing: the
    decision is a function of the log up to the close, as the auditor recomputes it."""
    spec = regional_spec()
    konkurs.contests.announce(
        Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR)
    )
    close_phase(konkurs, SLUG, Phase.ANNOUNCED, "close:announced")
    konkurs.submissions.submit(
        Submit(slug=SLUG, forms=[entry("A", INNS[0]), entry("B", INNS[1])], actor=OPERATOR)
    )
    konkurs.registry.import_registry(
        ImportRegistry(registry=REGISTRY, rows=[row(INNS[0]), row(INNS[1])], actor=OPERATOR)
    )
    close_phase(konkurs, SLUG, Phase.COLLECTING, "close:collecting")
    konkurs.registry.import_registry(
        ImportRegistry(
            registry=REGISTRY, rows=[row(INNS[0]), row(INNS[1], removed_on=date(2020, 1, 16))], actor=OPERATOR
        )
    )
    konkurs.results.conclude_screening(ContestOrder(slug=SLUG, command_id="screen", actor=OPERATOR))

    assert reasons(konkurs, ["A", "B"]) == {"A": None, "B": None}
    assert konkurs.audit.audit_contest(SLUG).holds
