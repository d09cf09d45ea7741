"""Results: the expert ranking and the declared places per nomination, with titles."""

# The @event decorator makes the event classes at runtime, where mypy cannot see them.
# mypy: disable-error-code="attr-defined"

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import ClassVar

from domain.aggregates import Contest, Submission
from domain.rules.judgement import short_of_reviews
from projections.view import Handler, TableView, slug_of
from store.log import LoggedEvent

KINDS = {"winners": "winner", "people_choice": "people_choice"}


def nominee_shown(nominee: Mapping[str, object] | None) -> str | None:
    """A personal nomination's person as results name them: «name, position»."""
    return f"{nominee['name']}, {nominee['position']}" if nominee else None


class ResultsView(TableView):
    name = "results"
    tables: ClassVar[Mapping[str, str]] = {
        "results_contests": (
            "slug TEXT PRIMARY KEY, contest_id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, "
            "judged INTEGER NOT NULL DEFAULT 0, declared INTEGER NOT NULL DEFAULT 0, "
            "published INTEGER NOT NULL DEFAULT 0, normalisation TEXT, "
            "sealed_position INTEGER, sealed_head TEXT"
        ),
        "results_nominations": (
            "slug TEXT NOT NULL, code TEXT NOT NULL, ordinal INTEGER NOT NULL, "
            "title TEXT NOT NULL, agreement REAL, under_reviewed TEXT NOT NULL DEFAULT '{}', "
            "PRIMARY KEY (slug, code)"
        ),
        "results_submissions": (
            "submission_id TEXT PRIMARY KEY, slug TEXT NOT NULL, reference TEXT NOT NULL, "
            "nomination TEXT NOT NULL, title TEXT NOT NULL, applicant TEXT NOT NULL, "
            "region TEXT NOT NULL, provenance TEXT, nominee TEXT, UNIQUE (slug, reference)"
        ),
        "results_rankings": (
            "slug TEXT NOT NULL, nomination TEXT NOT NULL, place INTEGER NOT NULL, "
            "reference TEXT NOT NULL, score REAL NOT NULL, reviews INTEGER NOT NULL, "
            "settled_by TEXT, shortlisted INTEGER NOT NULL, raw_score REAL, "
            "disagreement INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (slug, nomination, reference)"
        ),
        "results_leniency": (
            "slug TEXT NOT NULL, expert TEXT NOT NULL, offset REAL NOT NULL, "
            "PRIMARY KEY (slug, expert)"
        ),
        "results_standings": (
            "slug TEXT NOT NULL, kind TEXT NOT NULL, nomination TEXT NOT NULL, "
            "place INTEGER NOT NULL, reference TEXT NOT NULL, score REAL NOT NULL, "
            "votes INTEGER NOT NULL, PRIMARY KEY (slug, kind, nomination, reference)"
        ),
    }

    def handlers(self) -> Mapping[type, Handler]:
        return {
            Contest.Announced: self._announced,
            Submission.Submitted: self._submitted,
            Contest.JudgingConcluded: self._judged,
            Contest.ResultsDeclared: self._declared,
            Contest.ResultsPublished: self._published,
        }

    def _announced(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        slug, spec = logged.state["slug"], logged.state["spec"]
        cursor.execute(
            "INSERT INTO results_contests (slug, contest_id, title) VALUES (?, ?, ?)",
            (slug, str(logged.originator_id), spec["title"]),
        )
        nominations = [n for d in spec["directions"] for n in d["nominations"]]
        cursor.executemany(
            "INSERT INTO results_nominations (slug, code, ordinal, title) VALUES (?, ?, ?, ?)",
            [(slug, n["code"], i, n["title"]) for i, n in enumerate(nominations)],
        )

    def _submitted(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        state = logged.state
        cursor.execute(
            "INSERT INTO results_submissions (submission_id, slug, reference, nomination, title, "
            "applicant, region, provenance, nominee) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (str(logged.originator_id), state["contest"], state["reference"], state["nomination"],
             state["title"], state["applicant"]["name"], state["applicant"]["region"],
             json.dumps(state["provenance"]) if state.get("provenance") else None,
             nominee_shown(state.get("nominee"))),
        )

    def _judged(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        slug = slug_of(cursor, "results_contests", logged.originator_id)
        outcome = logged.state["outcome"]
        shortlist = {(n, ref) for n, refs in outcome["shortlist"].items() for ref in refs}
        cursor.execute("DELETE FROM results_rankings WHERE slug = ?", (slug,))
        cursor.executemany(
            "INSERT INTO results_rankings (slug, nomination, place, reference, score, reviews, "
            "settled_by, shortlisted, raw_score, disagreement) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (slug, r["nomination"], e["place"], e["reference"], e["score"], e["reviews"],
                 e["settled_by"], int((r["nomination"], e["reference"]) in shortlist),
                 e.get("raw_score"), int(e.get("disagreement", False)))
                for r in outcome["rankings"] for e in r["entries"]
            ],
        )
        cursor.executemany(
            "UPDATE results_nominations SET agreement = ?, under_reviewed = ? "
            "WHERE slug = ? AND code = ?",
            [(r.get("agreement"),
              json.dumps(short_of_reviews(r.get("unreviewed", []), r.get("under_reviewed", {}))),
              slug, r["nomination"]) for r in outcome["rankings"]],
        )
        cursor.execute("DELETE FROM results_leniency WHERE slug = ?", (slug,))
        cursor.executemany(
            "INSERT INTO results_leniency (slug, expert, offset) VALUES (?, ?, ?)",
            [(slug, expert, offset) for expert, offset in outcome.get("leniency", {}).items()],
        )
        cursor.execute("UPDATE results_contests SET judged = 1, normalisation = ? WHERE slug = ?",
                       (outcome.get("normalisation"), slug))

    def _declared(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        slug = slug_of(cursor, "results_contests", logged.originator_id)
        results = logged.state["results"]
        cursor.execute("DELETE FROM results_standings WHERE slug = ?", (slug,))
        cursor.executemany(
            "INSERT INTO results_standings (slug, kind, nomination, place, reference, score, "
            "votes) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (slug, kind, s["nomination"], s["place"], s["reference"], s["score"], s["votes"])
                for field, kind in KINDS.items() for s in results.get(field, [])
            ],
        )
        cursor.execute("UPDATE results_contests SET declared = 1 WHERE slug = ?", (slug,))

    def _published(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        seal = logged.state.get("seal") or {}
        cursor.execute(
            "UPDATE results_contests SET published = 1, sealed_position = ?, sealed_head = ? "
            "WHERE contest_id = ?",
            (seal.get("chain_position"), seal.get("chain_head"), str(logged.originator_id)),
        )
