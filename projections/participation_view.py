"""The participation drive's view: submissions per day, region, municipality and kind (practice,
initiative, other), the municipal rosters, each contest's targets, the municipalities' reports
and the reviews recorded. Region totals come from the board."""

# The @event decorator makes the event classes at runtime, where mypy cannot see them.
# mypy: disable-error-code="attr-defined"

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from domain.aggregates import Contest, MunicipalRoster, Submission
from domain.aggregates.municipalities import MunicipalReport
from projections.view import Handler, TableView
from store.log import LoggedEvent


class ParticipationView(TableView):
    name = "participation"
    tables: ClassVar[Mapping[str, str]] = {
        "participation_contests": (
            "contest_id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, timezone TEXT NOT NULL, "
            "participation TEXT, kinds TEXT NOT NULL DEFAULT '{}'"
        ),
        # Day in the contest's timezone; municipality '' when the submission names none; kind is
        # the nomination's kind: practice, initiative, …
        "participation_days": (
            "slug TEXT NOT NULL, day TEXT NOT NULL, region TEXT NOT NULL, "
            "municipality TEXT NOT NULL, kind TEXT NOT NULL, submissions INTEGER NOT NULL, "
            "PRIMARY KEY (slug, region, municipality, kind, day)"
        ),
        # Drafts saved and not filed yet, as last revised: they count on the day they are filed.
        "participation_drafts": (
            "submission_id TEXT PRIMARY KEY, slug TEXT NOT NULL, region TEXT NOT NULL, "
            "municipality TEXT NOT NULL, nomination TEXT NOT NULL"
        ),
        "participation_reports": (
            "slug TEXT NOT NULL, oktmo TEXT NOT NULL, region TEXT NOT NULL, received TEXT NOT NULL, "
            "reference TEXT NOT NULL, PRIMARY KEY (slug, oktmo)"
        ),
        "participation_rosters": (
            "oktmo TEXT PRIMARY KEY, region TEXT NOT NULL, name TEXT NOT NULL"
        ),
        "participation_reviews": (
            "slug TEXT NOT NULL, moment TEXT NOT NULL, counted_to INTEGER NOT NULL, "
            "submissions INTEGER NOT NULL, report_by TEXT, laggards TEXT NOT NULL, "
            "missing_reports TEXT, PRIMARY KEY (slug, moment)"
        ),
    }

    def __init__(self) -> None:
        super().__init__()
        self._zones: dict[str, ZoneInfo] = {}
        self._kinds: dict[str, dict[str, str]] = {}

    def handlers(self) -> Mapping[type, Handler]:
        return {
            Contest.Announced: self._announced,
            Contest.ParticipationReviewed: self._reviewed,
            Submission.Submitted: self._submitted,
            Submission.Revised: self._revised,
            Submission.Filed: self._filed,
            MunicipalRoster.Listed: self._listed,
            MunicipalRoster.Revised: self._listed,
            MunicipalReport.Received: self._reported,
        }

    def _announced(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        spec = logged.state["spec"]
        drive = spec.get("participation")
        kinds = {n["code"]: n.get("kind", "practice")
                 for direction in spec["directions"] for n in direction["nominations"]}
        cursor.execute(
            "INSERT INTO participation_contests (contest_id, slug, timezone, participation, kinds) "
            "VALUES (?, ?, ?, ?, ?)",
            (str(logged.originator_id), logged.state["slug"], spec.get("timezone", "Europe/Moscow"),
             None if drive is None else json.dumps(drive, ensure_ascii=False), json.dumps(kinds)),
        )

    def _submitted(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        state = logged.state
        slug, applicant = state["contest"], state["applicant"]
        if state.get("draft"):
            cursor.execute(
                "INSERT OR REPLACE INTO participation_drafts (submission_id, slug, region, municipality, "
                "nomination) VALUES (?, ?, ?, ?, ?)",
                (str(logged.originator_id), slug, applicant["region"], applicant.get("municipality") or "",
                 state["nomination"]))
            return
        self._count(cursor, slug, state["timestamp"], applicant["region"],
                    applicant.get("municipality") or "", state["nomination"])

    def _revised(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        state = logged.state
        applicant = state["applicant"]
        cursor.execute(
            "UPDATE participation_drafts SET region = ?, municipality = ?, nomination = ? "
            "WHERE submission_id = ?",
            (applicant["region"], applicant.get("municipality") or "", state["nomination"],
             str(logged.originator_id)))

    def _filed(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        key = str(logged.originator_id)
        draft = cursor.execute(
            "SELECT slug, region, municipality, nomination FROM participation_drafts WHERE submission_id = ?",
            (key,)).fetchone()
        if draft is None:
            return
        cursor.execute("DELETE FROM participation_drafts WHERE submission_id = ?", (key,))
        slug, region, municipality, nomination = draft
        self._count(cursor, slug, logged.state["timestamp"], region, municipality, nomination)

    def _count(
        self, cursor: sqlite3.Cursor, slug: str, timestamp: str, region: str, municipality: str,
        nomination: str,
    ) -> None:
        cursor.execute(
            "INSERT INTO participation_days (slug, day, region, municipality, kind, submissions) "
            "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (slug, region, municipality, kind, day) "
            "DO UPDATE SET submissions = submissions + 1",
            (slug, self._local_day(cursor, slug, timestamp), region, municipality,
             self._kind(cursor, slug, nomination)),
        )

    def _kind(self, cursor: sqlite3.Cursor, slug: str, nomination: str) -> str:
        kinds = self._kinds.get(slug)
        if kinds is None:
            row = cursor.execute(
                "SELECT kinds FROM participation_contests WHERE slug = ?", (slug,)).fetchone()
            kinds = self._kinds[slug] = json.loads(row[0]) if row else {}
        return kinds.get(nomination, "")

    def _reported(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        state = logged.state
        cursor.execute(
            "INSERT OR REPLACE INTO participation_reports (slug, oktmo, region, received, reference) "
            "VALUES (?, ?, ?, ?, ?)",
            (state["contest"], state["oktmo"], state["region"], state["received"], state["reference"]))

    def _local_day(self, cursor: sqlite3.Cursor, slug: str, timestamp: str) -> str:
        zone = self._zones.get(slug)
        if zone is None:
            row = cursor.execute(
                "SELECT timezone FROM participation_contests WHERE slug = ?", (slug,)
            ).fetchone()
            zone = self._zones[slug] = ZoneInfo(row[0] if row else "Europe/Moscow")
        return datetime.fromisoformat(timestamp).astimezone(zone).date().isoformat()

    def _listed(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        region = logged.state["region"]
        cursor.execute("DELETE FROM participation_rosters WHERE region = ?", (region,))
        cursor.executemany(
            "INSERT INTO participation_rosters (oktmo, region, name) VALUES (?, ?, ?)",
            [(m["oktmo"], region, m["name"]) for m in logged.state["municipalities"]],
        )

    def _reviewed(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        state = logged.state
        row = cursor.execute(
            "SELECT slug FROM participation_contests WHERE contest_id = ?", (str(logged.originator_id),)
        ).fetchone()
        cursor.execute(
            "INSERT OR REPLACE INTO participation_reviews (slug, moment, counted_to, submissions, "
            "report_by, laggards, missing_reports) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row[0], state["moment"], state["counted_to"], state["submissions"], state["report_by"],
             json.dumps(state["laggards"], ensure_ascii=False),
             json.dumps(state.get("missing_reports"), ensure_ascii=False)),
        )
