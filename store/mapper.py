"""Stores pydantic events as JSON, and reads them back through their models.

An event whose shape changes gets a new `class_version` and a static `upcast_v1_v2(state)`
(then `upcast_v2_v3` …) that turns the old JSON state into the new one in place, as the
eventsourcing library does. Events are stored with their `class_version` when it is above 1,
and every read (aggregates and the lean `decode_state` path alike) upcasts before use.

A natural person's name and INN are sealed under their own key before the state is stored, and
opened on every read (`store/personal_fields.py`); a destroyed key reads as erased.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

from domain.contract import class_version
from domain.personal import personal_holder
from store.personal_fields import SEALED, PersonalFields

_ENVELOPE = {"originator_id", "originator_version"}
_DECODER = json.JSONDecoder()


class PydanticMapper(Mapper[UUID]):
    def __init__(self, *args: Any, personal: PersonalFields, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.personal = personal
        # topic → its class when that is above version 1, else None: the log is read a
        # million events at a time, and most topics never change shape.
        self._versioned: dict[str, type | None] = {}

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        assert isinstance(domain_event, BaseModel)
        state = domain_event.model_dump(mode="json", exclude=_ENVELOPE)
        version = class_version(type(domain_event))
        if version > 1:
            state["class_version"] = version
        self.personal.seal(type(domain_event), domain_event.originator_id, state)  # type: ignore[attr-defined]
        return StoredEvent(
            originator_id=domain_event.originator_id,  # type: ignore[attr-defined]
            originator_version=domain_event.originator_version,  # type: ignore[attr-defined]
            topic=get_topic(type(domain_event)),
            state=self.encode_state(state),
        )

    def encode_state(self, state: dict[str, Any]) -> bytes:
        return self.seal(json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode())

    def seal(self, data: bytes) -> bytes:
        """Compress and encrypt JSON bytes as the store is configured to."""
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return data

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        event_class = resolve_topic(stored_event.topic)
        state = self.decode_state(stored_event.state, stored_event.topic)
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        return event_class.model_validate(state)

    def decode_state(self, data: bytes, topic: str | None = None) -> dict[str, Any]:
        """The event's JSON state; upcast to its class's current version when `topic` is given."""
        state = self._json(data)
        if SEALED in state:
            self.personal.open(state)
        if topic is not None:
            versioned = self._versioned.get(topic, _UNSEEN)
            if versioned is _UNSEEN:
                versioned = self._versioned[topic] = _versioned_class(topic)
            if versioned is not None:
                upcast(versioned, state)
        return state

    def in_clear(self, stored_event: StoredEvent) -> bool:
        """Whether the event holds a natural person's name and INN unsealed, as events stored
        before sealing began do: no key's destruction erases those."""
        state = self._json(stored_event.state)
        return SEALED not in state and personal_holder(resolve_topic(stored_event.topic), state) is not None

    def _json(self, data: bytes) -> dict[str, Any]:
        if self.cipher:
            data = self.cipher.decrypt(data)
        if self.compressor:
            data = self.compressor.decompress(data)
        # raw_decode skips json.loads's encoding sniffing and whitespace checks: recounts call
        # this a million times, and the store holds exactly what `encode_state` wrote.
        state: dict[str, Any] = _DECODER.raw_decode(data.decode())[0]
        return state

    def state_decoder(self, topic: str) -> Callable[[bytes], dict[str, Any]]:
        """`decode_state` for events of one topic, costing nothing extra while it is at version 1."""
        event_class = _versioned_class(topic)
        if event_class is None:
            return self.decode_state

        def decode(data: bytes) -> dict[str, Any]:
            return upcast(event_class, self.decode_state(data))

        return decode


_UNSEEN: Any = object()


def _versioned_class(topic: str) -> type | None:
    event_class: type = resolve_topic(topic)
    return event_class if class_version(event_class) > 1 else None



def upcast(event_class: type, state: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored state up to `event_class`'s version, one `upcast_vN_vN+1` at a time."""
    version = state.pop("class_version", 1)
    while version < class_version(event_class):
        getattr(event_class, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    return state
