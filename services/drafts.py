"""Drafts in the log: a draft is saved (`Submitted` with `draft`), revised, and counts as an
entry only from the event that files it, in the form of its last revision."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from domain.aggregates import Submission
from store.application import StoreApplication
from store.log import topic_of

FORM_FIELDS = ("nomination", "title", "applicant", "summary", "conditions", "nominee")
"""What a revision of a draft may change."""

DRAFT_TOPICS = tuple(topic_of(c) for c in (Submission.Submitted, Submission.Revised, Submission.Filed))
_SUBMITTED, _REVISED, _FILED = DRAFT_TOPICS


class PendingDrafts:
    """One contest's drafts not filed yet, fed its submissions' events in log order."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.forms: dict[UUID, dict[str, Any]] = {}

    def take(self, topic: str, originator: UUID, state: dict[str, Any]) -> dict[str, Any] | None:
        """The draft's form as filed when this event files it, else None."""
        if topic == _SUBMITTED:
            if state["contest"] == self.slug and state.get("draft"):
                self.forms[originator] = dict(state)
        elif topic == _REVISED:
            if originator in self.forms:
                self.forms[originator].update({name: state[name] for name in FORM_FIELDS})
        elif topic == _FILED:
            return self.forms.pop(originator, None)
        return None


def filed_drafts(store: StoreApplication, slug: str, stop: int | None = None) -> Iterator[dict[str, Any]]:
    """The forms of the contest's drafts filed by `stop`, in filing order, withdrawn ones included."""
    pending = PendingDrafts(slug)
    for logged in store.read_log(DRAFT_TOPICS, stop=stop):
        form = pending.take(logged.topic, logged.originator_id, logged.state)
        if form is not None:
            yield form
