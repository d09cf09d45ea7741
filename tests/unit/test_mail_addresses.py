"""Reading the address book an operator imports: Russian or English headers, Excel's encodings,
and a bad row refused with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.errors import InputFileError
from konkurs.mail.address_book import Address, read_addresses


def csv(tmp_path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / "адреса.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_russian_headers_in_cp1251_with_semicolons(tmp_path: Path) -> None:
    path = csv(tmp_path, "Вид;Ключ;Почта;Имя\r\n"
                         "орган власти;75;minsoc@75.example.org;Правительство Забайкальского края\r\n"
                         "эксперт;E-12;expert@example.org;\r\n"
                         "координатор;23;drive@23.example.org;Куратор\r\n", "cp1251")
    assert read_addresses(path) == [
        Address(kind="authority", key="75", email="minsoc@75.example.org",
                name="Правительство Забайкальского края"),
        Address(kind="expert", key="E-12", email="expert@example.org", name=""),
        Address(kind="coordinator", key="23", email="drive@23.example.org", name="Куратор"),
    ]


def test_english_headers_with_commas_and_no_name(tmp_path: Path) -> None:
    path = csv(tmp_path, "kind,key,email\napplicant,smart-dialog-2023/SD-0001,a@example.org\n"
                         "municipality,76650000,mo@example.org\n")
    assert [(a.kind, a.key) for a in read_addresses(path)] == [
        ("applicant", "smart-dialog-2023/SD-0001"), ("municipality", "76650000")]


@pytest.mark.parametrize(("row", "says"), [
    ("authority;75;not-an-address", "e-mail 'not-an-address' is not an address"),
    ("authority;Забайкальский край;a@example.org", "key 'Забайкальский край' of authority: write the"),
    ("ministry;75;a@example.org", "kind 'ministry': use one of authority, expert"),
    ("applicant;SD-0001;a@example.org", "write SLUG/REFERENCE"),
    ("expert;E-1;b@example.org", "expert E-1 is given twice"),
])
def test_a_bad_row_is_refused_with_its_line(tmp_path: Path, row: str, says: str) -> None:
    path = csv(tmp_path, f"kind;key;email\nexpert;E-1;a@example.org\n{row}\n")
    with pytest.raises(InputFileError) as refused:
        read_addresses(path)
    assert str(refused.value).startswith(f"{path}:3: ")
    assert says in str(refused.value)


def test_an_unknown_column_is_refused(tmp_path: Path) -> None:
    path = csv(tmp_path, "kind;key;email;телефон\nexpert;E-1;a@example.org;+7\n")
    with pytest.raises(InputFileError, match=r":1: unknown column 'телефон'"):
        read_addresses(path)
