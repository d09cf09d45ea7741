"""Stages: which regional stages a federal stage waits for, and what each has promoted."""

# The @event decorator makes the event classes at runtime, where mypy cannot see them.
# mypy: disable-error-code="attr-defined"

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import ClassVar

from domain.aggregates import Contest
from domain.rules.stages import stage_slugs
from domain.spec.stages import RegionalStages
from projections.view import Handler, TableView, slug_of
from store.log import LoggedEvent

LINK = (
    "INSERT INTO stage_links (federal, stage, region, announced, received, sent, reason) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (federal, stage) DO UPDATE SET "
)


class StageView(TableView):
    """Each link keeps both ends' records: what the federal stage received (`received`), and
    what the regional stage recorded as promoted (`sent`) or why it was refused (`reason`).
    `projections.stage_queries` counts a stage promoted only when both ends agree."""

    name = "stages"
    tables: ClassVar[Mapping[str, str]] = {
        "stage_contests": "contest_id TEXT PRIMARY KEY, slug TEXT NOT NULL",
        "stage_links": (
            "federal TEXT NOT NULL, stage TEXT NOT NULL, region TEXT, "
            "announced INTEGER NOT NULL DEFAULT 0, received TEXT, sent TEXT, reason TEXT, "
            "PRIMARY KEY (federal, stage)"
        ),
    }

    def handlers(self) -> Mapping[type, Handler]:
        return {
            Contest.Announced: self._announced,
            Contest.PromotionReceived: self._received,
            Contest.Promoted: self._promoted,
            Contest.PromotionRefused: self._refused,
        }

    def _announced(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        slug, spec = logged.state["slug"], logged.state["spec"]
        cursor.execute("INSERT INTO stage_contests (contest_id, slug) VALUES (?, ?)",
                       (str(logged.originator_id), slug))
        if spec.get("regional_stages"):
            template = RegionalStages.model_validate(spec["regional_stages"])
            cursor.executemany(
                "INSERT INTO stage_links (federal, stage, region) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [(slug, stage, region) for region, stage in stage_slugs(template)],
            )
        if spec.get("promotion"):
            cursor.execute(LINK + "announced = 1", (
                spec["promotion"]["federal"], slug, spec.get("region"), 1, None, None, None))

    def _received(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        federal = slug_of(cursor, "stage_contests", logged.originator_id)
        state = logged.state
        cursor.execute(LINK + "received = excluded.received", (
            federal, state["stage"], state["region"], 1, json.dumps(state["references"]), None, None))

    def _promoted(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        stage = slug_of(cursor, "stage_contests", logged.originator_id)
        cursor.execute(LINK + "sent = excluded.sent", (
            logged.state["federal"], stage, None, 1, None, json.dumps(logged.state["references"]), None))

    def _refused(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        stage = slug_of(cursor, "stage_contests", logged.originator_id)
        cursor.execute(LINK + "reason = excluded.reason",
                       (logged.state["federal"], stage, None, 1, None, None, logged.state["reason"]))
