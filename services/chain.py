"""Keeping the hash chain: links stored beside the log, so each extension hashes only new events."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property

from domain.outcomes import Seal
from domain.rules.chain import ChainBreak, ChainRow, first_break, intact, link_rows
from domain.rules.version import RULES_VERSION
from domain.spec import ContestSpec
from services.fingerprints import rules_code
from store.application import StoreApplication
from store.chain_links import ChainHead, LinkTable, chain_pages


class Chain:
    """`extend` links the events recorded since the last link; `verify` rechecks them all."""

    def __init__(self, store: StoreApplication,
                 on_seal: Callable[[ChainHead], object] | None = None) -> None:
        """`on_seal` hears each head a results event is sealed with (the deployment publishes it
        signed, `services/checkpoints.py`)."""
        self.store = store
        self.on_seal = on_seal

    @cached_property
    def _links(self) -> LinkTable:
        """Made once per process: making it creates the table if it is missing."""
        return LinkTable(self.store.dialect)

    def extend(self) -> ChainHead:
        head = self._links.head()
        for page in chain_pages(self.store.reader, head.position + 1):
            made = list(link_rows(head.link, page))
            self._links.append(made)
            head = ChainHead(*made[-1])
        return head

    def seal(self, spec: ContestSpec) -> Seal:
        """What a results event records: the chain as it stands, the spec and the rule version."""
        head = self.extend()
        if self.on_seal is not None:
            self.on_seal(head)
        return Seal(chain_position=head.position, chain_head=head.hex, spec_hash=spec.fingerprint(),
                    rules_version=RULES_VERSION, rules_code=rules_code())

    def link(self, position: int) -> bytes | None:
        return self._links.at(position)

    def verify(self) -> ChainBreak | None:
        """Extend, then walk the whole log against the stored links. The walk streams both;
        only a log that fails it is walked again with every link at hand, to say what broke."""
        self.extend()
        if intact(self.rows(), (link for page in self._links.pages() for link in page)):
            return None
        return first_break(self.rows(), self._links.all())

    def rows(self) -> Iterator[ChainRow]:
        """The whole log in order, each event as the chain hashes it."""
        for page in chain_pages(self.store.reader, 1):
            yield from page
