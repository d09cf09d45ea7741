"""Erasing a natural person: their key is destroyed, so every event that sealed their name and
INN under it reads them as erased, while the log's bytes and its hash chain stay as they were.

The erasure itself is recorded, with who asked, when and why, but not the name. Read models
that copied the name are the caller's to scrub (`projections/erasure.py`): they are above the
services.
"""

from __future__ import annotations

from typing import Any

from domain.access import Stage, require_eraser
from domain.aggregates import Submission
from domain.aggregates.erasure import Erasure, erasure_id
from domain.commands.erasure import Forget, Forgotten
from domain.errors import InvalidCommand
from domain.personal import NOMINEE, Person, is_natural_person
from store.application import StoreApplication
from store.log import topic_of
from store.person_keys import person_of


class ForgetService:
    def __init__(self, store: StoreApplication) -> None:
        self.store = store

    def forget(self, order: Forget) -> Forgotten:
        named = Person.parse(order.person)
        records = self._records_of(named)
        for contest in sorted({record.contest for record in records}):
            require_eraser(order.actor, Stage.of(self.store.get_contest(contest).spec))
        in_clear = [r for r in records if self._in_clear(r)]
        if in_clear:
            raise InvalidCommand(f"{in_clear[0]} was recorded before names were sealed: the log holds "
                                 "the name in clear, and no key's destruction can erase it (docs/audit.md)")
        keys = self.store.person_keys
        held = set(keys.held(person_of(r.aggregate_id) for r in records))
        remaining = [r for r in records if person_of(r.aggregate_id) in held]
        if remaining:
            self.store.save(*(
                Erasure(contest=r.contest, person=str(r), request=str(named), reason=order.reason,
                        command_id=order.command_id)
                for r in remaining
                if self.store.existing(erasure_id(r.contest, str(r), order.command_id)) is None
            ), actor=order.actor)
            keys.destroy(held)
        return Forgotten(person=str(named), erased=[str(r) for r in remaining],
                         records=[r.aggregate_id for r in records], purged=keys.purge())

    def _records_of(self, named: Person) -> list[Person]:
        """The person's records in this store: an expert's enrolment; a submission, with the
        stage it was promoted from and the stages it was promoted to."""
        first = self._first_state(named)
        if named.kind == "expert":
            return [named]
        if not is_natural_person(first["applicant"]) and not first.get(NOMINEE):
            raise InvalidCommand(f"{named} is an organisation and names no nominee: its name and INN "
                                 "are not personal data and stay in the record")
        provenance = first.get("provenance")
        root = Person(kind="applicant", contest=provenance["stage"], id=provenance["reference"]) \
            if provenance else named
        records = {named, *self._promoted_copies(root)}
        if self.store.reader.first_state(root.aggregate_id) is not None:
            records.add(root)
        return sorted(records, key=str)

    def _in_clear(self, record: Person) -> bool:
        in_clear = self.store.mapper.in_clear  # type: ignore[attr-defined]
        return any(in_clear(event) for event in self.store.recorder.select_events(record.aggregate_id))

    def _first_state(self, named: Person) -> dict[str, Any]:
        self.store.get_contest(named.contest)
        first = self.store.reader.first_state(named.aggregate_id)
        if first is None:
            what = "expert" if named.kind == "expert" else "submission"
            raise InvalidCommand(f"contest {named.contest} has no {what} {named.id!r}")
        return first

    def _promoted_copies(self, original: Person) -> list[Person]:
        copies = []
        wanted = (original.contest, original.id)
        for _, state in self.store.read_states(topic_of(Submission.Submitted)):
            provenance = state.get("provenance")
            if provenance and (provenance["stage"], provenance["reference"]) == wanted:
                copies.append(Person(kind="applicant", contest=state["contest"], id=state["reference"]))
        return copies

