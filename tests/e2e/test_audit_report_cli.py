"""`konkurs audit report` as an auditor runs it: two files that stand alone, the reasons as the
operators wrote them (escaped), the chain head they can compare, and an exit code that says
whether everything verified.

The contest is driven through every phase in the domain, as the workflow's activities would.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from domain.commands.contest import RecordExtension, RecordPhaseChange
from domain.commands.intake import BallotInput, CastBallots
from domain.commands.judging import Recuse
from domain.commands.order import ContestOrder
from domain.outcomes import ScreeningOutcome
from domain.phases import Phase
from services.ballots import UNKNOWN_REGION
from tests.factories import OPERATOR, cards_for_assignments, close_phase, record_cards

if TYPE_CHECKING:
    from tests.e2e.conftest import Cli, Contests, Store

SLUG = "zdorovye-2030"
EXTENSION = "Продление по письму Минздрава № 17-4/1032: регионы просили ещё неделю"
RECUSAL = "Конфликт интересов <script>alert('эксперт')</script>"
EARLY_CLOSE = "Все карточки сданы досрочно"
KEY = b"e2e-voter-key"


def run_contest(contests: Contests, store: Store) -> None:
    """Extended, screened, judged with a recusal, closed early, voted with a refused ballot,
    tallied, declared and published."""
    contests.collecting()
    with store.open() as app:
        closes = app.store.get_contest(SLUG).plan.window(Phase.COLLECTING).closes_at
        app.contests.extend_deadline(
            RecordExtension(
                slug=SLUG,
                phase=Phase.COLLECTING,
                closes_at=closes + timedelta(days=5),
                reason=EXTENSION,
                command_id="extend",
                actor=OPERATOR,
            )
        )
    contests.close_collection()
    contests.open_judging(contests.panel)
    with store.open() as app:
        [expert] = [
            j.assigned["ZDR-001"][0]
            for j in app.reads.judgings(contests.spec).values()
            if "ZDR-001" in j.assigned
        ]
        app.judging.recuse(
            Recuse(slug=SLUG, submission="ZDR-001", expert=expert, reason=RECUSAL, actor=OPERATOR)
        )
        record_cards(app, SLUG, cards_for_assignments(app, SLUG, lambda ref, _: 4 + int(ref[-1])))
        app.contests.change_phase(
            RecordPhaseChange(
                slug=SLUG,
                closed=Phase.JUDGING,
                cause="operator",
                reason=EARLY_CLOSE,
                command_id="close-judging",
                actor=OPERATOR,
            )
        )
        app.results.conclude_judging(ContestOrder(slug=SLUG, command_id="judge", actor=OPERATOR))
        judging = app.store.get_contest(SLUG).judging
        assert judging is not None
        chosen = judging.shortlist["HC-1"][0]
        app.ballots.cast_ballots(
            CastBallots(
                slug=SLUG,
                ballots=[
                    BallotInput(
                        voter="esia-1", nomination="HC-1", submission=chosen, region="75", label="portal:1"
                    ),
                    BallotInput(
                        voter="esia-2", nomination="HC-1", submission=chosen, region="00", label="portal:2"
                    ),
                ],
                voter_key=KEY,
                batch="portal-1",
                actor=OPERATOR,
            )
        )
        close_phase(app, SLUG, Phase.VOTING, "close-voting")
        app.results.tally_votes(ContestOrder(slug=SLUG, command_id="tally", actor=OPERATOR))
        app.results.declare_results(ContestOrder(slug=SLUG, command_id="declare", actor=OPERATOR))
        app.results.publish_results(ContestOrder(slug=SLUG, command_id="publish", actor=OPERATOR))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_report_holds_every_command_with_its_reason_and_the_chain_head_auditors_publish(
    cli: Cli,
    contests: Contests,
    store: Store,
    tmp_path: Path,
) -> None:
    run_contest(contests, store)
    out = tmp_path / "отчёты"

    run = cli("audit", "report", SLUG, "--out", out)

    run.assert_ok()
    json_path, html_path = out / f"{SLUG}-audit.json", out / f"{SLUG}-audit.html"
    assert str(json_path) in run.stdout and str(html_path) in run.stdout
    assert "verified" in run.stdout
    report = read_json(json_path)
    head = cli("audit", "head", "--json")
    head.assert_ok()
    assert report["chain_head"] == json.loads(head.stdout)
    assert (report["verdict"], report["chain_break"]) == ("verified", None)
    assert [(c["kind"], c["reason"]) for c in report["operator_commands"] if c["kind"] != "deadline"] == [
        ("announcement", None),
        ("extension", EXTENSION),
        ("recusal", RECUSAL),
        ("early close", EARLY_CLOSE),
        ("publication", None),
    ]
    assert report["rejections"]["ballots_by_reason"] == {UNKNOWN_REGION: 1}
    assert {s["event"] for s in report["seals"]} >= {"Contest.VotesTallied", "Contest.ResultsDeclared"}
    page = html_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert EXTENSION in page and EARLY_CLOSE in page and "Лучшие практики здравоохранения" in page
    assert "Конфликт интересов &lt;script&gt;alert(&#x27;эксперт&#x27;)&lt;/script&gt;" in page
    assert "<script" not in page
    assert not any(tag in page for tag in ("<link", "src=", "href=", "@import", "url("))
    assert report["chain_head"]["link"] in page


def test_json_prints_the_same_report_document_the_file_holds(
    cli: Cli,
    contests: Contests,
    store: Store,
    tmp_path: Path,
) -> None:
    run_contest(contests, store)

    run = cli("audit", "report", SLUG, "--out", tmp_path, "--json")

    run.assert_ok()
    assert json.loads(run.stdout) == read_json(tmp_path / f"{SLUG}-audit.json")


def test_a_recorded_outcome_the_log_does_not_support_is_reported_and_exits_1(
    cli: Cli,
    contests: Contests,
    store: Store,
    tmp_path: Path,
) -> None:
    contests.screening()
    with store.open() as app:
        contest = app.store.get_contest(SLUG)
        closed_at = app.store.phase_closed_at(SLUG, Phase.COLLECTING)
        assert closed_at is not None
        # Recorded straight on the aggregate: nothing screened, a made-up count.
        contest.conclude_screening(
            ScreeningOutcome(collection_closed_at=closed_at, admitted=99, rejected={}), "made-up"
        )
        app.store.save(contest, actor=OPERATOR)

    run = cli("audit", "report", SLUG, "--out", tmp_path)

    line = run.assert_rejected("differences found", "screening", f"{SLUG}-audit.html")
    assert "Traceback" not in line
    report = read_json(tmp_path / f"{SLUG}-audit.json")
    assert report["verdict"] == "differences found"
    assert "Differences found" in (tmp_path / f"{SLUG}-audit.html").read_text(encoding="utf-8")


@pytest.mark.only_on("sqlite", reason="edits a row of the SQLite store's file")
def test_an_edited_row_is_reported_as_a_broken_chain_and_exits_1(
    cli: Cli,
    contests: Contests,
    store: Store,
    home: Path,
    tmp_path: Path,
) -> None:
    run_contest(contests, store)
    cli("audit", "head").assert_ok()
    edited = EXTENSION.replace("неделю", "месяц!").encode()
    with sqlite3.connect(home / "konkurs.db") as db:
        table = next(
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if name.endswith("events")
        )
        [(position, state)] = db.execute(
            f"SELECT rowid, state FROM {table} WHERE instr(state, ?)", (EXTENSION.encode(),)
        ).fetchall()
        db.execute(
            f"UPDATE {table} SET state=? WHERE rowid=?", (state.replace(EXTENSION.encode(), edited), position)
        )

    run = cli("audit", "report", SLUG, "--out", tmp_path)

    run.assert_rejected("chain broken", f"position {position}", "edited")
    report = read_json(tmp_path / f"{SLUG}-audit.json")
    assert (report["verdict"], report["chain_break"]["position"]) == ("chain broken", position)


def test_an_unknown_contest_is_one_line_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "reports"

    cli("audit", "report", "nowhere", "--out", out).assert_rejected("nowhere")

    assert not out.exists()


def test_help_says_what_the_report_holds_where_it_goes_and_what_the_exit_code_means(cli: Cli) -> None:
    run = cli("audit", "report", "--help")

    run.assert_ok()
    for teaching in ("--out", "SLUG-audit.html", "chain head", "recusals", "Exits 0"):
        assert teaching in run.stdout
