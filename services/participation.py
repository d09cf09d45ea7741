"""The participation drive's commands: municipal rosters from reference data, and the scheduled
review that records which regions lag behind their targets."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.access import require_roster_import
from domain.aggregates import Contest, Submission
from domain.aggregates.municipalities import Municipality, MunicipalRoster, roster_id
from domain.commands.contest import ReviewParticipation
from domain.commands.order import CommandResult
from domain.commands.registry import ImportMunicipalities, RosterImport
from domain.errors import InputFileError, InvalidCommand, KonkursError
from domain.regions import REGION_CODES
from domain.rules.participation import RegionTally, laggards, league, report_deadline
from store.application import StoreApplication
from store.log import collector_paused, topic_of

ROSTER_EVENTS = (MunicipalRoster.Listed, MunicipalRoster.Revised)


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

    def roster_sizes(self, stop: int | None = None) -> dict[str, int]:
        """Region → municipalities on its roster, as the log stands at `stop`."""
        sizes: dict[str, int] = {}
        for logged in self.store.read_log([topic_of(c) for c in ROSTER_EVENTS], stop=stop):
            sizes[logged.state["region"]] = len(logged.state["municipalities"])
        return sizes

    def region_tallies(self, slug: str, stop: int | None = None) -> dict[str, RegionTally]:
        """Submissions and municipalities taking part per region, from the log up to `stop`."""
        submissions: dict[str, int] = defaultdict(int)
        taking_part: dict[str, set[str]] = defaultdict(set)
        with collector_paused():
            for _, state in self.store.read_states(topic_of(Submission.Submitted), stop=stop):
                if state["contest"] != slug:
                    continue
                applicant = state["applicant"]
                submissions[applicant["region"]] += 1
                if applicant.get("municipality"):
                    taking_part[applicant["region"]].add(applicant["municipality"])
        sizes = self.roster_sizes(stop)
        return {
            region: RegionTally(submissions[region], len(taking_part[region]), sizes.get(region, 0))
            for region in set(submissions) | set(sizes)
        }

    def review_participation(self, order: ReviewParticipation) -> CommandResult:
        """Record which regions are below target at `moment`, counting the log as it stands."""
        slug, moment, command_id = order.slug, order.moment, order.command_id
        def act(contest: Contest) -> Iterable[Any]:
            contest.require_operator(order.actor, "review participation")
            spec = contest.spec
            if spec.participation is None:
                raise InvalidCommand(f"contest {slug} has no participation drive to review")
            stop = self.store.head_position()
            tallies = self.region_tallies(slug, stop)
            standings = league(spec.participation, tallies, spec.eligibility.regions or REGION_CODES)
            contest.record_participation_review(
                moment=moment, counted_to=stop, report_by=report_deadline(spec),
                submissions=sum(s.submissions for s in standings), laggards=laggards(standings),
                command_id=command_id,
            )
            return ()

        return self.store.run_contest_command(slug, command_id, order.actor, act)

