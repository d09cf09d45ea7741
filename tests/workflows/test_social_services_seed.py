"""Seed 003 as it ran: the Zabaikalsky stage (Asia/Chita) and the federal stage, on the
time-skipping server, with the examples' real dates moved by whole days to the server's clock.

Applications until 1 March 2025, materials until 1 April 2025 (a late application and a late
material refused, a material attached after 1 March taken), «Открытие года» (max_age 35) with its
nominees (a 36-year-old rejected at screening), results, and the first places promoted to the
federal stage with their nominee.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.aggregates import Applicant, Contest, Material, RegistryRow, Submission
from domain.aggregates.submission import Nominee
from domain.commands.intake import AttachMaterial, ReviewForm, SubmissionForm, Submit
from domain.commands.judging import EnrollExperts
from domain.commands.registry import ImportRegistry
from domain.errors import InvalidCommand, PhaseClosed
from domain.ids import submission_id
from domain.phases import Phase, PhasePlan
from domain.spec import ContestSpec
from konkurs.spec_files import parse_spec
from projections import ViewsDB, catch_up, default_views, results
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import DAY, OPERATOR, expert_panel, inn, record_cards
from tests.workflows.driving import completed, phase_becomes, signed_input, sleep_until, update
from tests.workflows.test_federal_stage import start
from workflows.contest import ContestWorkflow
from workflows.models import CancelContest

EXAMPLES = Path(__file__).parents[2] / "examples"
REGISTRY = "social-service-providers"
YOUNG = "n12-discovery-of-the-year"
PRACTICE = "n01-families-with-children"
HOUR = timedelta(hours=1)


def example(name: str, **changes: Any) -> ContestSpec:
    path = EXAMPLES / f"social-services-2025-{name}.yaml"
    spec = parse_spec(path.read_text(encoding="utf-8"), str(path))
    return ContestSpec.model_validate({**spec.model_dump(mode="json", exclude_none=True), **changes})


def organisation(k: int) -> Applicant:
    return Applicant(name=f"ГУСО «Ингода» {k}", kind="state_institution", region="75", inn=inn("75", k))


def form(
    reference: str, nomination: str, k: int, nominee: Nominee | None = None
) -> tuple[str, SubmissionForm]:
    return f"заявки.csv:{reference}", SubmissionForm(
        reference=reference, nomination=nomination, title=f"Заявка {reference}", applicant=organisation(k),
        nominee=nominee)


def material(reference: str, name: str) -> AttachMaterial:
    digest = (reference + name).encode().hex().ljust(64, "0")[:64]
    return AttachMaterial(slug="", reference=reference, material=Material(
        name=f"{name}.pdf", sha256=digest, size=1000, media_type="application/pdf"), actor=OPERATOR)


def attach(konkurs: Konkurs, slug: str, reference: str, name: str) -> bool:
    order = material(reference, name).model_copy(update={"slug": slug})
    return konkurs.submissions.attach_material(order).applied


def whole_days_after(plan: PhasePlan, now: datetime) -> timedelta:
    """A shift of whole days that moves the announcement to after `now`: local times stay."""
    return DAY * (math.ceil((now - plan.windows[0].closes_at) / DAY) + 1)


async def test_the_zabaikalsky_stage_runs_two_gates_and_promotes_its_nominees(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs, tmp_path: Path
) -> None:
    env = time_skipping_env
    tag = uuid.uuid4().hex[:6]
    federal_slug = f"social-services-2025-federal-{tag}"
    federal = example("federal", slug=federal_slug, regional_stages=None)
    zabaikalsky = example("zabaikalsky", slug=f"social-services-2025-zabaikalsky-{tag}",
                          promotion={"federal": federal_slug, "places": [1]})
    slug = zabaikalsky.slug
    real = zabaikalsky.phase_plan()
    # 1 March, 24:00 in Chita; the materials gate a month later
    assert real.window(Phase.COLLECTING).closes_at.astimezone(UTC) == datetime(2025, 3, 1, 15, tzinfo=UTC)
    assert real.window(Phase.MATERIALS).closes_at.astimezone(UTC) == datetime(2025, 4, 1, 15, tzinfo=UTC)
    shift = whole_days_after(real, await env.get_current_time())
    plan = real.shifted(shift)
    federal_handle = await start(client, signed_input(client, federal, federal.phase_plan().shifted(shift)))
    handle = await start(client, signed_input(client, zabaikalsky, plan))

    rows = [(f"реестр.csv:{k + 2}", RegistryRow(inn=inn("75", k), name=f"ГУСО «Ингода» {k}", region="75",
                                                  entered_on=date(2020, 1, 15))) for k in range(3)]
    konkurs.registry.import_registry(ImportRegistry(registry=REGISTRY, rows=rows, actor=OPERATOR))
    await sleep_until(env, plan.window(Phase.ANNOUNCED).closes_at + HOUR)
    await phase_becomes(handle, Phase.COLLECTING)

    young = Nominee(name="Иванова Анна Сергеевна", position="специалист по социальной работе", age=29)
    too_old = Nominee(name="Петров Пётр Петрович", position="психолог", age=36)
    with pytest.raises(InvalidCommand, match=f"заявки.csv:N-0: nomination {YOUNG} is about a person: "
                                             "name the nominee"):
        konkurs.submissions.submit(Submit(slug=slug, forms=[form("N-0", YOUNG, 0)], actor=OPERATOR))
    with pytest.raises(InvalidCommand, match=f"nomination {PRACTICE} is about a practice, not a person"):
        konkurs.submissions.submit(Submit(slug=slug, forms=[form("P-0", PRACTICE, 0, young)], actor=OPERATOR))
    konkurs.submissions.submit(Submit(slug=slug, forms=[
        form("P-1", PRACTICE, 0), form("N-1", YOUNG, 1, young), form("N-2", YOUNG, 2, too_old)],
        actor=OPERATOR))
    assert attach(konkurs, slug, "P-1", "practice")
    experts = expert_panel(7 * 9, ("practices", "people", "organisations"))
    konkurs.judging.enroll_experts(EnrollExperts(slug=slug, profiles=experts, actor=OPERATOR))

    # 2 March in Chita: applications are closed, materials still come in
    await sleep_until(env, plan.window(Phase.COLLECTING).closes_at + HOUR)
    await phase_becomes(handle, Phase.MATERIALS)
    with pytest.raises(PhaseClosed, match="takes no submissions now: it is in phase materials"):
        konkurs.submissions.submit(Submit(slug=slug, forms=[form("P-9", PRACTICE, 2)], actor=OPERATOR))
    assert attach(konkurs, slug, "N-1", "portfolio")

    # 2 April: the materials gate has closed, screening has been concluded
    await sleep_until(env, plan.window(Phase.MATERIALS).closes_at + HOUR)
    await phase_becomes(handle, Phase.SCREENING)
    with pytest.raises(PhaseClosed, match="materials are taken while collecting or materials"):
        attach(konkurs, slug, "N-2", "late")
    rejected: Submission = konkurs.store.repository.get(submission_id(slug, "N-2"))
    assert rejected.rejection_reason == f"age 36 above the maximum 35 of nomination {YOUNG}"
    assert [m.name for m in konkurs.store.repository.get(submission_id(slug, "N-1")).materials] == [
        "portfolio.pdf"]

    await sleep_until(env, plan.window(Phase.SCREENING).closes_at + HOUR)
    await phase_becomes(handle, Phase.JUDGING)
    spec = konkurs.store.get_contest(slug).spec
    cards = [(f"card {ref}/{expert}", ReviewForm(submission=ref, expert=expert,
                                                 scores={c.code: 8 for c in spec.judging.criteria}))
             for judging in konkurs.reads.judgings(spec).values()
             for ref, assigned in sorted(judging.assigned.items()) for expert in assigned]
    record_cards(konkurs, slug, cards)

    await sleep_until(env, plan.window(Phase.RESULTS).closes_at + HOUR)
    await completed(handle)
    assert (await federal_handle.query(ContestWorkflow.state)).phase == Phase.COLLECTING

    [received] = [e.state for e in konkurs.store.read_log([topic_of(Contest.PromotionReceived)])]
    assert (received["stage"], received["region"]) == (slug, "75")
    assert sorted(received["references"]) == ["75-N-1", "75-P-1"]
    promoted: Submission = konkurs.store.repository.get(submission_id(federal_slug, "75-N-1"))
    assert promoted.nominee == young
    origin = promoted.provenance
    assert origin is not None and (origin.stage, origin.place) == (slug, 1)

    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())
    winners = {w.reference: w for n in results(views, slug).nominations for w in n.winners}
    assert winners["N-1"].nominee == "Иванова Анна Сергеевна, специалист по социальной работе"
    assert winners["P-1"].nominee is None
    # cancelled on the record, as an operator would, so no deadline of it fires in later tests' time
    await update(client, federal_handle, ContestWorkflow.cancel, CancelContest(reason="конец теста"))
    await completed(federal_handle)
