"""What each event sends, to whom: letters as (recipient, template, context), rendered into the outbox.

Only events' facts and the contest's own records are read; no address. The recipient is a
`(kind, key)` of the address book, looked up when the message is sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.aggregates import Submission
from domain.contract import PublicEvent
from domain.ids import submission_id
from domain.phases import Phase
from domain.regions import region_name
from domain.rules.russian_reasons import in_russian
from domain.russian_dates import russian_date, russian_deadline, russian_until
from domain.spec import ContestSpec
from konkurs.mail import outbox
from konkurs.mail.templates import Templates
from services.konkurs import Konkurs

EVENTS = ("announcement.issued", "judging.assigned", "judging.experts_reminded", "submission.submitted",
          "submission.filed", "submission.admitted", "submission.rejected", "contest.results_published",
          "contest.participation_reviewed")


@dataclass(frozen=True)
class Letter:
    kind: str
    key: str
    template: str
    context: dict[str, Any]


class Composer:
    def __init__(self, konkurs: Konkurs, templates: Templates, domain: str) -> None:
        self.konkurs = konkurs
        self.store = konkurs.store
        self.templates = templates
        self.domain = domain
        self._specs: dict[str, ContestSpec] = {}
        self._compose: dict[str, Callable[[PublicEvent], list[Letter]]] = {
            "announcement.issued": self._announcement, "judging.assigned": self._assignments,
            "judging.experts_reminded": self._reminders, "submission.submitted": self._submitted,
            "submission.filed": self._filed, "submission.admitted": self._screened,
            "submission.rejected": self._screened, "contest.results_published": self._results,
            "contest.participation_reviewed": self._participation,
        }

    def letters(self, event: PublicEvent) -> list[Letter]:
        compose = self._compose.get(event.name)
        return [] if compose is None or event.contest is None else compose(event)

    def messages(self, event: PublicEvent) -> list[outbox.Message]:
        rendered = []
        for seq, letter in enumerate(self.letters(event)):
            text = self.templates.render(letter.template, letter.context)
            rendered.append(outbox.Message(
                message_id=outbox.message_id(event.position, seq, self.domain), position=event.position,
                seq=seq, contest=event.contest, event=event.name, kind=letter.kind, key=letter.key,
                subject=text.subject, body=text.body))
        return rendered

    def __call__(self, cursor: sqlite3.Cursor, event: PublicEvent) -> None:
        """The mailer's view handler: the event's messages go in with the mailer's position."""
        outbox.insert(cursor, self.messages(event))

    def _spec(self, slug: str) -> tuple[ContestSpec, dict[str, Any]]:
        # A contest's spec never changes once announced: read it once per mailer.
        if slug not in self._specs:
            self._specs[slug] = self.store.get_contest(slug).spec
        spec = self._specs[slug]
        return spec, {"contest": spec.title}

    def _announcement(self, event: PublicEvent) -> list[Letter]:
        data = event.data
        addressee, given = data["addressee"], data.get("particulars") or {}
        dated = given.get("dated")
        particulars = {"sender": given.get("sender"), "number": given.get("number"),
                       "dated": russian_date(date.fromisoformat(dated)) if dated else None,
                       "signatory": given.get("signatory")}
        return [Letter("authority", addressee.get("region") or addressee["name"], "announcement", {
            "subject": data["subject"], "text": data["text"], "particulars": particulars,
            "region": region_name(addressee.get("region")) or addressee["name"]})]

    def _assignments(self, event: PublicEvent) -> list[Letter]:
        contest = self.store.get_contest(event.contest or "")
        spec, common = self._spec(contest.slug)
        judging = self.store.existing(event.aggregate_id)
        titles = {n.code: n.title for n in spec.nominations}
        window = next((w for w in contest.plan.windows if w.phase == Phase.JUDGING), None)
        zone = ZoneInfo(spec.timezone)
        deadline = russian_until(window.closes_at, zone) if window else None
        by_expert: dict[str, list[str]] = {}
        for pair in event.data["pairs"]:
            by_expert.setdefault(pair["expert"], []).append(pair["submission"])
        return [Letter("expert", expert, "assignment", {
            **common, "expert": expert, "nomination": titles.get(judging.nomination, judging.nomination),
            "submissions": self._titled(contest.slug, references), "deadline": deadline})
            for expert, references in sorted(by_expert.items())]

    def _reminders(self, event: PublicEvent) -> list[Letter]:
        slug = event.contest or ""
        spec, common = self._spec(slug)
        deadline = russian_until(datetime.fromisoformat(event.data["closes_at"]), ZoneInfo(spec.timezone))
        return [Letter("expert", reminder["expert"], "reminder", {
            **common, "expert": reminder["expert"], "deadline": deadline,
            "cards": self._titled(slug, reminder["open_cards"])})
            for reminder in sorted(event.data["reminders"], key=lambda r: r["expert"])]

    def _titled(self, slug: str, references: list[str]) -> list[dict[str, str]]:
        found = [(ref, self.store.existing(submission_id(slug, ref))) for ref in sorted(references)]
        return [{"reference": ref, "title": submission.title if submission else ""}
                for ref, submission in found]

    def _about(self, submission: Submission) -> tuple[ContestSpec, dict[str, Any]]:
        spec, common = self._spec(submission.contest)
        titles = {n.code: n.title for n in spec.nominations}
        return spec, {**common, "reference": submission.reference, "title": submission.title,
                         "nomination": titles.get(submission.nomination, submission.nomination),
                         "applicant": submission.applicant.name}

    def _applicant(self, submission: Submission, template: str, **more: Any) -> Letter:
        _, context = self._about(submission)
        key = f"{submission.contest}/{submission.reference}"
        return Letter("applicant", key, template, {**context, **more})

    def _submitted(self, event: PublicEvent) -> list[Letter]:
        return [] if event.data.get("draft") else self._filed(event)

    def _filed(self, event: PublicEvent) -> list[Letter]:
        submission: Submission = self.store.existing(event.aggregate_id)
        zone = ZoneInfo(self._spec(submission.contest)[0].timezone)
        return [self._applicant(submission, "receipt",
                                received=russian_date(event.timestamp.astimezone(zone).date()))]

    def _screened(self, event: PublicEvent) -> list[Letter]:
        submission: Submission = self.store.existing(event.aggregate_id)
        if event.name == "submission.admitted":
            return [self._applicant(submission, "admitted")]
        return [self._applicant(submission, "rejected", reason=in_russian(event.data["reason"]))]

    def _results(self, event: PublicEvent) -> list[Letter]:
        contest = self.store.get_contest(event.contest or "")
        results = contest.results
        winners = {(s.nomination, s.reference): s for s in (results.winners if results else [])}
        zone = ZoneInfo(contest.spec.timezone)
        published = russian_date(event.timestamp.astimezone(zone).date())
        letters = []
        for entry in sorted(self.konkurs.reads.admitted(contest.slug), key=lambda e: e.reference):
            submission: Submission = self.store.existing(submission_id(contest.slug, entry.reference))
            won = winners.get((entry.nomination, entry.reference))
            letters.append(self._applicant(submission, "result", winner=won is not None,
                                           place=won.place if won else None, published=published))
        return letters

    def _participation(self, event: PublicEvent) -> list[Letter]:
        spec, common = self._spec(event.contest or "")
        data, zone = event.data, ZoneInfo(spec.timezone)
        reviewed = russian_date(datetime.fromisoformat(data["moment"]).astimezone(zone).date())
        letters = [Letter("coordinator", region["code"], "chase_region", {
            **common, "region": region["name"] or region_name(region["code"]) or region["code"],
            "submissions": region["submissions"], "target": region["target"],
            "percent": region["percent_of_target"], "taking_part": region["taking_part"],
            "municipalities": region["municipalities"], "reviewed": reviewed,
            "silent": (region.get("silent") or {}).get("count", 0)})
            for region in data["laggards"]]
        report_by = data.get("report_by")
        due = russian_deadline(datetime.fromisoformat(report_by), zone) if report_by else ""
        for missing in data.get("missing_reports") or []:
            region = missing.get("name") or region_name(missing["region"]) or missing["region"]
            letters += [Letter("municipality", named["oktmo"], "report_missing", {
                **common, "municipality": named["name"], "oktmo": named["oktmo"], "region": region,
                "report_by": due}) for named in missing.get("named", [])]
            letters.append(Letter("coordinator", missing["region"], "reports_missing_region", {
                **common, "region": region, "count": missing["count"], "named": missing.get("named", []),
                "report_by": due}))
        return letters
