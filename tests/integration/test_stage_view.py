"""The stage view of a federal stage: who promoted, who was refused, who is awaited."""

from __future__ import annotations

from typing import Any

import pytest

from domain.commands.contest import ReceivePromotion, SettlePromotion
from konkurs.cli.view_commands import print_stages
from projections import BoardView, ViewsDB, catch_up, rebuild
from projections.stage_queries import stage_links
from projections.stage_view import StageView
from services.konkurs import Konkurs
from tests.factories import OPERATOR
from tests.unit.test_promotion_verified import MADE_UP, forge_receipt
from tests.unit.test_stages import federal, regional


def test_the_stage_view_shows_who_promoted_who_was_refused_and_who_is_awaited(
    konkurs: Konkurs, tmp_path: Any
) -> None:
    regional(konkurs)
    federal(konkurs)
    konkurs.contests.receive_promotion(
        ReceivePromotion(
            federal="fed",
            batch=konkurs.contests.promotion_batch("reg-75"),
            command_id="fed:promotion:reg-75",
            actor=OPERATOR,
        )
    )
    konkurs.contests.settle_promotion(
        SettlePromotion(
            slug="reg-75",
            federal="fed",
            refusal=None,
            references=["75-R-0"],
            command_id="reg-75:promote",
            actor=OPERATOR,
        )
    )
    regional(konkurs, slug="reg-late")
    konkurs.contests.settle_promotion(
        SettlePromotion(
            slug="reg-late",
            federal="fed",
            refusal="federal stage fed closed collection",
            references=[],
            command_id="reg-late:promote",
            actor=OPERATOR,
        )
    )
    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, [BoardView(), StageView()])
    links = {(s.stage, s.status, s.promoted, s.reason) for s in stage_links(views, "fed")}
    assert links == {
        ("reg-75", "promoted", 1, None),
        ("reg-23", "waiting", 0, None),
        ("reg-late", "refused", 0, "federal stage fed closed collection"),
    }
    before = views.dump()
    rebuild(konkurs.store, views, [BoardView(), StageView()])
    assert views.dump() == before
    assert [s.federal for s in stage_links(views, "reg-late")] == ["fed"]


def test_a_stage_counts_as_promoted_only_when_both_ends_agree_and_a_refusal_stays(
    konkurs: Konkurs, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """What an insider writes into the federal stage's record never makes a region promoted."""
    federal(konkurs)
    for slug in ("reg-late", "reg-odd", "reg-quiet"):
        regional(konkurs, slug=slug)
    refused = "federal stage fed closed collection"
    konkurs.contests.settle_promotion(SettlePromotion(
        slug="reg-late", federal="fed", refusal=refused, references=[], command_id="reg-late:promote",
        actor=OPERATOR))
    forge_receipt(konkurs, "reg-late", *konkurs.contests.promotion_batch("reg-late").entries)
    forge_receipt(konkurs, "reg-odd", MADE_UP)
    konkurs.contests.settle_promotion(SettlePromotion(
        slug="reg-odd", federal="fed", refusal=None, references=["75-R-0"], command_id="reg-odd:promote",
        actor=OPERATOR))
    forge_receipt(konkurs, "reg-quiet", MADE_UP.model_copy(update={"reference": "75-Y"}))

    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, [BoardView(), StageView()])
    links = stage_links(views, "fed")
    assert {(s.stage, s.status, s.promoted) for s in links} == {
        ("reg-75", "waiting", 0), ("reg-23", "waiting", 0), ("reg-late", "refused", 0),
        ("reg-odd", "disputed", 0), ("reg-quiet", "waiting", 0)}
    print_stages("fed", links)
    shown = " ".join(capsys.readouterr().out.split())
    assert "Every regional stage has promoted." not in shown
    assert f"Not promoted, refused: Забайкальский край: {refused}" in shown
    assert ("Not promoted, disputed: Забайкальский край: fed holds [75-X] from reg-odd, which promoted "
            "[75-R-0]") in shown

    print_stages("fed", [link.model_copy(update={"status": "promoted", "reason": None}) for link in links])
    assert "Every regional stage has promoted." in capsys.readouterr().out
