"""Regional stages keep their region's clock, and one stage per region sends winners."""

from __future__ import annotations

from domain.aggregates import Contest
from domain.commands.contest import ReceivePromotion
from domain.errors import PromotionConflict
from domain.phases import Phase
from domain.rules.stages import regional_stage_specs
from domain.spec import ContestSpec
from services.konkurs import Konkurs
from tests.factories import OPERATOR
from tests.unit.test_stages import federal, federal_data, regional


def test_a_template_stage_closes_at_midnight_of_its_own_region() -> None:
    data = federal_data(regions=["75", "77"])
    data["regional_stages"]["schedule"]["collection_closes"] = "2025-03-01"
    data["regional_stages"]["schedule"]["announced"] = "2025-01-20"
    chita, moscow = regional_stage_specs(ContestSpec.model_validate({**data, "timezone": "Europe/Moscow"}))
    assert (chita.timezone, moscow.timezone) == ("Asia/Chita", "Europe/Moscow")
    assert chita.phase_plan().window(Phase.COLLECTING).closes_at.isoformat() == "2025-03-02T00:00:00+09:00"
    in_utc = [s.phase_plan().window(Phase.COLLECTING).closes_at.astimezone().utctimetuple()[:4]
              for s in (chita, moscow)]
    assert in_utc == [(2025, 3, 1, 15), (2025, 3, 1, 21)]


def test_a_template_that_names_a_zone_keeps_it_for_every_region() -> None:
    named = regional_stage_specs(ContestSpec.model_validate(federal_data(timezone="Europe/Samara")))
    assert {s.timezone for s in named} == {"Europe/Samara"}
    own = regional_stage_specs(ContestSpec.model_validate(federal_data()))
    assert [(s.region, s.timezone) for s in own] == [("75", "Asia/Chita"), ("23", "Europe/Moscow")]


def receive(konkurs: Konkurs, stage: str) -> bool:
    return konkurs.contests.receive_promotion(ReceivePromotion(
        federal="fed", batch=konkurs.contests.promotion_batch(stage), command_id=f"fed:promotion:{stage}",
        actor=OPERATOR)).applied


def test_a_second_stage_of_one_region_is_refused_naming_the_first(konkurs: Konkurs) -> None:
    regional(konkurs, slug="reg-75")
    regional(konkurs, slug="zabaikalsky-by-hand")
    federal(konkurs)
    assert receive(konkurs, "reg-75")
    head = konkurs.store.head_position()
    try:
        receive(konkurs, "zabaikalsky-by-hand")
    except PromotionConflict as refused:
        assert str(refused) == (
            "promotion from zabaikalsky-by-hand refused: federal stage fed already took the winners of "
            "region 75 from reg-75; one regional stage per region promotes")
    else:
        raise AssertionError("a second stage of region 75 was taken")
    assert konkurs.store.head_position() == head


def test_the_audit_flags_two_promotions_received_for_one_region(konkurs: Konkurs) -> None:
    regional(konkurs, slug="reg-75")
    regional(konkurs, slug="zabaikalsky-by-hand")
    federal(konkurs)
    assert receive(konkurs, "reg-75")
    assert not [d for c in konkurs.audit.audit_contest("fed").checks for d in c.differences
                if c.check == "promotion"]
    # an insider writes the second stage's promotion past the refusal
    contest: Contest = konkurs.store.get_contest("fed")
    contest._promotion_received(stage="zabaikalsky-by-hand", region="75", references=[],
                                command_id="forged")
    konkurs.store.save(contest, actor=OPERATOR)

    found = [d for c in konkurs.audit.audit_contest("fed").checks for d in c.differences
             if c.check == "promotion"]
    assert any("region 75 promoted already by reg-75" in d.recomputed
               and d.where.startswith("received from zabaikalsky-by-hand") for d in found), found
