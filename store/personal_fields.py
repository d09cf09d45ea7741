"""Sealing natural persons' particulars inside event states, and opening them again.

When an event records a natural person (`domain.personal`), their name and INN leave the state
and travel in one AES-GCM envelope under the person's key:

    "applicant": {"kind": "person", "region": "75", "age": 31, ...},
    "sealed_personal": {"person": "<aggregate id hex>", "holder": "applicant",
                        "fields": ["name", "inn"], "sealed": "<base64 nonce + ciphertext>"}

Reading puts the fields back; once the key is destroyed they read as erased.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from domain.personal import PERSONAL_FIELDS, erased_value, holder_of, personal_holder
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
            holder = holder_of(type(event))
            particulars = {holder: getattr(event, holder).model_dump(mode="json")} if holder else {}
            if holder and personal_holder(type(event), particulars):
                found.add(person_of(event.originator_id))
        return found

    def seal(self, event_class: type, originator_id: UUID, state: dict[str, Any]) -> None:
        """Move the person's particulars out of `state` into a sealed envelope, in place."""
        holder = personal_holder(event_class, state)
        if holder is None:
            return
        particulars = state[holder]
        fields = [f for f in PERSONAL_FIELDS if particulars.get(f) is not None]
        plain = {field: particulars.pop(field) for field in fields}
        person = person_of(originator_id)
        sealed = seal_bytes(self.keys.key_for_writing(person), json.dumps(plain).encode(),
                            person.encode())
        state[SEALED] = {"person": person, "holder": holder, "fields": fields,
                         "sealed": base64.b64encode(sealed).decode()}

    def open(self, state: dict[str, Any]) -> None:
        """Put the sealed particulars back into `state`, or their erased form without a key."""
        envelope = state.pop(SEALED)
        person, fields = envelope["person"], envelope["fields"]
        particulars = state[envelope["holder"]]
        plain = self._opened(person, envelope["sealed"])
        for field in fields:
            particulars[field] = plain[field] if plain is not None else erased_value(field)

    def _opened(self, person: str, sealed: str) -> dict[str, Any] | None:
        key = self.keys.key(person)
        if key is None:
            return None
        try:
            opened: dict[str, Any] = json.loads(open_bytes(key, base64.b64decode(sealed), person.encode()))
        except InvalidTag:
            return None  # sealed under a destroyed key; the person has a new one since
        return opened

