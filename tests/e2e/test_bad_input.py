"""Bad input from an operator: one line on stderr naming the problem and where, and nothing written.

Each rejection has a positive control beside it: the same command with a good file is recorded.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pytest

from domain.aggregates import Submission, SubmissionStatus
from domain.commands.order import ContestOrder
from domain.ids import submission_id
from domain.phases import Phase
from konkurs import intake_files
from tests.e2e.conftest import REVIEW_HEADER
from tests.factories import OPERATOR

if TYPE_CHECKING:
    from tests.e2e.conftest import Cli, Contests, Files, Store

SLUG = "zdorovye-2030"
SUBMISSION_HEADER = ("reference", "nomination", "title", "applicant_name", "applicant_kind", "region")
BALLOT_HEADER = ("voter", "nomination", "submission", "region")

NEW_ENTRIES = [
    ("ZDR-101", "HC-1", "Диспансеризация выходного дня", "ГБУЗ «Поликлиника № 3»", "state_institution", "75"),
    ("ZDR-102", "HC-2", "Аптечный пункт в каждом селе", "АНО «Сельское здоровье»", "ngo", "4"),
    ("ZDR-103", "HC-1", "Выездные бригады врачей", "ГБУЗ «Краевая больница»", "state_institution", "23"),
]
ONE_SUBMISSION = """\
reference: ZDR-201
nomination: HC-1
title: Запись к врачу по телефону 122
applicant:
  name: ГБУЗ «Городская поликлиника № 3»
  kind: state_institution
  region: "75"
summary: Единый номер записи к врачу для всего края.
"""


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


# 1. Contest specs


UNKNOWN_FIELD = ("level: federal\n", "level: federal\ncolour: blue\n")
WRONG_TYPE = ("places_per_nomination: 2", "places_per_nomination: два")


def broken(spec_yaml: str, *edits: tuple[str, str]) -> str:
    for old, new in edits:
        assert old in spec_yaml
        spec_yaml = spec_yaml.replace(old, new)
    return spec_yaml


def test_spec_check_passes_a_good_spec(cli: Cli, files: Files, contests: Contests) -> None:
    run = cli("spec", "check", files.text("good.yaml", contests.spec_yaml))
    run.assert_ok()
    assert f"ok  {files.folder / 'good.yaml'}: {SLUG}" in run.stdout
    assert run.error_lines == []


def test_spec_check_lists_every_problem_with_its_file_line_and_column(
    cli: Cli, files: Files, contests: Contests
) -> None:
    text = broken(contests.spec_yaml, UNKNOWN_FIELD, WRONG_TYPE)
    path = files.text("bad.yaml", text)
    run = cli("spec", "check", path)
    assert run.code == 1
    assert "Traceback" not in run.stdout + run.stderr
    expected = {
        f"{path}:{line_of(text, 'colour:')}:1: colour:",
        f"{path}:{line_of(text, 'places_per_nomination:')}:1: places_per_nomination:",
    }
    found = {re.match(r"^(.*?:\d+:\d+: \w+:)", line).group(1)  # type: ignore[union-attr]
             for line in run.error_lines}
    assert found == expected, run.stderr


def test_announce_records_a_good_spec(
    cli: Cli, files: Files, store: Store, contests: Contests, temporal: str
) -> None:
    before = store.head()
    cli("announce", files.text("good.yaml", contests.spec_yaml)).assert_ok()
    with store.open() as app:  # announce reports success only once the contest is recorded
        assert SLUG in app.store.contest_slugs()
    deadline = time.monotonic() + 30
    while True:
        with store.open() as app:
            if SLUG in app.store.contest_slugs():
                break
        assert time.monotonic() < deadline, "the announcement was never recorded"
        time.sleep(0.2)
    assert store.head() > before


@pytest.mark.parametrize(
    ("edit", "field"),
    [(UNKNOWN_FIELD, "colour"), (WRONG_TYPE, "places_per_nomination")],
    ids=["unknown-field", "wrong-type"],
)
def test_announce_rejects_a_malformed_spec_before_reaching_temporal(
    cli: Cli, files: Files, store: Store, contests: Contests, edit: tuple[str, str], field: str
) -> None:
    text = broken(contests.spec_yaml, edit)
    path = files.text("bad.yaml", text)
    before = store.head()
    run = cli("announce", path)
    run.assert_rejected(f"{path}:{line_of(text, field + ':')}:1: {field}:")
    assert run.stderr.count(str(path)) == 1
    assert store.head() == before
    assert "Temporal" not in run.stderr


# 2 and 6. Importing submissions


def test_import_submissions_records_a_good_file(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    contests.collecting()
    before = store.head()
    path = files.csv("заявки.csv", SUBMISSION_HEADER, NEW_ENTRIES)
    cli("import", "submissions", SLUG, path).assert_ok()
    assert store.submissions() == len(NEW_ENTRIES)
    assert store.head() == before + len(NEW_ENTRIES) + 1  # the file's submissions, then its acceptance


def test_import_submissions_rejects_an_unknown_nomination_and_records_none_of_the_file(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    contests.collecting()
    rows = [*NEW_ENTRIES, ("ZDR-104", "HC-9", "Скорая помощь онлайн", "НКО «Скорая»", "ngo", "52")]
    path = files.csv("заявки.csv", SUBMISSION_HEADER, rows)
    before = store.head()
    run = cli("import", "submissions", SLUG, path)
    run.assert_rejected(f"{path}:5:", "unknown nomination", "HC-9")
    assert store.head() == before
    assert store.submissions() == 0


RUSSIAN_HEADER = ("Регистрационный номер", "Номинация", "Название практики", "Наименование организации",
                  "Тип организации", "Регион")
IN_RUSSIAN = {"state_institution": "Государственное учреждение", "ngo": "НКО",
              "75": "Забайкальский край", "4": "Республика Алтай", "23": "Краснодарский край"}


def test_import_submissions_reads_a_cp1251_file_with_russian_headers_as_the_english_one(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    contests.collecting()
    english = files.csv("submissions.csv", SUBMISSION_HEADER, NEW_ENTRIES, encoding="utf-8")
    russian = files.csv("заявки-1251.csv", RUSSIAN_HEADER,
                        [tuple(IN_RUSSIAN.get(cell, cell) for cell in row) for row in NEW_ENTRIES],
                        encoding="cp1251")
    assert b"\r\n" in russian.read_bytes()
    cli("import", "submissions", SLUG, russian).assert_ok()
    expected = [form for _, form in intake_files.submission_forms(english)]
    with store.open() as app:
        recorded = [app.store.repository.get(submission_id(SLUG, form.reference)) for form in expected]
    assert [(s.nomination, s.title, s.applicant, s.summary) for s in recorded] == [
        (form.nomination, form.title, form.applicant, form.summary) for form in expected]


def test_import_submissions_leaves_aside_a_column_named_with_ignore_column_and_says_so(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    contests.collecting()
    path = files.csv("заявки.csv", (*SUBMISSION_HEADER, "submitted_at"),
                     [(*row, "2030-03-01") for row in NEW_ENTRIES])
    run = cli("import", "submissions", SLUG, path, "--ignore-column", "submitted_at")
    run.assert_ok()
    assert "Left aside the column 'submitted_at'" in run.stdout
    assert store.submissions() == len(NEW_ENTRIES)


def _spreadsheet_with(column: int, cell: str) -> list[tuple[str, ...]]:
    bad = list(NEW_ENTRIES[1])
    bad[column] = cell
    return [NEW_ENTRIES[0], tuple(bad), NEW_ENTRIES[2]]


@pytest.mark.parametrize(
    ("header", "rows", "fragments"),
    [
        ((*SUBMISSION_HEADER, "submitted_at"), [(*row, "2030-03-01") for row in NEW_ENTRIES],
         (":1: unknown column 'submitted_at'", "this import knows reference", "--ignore-column")),
        (SUBMISSION_HEADER, _spreadsheet_with(2, "Очень длинное название " * 22),
         (":3: title is 505 characters, the contest allows 300",)),
        (SUBMISSION_HEADER, _spreadsheet_with(5, "Атлантида"), (":3: unknown region 'Атлантида'",)),
        (SUBMISSION_HEADER, _spreadsheet_with(4, "ООО"), (":3: unknown applicant kind 'ООО'",)),
    ],
    ids=["unknown-column", "title-too-long", "unknown-region-name", "unknown-kind"],
)
def test_import_submissions_refuses_a_bad_spreadsheet_in_one_line_and_records_none_of_it(
    cli: Cli, files: Files, store: Store, contests: Contests,
    header: tuple[str, ...], rows: list[tuple[str, ...]], fragments: tuple[str, ...],
) -> None:
    contests.collecting()
    path = files.csv("заявки.csv", header, rows)
    before = store.head()
    run = cli("import", "submissions", SLUG, path)
    run.assert_rejected(*(f"{path}{fragment}" if fragment.startswith(":") else fragment
                          for fragment in fragments))
    assert store.head() == before
    assert store.submissions() == 0


@pytest.mark.parametrize(
    "raw", [bytes(range(256)) * 8, b"PK\x03\x04" + bytes(range(256))], ids=["binary", "xlsx"])
def test_import_submissions_refuses_bytes_that_are_no_text_in_one_line(
    cli: Cli, files: Files, store: Store, contests: Contests, raw: bytes
) -> None:
    contests.collecting()
    path = files.folder / "заявки.csv"
    path.write_bytes(raw)
    before = store.head()
    run = cli("import", "submissions", SLUG, path)
    run.assert_rejected(f"{path}: ", "save it")
    assert store.head() == before


# 3. A submission after collection closed


def test_submit_records_one_submission_while_collection_is_open(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    contests.collecting()
    cli("submit", SLUG, files.text("one.yaml", ONE_SUBMISSION)).assert_ok()
    assert store.submissions() == 1


def test_submit_after_collection_closed_names_the_phase_and_records_nothing(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    contests.screening()
    path = files.text("one.yaml", ONE_SUBMISSION)
    before = store.head()
    run = cli("submit", SLUG, path)
    run.assert_rejected(SLUG, f"phase {Phase.SCREENING}", "no submissions")
    assert store.head() == before
    assert store.submissions() == len(contests.entries)


def test_screening_rejects_a_submission_recorded_after_the_close_of_collection(
    store: Store, contests: Contests
) -> None:
    contests.screening()
    late_form = contests.form("ZDR-LATE", "HC-1", "Опоздавшая практика", "НКО «Позже»", "ngo", "75")
    with store.open() as app:
        # A writer that checked the phase just before it closed: its event lands after the close.
        app.store.save(Submission(contest=SLUG, **late_form.model_dump()), actor=OPERATOR)
        app.results.conclude_screening(ContestOrder(slug=SLUG, command_id="screen", actor=OPERATOR))
        late: Submission = app.store.repository.get(submission_id(SLUG, "ZDR-LATE"))
        outcome = app.store.get_contest(SLUG).screening
    assert late.status == SubmissionStatus.REJECTED
    assert late.rejection_reason is not None
    assert late.rejection_reason.startswith("recorded after collection closed")
    assert outcome is not None
    assert outcome.admitted == len(contests.entries)
    assert outcome.rejected == {"recorded after collection closed": 1}


# 4. Duplicate ballots


def test_import_ballots_records_a_good_file(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    shortlist = contests.voting()
    rows = [("esia-1000001", "HC-1", shortlist["HC-1"][0], "75"),
            ("esia-1000001", "HC-2", shortlist["HC-2"][1], "75"),
            ("esia-1000002", "HC-1", shortlist["HC-1"][1], "23")]
    cli("import", "ballots", SLUG, files.csv("голоса.csv", BALLOT_HEADER, rows)).assert_ok()
    assert store.ballots() == len(rows)


def test_import_ballots_rejects_the_same_voter_twice_in_a_nomination_within_one_file(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    shortlist = contests.voting()
    rows = [("esia-1000001", "HC-1", shortlist["HC-1"][0], "75"),
            ("esia-1000001", "HC-2", shortlist["HC-2"][0], "75"),
            ("esia-1000002", "HC-1", shortlist["HC-1"][1], "23"),
            ("esia-1000001", "HC-1", shortlist["HC-1"][1], "75")]
    path = files.csv("голоса.csv", BALLOT_HEADER, rows)
    before = store.head()
    run = cli("import", "ballots", SLUG, path)
    line = run.assert_rejected(f"{path}:5:", "already voted", "HC-1")
    assert "esia-1000001" not in line, "the voter id must not be echoed"
    assert store.head() == before
    assert store.ballots() == 0


def test_import_ballots_rejects_a_voter_who_voted_in_an_earlier_import(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    shortlist = contests.voting()
    first = files.csv("голоса-1.csv", BALLOT_HEADER, [
        ("esia-1000001", "HC-1", shortlist["HC-1"][0], "75"),
        ("esia-1000002", "HC-1", shortlist["HC-1"][1], "23"),
    ])
    cli("import", "ballots", SLUG, first).assert_ok()
    assert store.ballots() == 2
    second = files.csv("голоса-2.csv", BALLOT_HEADER, [
        ("esia-1000003", "HC-1", shortlist["HC-1"][0], "52"),
        ("esia-1000002", "HC-1", shortlist["HC-1"][0], "23"),
    ])
    before = store.head()
    run = cli("import", "ballots", SLUG, second)
    run.assert_rejected(f"{second}:3:", "already voted", "HC-1")
    assert store.head() == before
    assert store.ballots() == 2


# 5. Scores out of range


def test_import_reviews_records_a_good_file(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    admitted = contests.judging()
    assigned = store.assignments()
    rows = [(reference, assigned[reference][0], "7,5", "4") for reference in admitted]
    cli.import_cards(files, rows)
    assert store.reviews() == len(admitted)


@pytest.mark.parametrize(
    ("bad_scores", "fragments"),
    [
        (("11", "4"), ("score 11 for impact", "outside 0–10")),
        (("8", "0"), ("score 0 for replicable", "outside 1–5")),
    ],
    ids=["above-max", "below-min"],
)
def test_import_reviews_rejects_a_score_out_of_range_and_records_none_of_the_file(
    cli: Cli, files: Files, store: Store, contests: Contests,
    bad_scores: tuple[str, ...], fragments: tuple[str, ...],
) -> None:
    contests.judging()
    # Every card, the bad one too, is the expert's own and assigned to them: only the range
    # check can refuse the file.
    assigned = store.assignments()
    expert = max(sorted({e for experts in assigned.values() for e in experts}),
                 key=lambda e: sum(e in experts for experts in assigned.values()))
    own = sorted(reference for reference, experts in assigned.items() if expert in experts)
    assert len(own) >= 2
    rows = [(own[0], expert, "7,5", "4"), (own[1], expert, *bad_scores),
            *((reference, expert, "9", "5") for reference in own[2:])]
    path = files.csv("оценки.csv", REVIEW_HEADER, rows)
    as_expert = cli.as_expert(expert)
    before = store.head()
    run = as_expert("import", "reviews", SLUG, path)
    line = run.assert_rejected(f"{path}:3:", *fragments)
    assert "not assigned" not in line
    assert store.head() == before
    assert store.reviews() == 0


# Error messages carry the operator's text verbatim


@pytest.mark.parametrize("cell", ["[/]", "[bold]HC-9"], ids=["closing-tag", "style-tag"])
def test_an_error_quotes_a_cell_that_looks_like_console_markup_verbatim(
    cli: Cli, files: Files, store: Store, contests: Contests, cell: str
) -> None:
    contests.collecting()
    rows = [NEW_ENTRIES[0], ("ZDR-104", cell, "Скорая помощь онлайн", "НКО «Скорая»", "ngo", "52")]
    path = files.csv("заявки.csv", SUBMISSION_HEADER, rows)
    before = store.head()
    run = cli("import", "submissions", SLUG, path)
    run.assert_rejected(f"{path}:3:", "unknown nomination", repr(cell))
    assert store.head() == before


def test_files_are_written_as_excel_saves_them(files: Files) -> None:
    path = files.csv("заявки.csv", SUBMISSION_HEADER, NEW_ENTRIES)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.split(b"\r\n")[0].decode("utf-8-sig") == ";".join(SUBMISSION_HEADER)


def test_one_scorecard_from_the_command_line_is_recorded_and_a_second_revises_it(
    cli: Cli, store: Store, contests: Contests
) -> None:
    reference = contests.judging()[0]
    expert = store.assignments()[reference][0]
    card = ("review", SLUG, "--submission", reference, "--expert", expert)
    as_expert = cli.as_expert(expert)
    as_expert(*card, "--score", "impact=8", "--score", "replicable=4,5").assert_ok()
    as_expert(*card, "--score", "impact=9", "--score", "replicable=5").assert_ok()
    assert store.reviews() == 2
    with store.open() as konkurs:
        cards, _ = konkurs.reads.counted_scorecards(SLUG, konkurs.store.head_position())
    assert cards[reference] == {expert: {"impact": 9.0, "replicable": 5.0}}


@pytest.mark.parametrize(
    ("scores", "fragment"),
    [(("impact=12", "replicable=4"), "score 12 for impact is outside 0–10"),
     (("impact=много", "replicable=4"), "--score 'impact=много' is not CRITERION=VALUE"),
     (("impact=5",), "missing score for criterion replicable")],
    ids=["out-of-range", "not-a-number", "missing-criterion"],
)
def test_a_bad_scorecard_from_the_command_line_writes_nothing(
    cli: Cli, store: Store, contests: Contests, scores: tuple[str, ...], fragment: str
) -> None:
    reference = contests.judging()[0]
    # An assigned expert, so the card is refused for its scores and not for who sent it.
    expert = store.assignments()[reference][0]
    as_expert = cli.as_expert(expert)
    before = store.head()
    flags = [part for score in scores for part in ("--score", score)]
    run = as_expert("review", SLUG, "--submission", reference, "--expert", expert, *flags)
    run.assert_rejected(fragment)
    assert store.head() == before


# Closing judging by force without saying why (helper V)


def test_close_with_force_but_no_reason_is_refused_before_reaching_temporal(
    cli: Cli, store: Store, contests: Contests
) -> None:
    contests.judging()
    before = store.head()
    run = cli("close", SLUG, "--phase", "judging", "--force")
    run.assert_rejected("--force needs --reason")
    assert store.head() == before



# Operators' habits: Russian dates, phases that can be closed, the server's port (helper F)


@pytest.mark.parametrize("until", ["31.06.2030", "2030-06-31", "30/06/2030", "к 30 июня"])
def test_extend_names_a_wrong_date_and_the_forms_it_takes(
    cli: Cli, store: Store, contests: Contests, until: str
) -> None:
    contests.collecting()
    before = store.head()
    run = cli("extend", SLUG, "--to", until, "--reason", "по просьбам регионов")
    run.assert_rejected(f"--until {until!r} is not a date or time",
                        "write 18.06.2023, 18.06.2023 18:00, 2023-06-18")
    assert store.head() == before


def test_a_spec_in_russian_dates_is_checked_and_a_wrong_one_named_at_its_line(
    cli: Cli, files: Files, contests: Contests
) -> None:
    russian = broken(contests.spec_yaml, ("announced: 2030-01-10", "announced: 10.01.2030"),
                     ("collection_closes: 2030-03-01", "collection_closes: 01.03.2030 18:00"))
    cli("spec", "check", files.text("russian.yaml", russian)).assert_ok()
    wrong = broken(russian, ("collection_closes: 01.03.2030 18:00", "collection_closes: 30.02.2030"))
    path = files.text("wrong.yaml", wrong)
    cli("spec", "check", path).assert_rejected(
        f"{path}:{line_of(wrong, 'collection_closes:')}:",
        "not a date or time: '30.02.2030'; write 18.06.2023")


def test_close_offers_only_phases_that_can_be_closed(cli: Cli, store: Store, contests: Contests) -> None:
    help_text = cli("close", "--help").stdout
    assert "collecting" in help_text and "closed" not in help_text and "cancelled" not in help_text
    contests.collecting()
    before = store.head()
    run = cli("close", SLUG, "--phase", "cancelled")
    assert run.code == 2 and "Traceback" not in run.stderr
    assert "'cancelled' is not a phase that can be closed or extended" in run.stderr
    assert store.head() == before


def test_server_refuses_a_port_in_use_and_an_address_elsewhere_in_one_line(cli: Cli) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cli("server", "--port", str(port)).assert_rejected(f"port {port} on 127.0.0.1 is in use", "--port")
    cli.env["TEMPORAL_ADDRESS"] = "temporal.example.org:7233"
    cli("server").assert_rejected("TEMPORAL_ADDRESS points at temporal.example.org:7233, not this machine")
