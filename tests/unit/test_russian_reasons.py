"""Every reason screening records reads in Russian in letters and registers; the log keeps the
rule's own words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.aggregates.submission import Applicant
from domain.rules.eligibility import Membership, ineligibility, lateness
from domain.rules.material_gate import missing_materials
from domain.rules.russian_reasons import in_russian
from domain.spec import ApplicantKind
from tests.factories import make_spec


def applicant(**fields: object) -> Applicant:
    defaults: dict[str, object] = {"name": "МБОУ СОШ № 1", "kind": ApplicantKind.MUNICIPAL_INSTITUTION,
                                   "region": "75"}
    return Applicant.model_validate({**defaults, **fields})


def reasons() -> list[str]:
    spec = make_spec(datetime(2026, 1, 1, tzinfo=UTC))
    nomination = spec.nominations[0].code
    found = [
        ineligibility(spec, "no-such-nomination", applicant()),
        ineligibility(spec.model_copy(update={"eligibility": spec.eligibility.model_copy(
            update={"applicant_kinds": [ApplicantKind.NGO]})}), nomination, applicant()),
        ineligibility(spec.model_copy(update={"eligibility": spec.eligibility.model_copy(
            update={"regions": ["23"]})}), nomination, applicant()),
        lateness(10, 5),
        missing_materials(2, 1),
    ]
    return [f.reason for f in found if f is not None]


@pytest.mark.parametrize("reason", reasons())
def test_each_recorded_reason_has_a_russian_rendering(reason: str) -> None:
    rendered = in_russian(reason)
    assert rendered != reason
    assert "а" <= rendered[0].lower() <= "я", rendered


def test_the_rendering_names_the_particulars() -> None:
    assert in_russian("applicant kind person not admitted") == (
        "заявители вида «физическое лицо» к конкурсу не допускаются")
    assert in_russian("region 75 outside the contest") == (
        "регион заявителя (Забайкальский край) не участвует в конкурсе")
    assert in_russian("not in registry on 2025-03-01") == "заявитель не состоял в реестре на 01.03.2025"
    assert in_russian("1 of the 2 required materials attached by the materials deadline") == (
        "к сроку представления материалов приложено 1 из 2 обязательных материалов")


def test_an_operators_own_words_are_shown_as_recorded() -> None:
    assert in_russian("Заявка дублирует SD-0001.") == "Заявка дублирует SD-0001"
    assert Membership(date(2025, 1, 1)).covers(date(2025, 3, 1))
