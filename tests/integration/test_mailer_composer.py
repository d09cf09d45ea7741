"""What each event sends and to whom, checked against the log and the results view, not against
the composer: the example contests run in process (well under a second each)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from domain.commands.contest import ReviewParticipation
from domain.contract import PublicEvent
from domain.rules.participation import report_deadline
from domain.rules.russian_reasons import in_russian
from konkurs.bootstrap import Bootstrap
from konkurs.mail.composer import Composer
from konkurs.mail.outbox import Message
from konkurs.mail.templates import Templates
from konkurs.settings import Settings
from projections import ViewsDB, catch_up, default_views, results
from projections.subscriber import Subscriber
from services.konkurs import Konkurs
from tests.example_contests import run_example
from tests.factories import OPERATOR

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DOMAIN = "konkurs.example.org"
Composed = dict[str, list[tuple[PublicEvent, list[Message]]]]


def composed(konkurs: Konkurs, tmp_path: Path, names: tuple[str, ...] = ()) -> Composed:
    found: list[PublicEvent] = []
    Subscriber("test", found.append, store=konkurs.store, views_db=ViewsDB(tmp_path / "read.db"),
               names=names).catch_up()
    composer = Composer(konkurs, Templates(), DOMAIN)
    by_name: Composed = {}
    for event in found:
        by_name.setdefault(event.name, []).append((event, composer.messages(event)))
    return by_name


pytestmark = pytest.mark.only_on(
    "sqlite", reason="one example run is shared by the module; the composer reads the store through "
    "the services, the same on either backend")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Konkurs, Path]]:
    """Smart Dialog run once to published results, for every test here to read."""
    home = tmp_path_factory.mktemp("mail-example")
    settings = Settings(home=home, persistence_module="eventsourcing.sqlite", production=False)
    wiring = Bootstrap(settings, store_env=settings.store_env())
    run_example(wiring.services, EXAMPLES / "smart-dialog-2023.yaml", home / "work")
    yield wiring.services, home
    wiring.close()


@pytest.fixture(scope="module")
def smart_dialog(example: tuple[Konkurs, Path]) -> Composed:
    return composed(*example)


def test_each_announcement_letter_goes_to_its_regions_authority_with_its_particulars(
    smart_dialog: Composed,
) -> None:
    letters = smart_dialog["announcement.issued"]
    assert len(letters) == 89
    for event, [message] in letters:
        assert (message.kind, message.key) == ("authority", event.data["addressee"]["region"])
        assert message.subject == event.data["subject"]
        particulars = event.data["particulars"]
        assert particulars["number"] in message.body
        assert particulars["signatory"]["name"] in message.body
        assert message.body.count(particulars["signatory"]["name"]) == event.data["text"].count(
            particulars["signatory"]["name"])  # the letter's own signature is not repeated
        assert event.data["text"].strip() in message.body


def test_each_expert_gets_one_notice_per_assignment_listing_their_submissions(smart_dialog: Composed) -> None:
    for event, messages in smart_dialog["judging.assigned"]:
        wanted: dict[str, set[str]] = {}
        for pair in event.data["pairs"]:
            wanted.setdefault(pair["expert"], set()).add(pair["submission"])
        assert sorted(m.key for m in messages) == sorted(wanted)
        for message in messages:
            assert message.kind == "expert"
            assert "назначены заявки на экспертизу" in message.subject
            listed = {line.split(" — ")[0].strip() for line in message.body.splitlines() if " — " in line}
            assert listed == wanted[message.key]
            assert "Оценки просим внести до " in message.body


def test_applicants_get_a_receipt_the_screening_outcome_with_its_reason_and_their_result(
    example: tuple[Konkurs, Path], tmp_path: Path, smart_dialog: Composed
) -> None:
    konkurs = example[0]
    slug = "smart-dialog-2023"
    filed = [e for e, _ in smart_dialog["submission.submitted"] if not e.data.get("draft")]
    receipts = [m for _, ms in smart_dialog["submission.submitted"] for m in ms]
    assert sorted(m.key for m in receipts) == sorted(f"{slug}/{e.data['reference']}" for e in filed)
    assert all(m.kind == "applicant" and "принята" in m.subject for m in receipts)

    for event, [message] in smart_dialog["submission.rejected"]:
        assert message.key == f"{slug}/{event.data['reference']}"
        assert "не допущена" in message.subject
        assert f"Причина: {in_russian(event.data['reason'])}." in message.body
        assert "not admitted" not in message.body
    assert all(m.subject.endswith("допущена к конкурсу") for _, [m] in smart_dialog["submission.admitted"])

    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())
    shown = results(views, slug)
    winners = {w.reference: w.place for n in shown.nominations for w in n.winners}
    [(_, letters)] = smart_dialog["contest.results_published"]
    assert len(letters) == len(smart_dialog["submission.admitted"])
    for message in letters:
        reference = message.key.split("/")[1]
        if reference in winners:
            assert f"заняла {winners[reference]} место" in message.body, reference
        else:
            assert "не вошла в число победителей" in message.body, reference
    assert sum("заняла" in m.body for m in letters) == len(winners) > 0


def test_message_ids_come_from_the_events_position_and_stay_the_same(
    example: tuple[Konkurs, Path], smart_dialog: Composed
) -> None:
    konkurs = example[0]
    event, messages = smart_dialog["judging.assigned"][0]
    assert [m.message_id for m in messages] == [
        f"<{event.position}.{n}.konkurs@{DOMAIN}>" for n in range(len(messages))]
    again = Composer(konkurs, Templates(), DOMAIN).messages(event)
    assert again == messages


def test_reminders_name_each_experts_open_cards_and_the_deadline(
    example: tuple[Konkurs, Path], smart_dialog: Composed
) -> None:
    konkurs = example[0]
    [submitted, *_] = [e for e, _ in smart_dialog["submission.submitted"]]
    reminded = PublicEvent(
        position=10_000, name="judging.experts_reminded", version=1, aggregate_id=uuid4(),
        aggregate_version=3, timestamp=datetime.now(UTC), contest="smart-dialog-2023",
        data={"closes_at": "2023-06-01T00:00:00+03:00", "command_id": "remind",
              "reminders": [{"expert": "E-12", "open_cards": [submitted.data["reference"]]}]})
    [message] = Composer(konkurs, Templates(), DOMAIN).messages(reminded)

    assert (message.kind, message.key) == ("expert", "E-12")
    assert f"{submitted.data['reference']} — {submitted.data['title']}" in message.body
    assert "до 31 мая 2023 г. включительно" in message.body


def test_the_participation_drive_chases_lagging_regions_and_after_report_by_the_missing_reports(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    [slug] = run_example(konkurs, EXAMPLES / "municipal-dialog-2024.yaml", tmp_path / "work")
    contest = konkurs.store.get_contest(slug)
    late = report_deadline(contest.spec, contest.plan) + timedelta(days=1)
    konkurs.participation.review_participation(
        ReviewParticipation(slug=slug, moment=late, command_id="late review", actor=OPERATOR))
    reviews = composed(konkurs, tmp_path, ("contest.participation_reviewed",))
    *_, (review, messages) = reviews["contest.participation_reviewed"]

    sent = Counter((m.kind, m.key) for m in messages)
    laggards = {region["code"] for region in review.data["laggards"]}
    missing = review.data["missing_reports"]
    named = {m["oktmo"] for region in missing for m in region["named"]}
    assert {key for kind, key in sent if kind == "municipality"} == named
    assert sum(n for (kind, _), n in sent.items() if kind == "municipality") == len(named)
    assert Counter(key for kind, key in sent.elements() if kind == "coordinator") == (
        Counter(laggards) + Counter(region["region"] for region in missing))
    chase = next(m for m in messages if m.kind == "coordinator" and "ниже целевого" in m.subject)
    standing = next(r for r in review.data["laggards"] if r["code"] == chase.key)
    assert f"заявок: {standing['submissions']}" in chase.body
    a_municipality = next(m for m in messages if m.kind == "municipality")
    assert f"ОКТМО {a_municipality.key}" in a_municipality.body
