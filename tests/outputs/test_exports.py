"""`konkurs export`: every XLSX opened with openpyxl and every CSV with the csv module, their
numbers checked against what `konkurs results --json` and `konkurs status --json` publish."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from domain.rules.russian_reasons import in_russian
from tests.outputs.conftest import FinishedDemo

pytestmark = pytest.mark.only_on(
    "sqlite", reason="`konkurs demo` is the embedded default: its store is always SQLite")


@pytest.fixture(scope="module")
def exported(finished_demo: FinishedDemo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("exports")
    done = finished_demo.konkurs("export", finished_demo.slug, "--out", folder, "--json")
    assert done.returncode == 0, done.stderr
    return {"folder": folder, "files": json.loads(done.stdout), "stderr": done.stderr,
            "results": finished_demo.results_json()}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def number(cell: str) -> float:
    return float(cell.replace(",", "."))


def sheet_rows(path: Path, title: str | None = None) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(path)
    sheet = book[title] if title else book.worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def csv_path(exported: dict[str, Any], name: str) -> Path:
    return Path(exported["folder"]) / f"smart-dialog-2023-{name}.csv"


def xlsx_path(exported: dict[str, Any], name: str) -> Path:
    return Path(exported["folder"]) / f"smart-dialog-2023-{name}.xlsx"


def test_every_table_that_applies_is_written_and_the_others_are_named_with_why(
    exported: dict[str, Any]
) -> None:
    by_format = Counter(entry["format"] for entry in exported["files"])
    assert {entry["table"] for entry in exported["files"]} == {
        "register", "experts", "scores", "ranking", "tally"}
    assert by_format["xlsx"] == 5
    assert by_format["csv"] == 7  # experts and tally have two lists each
    for entry in exported["files"]:
        assert Path(entry["path"]).is_file(), entry
    assert "Skipped participation: the contest has no participation drive" in exported["stderr"]
    assert "Skipped promotions:" in exported["stderr"]
    voted = {n["code"] for n in exported["results"]["nominations"] if n["people_choice"] or n["winners"]}
    pabulib = {Path(e["path"]).name for e in exported["files"] if e["format"] == "pabulib"}
    assert pabulib == {f"smart-dialog-2023-{code}.pb" for code in voted}
    assert not [p for p in Path(exported["folder"]).iterdir() if p.name.startswith(".")]  # no staging left


def test_the_ranking_in_both_formats_is_the_published_one(exported: dict[str, Any]) -> None:
    published = exported["results"]["nominations"]
    from_csv = read_csv(csv_path(exported, "ranking"))
    book = openpyxl.load_workbook(xlsx_path(exported, "ranking"))
    assert book.sheetnames == [n["code"] for n in published]  # a sheet per nomination
    for nomination in published:
        winners = {w["reference"] for w in nomination["winners"]}
        expected = [(r["place"], r["reference"], r["score"], r["reviews"], r["reference"] in winners)
                    for r in nomination["ranking"]]
        sheet = book[nomination["code"]]
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
        header, *rows = sheet.iter_rows(values_only=True)
        cells = [dict(zip(header, row, strict=True)) for row in rows]
        assert [(c["Место"], c["Номер заявки"], c["Балл"], c["Оценок"], c["Победитель"] == "да")
                for c in cells] == expected
        assert all(isinstance(c["Балл"], int | float) and isinstance(c["Место"], int) for c in cells)
        assert [(int(r["Место"]), r["Номер заявки"], number(r["Балл"]), int(r["Оценок"]),
                 r["Победитель"] == "да")
                for r in from_csv if r["Номинация"] == nomination["code"]] == expected


def test_the_vote_by_region_adds_up_to_the_published_counts_and_demand(exported: dict[str, Any]) -> None:
    vote, demand = exported["results"]["vote"], exported["results"]["demand"]
    counted: dict[str, Counter[str]] = defaultdict(Counter)
    for row in read_csv(csv_path(exported, "tally")):
        counted[row["Номинация"]][row["Номер заявки"]] += int(row["Голосов"])
    assert {n: dict(c) for n, c in counted.items()} == vote["by_submission"]
    cells = sheet_rows(xlsx_path(exported, "tally"), "Голоса по регионам")
    assert sum(c["Голосов"] for c in cells) == vote["accepted"]
    assert all(isinstance(c["Голосов"], int) for c in cells)
    wanted = {(r["Номинация"], r["Номер заявки"]): (int(r["Голосов"]), int(r["Регионов"]))
              for r in read_csv(csv_path(exported, "demand"))}
    assert wanted == {(n, ref): (sum(regions.values()), len(regions))
                      for n, practices in demand.items() for ref, regions in practices.items()}


def test_the_register_counts_the_board_and_dates_are_dates(finished_demo: FinishedDemo,
                                                           exported: dict[str, Any]) -> None:
    done = finished_demo.konkurs("status", finished_demo.slug, "--json")
    board = json.loads(done.stdout)
    cells = sheet_rows(xlsx_path(exported, "register"))
    states = Counter(c["Статус"] for c in cells)
    assert len(cells) == board["submissions"]
    assert states["допущена"] == board["admitted"] and states["отклонена"] == board["rejected"]
    rejected = {c["Номер заявки"]: c["Причина"] for c in cells if c["Статус"] == "отклонена"}
    # The register states the recorded reason in Russian, as the rejection letter does.
    assert rejected == {r["reference"]: in_russian(r["reason"]) for r in board["rejections"]}
    assert all(reason.startswith("заявители вида") for reason in rejected.values())
    assert all(isinstance(c["Подано (МСК)"], datetime) for c in cells)
    by_region = Counter(c["Код региона"] for c in cells)
    assert by_region == {r["code"]: r["submissions"] for r in board["by_region"]}
    from_csv = read_csv(csv_path(exported, "register"))
    assert [datetime.strptime(r["Подано (МСК)"], "%d.%m.%Y %H:%M") for r in from_csv] == [
        c["Подано (МСК)"] for c in cells]


def test_scores_and_expert_sheets_hold_each_counted_review(exported: dict[str, Any]) -> None:
    reviews = {r["reference"]: r for n in exported["results"]["nominations"] for r in n["ranking"]}
    per_submission = Counter(r["Номер заявки"] for r in read_csv(csv_path(exported, "scores")))
    assert {ref: per_submission[ref] for ref in reviews} == {ref: r["reviews"] for ref, r in reviews.items()}
    book = openpyxl.load_workbook(xlsx_path(exported, "scores"))
    for sheet in book.worksheets:
        header, *rows = sheet.iter_rows(values_only=True)
        for row in rows:
            cells = dict(zip(header, row, strict=True))
            entry = reviews[cells["Номер заявки"]]
            assert cells["Средний сырой балл заявки"] == entry["raw_score"]
            assert cells["Балл заявки в ранжировании (zscore)"] == entry["score"]
    experts = sheet_rows(xlsx_path(exported, "experts"), "Эксперты")
    assert sum(e["Оценено"] for e in experts) == sum(per_submission.values())
    assert {e["Эксперт"] for e in experts} == set(exported["results"]["leniency"])
    states = Counter(a["Состояние"] for a in read_csv(csv_path(exported, "assignments")))
    assert states["оценена"] == sum(per_submission.values())
    assert states["самоотвод"] == sum(e["Самоотводы"] for e in experts)


def test_the_csv_is_utf8_with_a_bom_as_russian_excel_opens_it(exported: dict[str, Any]) -> None:
    raw = csv_path(exported, "register").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    text = raw.decode("utf-8-sig")
    assert text.startswith("Номер заявки;Номинация;")
    assert "Номер заявки".encode("cp1251") not in raw
    assert raw.decode("cp1251", errors="replace") != raw.decode("utf-8", errors="replace")
    assert next(csv.reader(io.StringIO(text), delimiter=";"))[0] == "Номер заявки"


@pytest.mark.parametrize(("args", "message"), [
    (["no-such-contest"], "no contest 'no-such-contest'"),
    (["smart-dialog-2023", "--table", "votes"], "--table 'votes' is not one of"),
    (["smart-dialog-2023", "--table", "participation"], "table participation does not apply"),
], ids=["unknown slug", "unknown table", "table that does not apply"])
def test_bad_input_says_one_line_and_writes_nothing(finished_demo: FinishedDemo, tmp_path: Path,
                                                    args: list[str], message: str) -> None:
    folder = tmp_path / "out"
    done = finished_demo.konkurs("export", *args, "--out", folder)
    assert done.returncode != 0 and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert not folder.exists()


def test_an_unwritable_folder_says_one_line_and_writes_nothing(finished_demo: FinishedDemo,
                                                               tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = finished_demo.konkurs("export", finished_demo.slug, "--out", blocker / "out")
    assert done.returncode != 0 and f"--out {blocker / 'out'}: cannot write there" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert blocker.read_text() == "not a folder"
