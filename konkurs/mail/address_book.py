"""Who the letters go to: `(kind, key) -> e-mail, name`, kept in the views DB, never in the log.

Addresses are personal data: an operator imports and erases them, and the outbox looks them up
only when it sends, so an address imported later or erased meanwhile is honoured.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from domain.errors import InputFileError, KonkursError
from konkurs.column_aliases import ADDRESSES
from konkurs.tables import read_rows
from projections.views_db import ViewsDB, transaction

TABLE = ("CREATE TABLE IF NOT EXISTS mail_addresses (kind TEXT NOT NULL, key TEXT NOT NULL, "
         "email TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (kind, key))")
KINDS = {
    "authority": "the two-digit code of the region whose authority gets the announcement letter",
    "expert": "the expert's id on the contest roster",
    "applicant": "SLUG/REFERENCE of a submission",
    "municipality": "the municipality's OKTMO code",
    "coordinator": "the two-digit code of the region whose drive the coordinator leads",
}
KEYS = {
    "authority": re.compile(r"\d{2}"), "coordinator": re.compile(r"\d{2}"),
    "municipality": re.compile(r"\d{8}(\d{3})?"), "applicant": re.compile(r"[^/\s]+/[^/\s]+"),
    "expert": re.compile(r"\S+"),
}
EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


class AddressError(KonkursError):
    """An address that cannot be imported or found as asked."""


class Address(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    key: str
    email: str
    name: str = ""


def checked(address: Address) -> Address:
    if address.kind not in KINDS:
        raise AddressError(f"kind {address.kind!r}: use one of {', '.join(KINDS)}")
    if not KEYS[address.kind].fullmatch(address.key):
        raise AddressError(f"key {address.key!r} of {address.kind}: write {KINDS[address.kind]}")
    if not EMAIL.fullmatch(address.email):
        raise AddressError(f"e-mail {address.email!r} is not an address like name@example.org")
    return address


def read_addresses(path: Path) -> list[Address]:
    """Every row of the file as an address; the first bad row stops it with `file:line`."""
    rows = read_rows(path, ["kind", "key", "email"], ["name"], aliases=ADDRESSES)
    addresses: dict[tuple[str, str], Address] = {}
    for label, row in rows:
        try:
            address = checked(Address(kind=_kind(row["kind"]), key=row["key"], email=row["email"],
                                      name=row.get("name", "")))
        except AddressError as error:
            raise InputFileError(f"{label}: {error}") from None
        if (address.kind, address.key) in addresses:
            raise InputFileError(f"{label}: {address.kind} {address.key} is given twice in the file")
        addresses[(address.kind, address.key)] = address
    return list(addresses.values())


_RUSSIAN_KINDS = {"орган власти": "authority", "эксперт": "expert", "заявитель": "applicant",
                  "муниципалитет": "municipality", "муниципальное образование": "municipality",
                  "координатор": "coordinator"}


def _kind(text: str) -> str:
    cleaned = " ".join(text.lower().split())
    return _RUSSIAN_KINDS.get(cleaned, cleaned)


class AddressBook:
    def __init__(self, views_db: ViewsDB) -> None:
        self.views_db = views_db

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self.views_db.connect() as connection:
            connection.execute("PRAGMA secure_delete = ON")  # an erased address leaves no trace in the file
            connection.execute(TABLE)
            yield connection

    def put(self, addresses: Sequence[Address]) -> None:
        """Add or replace these addresses, all in one transaction."""
        with self._connect() as connection, transaction(connection) as cursor:
            cursor.executemany("INSERT OR REPLACE INTO mail_addresses VALUES (?, ?, ?, ?)",
                               [(a.kind, a.key, a.email, a.name) for a in map(checked, addresses)])

    def all(self) -> list[Address]:
        with self._connect() as connection:
            rows = connection.execute("SELECT * FROM mail_addresses ORDER BY kind, key").fetchall()
        return [Address(kind=k, key=key, email=e, name=n) for k, key, e, n in rows]

    def find(self, kind: str, key: str) -> Address | None:
        with self._connect() as connection:
            row = connection.execute("SELECT * FROM mail_addresses WHERE kind = ? AND key = ?",
                                     (kind, key)).fetchone()
        return None if row is None else Address(kind=row[0], key=row[1], email=row[2], name=row[3])

    def forget(self, kind: str, key: str) -> None:
        with self._connect() as connection, transaction(connection) as cursor:
            deleted = cursor.execute("DELETE FROM mail_addresses WHERE kind = ? AND key = ?", (kind, key))
            if not deleted.rowcount:
                raise AddressError(f"no address for {kind} {key}; see `konkurs mailer addresses list`")
