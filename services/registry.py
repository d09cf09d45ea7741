"""Registries that eligibility checks applicants against, imported whole from operators' files.

A registry is named (e.g. `social-service-providers`) and holds one `RegistryEntry` per INN.
Importing the same file again writes nothing; a changed row writes a revision.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.access import require_federal_operator
from domain.aggregates.registry import RegistryEntry, RegistryRow, registry_entry_id
from domain.commands.registry import ImportRegistry, RegistryImport
from domain.errors import KonkursError
from domain.model import Value
from domain.regions import region_name
from domain.rules.eligibility import Membership
from store.application import StoreApplication
from store.log import topic_of

REGISTRY_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class RegionCount(Value):
    region: str
    name: str
    entries: int
    members: int


class RegistryService:
    """Registries that eligibility reads: imports and what operators look up."""

    def __init__(self, store: StoreApplication) -> None:
        self.store = store

    def import_registry(self, order: ImportRegistry) -> RegistryImport:
        """Record what changed since the last import, in one transaction; rows are labelled
        `file:line`. Entries missing from the file stay as they were: removal is a date."""
        registry, rows = order.registry, order.rows
        require_federal_operator(order.actor, f"import registry {registry}")
        if not REGISTRY_NAME.match(registry):
            raise KonkursError(f"registry name {registry!r}: use lower-case latin letters, digits "
                               "and dashes, e.g. social-service-providers")
        current = read_registry(self.store, registry)
        first_seen: dict[str, str] = {}
        changed: list[RegistryEntry] = []
        revised = 0
        for where, row in rows:
            if row.inn in first_seen:
                raise DuplicateRegistryRow(f"{where}: INN {row.inn} is already on {first_seen[row.inn]}")
            first_seen[row.inn] = where
            before = current.get(row.inn)
            if before is None:
                changed.append(RegistryEntry(registry=registry, row=row))
            elif before != row:
                entry: RegistryEntry = self.store.repository.get(registry_entry_id(registry, row.inn))
                entry.revise(row)
                changed.append(entry)
                revised += 1
        try:
            self.store.save(*changed, actor=order.actor)
        except IntegrityError:
            raise KonkursError(f"registry {registry} was changed by another import meanwhile; "
                               "nothing was saved, import again") from None
        return RegistryImport(
            registry=registry, rows=len(first_seen), entered=len(changed) - revised, revised=revised,
            unchanged=len(first_seen) - len(changed), not_in_file=len(current.keys() - first_seen),
        )

    def registry_regions(self, registry: str, on: date) -> list[RegionCount]:
        """Entries per region, and how many of them were members on the day `on`."""
        rows = known_registry(self.store, registry)
        entries = Counter(row.region for row in rows.values())
        members = Counter(row.region for row in rows.values() if membership(row).covers(on))
        return [RegionCount(region=code, name=region_name(code) or code, entries=count, members=members[code])
                for code, count in sorted(entries.items())]

    def registry_entry(self, registry: str, inn: str) -> RegistryEntry:
        try:
            entry: RegistryEntry = self.store.repository.get(registry_entry_id(registry, inn))
        except AggregateNotFoundError:
            known_registry(self.store, registry)
            raise UnknownRegistryEntry(f"INN {inn} is not in registry {registry}") from None
        return entry


def read_registry(
    app: StoreApplication, registry: str, inns: Sequence[str] | None = None, stop: int | None = None
) -> dict[str, RegistryRow]:
    """The registry's rows by INN as the log holds them up to `stop`: all, or only `inns`.

    One pass over the registry's events, however many INNs are asked for."""
    wanted = None if inns is None else {registry_entry_id(registry, inn) for inn in inns}
    entered = topic_of(RegistryEntry.Entered)
    latest: dict[UUID, dict[str, object]] = {}
    for logged in app.read_log([entered, topic_of(RegistryEntry.Revised)], stop=stop):
        if logged.topic == entered:
            if logged.state["registry"] != registry:
                continue
            if wanted is not None and logged.originator_id not in wanted:
                continue
        elif logged.originator_id not in latest:
            continue
        latest[logged.originator_id] = logged.state["row"]
    rows = (RegistryRow.model_validate(state) for state in latest.values())
    return {row.inn: row for row in rows}


def known_registry(app: StoreApplication, registry: str) -> dict[str, RegistryRow]:
    """Like `read_registry`, but a registry never imported is an error an operator can act on."""
    rows = read_registry(app, registry)
    if not rows:
        raise UnknownRegistry(f"no registry {registry!r} has been imported; "
                              f"import it with `konkurs import registry {registry} FILE`")
    return rows


def registry_memberships(
    app: StoreApplication, registry: str, inns: Iterable[str], stop: int | None = None
) -> dict[str, Membership]:
    """What the eligibility rule needs: each INN's span of membership."""
    rows = read_registry(app, registry, sorted(set(inns)), stop)
    return {inn: membership(row) for inn, row in rows.items()}


def membership(row: RegistryRow) -> Membership:
    return Membership(row.entered_on, row.removed_on)


class UnknownRegistry(KonkursError):
    pass


class UnknownRegistryEntry(KonkursError):
    pass


class DuplicateRegistryRow(KonkursError):
    pass
