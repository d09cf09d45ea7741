"""The public event contract: every event named once, stably; events read as services see them."""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from eventsourcing.utils import get_topic

import domain
from domain.aggregates import Contest
from domain.aggregates.registry import RegistryRow
from domain.commands.contest import Announce
from domain.commands.intake import SubmissionForm, Submit
from domain.commands.order import ContestOrder
from domain.commands.registry import ImportRegistry
from domain.contract import PublicEvent, UnknownEventName, event_classes, event_names, public_name, topics_for
from domain.model import Aggregate, DomainEvent
from domain.phases import Phase
from projections.public_events import ContestSlugs, public_event
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import OPERATOR, close_phase, make_spec

# Services select events by these names: renaming an event class must not change them.
PUBLISHED_NAMES = {
    "acceptance.recorded", "announcement.issued", "ballot.cast", "ballot_batch.received",
    "credential.issued", "credential.revoked", "erasure.recorded",
    "contest.announced", "contest.phase_changed", "contest.deadline_extended", "contest.cancelled",
    "contest.screening_concluded", "contest.judging_concluded", "contest.votes_tallied",
    "contest.results_declared", "contest.results_published", "contest.promotion_received",
    "contest.promoted", "contest.promotion_refused", "contest.participation_reviewed",
    "expert.enrolled", "expert.profile_changed",
    "judging.opened", "judging.assigned", "judging.recused", "judging.experts_reminded",
    "judging.concluded",
    "municipal_roster.listed", "municipal_roster.revised", "municipal_report.received",
    "registry_entry.entered", "registry_entry.revised",
    "review.scored", "review.rescored",
    "submission.submitted", "submission.withdrawn", "submission.admitted", "submission.rejected",
    "submission.material_attached", "submission.revised", "submission.filed",
    "submission.placed",
}


def every_domain_event_class() -> set[type]:
    """Every pydantic event class defined anywhere under domain/, however it was made."""
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)
    found: set[type] = set()
    pending = [DomainEvent]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("domain.") and not scaffolding(sub) and not replaced(sub):
                found.add(sub)
    return found


def replaced(cls: type) -> bool:
    """An event class written out in an aggregate's body (to give it a `class_version`) is
    redefined by the library as a subclass of that aggregate's `Event`; the original stays
    behind as an orphan that nothing records."""
    found: object = sys.modules[cls.__module__]
    for part in cls.__qualname__.split("."):
        found = getattr(found, part, None)
    return found is not cls


def scaffolding(cls: type) -> bool:
    """The bases the library gives each aggregate: `Event`, and a `Created` with no fields of
    its own that a named creation event replaces."""
    base_fields = set(Aggregate.Created.model_fields)
    return cls.__name__ == "Event" or (
        cls.__name__ == "Created" and set(cls.model_fields) <= base_fields)  # type: ignore[attr-defined]


def test_every_event_class_in_the_domain_has_a_public_name() -> None:
    named = {get_topic(c) for c in event_classes().values()}
    defined = {get_topic(c) for c in every_domain_event_class()}
    assert len(defined) >= len(PUBLISHED_NAMES)
    assert sorted(defined - named) == []


def test_public_names_are_unique_snake_case_and_stay_as_published() -> None:
    names = event_names()
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*", name) for name in names), names
    assert set(names) == PUBLISHED_NAMES


def test_a_name_is_the_aggregate_then_the_event_without_repeating_the_aggregate() -> None:
    assert public_name(Contest.PhaseChanged) == "contest.phase_changed"
    assert event_classes()["announcement.issued"].__name__ == "AnnouncementIssued"
    assert event_classes()["municipal_roster.revised"].__qualname__ == "MunicipalRoster.Revised"


def test_every_event_is_at_version_1_until_its_shape_changes() -> None:
    versions = {name: getattr(c, "class_version", 1) for name, c in event_classes().items()}
    changed = {name: version for name, version in versions.items() if version != 1}
    # v2 of results_published records the seal; v2 of ballots names their batch, and of
    # batches, the digest and signature of what they accepted; v2 of a letter, its particulars
    assert changed == {"contest.results_published": 2, "ballot.cast": 2, "ballot_batch.received": 2,
                       "announcement.issued": 2}


def test_names_map_to_the_stored_topics_used_to_filter_reads() -> None:
    assert topics_for(["contest.phase_changed", "submission.submitted"]) == [
        "domain.aggregates.contest:Contest.PhaseChanged",
        "domain.aggregates.submission:Submission.Submitted",
    ]


@pytest.mark.parametrize(("typed", "suggested"), [
    ("contest.phase_change", "contest.phase_changed"),
    ("phase_changed", "contest.phase_changed"),
    ("ballot.casted", "ballot.cast"),
])
def test_an_unknown_name_is_refused_with_the_names_it_is_close_to(typed: str, suggested: str) -> None:
    with pytest.raises(UnknownEventName, match=f"unknown event type '{typed}'; did you mean .*{suggested}"):
        topics_for(["contest.announced", typed])


def run_a_small_contest(app: Konkurs) -> str:
    spec = make_spec(datetime.now(UTC) + timedelta(days=1))
    app.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR))
    close_phase(app, spec.slug, Phase.ANNOUNCED, "open")
    app.submissions.submit(
        Submit(
            slug=spec.slug,
            forms=[
                (
                    "row 2",
                    SubmissionForm.model_validate(
                        {
                            "reference": "T-1",
                            "nomination": "HC-1",
                            "title": "Запись к врачу онлайн",
                            "applicant": {
                                "name": "ГБУЗ «Больница»",
                                "kind": "state_institution",
                                "region": "75",
                            },
                        }
                    ),
                )
            ],
            actor=OPERATOR,
        )
    )
    close_phase(app, spec.slug, Phase.COLLECTING, "close-collecting")
    app.results.conclude_screening(ContestOrder(slug=spec.slug, command_id="screen", actor=OPERATOR))
    app.registry.import_registry(
        ImportRegistry(
            registry="social-services",
            rows=[
                (
                    "row 2",
                    RegistryRow(
                        inn="7707083893", name="ООО «Забота»", region="75", entered_on=date(2024, 1, 1)
                    ),
                )
            ],
            actor=OPERATOR,
        )
    )
    return spec.slug


def test_events_read_from_the_log_carry_name_version_contest_and_their_own_fields_only(
    konkurs: Konkurs,
) -> None:
    slug = run_a_small_contest(konkurs)
    events = [public_event(logged, ContestSlugs(konkurs.store)) for logged in konkurs.store.read_log()]

    assert [e.name for e in events] == [
        "contest.announced",
        "contest.phase_changed",
        "submission.submitted",
        "acceptance.recorded",
        "contest.phase_changed",
        "contest.screening_concluded",
        "submission.admitted",
        "registry_entry.entered",
    ]
    # Only first events carry the slug; later ones are resolved through their aggregate.
    assert [e.contest for e in events] == [slug] * 7 + [None]
    assert [e.position for e in events] == list(range(1, 9))
    assert all(e.version == 1 for e in events)
    assert events[3].data["kind"] == "submissions" and events[3].data["count"] == 1
    closed = events[4]
    assert closed.data == {
        "closed": "collecting",
        "opened": "screening",
        "cause": "deadline",
        "reason": "",
        "command_id": "close-collecting",
    }
    assert (closed.aggregate_id, closed.aggregate_version) == (events[0].aggregate_id, 3)
    assert all(e.actor == OPERATOR for e in events)
    assert events[6].data == {}
    assert PublicEvent.model_validate_json(closed.model_dump_json()) == closed


def test_contest_slugs_read_a_first_event_only_when_they_have_not_seen_it_go_by(
    konkurs: Konkurs, monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = run_a_small_contest(konkurs)
    reads: list[object] = []
    select = konkurs.store.recorder.select_events

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args)
        return select(*args, **kwargs)

    monkeypatch.setattr(konkurs.store.recorder, "select_events", counted)
    whole_log = ContestSlugs(konkurs.store)
    assert [whole_log.of(logged) for logged in konkurs.store.read_log()] == [slug] * 7 + [None]
    assert reads == []

    changes_only = ContestSlugs(konkurs.store)
    later = list(konkurs.store.read_log([topic_of(Contest.PhaseChanged)]))
    assert [changes_only.of(logged) for logged in later] == [slug, slug]
    assert len(reads) == 1
