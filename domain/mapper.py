"""Stores pydantic events as JSON, and reads them back through their models."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

_ENVELOPE = {"originator_id", "originator_version"}
_DECODER = json.JSONDecoder()


class PydanticMapper(Mapper[UUID]):
    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        assert isinstance(domain_event, BaseModel)
        state = domain_event.model_dump(mode="json", exclude=_ENVELOPE)
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
        state = self.decode_state(stored_event.state)
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        return event_class.model_validate(state)

    def decode_state(self, data: bytes) -> dict[str, Any]:
        if self.cipher:
            data = self.cipher.decrypt(data)
        if self.compressor:
            data = self.compressor.decompress(data)
        # raw_decode skips json.loads's encoding sniffing and whitespace checks: recounts call
        # this a million times, and the store holds exactly what `encode_state` wrote.
        state: dict[str, Any] = _DECODER.raw_decode(data.decode())[0]
        return state
