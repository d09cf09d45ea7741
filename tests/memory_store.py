"""The library's in-memory (POPO) store, shared by name: the unit tier's store.

Each application on plain `eventsourcing.popo` gets an empty store of its own. Tests that open a
second application on "the same store" (another worker retrying an activity) name it in
`KONKURS_MEMORY_STORE`, and every application opened with that name shares one recorder.
"""

from __future__ import annotations

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

STORE_NAME = "KONKURS_MEMORY_STORE"
TOPIC = "tests.memory_store:SharedMemoryFactory"

_recorders: dict[str, POPOApplicationRecorder] = {}


class SharedMemoryFactory(POPOFactory):
    def application_recorder(self) -> ApplicationRecorder:
        name = self.env.get(STORE_NAME)
        if name is None:
            return super().application_recorder()
        if name not in _recorders:
            _recorders[name] = POPOApplicationRecorder()
        return _recorders[name]


def forget(name: str) -> None:
    _recorders.pop(name, None)
