"""A letter's particulars: its number and date, sender, signatory and the addressee line."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.errors import SpecError
from domain.rules.letters import render_letters
from domain.spec import ContestSpec
from domain.spec.announcement import LetterParticulars, Signatory
from konkurs.spec_files import load_spec, parse_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DECADE = EXAMPLES / "decade-of-childhood-2023.yaml"
BATALINA = Signatory(
    position="Первый заместитель Министра труда и социальной защиты Российской Федерации",
    name="О.Ю. Баталина",
)
PARTICULARS = {"sender", "number", "dated", "signatory", "addressed_to"}


def with_letter(spec: ContestSpec, **fields: Any) -> ContestSpec:
    """The spec with its announcement's particulars replaced, open to Tatarstan and Krasnodar only."""
    assert spec.announcement is not None
    cleared = dict.fromkeys(PARTICULARS, None)
    announcement = spec.announcement.model_copy(
        update={**cleared, "letter": "Текст письма.\n", **fields})
    eligibility = spec.eligibility.model_copy(update={"regions": ["16", "23"]})
    return spec.model_copy(update={"announcement": announcement, "eligibility": eligibility})


@pytest.fixture
def decade() -> ContestSpec:
    return load_spec(DECADE)


def test_the_decade_of_childhood_carries_the_particulars_of_the_ministry_s_letter(
    decade: ContestSpec,
) -> None:
    assert decade.announcement is not None
    assert decade.announcement.particulars() == LetterParticulars(
        sender="Министерство труда и социальной защиты Российской Федерации (Минтруд России)",
        number="27-4/10/В-16418", dated=date(2023, 10, 18), signatory=BATALINA,
        addressed_to="Высшие органы исполнительной власти субъектов Российской Федерации",
    )
    assert decade.announcement.particulars().reference() == "18.10.2023 № 27-4/10/В-16418"  # type: ignore[union-attr]


def test_a_letter_opens_with_sender_reference_and_addressee_and_ends_with_its_signature(
    decade: ContestSpec,
) -> None:
    spec = with_letter(decade, sender="Минтруд России", number="27-4/10/В-16418",
                       dated=date(2023, 10, 18), signatory=BATALINA)
    tatarstan, krasnodar = render_letters(spec, spec.phase_plan())
    assert tatarstan.text == (
        "Минтруд России\n\n"
        "18.10.2023 № 27-4/10/В-16418\n\n"
        "Кабинет Министров Республики Татарстан\n\n"
        "Текст письма.\n\n"
        "Первый заместитель Министра труда и социальной защиты Российской Федерации\n"
        "О.Ю. Баталина\n"
    )
    assert "\n\nАдминистрация Краснодарского края\n\n" in krasnodar.text
    assert tatarstan.particulars == krasnodar.particulars
    assert tatarstan.particulars is not None and tatarstan.particulars.number == "27-4/10/В-16418"


def test_a_letter_without_particulars_is_its_template_alone(decade: ContestSpec) -> None:
    spec = with_letter(decade)
    letters = render_letters(spec, spec.phase_plan())
    assert [(letter.text, letter.particulars) for letter in letters] == [("Текст письма.\n", None)] * 2


def test_a_signatory_alone_signs_the_letter_without_a_heading(decade: ContestSpec) -> None:
    spec = with_letter(decade, signatory=BATALINA)
    [tatarstan, _] = render_letters(spec, spec.phase_plan())
    assert tatarstan.text == f"Текст письма.\n\n{BATALINA.position}\n{BATALINA.name}\n"


def test_a_number_without_a_date_is_printed_alone(decade: ContestSpec) -> None:
    spec = with_letter(decade, number="26-2/10/В-6926")
    [tatarstan, _] = render_letters(spec, spec.phase_plan())
    assert tatarstan.text.startswith("№ 26-2/10/В-6926\n\nКабинет Министров Республики Татарстан\n\n")


def test_a_rehearsal_moves_the_letter_s_date_with_the_plan(decade: ContestSpec) -> None:
    spec = with_letter(decade, number="27-4/10/В-16418", dated=date(2023, 10, 18))
    [letter, _] = render_letters(spec, spec.phase_plan().shifted(timedelta(days=31)))
    assert letter.particulars is not None and letter.particulars.dated == date(2023, 11, 18)
    assert letter.text.startswith("18.11.2023 № 27-4/10/В-16418\n\n")


@pytest.mark.parametrize("written", ["18.10.2023", "2023-10-18", "'2023-10-18'"])
def test_the_date_is_written_as_on_the_letter_or_in_iso(written: str) -> None:
    text = DECADE.read_text(encoding="utf-8").replace("dated: 18.10.2023", f"dated: {written}")
    spec = parse_spec(text, source="decade.yaml")
    assert spec.announcement is not None and spec.announcement.dated == date(2023, 10, 18)


@pytest.mark.parametrize("written", ["31.02.2023", "18/10/2023", "18.10.2023 10:00"])
def test_a_date_that_is_no_date_is_refused_at_its_line(written: str) -> None:
    text = DECADE.read_text(encoding="utf-8").replace("dated: 18.10.2023", f"dated: {written}")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("  dated:"))
    with pytest.raises(SpecError) as caught:
        parse_spec(text, source="decade.yaml")
    assert caught.value.problems == [
        f"decade.yaml:{line}:3: announcement.dated: '{written}' is not a date; "
        "write it 18.10.2023 or 2023-10-18"
    ]


def test_a_signatory_needs_a_position_and_a_name() -> None:
    text = DECADE.read_text(encoding="utf-8").replace("    name: О.Ю. Баталина\n", "")
    with pytest.raises(SpecError, match=r"announcement\.signatory\.name: Field required"):
        parse_spec(text, source="decade.yaml")


def test_a_spec_without_particulars_keeps_its_fingerprint_and_one_with_them_changes_it(
    decade: ContestSpec,
) -> None:
    plain = with_letter(decade)
    said = plain.model_dump(mode="json", exclude_defaults=True)["announcement"]
    assert PARTICULARS.isdisjoint(said)
    assert with_letter(decade, number="1").fingerprint() != plain.fingerprint()


def test_the_particulars_survive_the_spec_s_trip_through_json(decade: ContestSpec) -> None:
    again = ContestSpec.model_validate(decade.model_dump(mode="json"))
    assert again.fingerprint() == decade.fingerprint()
    assert render_letters(again, again.phase_plan()) == render_letters(decade, decade.phase_plan())
