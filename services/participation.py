"""The participation drive's commands: municipal rosters from reference data, municipalities'
written reports, and the scheduled review that records which regions lag behind their targets,
which of their municipalities have posted nothing, and whose reports are still missing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.access import require_roster_import
from domain.aggregates import Contest, Submission
from domain.aggregates.municipalities import (
    Municipality,
    MunicipalReport,
    MunicipalRoster,
    report_id,
    roster_id,
)
from domain.commands.contest import ReviewParticipation
from domain.commands.order import CommandResult
from domain.commands.participation import RecordMunicipalReports, ReportsRecorded
from domain.commands.registry import ImportMunicipalities, RosterImport
from domain.errors import InputFileError, InvalidCommand, KonkursError, ReportAlreadyRecorded
from domain.regions import REGION_CODES
from domain.rules.participation import (
    MunicipalityList,
    RegionTally,
    entry_kinds,
    laggards,
    league,
    missing_reports,
    region_rule,
    report_deadline,
    silent_municipalities,
)
from domain.spec import ContestSpec
from services.drafts import filed_drafts
from store.application import StoreApplication
from store.log import collector_paused, topic_of

ROSTER_EVENTS = (MunicipalRoster.Listed, MunicipalRoster.Revised)
MEASURE_OF_KIND = {"practice": "practices", "initiative": "initiatives"}  # nomination kind → count


class ParticipationService:
    """Municipal rosters and the participation drive's reviews."""

    def __init__(self, store: StoreApplication) -> None:
        self.store = store

    def import_municipalities(self, order: ImportMunicipalities) -> RosterImport:
        """Each region named in the file gets the file's list as its whole roster; a region whose
        roster is unchanged writes nothing. The whole file is checked before anything is saved."""
        rows = order.rows
        listed: dict[str, list[Municipality]] = defaultdict(list)
        seen: dict[str, str] = {}
        for where, row in rows:
            if row.region not in REGION_CODES:
                raise InputFileError(f"{where}: unknown region code {row.region!r}")
            if row.oktmo in seen:
                raise InputFileError(f"{where}: OKTMO code {row.oktmo} is listed twice "
                                     f"(first at {seen[row.oktmo]})")
            seen[row.oktmo] = where
            listed[row.region].append(Municipality(oktmo=row.oktmo, name=row.name))
        require_roster_import(order.actor, listed)
        changed: list[MunicipalRoster] = []
        for region, municipalities in sorted(listed.items()):
            roster = self.municipal_roster(region)
            if roster is None:
                changed.append(MunicipalRoster(region=region, municipalities=municipalities))
            elif roster.differs_from(municipalities):
                roster.revise(municipalities)
                changed.append(roster)
        try:
            self.store.save(*changed, actor=order.actor)
        except IntegrityError:
            raise KonkursError("rosters were imported concurrently by another writer; nothing was "
                               "saved, run the import again") from None
        return RosterImport(municipalities=len(seen), regions=len(listed),
                            written=[roster.region for roster in changed])

    def municipal_roster(self, region: str) -> MunicipalRoster | None:
        roster: MunicipalRoster | None = self.store.existing(roster_id(region))
        return roster

    def rosters(self, stop: int | None = None) -> dict[str, dict[str, str]]:
        """Region → OKTMO code → name, as the log stands at `stop`."""
        rosters: dict[str, dict[str, str]] = {}
        for logged in self.store.read_log([topic_of(c) for c in ROSTER_EVENTS], stop=stop):
            rosters[logged.state["region"]] = {m["oktmo"]: m["name"] for m in logged.state["municipalities"]}
        return rosters

    def roster_sizes(self, stop: int | None = None) -> dict[str, int]:
        """Region → municipalities on its roster, as the log stands at `stop`."""
        return {region: len(roster) for region, roster in self.rosters(stop).items()}

    def _count(self, spec: ContestSpec, stop: int | None) -> _Counted:
        """Every submission filed by `stop`, withdrawn ones included. The lean read counts those
        filed on arrival; drafts, rare, take a second pass: they count once filed, as last revised."""
        kinds = entry_kinds(spec)
        counted = _Counted()

        def add(form: dict[str, Any]) -> None:
            applicant = form["applicant"]
            counted.add(applicant["region"], applicant.get("municipality") or "",
                        kinds.get(form["nomination"], ""))

        drafts = False
        with collector_paused():
            for _, state in self.store.read_states(topic_of(Submission.Submitted), stop=stop):
                if state["contest"] == spec.slug:
                    if state.get("draft"):
                        drafts = True
                    else:
                        add(state)
            if drafts:
                for form in filed_drafts(self.store, spec.slug, stop):
                    add(form)
        return counted

    def review_participation(self, order: ReviewParticipation) -> CommandResult:
        """Record which regions are below target at `moment`, counting the log as it stands, with
        each lagging region's silent municipalities; after `report_by`, the reports missing."""
        slug, moment, command_id = order.slug, order.moment, order.command_id
        def act(contest: Contest) -> Iterable[Any]:
            contest.require_operator(order.actor, "review participation")
            spec = contest.spec
            drive = spec.participation
            if drive is None:
                raise InvalidCommand(f"contest {slug} has no participation drive to review")
            stop = self.store.head_position()
            counted = self._count(spec, stop)
            rosters = self.rosters(stop)
            tallies = counted.tallies({region: len(roster) for region, roster in rosters.items()})
            standings = league(drive, tallies, spec.eligibility.regions or REGION_CODES)
            behind = [
                lag.model_copy(update={"silent": silent_municipalities(
                    lag.code, rosters[lag.code],
                    counted.posting_in(lag.code, region_rule(drive, lag.code).counts),
                )}) if lag.code in rosters else lag
                for lag in laggards(standings)
            ]
            deadline = report_deadline(spec, contest.plan)
            chased = None
            if deadline is not None and moment >= deadline:  # report_by's day is over
                chased = self.missing_reports(contest.id, slug, deadline, rosters, stop)
            contest.record_participation_review(
                moment=moment, counted_to=stop, report_by=deadline,
                submissions=sum(s.submissions for s in standings), laggards=behind,
                command_id=command_id, missing_reports=chased,
            )
            return ()

        return self.store.run_contest_command(slug, command_id, order.actor, act)

    def missing_reports(
        self, contest: UUID, slug: str, deadline: datetime, rosters: dict[str, dict[str, str]],
        stop: int | None = None,
    ) -> list[MunicipalityList]:
        """The municipalities asked to report that have not: every municipality on the roster of a
        region that a review up to `report_by` found lagging (it was written to), less those whose
        report is recorded."""
        asked: set[str] = set()
        for logged in self.store.read_log([topic_of(Contest.ParticipationReviewed)], stop=stop):
            if logged.originator_id == contest and datetime.fromisoformat(logged.state["moment"]) < deadline:
                asked.update(lag["code"] for lag in logged.state["laggards"])
        owing = {region: rosters[region] for region in asked if region in rosters}
        return missing_reports(owing, self.reported(slug, stop))

    def reported(self, slug: str, stop: int | None = None) -> set[str]:
        """OKTMO codes of the municipalities whose report for contest `slug` is recorded."""
        return {logged.state["oktmo"]
                for logged in self.store.contest_events(slug, [MunicipalReport.Received], stop=stop)}

    def record_reports(self, order: RecordMunicipalReports) -> ReportsRecorded:
        """Record municipalities' written reports; all are checked before any is saved. A report
        already recorded with the same date and reference is left as it is."""
        contest = self.store.get_contest(order.slug)
        contest.require_operator(order.actor, "record municipal reports")
        if contest.spec.participation is None or contest.spec.participation.report_by is None:
            raise InvalidCommand(f"contest {order.slug} asks for no reports: its spec has no "
                                 "participation.report_by")
        region_of = {code: region for region, roster in self.rosters().items() for code in roster}
        new: list[MunicipalReport] = []
        unchanged = 0
        seen: dict[str, str] = {}
        for where, row in order.rows:
            region = region_of.get(row.oktmo)
            if region is None:
                raise InputFileError(f"{where}: unknown municipality {row.oktmo}: no imported roster lists "
                                     "it (konkurs import municipalities)")
            if row.oktmo in seen:
                raise InputFileError(f"{where}: municipality {row.oktmo} is listed twice "
                                     f"(first at {seen[row.oktmo]})")
            seen[row.oktmo] = where
            recorded: MunicipalReport | None = self.store.existing(report_id(order.slug, row.oktmo))
            if recorded is None:
                new.append(MunicipalReport(contest=order.slug, region=region, oktmo=row.oktmo,
                                           received=row.received, reference=row.reference))
            elif (recorded.received, recorded.reference) == (row.received, row.reference):
                unchanged += 1
            else:
                reference = f" ({recorded.reference})" if recorded.reference else ""
                raise ReportAlreadyRecorded(
                    f"{where}: municipality {row.oktmo} has a report recorded already, "
                    f"received {recorded.received:%d.%m.%Y}{reference}")
        self.store.save_batch(new, "municipal reports", order.actor)
        return ReportsRecorded(recorded=len(new), unchanged=unchanged,
                               regions=sorted({report.region for report in new}))


class _Counted:
    """One pass over a contest's submissions: counts by region and kind, and who posted what."""

    def __init__(self) -> None:
        self.submissions: dict[str, int] = defaultdict(int)
        self.by_kind: dict[tuple[str, str], int] = defaultdict(int)
        self.posting: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, region: str, municipality: str, kind: str) -> None:
        self.submissions[region] += 1
        self.by_kind[region, kind] += 1
        if municipality:
            self.posting[region, "submissions"].add(municipality)
            if kind in MEASURE_OF_KIND:
                self.posting[region, MEASURE_OF_KIND[kind]].add(municipality)

    def posting_in(self, region: str, measure: str) -> set[str]:
        return self.posting.get((region, measure), set())

    def tallies(self, sizes: dict[str, int]) -> dict[str, RegionTally]:
        return {
            region: RegionTally(
                self.submissions.get(region, 0), len(self.posting_in(region, "submissions")),
                sizes.get(region, 0), self.by_kind.get((region, "practice"), 0),
                self.by_kind.get((region, "initiative"), 0))
            for region in set(self.submissions) | set(sizes)
        }
