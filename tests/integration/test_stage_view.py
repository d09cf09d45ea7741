"""The stage view of a federal stage: who promoted, who was refused, who is awaited."""

from __future__ import annotations

from typing import Any

from domain.commands.contest import ReceivePromotion, SettlePromotion
from projections import BoardView, ViewsDB, catch_up, rebuild
from projections.stage_queries import stage_links
from projections.stage_view import StageView
from services.konkurs import Konkurs
from tests.factories import OPERATOR
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
