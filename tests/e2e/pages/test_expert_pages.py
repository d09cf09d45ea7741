"""An expert's journey in the browser: sign in, score every assigned card, revise one, declare a
conflict on one, and be refused a submission that is not theirs; and blind judging, where the
pages show nothing of who applied. Each step is checked in the store, not in the page."""

from __future__ import annotations

import pytest

from domain.aggregates import Judging, Review
from domain.ids import review_id
from konkurs.spec_files import parse_spec
from store.log import topic_of
from tests.e2e.conftest import ENTRIES, SPEC_YAML, Contests, Store
from tests.e2e.pages.conftest import Journey

pytestmark = pytest.mark.slow


def busiest_expert(store: Store) -> tuple[str, list[str]]:
    """The panel's expert with the most assignments, and those submissions."""
    desks: dict[str, list[str]] = {}
    for reference, experts in store.assignments().items():
        for expert in experts:
            desks.setdefault(expert, []).append(reference)
    expert = max(sorted(desks), key=lambda e: len(desks[e]))
    return expert, sorted(desks[expert])


def cards(store: Store, expert: str) -> dict[str, tuple[dict[str, float], str]]:
    """The expert's cards as the log has them: scores and who recorded the last revision."""
    found: dict[str, tuple[dict[str, float], str]] = {}
    with store.open() as app:
        for reference, *_ in ENTRIES:
            wanted = review_id(Contests.slug, reference, expert)
            events = [e for e in app.store.read_log([topic_of(Review.Scored), topic_of(Review.Rescored)])
                      if e.originator_id == wanted]
            if events:
                found[reference] = (events[-1].state["scores"], events[-1].state["actor"]["id"])
    return found


def score(journey: Journey, impact: str, replicable: str) -> None:
    journey.fill("score-impact", impact)
    journey.fill("score-replicable", replicable)
    journey.press("Сохранить оценку")


def test_an_expert_scores_every_card_revises_one_recuses_one_and_is_refused_the_rest(
    contests: Contests, store: Store, journey: Journey
) -> None:
    contests.judging()
    expert, assigned = busiest_expert(store)
    assert len(assigned) >= 2
    journey.sign_in_as(expert, role="expert", contests=contests.slug)
    journey.open("/expert")
    assert contests.spec.title in journey.text
    journey.step("my-contests")
    journey.open(f"/expert/{contests.slug}")
    assert f"Оценено 0 из {len(assigned)}" in journey.text
    assert "30 апреля 2030" in journey.text or "29 апреля 2030" in journey.text
    journey.step("desk")

    first = assigned[0]
    journey.open(f"/expert/{contests.slug}/{first}")
    assert next(e[3] for e in ENTRIES if e[0] == first) in journey.text  # not blind: the applicant shows
    journey.step("submission")
    score(journey, "11", "3")
    assert "от 0 до 10" in journey.field_error("score-impact")
    assert store.reviews() == 0
    journey.step("out-of-scale")

    for index, reference in enumerate(assigned):
        journey.open(f"/expert/{contests.slug}/{reference}")
        score(journey, f"{5 + index},5", str(1 + index % 5))
        assert "Оценка сохранена" in journey.text
    journey.step("scored", phone=True)
    recorded = cards(store, expert)
    assert recorded == {reference: ({"impact": 5.5 + index, "replicable": float(1 + index % 5)}, expert)
                        for index, reference in enumerate(assigned)}

    journey.open(f"/expert/{contests.slug}/{first}")
    assert journey.find("#score-impact").get_attribute("value") == "5,5"
    score(journey, "9", "4")
    assert cards(store, expert)[first] == ({"impact": 9.0, "replicable": 4.0}, expert)
    assert store.reviews() == len(assigned) + 1
    journey.open(f"/expert/{contests.slug}")
    assert f"Оценено {len(assigned)} из {len(assigned)}" in journey.text
    journey.step("desk-done")

    recused = assigned[-1]
    journey.open(f"/expert/{contests.slug}/{recused}")
    journey.press("Заявить о конфликте интересов")
    assert journey.field_error("reason")
    journey.step("recusal-without-reason")
    journey.fill("reason", "Работал в организации заявителя")
    journey.press("Заявить о конфликте интересов")
    assert f"Конфликт интересов по заявке {recused} записан" in journey.text
    journey.step("recused")
    with store.open() as app:
        recusals = [(e.state["submission"], e.state["expert"], e.state["reason"])
                    for e in app.store.read_log([topic_of(Judging.Recused)])]
    assert recusals == [(recused, expert, "Работал в организации заявителя")]
    now_assigned = store.assignments()[recused]
    assert expert not in now_assigned and len(now_assigned) == 3  # a colleague took it over

    unassigned = next(e[0] for e in ENTRIES if e[0] not in assigned)
    journey.open(f"/expert/{contests.slug}/{unassigned}")
    assert journey.title == "Нет доступа"
    title = next(e[2] for e in ENTRIES if e[0] == unassigned)
    assert title not in journey.driver.page_source
    journey.step("unassigned-refused")


def test_blind_judging_shows_no_applicant(contests: Contests, store: Store, journey: Journey) -> None:
    contests.spec = parse_spec(SPEC_YAML.replace("judging:\n", "judging:\n  blind: true\n", 1),
                               source="spec.yaml")
    assert contests.spec.judging.blind
    contests.judging()
    expert, assigned = busiest_expert(store)
    journey.sign_in_as(expert, role="expert", contests=contests.slug)
    journey.open(f"/expert/{contests.slug}")
    pages = [journey.driver.page_source]
    journey.step("blind-desk")
    for reference in assigned:
        journey.open(f"/expert/{contests.slug}/{reference}")
        assert "слепая экспертиза" in journey.text
        pages.append(journey.driver.page_source)
    journey.step("blind-submission")
    for _, _, _, name, _, region in ENTRIES:
        for source in pages:
            assert name not in source
            assert f"регион {region}" not in source
    titles = {entry[0]: entry[2] for entry in ENTRIES}
    assert all(titles[reference] in source for reference, source in zip(assigned, pages[1:], strict=True))
