"""Sealing natural persons' particulars inside event states, and opening them again.

When an event records a natural person (`domain.personal`), their name and INN leave the state
and travel in one AES-GCM envelope under the person's key:

    "applicant": {"kind": "person", "region": "75", "age": 31, ...},
    "sealed_personal": {"person": "<aggregate id hex>", "holder": "applicant",
                        "fields": ["name", "inn"], "sealed": "<base64 nonce + ciphertext>"}

A submission naming both a person applicant and a nominee seals both in one envelope under the
submission's key: `{"person": ..., "holders": {"applicant": ["name", "inn"], "nominee": ["name"]},
"sealed": ...}`. Reading puts the fields back; once the key is destroyed they read as erased.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from domain.personal import PERSONAL_FIELDS, erased_value, holder_fields, personal_holder, personal_holders
from store.person_keys import PersonKeys, person_of
from store.secret_box import InvalidTag, open_bytes, seal_bytes

SEALED = "sealed_personal"


class PersonalFields:
    """What the mapper does with personal fields; `keys` is called when first needed, as the
    key table lives in the store the mapper is made before."""

    def __init__(self, keys: Callable[[], PersonKeys]) -> None:
        self._keys = keys

    @property
    def keys(self) -> PersonKeys:
        return self._keys()

    def persons(self, events: Iterable[Any]) -> set[str]:
        """The persons whose particulars `events` record: their keys must exist before sealing."""
        found = set()
        for event in events:
            particulars = {field: value.model_dump(mode="json")
                           for field in holder_fields(type(event))
                           if (value := getattr(event, field, None)) is not None}
            if personal_holder(type(event), particulars):
                found.add(person_of(event.originator_id))
        return found

    def seal(self, event_class: type, originator_id: UUID, state: dict[str, Any]) -> None:
        """Move the person's particulars out of `state` into a sealed envelope, in place. One
        holder keeps the envelope's first shape; a person applicant and a nominee share one
        envelope, its `holders` naming each one's fields."""
        holders = personal_holders(event_class, state)
        if not holders:
            return
        plain = {holder: _taken(state[holder]) for holder in holders}
        person = person_of(originator_id)
        if len(holders) == 1:
            [holder] = holders
            sealed = self._sealed(person, plain[holder])
            state[SEALED] = {"person": person, "holder": holder, "fields": list(plain[holder]),
                             "sealed": sealed}
        else:
            state[SEALED] = {"person": person, "holders": {h: list(plain[h]) for h in holders},
                             "sealed": self._sealed(person, plain)}

    def _sealed(self, person: str, plain: dict[str, Any]) -> str:
        sealed = seal_bytes(self.keys.key_for_writing(person), json.dumps(plain).encode(), person.encode())
        return base64.b64encode(sealed).decode()

    def open(self, state: dict[str, Any]) -> None:
        """Put the sealed particulars back into `state`, or their erased form without a key."""
        envelope = state.pop(SEALED)
        person = envelope["person"]
        plain = self._opened(person, envelope["sealed"])
        if "holders" in envelope:
            for holder, fields in envelope["holders"].items():
                _put_back(state[holder], fields, plain[holder] if plain is not None else None)
        else:
            _put_back(state[envelope["holder"]], envelope["fields"], plain)

    def _opened(self, person: str, sealed: str) -> dict[str, Any] | None:
        key = self.keys.key(person)
        if key is None:
            return None
        try:
            opened: dict[str, Any] = json.loads(open_bytes(key, base64.b64decode(sealed), person.encode()))
        except InvalidTag:
            return None  # sealed under a destroyed key; the person has a new one since
        return opened



def _taken(particulars: dict[str, Any]) -> dict[str, Any]:
    """The personal fields present in `particulars`, removed from it."""
    return {field: particulars.pop(field) for field in PERSONAL_FIELDS if particulars.get(field) is not None}


def _put_back(particulars: dict[str, Any], fields: list[str], plain: dict[str, Any] | None) -> None:
    for field in fields:
        particulars[field] = plain[field] if plain is not None else erased_value(field)
