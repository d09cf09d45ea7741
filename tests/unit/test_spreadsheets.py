"""Spreadsheets as a Russian Excel saves them: encodings, Russian headers and values, unknown columns,
and the lengths a contest allows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from domain.aggregates import Applicant
from domain.aggregates.submission import Nominee
from domain.commands.intake import SubmissionForm
from domain.errors import InputFileError
from domain.rules.lengths import TextTooLong, check_lengths
from domain.spec import ApplicantKind
from domain.spec.limits import Limits
from konkurs import column_aliases, intake_files
from konkurs.municipality_files import municipality_rows
from konkurs.tables import decode
from tests.factories import inn

REPO = Path(__file__).resolve().parents[2]
ENGLISH = ("reference", "nomination", "title", "applicant_name", "applicant_kind", "region", "inn", "summary")
RUSSIAN = ("Регистрационный номер", "Номинация*", "Название практики", "Наименование организации",
           "Тип организации", "Субъект РФ:", "ИНН", "Краткое описание")
ROWS_IN_ENGLISH = [
    ("ZDR-101", "HC-1", "Диспансеризация выходного дня", "ГБУЗ «Поликлиника № 3»", "state_institution", "75",
     inn("75", 12345), "Приём по субботам."),
    ("ZDR-102", "HC-2", "Аптечный пункт в каждом селе", "АНО «Сельское здоровье»", "ngo", "04", "", ""),
    ("ZDR-103", "HC-1", "Школа ухода за пожилыми", "Иванова Мария Петровна", "person", "16", "", "Ёлки"),
    ("ZDR-104", "HC-2", "Такси для маломобильных", "ООО «Доступная среда»", "business", "42", "", ""),
]
RUSSIAN_VALUES = {
    "state_institution": "Государственное учреждение", "ngo": "НКО", "person": "физическое лицо",
    "business": "Коммерческая организация",
    "75": "Забайкальский край", "04": "Республика Алтай", "16": "Татарстан",
    "42": "Кемеровская область - Кузбасс",
}


def write(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def in_russian(row: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(RUSSIAN_VALUES.get(cell, cell) if i in (4, 5) else cell for i, cell in enumerate(row))


def test_a_cp1251_file_with_russian_headers_and_values_reads_as_the_english_utf8_file(tmp_path: Path) -> None:
    english = write(tmp_path / "en.csv", ENGLISH, ROWS_IN_ENGLISH, "utf-8")
    russian = write(tmp_path / "ru.csv", RUSSIAN, [in_russian(row) for row in ROWS_IN_ENGLISH], "cp1251")
    assert russian.read_bytes().count(b"\r\n") == len(ROWS_IN_ENGLISH) + 1
    with pytest.raises(UnicodeDecodeError):
        russian.read_bytes().decode("utf-8")
    expected = [form for _, form in intake_files.submission_forms(english)]
    assert [form for _, form in intake_files.submission_forms(russian)] == expected
    assert expected[2].applicant.kind == ApplicantKind.PERSON
    assert [form.applicant.region for form in expected] == ["75", "04", "16", "42"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "utf-16"])
def test_each_encoding_excel_writes_is_read(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "f.csv", RUSSIAN, [in_russian(ROWS_IN_ENGLISH[0])], encoding)
    assert decode(path).lstrip("\ufeff").startswith("Регистрационный номер;")


@pytest.mark.parametrize(
    "text",
    ["ИНН\r\n7536012345\r\n", "Регион\r\nЧувашия\r\n", "Номинация;Название практики\r\nHC-1;Дом\r\n",
     "reference;title\r\nA-1;Ёж\r\n", "Республика Саха (Якутия)", "ФИО;Возраст\r\nЩукин Ю. Э.;33\r\n"],
)
def test_a_short_cp1251_file_is_read_as_cp1251(tmp_path: Path, text: str) -> None:
    path = tmp_path / "short.csv"
    path.write_bytes(text.encode("cp1251"))
    assert decode(path) == text


@pytest.mark.parametrize(
    "raw", [bytes(range(256)) * 4, b"PK\x03\x04" + bytes(range(200)), b"abc\x98def\r\n"],
    ids=["binary", "xlsx", "undefined-in-cp1251"],
)
def test_bytes_that_are_no_text_are_refused_in_one_line_naming_the_file(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(raw)
    with pytest.raises(InputFileError) as refused:
        intake_files.submission_forms(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message


def test_an_unknown_column_is_refused_naming_it_the_file_and_the_known_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", (*ENGLISH, "submitted_at"), [(*ROWS_IN_ENGLISH[0], "2025-03-01")],
                 "utf-8")
    with pytest.raises(InputFileError) as refused:
        intake_files.submission_forms(path)
    message = str(refused.value)
    assert message.startswith(f"{path}:1: unknown column 'submitted_at'; this import knows reference, ")
    assert "--ignore-column" in message


def test_a_column_named_to_be_ignored_is_left_aside_and_said(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", (*ENGLISH, "Дата подачи"), [(*ROWS_IN_ENGLISH[0], "01.03.2025")],
                 "utf-8")
    forms = intake_files.submission_forms(path, ignore=["дата подачи"])
    assert forms.set_aside == ("Дата подачи",)
    assert forms[0][1].reference == "ZDR-101"


def test_a_registry_export_leaves_its_other_columns_aside_and_names_them(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", ("ИНН", "Наименование", "Регион", "Дата включения", "ОГРН", "Адрес"),
                 [(inn("75", 1), "АНО «Забота»", "Забайкальский край", "01.03.2025", "1", "Чита")], "cp1251")
    rows = intake_files.registry_rows(path)
    assert rows.set_aside == ("ОГРН", "Адрес")
    assert rows[0][1].region == "75"


def test_two_columns_giving_one_field_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", (*ENGLISH, "Номер заявки"), [(*ROWS_IN_ENGLISH[0], "X")], "utf-8")
    with pytest.raises(InputFileError, match=r":1: more than one column gives reference"):
        intake_files.submission_forms(path)


@pytest.mark.parametrize(
    ("column", "cell", "fragment"),
    [(5, "Атлантида", "unknown region 'Атлантида'"), (4, "ООО", "unknown applicant kind 'ООО'")],
    ids=["region", "kind"],
)
def test_an_unknown_region_or_kind_names_the_row(
    tmp_path: Path, column: int, cell: str, fragment: str
) -> None:
    bad = list(ROWS_IN_ENGLISH[1])
    bad[column] = cell
    path = write(tmp_path / "f.csv", ENGLISH, [ROWS_IN_ENGLISH[0], tuple(bad)], "utf-8")
    with pytest.raises(InputFileError) as refused:
        intake_files.submission_forms(path)
    assert str(refused.value).startswith(f"{path}:3: {fragment}")


def test_an_oversized_cell_gets_its_file_and_line(tmp_path: Path) -> None:
    huge = (*ROWS_IN_ENGLISH[1][:7], "я" * 200_000)
    path = write(tmp_path / "f.csv", ENGLISH, [ROWS_IN_ENGLISH[0], huge], "utf-8")
    with pytest.raises(InputFileError, match=rf"^{path}:3: a cell is longer than 131,072 characters$"):
        intake_files.submission_forms(path)


def test_jsonl_keys_may_be_russian_and_unknown_ones_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text('{"ОКТМО": "76701000", "Наименование": "Чита", "Регион": "Забайкальский край"}\n'
                    '{"oktmo": "76701000", "name": "Чита", "region": "75", "colour": "blue"}\n',
                    encoding="utf-8")
    with pytest.raises(InputFileError, match=rf"^{path}:2: unknown column 'colour'"):
        municipality_rows(path)
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0], encoding="utf-8")
    assert municipality_rows(path)[0][1].region == "75"


@pytest.mark.parametrize(("text", "kind"), [
    ("государственное учреждение", "state_institution"), (" НКО ", "ngo"),
    ("Некоммерческая организация", "ngo"), ("бизнес", "business"),
    ("муниципальное учреждение", "municipal_institution"),
    ("орган исполнительной власти субъекта", "regional_authority"),
    ("муниципальное образование", "municipality"),
    ("Физическое лицо", "person"), ("ngo", "ngo"), ("ООО", None),
])
def test_applicant_kinds_in_russian(text: str, kind: str | None) -> None:
    assert column_aliases.applicant_kind_of(text) == kind


def test_the_operators_guide_lists_the_aliases_as_the_table_holds_them() -> None:
    guide = (REPO / "docs" / "operators.md").read_text(encoding="utf-8")
    assert column_aliases.markdown() in guide


def test_no_header_names_two_fields_of_one_import() -> None:
    for aliases in column_aliases.TABLES.values():
        spellings = [column_aliases.header_key(spelling)
                     for field, found in aliases.items() for spelling in (field, *found)]
        assert len(spellings) == len(set(spellings))


def form(title: str = "Практика", summary: str = "", name: str = "АНО «Забота»") -> SubmissionForm:
    return SubmissionForm(reference="ZDR-1", nomination="HC-1", title=title, summary=summary,
                          applicant=Applicant(name=name, kind=ApplicantKind.NGO, region="75"))


def test_texts_within_the_limits_pass() -> None:
    check_lengths(form("т" * 300, "с" * 4000, "и" * 500), Limits(), "заявки.csv:2")


@pytest.mark.parametrize(
    ("texts", "message"),
    [({"title": "т" * 512}, "заявки.csv:2: title is 512 characters, the contest allows 300"),
     ({"summary": "с" * 4001}, "заявки.csv:2: summary is 4001 characters, the contest allows 4000"),
     ({"name": "и" * 81}, "заявки.csv:2: applicant_name is 81 characters, the contest allows 80")],
    ids=["title", "summary", "name"],
)
def test_a_text_over_the_limit_is_refused_with_its_place(texts: dict[str, str], message: str) -> None:
    with pytest.raises(TextTooLong) as refused:
        check_lengths(form(**texts), Limits(name=80), "заявки.csv:2")
    assert str(refused.value) == message


def test_a_nominee_name_over_the_limit_is_refused() -> None:
    nominated = form().model_copy(update={"nominee": Nominee(name="и" * 81, position="врач")})
    with pytest.raises(TextTooLong, match=r"^x:2: nominee_name is 81 characters, the contest allows 80$"):
        check_lengths(nominated, Limits(name=80), "x:2")


def test_limits_left_at_their_defaults_do_not_change_a_spec_fingerprint() -> None:
    assert Limits().model_dump(exclude_defaults=True) == {}


def test_one_submission_in_yaml_takes_russian_kinds_and_region_names(tmp_path: Path) -> None:
    path = tmp_path / "заявка.yaml"
    path.write_text(
        "reference: SD-0001\nnomination: HC-1\ntitle: Запись к врачу за один звонок\n"
        "applicant:\n  name: ГАУЗ «Городская поликлиника № 7»\n  kind: государственное учреждение\n"
        "  region: Республика Татарстан\n", encoding="cp1251")
    [(_, form)] = intake_files.single_submission(path)
    assert (form.applicant.kind, form.applicant.region) == ("state_institution", "16")
