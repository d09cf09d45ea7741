"""Keeping the hash chain: links stored beside the log, so each extension hashes only new events."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Notification

from domain.application import PAGE, StoreApplication, originator_uuid
from domain.outcomes import Seal
from domain.rules.chain import GENESIS, ChainBreak, ChainRow, first_break, link_rows
from domain.rules.version import RULES_VERSION, rules_code
from domain.spec import ContestSpec

TABLE = "chain_links"


@dataclass(frozen=True)
class ChainHead:
    position: int
    link: bytes

    @property
    def hex(self) -> str:
        return self.link.hex()


class ChainCommands(StoreApplication):
    """`extend_chain` links the events recorded since the last link; `verify_chain` rechecks all."""

    def extend_chain(self) -> ChainHead:
        links = _LinkTable(self.recorder)
        head = links.head()
        while True:
            page = self.recorder.select_notifications(head.position + 1, PAGE)
            if not page:
                return head
            made = list(link_rows(head.link, map(chain_row, page)))
            links.append(made)
            head = ChainHead(*made[-1])

    def results_seal(self, spec: ContestSpec) -> Seal:
        """What a results event records: the chain as it stands, the spec and the rule version."""
        head = self.extend_chain()
        return Seal(chain_position=head.position, chain_head=head.hex, spec_hash=spec.fingerprint(),
                    rules_version=RULES_VERSION, rules_code=rules_code())

    def chain_link(self, position: int) -> bytes | None:
        return _LinkTable(self.recorder).at(position)

    def verify_chain(self) -> ChainBreak | None:
        """Extend, then walk the whole log against the stored links."""
        self.extend_chain()
        return first_break(self._chain_rows(), _LinkTable(self.recorder).all())

    def _chain_rows(self) -> Iterator[ChainRow]:
        for page in self._pages((), 1, None):
            yield from map(chain_row, page)


def chain_row(notification: Notification) -> ChainRow:
    return ChainRow(
        position=notification.id,
        originator_id=originator_uuid(notification),
        version=notification.originator_version,
        topic=notification.topic,
        state=_stored_bytes(notification.state),
    )


def _stored_bytes(state: Any) -> bytes:
    """A row edited by hand in SQLite can come back as text rather than a blob: hash its
    bytes all the same, so the edit shows as an edit rather than stopping the check."""
    return state.encode() if isinstance(state, str) else bytes(state)


class _LinkTable:
    """The `chain_links` table in the store's own database: SQLite file or PostgreSQL schema."""

    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        postgres = type(recorder).__module__.startswith("eventsourcing.postgres")
        self.name = f'"{self.datastore.schema}".{TABLE}' if postgres else TABLE
        self.mark = "%s" if postgres else "?"
        blob = "BYTEA" if postgres else "BLOB"
        with self.datastore.transaction(commit=True) as cursor:
            if postgres:  # concurrent CREATE … IF NOT EXISTS collide there; take turns
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('konkurs.chain_links'))")
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.name} "
                           f"(position BIGINT PRIMARY KEY, link {blob} NOT NULL)")

    def head(self) -> ChainHead:
        rows = self._select(f"SELECT position, link FROM {self.name} "
                            "ORDER BY position DESC LIMIT 1")
        return ChainHead(rows[0][0], rows[0][1]) if rows else ChainHead(0, GENESIS)

    def at(self, position: int) -> bytes | None:
        rows = self._select(f"SELECT position, link FROM {self.name} WHERE position = {position:d}")
        return rows[0][1] if rows else None

    def all(self) -> dict[int, bytes]:
        return dict(self._select(f"SELECT position, link FROM {self.name}"))

    def append(self, links: Sequence[tuple[int, bytes]]) -> None:
        """A link is a function of the log alone, so two extenders at once write the same rows:
        the second one's are dropped rather than refused."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.executemany(
                f"INSERT INTO {self.name} (position, link) VALUES ({self.mark}, {self.mark}) "
                "ON CONFLICT (position) DO NOTHING", links)

    def _select(self, statement: str) -> list[tuple[int, bytes]]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement)
            return [_pair(row) for row in cursor.fetchall()]


def _pair(row: Any) -> tuple[int, bytes]:
    position, link = (row["position"], row["link"]) if isinstance(row, dict) else row
    return int(position), bytes(link)
