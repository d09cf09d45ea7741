"""Announcing a contest records one `AnnouncementIssued` event per addressee, exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.contest import ContestActivities
from domain.aggregates import Announcement, Contest
from domain.aggregates.announcement import announcement_id
from domain.authorities import REGIONAL_AUTHORITIES
from domain.commands.contest import Announce
from domain.commands.order import CommandResult
from domain.errors import UnknownContest
from domain.regions import REGION_CODES
from domain.spec import ContestSpec
from domain.spec.announcement import Addressee
from konkurs.cli.announcement_commands import issued_letters
from konkurs.spec_files import load_spec
from services.konkurs import Konkurs
from store.log import LoggedEvent, topic_of
from tests.factories import OPERATOR

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SLUG = "decade-of-childhood-2023"


@pytest.fixture
def decade() -> ContestSpec:
    return load_spec(EXAMPLES / f"{SLUG}.yaml")


def issued(konkurs: Konkurs, slug: str = SLUG) -> list[LoggedEvent]:
    return list(konkurs.store.contest_events(slug, [Announcement.AnnouncementIssued]))


def with_addressees(spec: ContestSpec, listed: list[Addressee]) -> ContestSpec:
    assert spec.announcement is not None
    announcement = spec.announcement.model_copy(update={"addressees": listed})
    return spec.model_copy(update={"announcement": announcement})


def test_announcing_the_decade_of_childhood_issues_one_letter_to_each_of_89_authorities(
    konkurs: Konkurs, decade: ContestSpec
) -> None:
    assert (
        konkurs.contests.announce(
            Announce(spec=decade, plan=decade.phase_plan(), command_id="announce-1", actor=OPERATOR)
        ).applied
        is True
    )
    letters = issued(konkurs)
    assert len(letters) == 89
    assert len({e.originator_id for e in letters}) == 89
    assert {e.state["addressee"]["region"] for e in letters} == REGION_CODES
    zabaikalsky = next(e for e in letters if e.state["addressee"]["region"] == "75")
    assert zabaikalsky.state["contest"] == SLUG
    assert zabaikalsky.state["addressee"] == {
        "name": "Правительство Забайкальского края",
        "email": None,
        "region": "75",
    }
    assert zabaikalsky.state["subject"] == decade.announcement.subject  # type: ignore[union-attr]
    assert zabaikalsky.state["text"].startswith(
        "Министерство труда и социальной защиты Российской Федерации (Минтруд России)\n\n"
        "18.10.2023 № 27-4/10/В-16418\n\n"
        "Правительство Забайкальского края\n\n"
    )
    assert "до 3 ноября 2023 г. включительно" in zabaikalsky.state["text"]
    assert zabaikalsky.state["command_id"] == "announce-1"
    assert zabaikalsky.originator_id == announcement_id(
        SLUG, Addressee(name="Правительство Забайкальского края", region="75")
    )
    letter: Announcement = konkurs.store.repository.get(zabaikalsky.originator_id)
    assert (letter.contest, letter.addressee.region, letter.version) == (SLUG, "75", 1)


SIGNED = {"position": "Первый заместитель Министра труда и социальной защиты Российской Федерации",
          "name": "О.Ю. Баталина"}


def test_each_of_the_89_letters_carries_the_number_date_signatory_and_its_authority_s_real_name(
    konkurs: Konkurs, decade: ContestSpec
) -> None:
    konkurs.contests.announce(
        Announce(spec=decade, plan=decade.phase_plan(), command_id="announce-1", actor=OPERATOR)
    )
    letters = {e.state["addressee"]["region"]: e.state for e in issued(konkurs)}
    assert len(letters) == 89
    for code, state in letters.items():
        assert state["addressee"]["name"] == REGIONAL_AUTHORITIES[code]
        assert state["particulars"] == {
            "sender": "Министерство труда и социальной защиты Российской Федерации (Минтруд России)",
            "number": "27-4/10/В-16418", "dated": "2023-10-18", "signatory": SIGNED,
            "addressed_to": "Высшие органы исполнительной власти субъектов Российской Федерации",
        }
        assert f"\n\n{REGIONAL_AUTHORITIES[code]}\n\n" in state["text"]
        assert state["text"].endswith(f"\n\n{SIGNED['position']}\n{SIGNED['name']}\n")
    assert letters["16"]["addressee"]["name"] == "Кабинет Министров Республики Татарстан"
    assert letters["23"]["addressee"]["name"] == "Администрация Краснодарского края"
    assert "18.10.2023 № 27-4/10/В-16418\n\nАдминистрация Краснодарского края\n" in letters["23"]["text"]
    tatarstan: Announcement = konkurs.store.repository.get(
        announcement_id(SLUG, Addressee(name="Кабинет Министров Республики Татарстан", region="16")))
    assert tatarstan.particulars is not None
    assert (tatarstan.particulars.number, tatarstan.particulars.signatory.name) == (  # type: ignore[union-attr]
        "27-4/10/В-16418", "О.Ю. Баталина")


def test_a_letter_recorded_before_letters_carried_particulars_still_reads(
    konkurs: Konkurs, decade: ContestSpec
) -> None:
    konkurs.contests.announce(Announce(spec=decade.model_copy(update={"announcement": None}),
                                       plan=decade.phase_plan(), command_id="announce-1", actor=OPERATOR))
    addressee = Addressee(name="Правительство Забайкальского края", region="75")
    old_id = announcement_id(SLUG, addressee)
    konkurs.store.recorder.insert_events([StoredEvent(
        old_id, 1, topic_of(Announcement.AnnouncementIssued),
        konkurs.store.mapper.encode_state({  # type: ignore[attr-defined]
            "timestamp": "2024-05-01T10:00:00+00:00", "originator_topic": topic_of(Announcement),
            "contest": SLUG, "addressee": addressee.model_dump(mode="json"), "subject": "Письмо",
            "text": "Текст", "command_id": "announce-1",
        }),
    )])
    old: Announcement = konkurs.store.repository.get(old_id)
    assert (old.addressee, old.text, old.particulars) == (addressee, "Текст", None)
    [listed] = issued_letters(konkurs, SLUG)
    assert (listed.addressee, listed.particulars) == (addressee, None)


def test_the_contest_and_its_letters_are_recorded_together_or_not_at_all(
    konkurs: Konkurs, decade: ContestSpec
) -> None:
    """A letter that cannot be recorded (its id is taken) leaves no contest and no other letter."""
    taken = Addressee(name="Правительство Забайкальского края", region="75")
    konkurs.store.save(
        Announcement(contest=SLUG, addressee=taken, subject="-", text="-", command_id="elsewhere"),
        actor=OPERATOR,
    )
    head = konkurs.store.head_position()
    with pytest.raises(IntegrityError):
        konkurs.contests.announce(
            Announce(spec=decade, plan=decade.phase_plan(), command_id="announce-1", actor=OPERATOR)
        )
    assert konkurs.store.head_position() == head
    with pytest.raises(UnknownContest):
        konkurs.store.get_contest(SLUG)


def test_a_retried_announce_records_nothing_more(konkurs: Konkurs, decade: ContestSpec) -> None:
    konkurs.contests.announce(
        Announce(spec=decade, plan=decade.phase_plan(), command_id="announce-1", actor=OPERATOR)
    )
    head = konkurs.store.head_position()
    assert (
        konkurs.contests.announce(
            Announce(spec=decade, plan=decade.phase_plan(), command_id="announce-1", actor=OPERATOR)
        ).applied
        is False
    )
    assert konkurs.store.head_position() == head
    assert len(issued(konkurs)) == 89


def test_the_spec_as_the_workflow_sends_it_gives_the_same_dates(
    konkurs: Konkurs, decade: ContestSpec
) -> None:
    """The activity gets the spec as JSON, where a bare date comes back as midnight."""
    as_sent = ContestSpec.model_validate(decade.model_dump(mode="json"))
    konkurs.contests.announce(
        Announce(spec=as_sent, plan=decade.phase_plan(), command_id="announce-1", actor=OPERATOR)
    )
    texts = {e.state["text"] for e in issued(konkurs)}
    assert all("с 25 сентября 2023 г. по 24 декабря 2023 г." in t for t in texts)
    assert all("до 3 ноября 2023 г. включительно" in t for t in texts)


def test_a_list_of_addressees_gets_exactly_one_letter_each(konkurs: Konkurs, decade: ContestSpec) -> None:
    listed = [
        Addressee(name="Ассоциация «Совет муниципальных образований»", email="smo@example.org"),
        Addressee(
            name="Министерство социальной защиты Забайкальского края", email="social@example.org", region="75"
        ),
    ]
    konkurs.contests.announce(
        Announce(
            spec=with_addressees(decade, listed),
            plan=decade.phase_plan(),
            command_id="announce-1",
            actor=OPERATOR,
        )
    )
    letters = issued(konkurs)
    assert [Addressee.model_validate(e.state["addressee"]) for e in letters] == listed
    assert "№ 27-4/10/В-16418\n\nАссоциация «Совет муниципальных образований»\n\n" in letters[0].state["text"]
    assert letters[1].originator_id == announcement_id(SLUG, listed[1])


def test_a_spec_without_an_announcement_issues_no_letters(konkurs: Konkurs, decade: ContestSpec) -> None:
    silent = decade.model_copy(update={"announcement": None})
    assert (
        konkurs.contests.announce(
            Announce(spec=silent, plan=silent.phase_plan(), command_id="announce-1", actor=OPERATOR)
        ).applied
        is True
    )
    assert issued(konkurs) == []
    assert [e.topic.rsplit(".", 1)[-1] for e in konkurs.store.read_log()] == ["Announced"]


def test_two_contests_write_to_the_same_authority_in_two_letters(
    konkurs: Konkurs, decade: ContestSpec
) -> None:
    smart = load_spec(EXAMPLES / "smart-dialog-2023.yaml")
    konkurs.contests.announce(
        Announce(spec=decade, plan=decade.phase_plan(), command_id="announce-decade", actor=OPERATOR)
    )
    konkurs.contests.announce(
        Announce(spec=smart, plan=smart.phase_plan(), command_id="announce-smart", actor=OPERATOR)
    )
    assert len(issued(konkurs)) == 89
    assert len(issued(konkurs, smart.slug)) == 89
    assert {e.originator_id for e in issued(konkurs)}.isdisjoint(
        e.originator_id for e in issued(konkurs, smart.slug)
    )


async def test_the_announce_activity_run_again_writes_no_second_letter(
    konkurs: Konkurs, decade: ContestSpec, store_env: dict[str, str]
) -> None:
    request = Announce(
        spec=decade.model_dump(mode="json"),
        plan=decade.phase_plan(),
        command_id=f"{SLUG}:announce",
        actor=OPERATOR,
    )
    first = await ActivityEnvironment().run(ContestActivities(konkurs).announce, request)
    head = konkurs.store.head_position()
    other = Konkurs(env=store_env)
    try:
        second = await ActivityEnvironment().run(ContestActivities(other).announce, request)
    finally:
        other.close()
    assert (first, second) == (CommandResult(applied=True), CommandResult(applied=False))
    assert konkurs.store.head_position() == head == 90


async def test_another_announcement_of_the_same_contest_is_refused_and_writes_nothing(
    konkurs: Konkurs, decade: ContestSpec
) -> None:
    konkurs.contests.announce(
        Announce(spec=decade, plan=decade.phase_plan(), command_id="announce-1", actor=OPERATOR)
    )
    head = konkurs.store.head_position()
    request = Announce(
        spec=decade.model_dump(mode="json"), plan=decade.phase_plan(), command_id="announce-2", actor=OPERATOR
    )
    with pytest.raises(ApplicationError, match="is already announced"):
        await ActivityEnvironment().run(ContestActivities(konkurs).announce, request)
    assert konkurs.store.head_position() == head
    assert isinstance(konkurs.store.get_contest(SLUG), Contest)
