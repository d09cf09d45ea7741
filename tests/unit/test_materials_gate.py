"""Two gates: a submission is filed by `collection_closes`, its materials attached until
`materials_closes`, a phase of its own between collecting and screening."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.aggregates import Material
from domain.commands.contest import Announce
from domain.commands.intake import AttachMaterial, Submit
from domain.commands.order import ContestOrder
from domain.errors import InvalidCommand, PhaseClosed
from domain.ids import submission_id
from domain.phases import Phase, check_extension
from domain.spec import ContestSpec
from services.konkurs import Konkurs
from tests.factories import OPERATOR, close_phase, practice_forms, spec_data

START = datetime(2031, 1, 20, 9, tzinfo=UTC)
FORMS = practice_forms([("M-1", "HC-1", "ngo"), ("M-2", "HC-2", "ngo")])


def gated(start: datetime = START, slug: str = "gated", materials: dict[str, Any] | None = None,
          screening: dict[str, Any] | None = None, **moments: str) -> ContestSpec:
    data = spec_data(start, slug=slug, voting=False)
    data["schedule"] = {**data["schedule"], "materials_closes": (start + timedelta(days=70)).isoformat(),
                        **moments}
    data.update({key: value for key, value in (("materials", materials), ("screening", screening)) if value})
    return ContestSpec.model_validate(data)


def material(name: str) -> Material:
    return Material(name=name, sha256=name.encode().hex().ljust(64, "0")[:64], size=10,
                    media_type="application/pdf")


def attach(konkurs: Konkurs, slug: str, reference: str, name: str) -> Any:
    return konkurs.submissions.attach_material(
        AttachMaterial(slug=slug, reference=reference, material=material(name), actor=OPERATOR))


def announce(konkurs: Konkurs, spec: ContestSpec) -> None:
    konkurs.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id=f"{spec.slug}:announce",
                                       actor=OPERATOR))
    close_phase(konkurs, spec.slug, Phase.ANNOUNCED, f"{spec.slug}:open", cause="test")


def test_the_materials_gate_is_a_phase_between_collecting_and_screening() -> None:
    plan = gated().phase_plan()
    assert plan.phases[:4] == [Phase.ANNOUNCED, Phase.COLLECTING, Phase.MATERIALS, Phase.SCREENING]
    assert plan.intake_closer == Phase.MATERIALS
    # the operator may move the gate later, as any other deadline, up to screening's
    later = plan.window(Phase.MATERIALS).closes_at + timedelta(days=1)
    check_extension(plan, Phase.COLLECTING, Phase.MATERIALS, later)
    with pytest.raises(InvalidCommand, match="would pass the screening deadline"):
        check_extension(plan, Phase.MATERIALS, Phase.MATERIALS, later + timedelta(days=30))


def test_a_spec_without_the_gate_is_as_before() -> None:
    plain = ContestSpec.model_validate(spec_data(START, voting=False))
    assert Phase.MATERIALS not in plain.phase_plan().phases
    assert plain.phase_plan().intake_closer == Phase.COLLECTING
    assert "materials_closes" not in plain.model_dump(mode="json", exclude_defaults=True)["schedule"]


def test_a_gate_before_collection_closes_is_refused() -> None:
    from domain.errors import SpecError

    with pytest.raises((SpecError, ValueError), match="materials closes"):
        gated(materials_closes=(START + timedelta(days=30)).isoformat())


def test_submissions_stop_at_collection_and_materials_at_their_gate(konkurs: Konkurs) -> None:
    spec = gated()
    announce(konkurs, spec)
    konkurs.submissions.submit(Submit(slug="gated", forms=FORMS[:1], actor=OPERATOR))
    assert attach(konkurs, "gated", "M-1", "early").applied
    close_phase(konkurs, "gated", Phase.COLLECTING, "gated:close:collecting")

    with pytest.raises(PhaseClosed, match="takes no submissions now: it is in phase materials"):
        konkurs.submissions.submit(Submit(slug="gated", forms=FORMS[1:], actor=OPERATOR))
    assert attach(konkurs, "gated", "M-1", "late-but-in-time").applied

    close_phase(konkurs, "gated", Phase.MATERIALS, "gated:close:materials")
    with pytest.raises(PhaseClosed, match="materials are taken while collecting or materials"):
        attach(konkurs, "gated", "M-1", "too-late")
    result = konkurs.results.conclude_screening(ContestOrder(slug="gated", command_id="s", actor=OPERATOR))
    assert result.applied


def test_materials_pass_the_collection_deadline_until_the_gate_and_the_audit_agrees(
    konkurs: Konkurs,
) -> None:
    """The collection deadline passed before its close was recorded (the worker was late):
    materials are still taken, up to the gate, and the intake audit finds them in time."""
    now = datetime.now(UTC)
    spec = gated(now - timedelta(days=1), slug="gated-now",
                 collection_closes=(now + timedelta(seconds=1.5)).isoformat(),
                 materials_closes=(now + timedelta(days=1)).isoformat(),
                 screening_closes=(now + timedelta(days=2)).isoformat(),
                 judging_closes=(now + timedelta(days=3)).isoformat(),
                 results_published=(now + timedelta(days=4)).isoformat())
    announce(konkurs, spec)
    konkurs.submissions.submit(Submit(slug="gated-now", forms=FORMS[:1], actor=OPERATOR))
    time.sleep(max(0.0, (now + timedelta(seconds=1.6) - datetime.now(UTC)).total_seconds()))
    with pytest.raises(PhaseClosed, match="collecting closed at its deadline"):
        konkurs.submissions.submit(Submit(slug="gated-now", forms=FORMS[1:], actor=OPERATOR))
    assert attach(konkurs, "gated-now", "M-1", "after-collection").applied
    [check] = [c for c in konkurs.audit.audit_contest("gated-now").checks if c.check == "intake"]
    assert check.holds, check.differences


def test_screening_rejects_a_submission_without_its_required_materials(konkurs: Konkurs) -> None:
    spec = gated(materials={"required": 1})
    announce(konkurs, spec)
    konkurs.submissions.submit(Submit(slug="gated", forms=FORMS, actor=OPERATOR))
    close_phase(konkurs, "gated", Phase.COLLECTING, "gated:close:collecting")
    assert attach(konkurs, "gated", "M-1", "in-time").applied
    close_phase(konkurs, "gated", Phase.MATERIALS, "gated:close:materials")
    konkurs.results.conclude_screening(ContestOrder(slug="gated", command_id="screen", actor=OPERATOR))

    reasons = {ref: konkurs.store.repository.get(submission_id("gated", ref)).rejection_reason
               for ref in ("M-1", "M-2")}
    assert reasons == {"M-1": None,
                       "M-2": "0 of the 1 required materials attached by the materials deadline"}
    screening = konkurs.store.get_contest("gated").screening
    assert screening is not None and screening.rejected == {"materials missing": 1}
    [check] = [c for c in konkurs.audit.audit_contest("gated").checks if c.check == "screening"]
    assert check.holds, check.differences


def test_required_materials_cannot_be_checked_on_arrival() -> None:
    with pytest.raises(ValueError, match=r"materials\.required is checked when intake ends"):
        gated(materials={"required": 1}, screening={"on_arrival": True})
