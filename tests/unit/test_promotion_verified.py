"""Promotions are verified, never trusted: a federal stage takes from a regional stage only what
that stage's published results promote, and only once; the audit reports any promotion that is
not, from both ends, however it got into the log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.aggregates import Applicant, Contest, Submission
from domain.aggregates.submission import Provenance
from domain.commands.contest import ReceivePromotion, SettlePromotion
from domain.commands.order import CommandResult, ContestOrder
from domain.errors import PromotionConflict
from domain.promotion import PromotedEntry, PromotionBatch
from domain.spec import ApplicantKind
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import OPERATOR
from tests.unit.test_stages import federal, regional

MADE_UP = PromotedEntry(
    reference="75-X", nomination="HC-1", title="Практика, которой не было",
    applicant=Applicant(name="ООО «Свои люди»", kind=ApplicantKind.NGO, region="75", inn="7500000002"),
    provenance=Provenance(stage="reg-75", region="75", reference="X", place=1, score=10.0),
)


def send(konkurs: Konkurs, batch: PromotionBatch, command_id: str = "fed:promotion:reg-75") -> CommandResult:
    return konkurs.contests.receive_promotion(
        ReceivePromotion(federal="fed", batch=batch, command_id=command_id, actor=OPERATOR))


def genuine(konkurs: Konkurs, slug: str = "reg-75") -> PromotionBatch:
    return konkurs.contests.promotion_batch(slug)


def with_entries(batch: PromotionBatch, *entries: PromotedEntry) -> PromotionBatch:
    return batch.model_copy(update={"entries": list(entries)})


def with_provenance(batch: PromotionBatch, **changes: Any) -> PromotionBatch:
    entry = batch.entries[0]
    provenance = entry.provenance.model_copy(update=changes)
    return with_entries(batch, entry.model_copy(update={"provenance": provenance}))


def received(konkurs: Konkurs) -> list[tuple[str, list[str]]]:
    return [(e.state["stage"], e.state["references"])
            for e in konkurs.store.read_log([topic_of(Contest.PromotionReceived)])]


def unpublished(konkurs: Konkurs) -> PromotionBatch:
    regional(konkurs, publish=False)
    return PromotionBatch(stage="reg-75", region="75", federal="fed", entries=[MADE_UP])


def made_up(konkurs: Konkurs) -> PromotionBatch:
    regional(konkurs)
    return with_entries(genuine(konkurs), MADE_UP)


def one_more(konkurs: Konkurs) -> PromotionBatch:
    regional(konkurs)
    batch = genuine(konkurs)
    return with_entries(batch, *batch.entries, MADE_UP)


def wrong_place(konkurs: Konkurs) -> PromotionBatch:
    regional(konkurs)
    return with_provenance(genuine(konkurs), place=2)


def wrong_score(konkurs: Konkurs) -> PromotionBatch:
    regional(konkurs)
    return with_provenance(genuine(konkurs), score=9.9)


def another_federal(konkurs: Konkurs) -> PromotionBatch:
    regional(konkurs, slug="reg-other", federal="other-fed")
    return genuine(konkurs, "reg-other").model_copy(update={"federal": "fed"})


def elsewhere(konkurs: Konkurs) -> PromotionBatch:
    return PromotionBatch(stage="reg-99", region="99", federal="fed", entries=[])


@pytest.mark.parametrize(("forge", "reason"), [
    (unpublished, "promotion from reg-75 refused: reg-75 has not published its results"),
    (made_up, "promotion from reg-75 refused: it does not match reg-75's published results: "
              "entries [75-X], published [75-R-0]"),
    (one_more, "promotion from reg-75 refused: it does not match reg-75's published results: "
               "entries [75-R-0, 75-X], published [75-R-0]"),
    (wrong_place, "promotion from reg-75 refused: it does not match reg-75's published results: "
                  "75-R-0, provenance, place 2, published 1"),
    (wrong_score, "promotion from reg-75 refused: it does not match reg-75's published results: "
                  "75-R-0, provenance, score 9.9, published 9.5"),
    (another_federal, "promotion from reg-other refused: reg-other is not a regional stage of fed"),
    (elsewhere, "promotion from reg-99 refused: no contest reg-99 is in this store"),
], ids=lambda case: getattr(case, "__name__", ""))
def test_a_promotion_that_the_stage_did_not_publish_is_refused_and_writes_nothing(
    konkurs: Konkurs, forge: Callable[[Konkurs], PromotionBatch], reason: str
) -> None:
    federal(konkurs)
    batch = forge(konkurs)
    head = konkurs.store.head_position()
    with pytest.raises(PromotionConflict) as refused:
        send(konkurs, batch, command_id=f"fed:promotion:{batch.stage}")
    assert str(refused.value) == reason
    assert konkurs.store.head_position() == head
    assert received(konkurs) == []


def test_the_promotion_the_stage_published_is_taken(konkurs: Konkurs) -> None:
    regional(konkurs)
    federal(konkurs)
    assert send(konkurs, genuine(konkurs)).applied
    assert received(konkurs) == [("reg-75", ["75-R-0"])]


@pytest.mark.parametrize("command_id", ["fed:promotion:reg-75", "another-command"])
def test_a_second_promotion_from_a_stage_with_other_entries_is_refused_naming_both(
    konkurs: Konkurs, command_id: str
) -> None:
    regional(konkurs)
    federal(konkurs)
    send(konkurs, genuine(konkurs))
    head = konkurs.store.head_position()
    with pytest.raises(PromotionConflict) as refused:
        send(konkurs, with_entries(genuine(konkurs), MADE_UP), command_id)
    assert str(refused.value) == ("promotion from reg-75 refused: federal stage fed already took 1 entry "
                                  "from reg-75 (75-R-0); this promotion names 75-X")
    assert konkurs.store.head_position() == head


def test_the_same_promotion_again_is_answered_as_applied_before_under_any_command_id(
    konkurs: Konkurs,
) -> None:
    regional(konkurs)
    federal(konkurs)
    assert send(konkurs, genuine(konkurs)).applied
    head = konkurs.store.head_position()
    assert not send(konkurs, genuine(konkurs), "another-command").applied
    assert konkurs.store.head_position() == head
    assert received(konkurs) == [("reg-75", ["75-R-0"])]


def forge_receipt(konkurs: Konkurs, stage: str, *entries: PromotedEntry) -> int:
    """An insider with the database appends a receipt to the federal stage, with its submissions,
    past every check of the service and the aggregate. Returns its position."""
    contest = konkurs.store.get_contest("fed")
    contest._promotion_received(stage=stage, region="75", references=[e.reference for e in entries],
                                command_id=f"fed:promotion:{stage}")
    konkurs.store.save(contest, *[
        Submission(contest="fed", reference=e.reference, nomination=e.nomination, title=e.title,
                   applicant=e.applicant, provenance=e.provenance) for e in entries
    ], actor=OPERATOR)
    return [e.position for e in konkurs.store.read_log([topic_of(Contest.PromotionReceived)])][-1]


def promotion_differences(konkurs: Konkurs, slug: str) -> list[str]:
    [check] = [c for c in konkurs.audit.audit_contest(slug).checks if c.check == "promotion"]
    return [d.describe() for d in check.differences]


def test_a_receipt_written_before_the_stage_published_is_a_difference(konkurs: Konkurs) -> None:
    regional(konkurs, publish=False)
    federal(konkurs)
    position = forge_receipt(konkurs, "reg-75", MADE_UP)
    konkurs.results.publish_results(ContestOrder(slug="reg-75", command_id="reg-75:publish", actor=OPERATOR))
    [published] = [e.position for e in konkurs.store.read_log([topic_of(Contest.ResultsPublished)])]
    assert promotion_differences(konkurs, "fed") == [
        f"promotion: received from reg-75 at position {position}: recorded [75-X], recomputed reg-75 had "
        f"not published its results (it did at position {published})"]


def test_a_receipt_of_entries_the_stage_did_not_publish_is_a_difference_and_blocks_no_one_silently(
    konkurs: Konkurs,
) -> None:
    regional(konkurs)
    federal(konkurs)
    doctored = with_provenance(genuine(konkurs), score=1.0).entries[0]
    position = forge_receipt(konkurs, "reg-75", doctored, MADE_UP)
    where = f"promotion: received from reg-75 at position {position}"
    assert promotion_differences(konkurs, "fed") == [
        f"{where}, entries: recorded [75-R-0, 75-X], recomputed [75-R-0]",
        f"{where}, 75-R-0, provenance, score: recorded 1.0, recomputed 9.5",
    ]
    with pytest.raises(PromotionConflict, match=r"already took 2 entries from reg-75 \(75-R-0, 75-X\); "
                                                r"this promotion names 75-R-0$"):
        send(konkurs, genuine(konkurs))


def test_a_receipt_from_a_stage_not_in_this_store_is_a_difference(konkurs: Konkurs) -> None:
    federal(konkurs)
    position = forge_receipt(konkurs, "reg-99", MADE_UP)
    assert promotion_differences(konkurs, "fed") == [
        f"promotion: received from reg-99 at position {position}: recorded [75-X], recomputed no contest "
        "reg-99 in this store"]


def settle(konkurs: Konkurs, references: list[str]) -> None:
    konkurs.contests.settle_promotion(SettlePromotion(
        slug="reg-75", federal="fed", refusal=None, references=references, command_id="reg-75:promote",
        actor=OPERATOR))


def test_a_promotion_its_federal_stage_did_not_receive_as_recorded_is_a_difference(konkurs: Konkurs) -> None:
    regional(konkurs)
    federal(konkurs)
    forge_receipt(konkurs, "reg-75", MADE_UP)
    settle(konkurs, ["75-R-0"])  # what the silently dropped promotion used to leave behind
    assert ("promotion: promoted to fed, as fed received it: recorded [75-R-0], recomputed [75-X]"
            in promotion_differences(konkurs, "reg-75"))


def test_a_promotion_received_as_sent_holds_at_both_ends(konkurs: Konkurs) -> None:
    regional(konkurs)
    federal(konkurs)
    send(konkurs, genuine(konkurs))
    settle(konkurs, ["75-R-0"])
    assert promotion_differences(konkurs, "fed") == []
    assert not [d for d in promotion_differences(konkurs, "reg-75") if "as fed received it" in d]
