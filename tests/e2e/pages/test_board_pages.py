"""The regional operator's board: their stage's status, deadlines and queues; the extend and close
actions, each confirmed, sent as the same signed Update the API and the CLI send to a real
workflow, and recorded under the operator's actor; bad input answered at its field with nothing
sent; a refusal shown in one sentence; another region's stage and an expert refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from domain.actors import Role, Scope, actor_for
from tests.e2e.conftest import Cli, Contests, Files
from tests.e2e.pages.conftest import Journey, token_for
from tests.e2e.test_stages_cli import STAGES

pytestmark = pytest.mark.slow

STAGE = "zdorovye-2030-75"
BOARD = f"/contests/{STAGE}/board"
ZABAIKALSKY = actor_for(Role.REGIONAL_OPERATOR, "zab-op", Scope(region="75"))


def status(cli: Cli, slug: str) -> dict[str, object]:
    shown = cli("status", slug, "--json")
    shown.assert_ok()
    return json.loads(shown.stdout)  # type: ignore[no-any-return]


def test_a_regional_operator_extends_and_closes_collection_of_their_stage_from_the_board(
    temporal: str, cli: Cli, files: Files, contests: Contests, journey: Journey
) -> None:
    cli("announce", files.text("federal.yaml", contests.spec_yaml + STAGES)).assert_ok()
    cli("close", STAGE, "--phase", "announced").assert_ok()
    assert httpx.get(journey.base + BOARD).status_code == 401

    journey.sign_in_with_token(token_for(cli, ZABAIKALSKY))
    journey.open(BOARD)
    assert journey.title == "Панель оператора: Региональный этап: Забайкальский край"
    assert journey.find("#phase").text == "приём заявок"
    assert "Федеральный этап zdorovye-2030: продвижение ожидается" in journey.text
    assert "Все поданные заявки проверены." in journey.text
    journey.step("board")
    journey.step("board-phone", phone=True)

    for typed, message in (("", "Укажите новую дату"), ("31.02.2030", "Не удалось прочитать дату"),
                           ("01.01.2020", "Эта дата уже прошла")):
        journey.fill("until", typed)
        journey.press("Продлить")
        assert message in journey.field_error("until"), journey.text
    journey.step("bad-date")

    journey.fill("until", "05.02.2030")
    journey.fill("extend-reason", "просьба муниципалитетов")
    journey.press("Продлить")
    # The end of 5 February in Chita (UTC+9) is 18:00 in Moscow.
    assert journey.find("#question").text == \
        "Подтвердите: продлить приём заявок до 5 февраля 2030 г., 18:00 (мск)?"
    journey.step("confirm-extension")
    journey.press("Продлить")
    assert journey.path == BOARD
    assert "Срок продлён: приём заявок до 5 февраля 2030 г., 18:00 (мск)." in journey.find(".notice").text
    journey.step("extended")

    journey.fill("until", "15.02.2030")
    journey.press("Продлить")
    journey.press("Продлить")
    refusal = journey.find(".refusal").text
    assert "would pass the screening deadline" in refusal, refusal
    journey.step("extension-refused")

    journey.fill("close-reason", "все муниципалитеты подали")
    journey.press("Закрыть этап")
    assert journey.find("#question").text == "Подтвердите: закрыть приём заявок сейчас, до срока?"
    journey.step("confirm-close")
    journey.press("Закрыть этап")
    assert journey.path == BOARD
    assert journey.find(".notice").text == "Этап закрыт: приём заявок."
    assert journey.find("#phase").text == "проверка заявок"
    journey.step("closed")

    journey.open("/contests/zdorovye-2030-23/board")
    assert journey.title == "Нет доступа"
    assert "a regional operator acts only in the stages of region 75" in journey.text
    journey.step("other-region-refused")

    journey.sign_out()
    journey.sign_in_as("ivanova", role="expert", contests=STAGE)
    journey.open(BOARD)
    assert journey.title == "Нет доступа"
    journey.step("expert-refused")

    board = status(cli, STAGE)
    assert board["phase"] == "screening"
    collecting = next(d for d in board["deadlines"] if d["phase"] == "collecting")  # type: ignore[attr-defined]
    assert collecting["extensions"] == 1
    assert datetime.fromisoformat(collecting["closes_at"]) == datetime(2030, 2, 5, 15, tzinfo=UTC)
    tail = cli("events", "tail", "--type", "contest.deadline_extended", "--type", "contest.phase_changed")
    recorded = [json.loads(line) for line in tail.stdout.splitlines()]
    assert [(e["name"], e["actor"]["id"]) for e in recorded if e["contest"] == STAGE][-2:] == [
        ("contest.deadline_extended", "zab-op"), ("contest.phase_changed", "zab-op")]
    assert sum(e["name"] == "contest.deadline_extended" for e in recorded) == 1
