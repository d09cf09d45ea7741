"""Judging commands: the roster, assignment with conflict checks, recusal, reminders, and the
conclusion of one nomination. Each writes its events in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.access import Stage, require_recusal
from domain.aggregates import Expert, ExpertProfile, Judging, Pair, Reminder
from domain.aggregates.expert import expert_id
from domain.commands.judging import ConcludeNomination, EnrollExperts, Reassigned, Recuse, RemindExperts
from domain.commands.order import Command, CommandResult, ContestOrder, Recorded
from domain.errors import InvalidCommand, KonkursError, UnknownSubmission
from domain.phases import Phase
from domain.regions import REGION_CODES
from domain.rules.assignment import plan_assignments
from domain.rules.panels import panel_for
from domain.spec import ContestSpec
from services.judging_reads import AdmittedEntry, JudgingReads, as_entry, as_reviewer
from store.application import StoreApplication


class JudgingService:
    """The roster, assignment with conflict checks, recusal, reminders, a nomination's ranking."""

    def __init__(self, store: StoreApplication, reads: JudgingReads) -> None:
        self.store = store
        self.reads = reads

    def enroll_experts(self, order: EnrollExperts) -> Recorded:
        """Add or update experts on the roster; the whole file or nothing."""
        slug, profiles = order.slug, order.profiles
        contest = self.store.get_contest(slug)
        contest.require_operator(order.actor, "enroll experts")
        contest.check_still_running()
        codes = {d.code for d in contest.spec.directions} | {n.code for n in contest.spec.nominations}
        batch: dict[Any, Expert] = {}
        for where, profile in profiles:
            unknown = [code for code in profile.directions if code not in codes]
            if unknown:
                raise KonkursError(f"{where}: unknown direction or nomination {unknown[0]!r}")
            if profile.region not in REGION_CODES:
                raise KonkursError(f"{where}: unknown region code {profile.region!r}")
            key = expert_id(slug, profile.id)
            if key in batch:
                raise KonkursError(f"{where}: expert {profile.id} appears twice in this file")
            expert = self.store.existing(key)
            if expert is None:
                expert = Expert(contest=slug, profile=profile)
            else:
                expert.update(profile)
            batch[key] = expert
        self.store.save(*batch.values(), actor=order.actor)
        return Recorded(recorded=len(batch))

    def assign_experts(self, order: ContestOrder) -> CommandResult:
        """Top every admitted submission up to the spec's number of reviewers."""
        slug, command_id = order.slug, order.command_id
        contest = self.store.get_contest(slug)
        contest.require_operator(order.actor, "assign experts")
        contest.check_phase(Phase.JUDGING, "assigning experts")
        spec = contest.spec
        judgings = self.reads.judgings(spec)
        if judgings and all(j.has_applied(command_id) for j in judgings.values()):
            return CommandResult(applied=False)
        roster, seed = self.reads.roster(slug), self.reads.lottery_seed(spec)
        by_nomination = _by_nomination(self.reads.admitted(slug))
        load = Counter[str]()
        for judging in judgings.values():
            load.update(judging.load())
        changed = []
        for nomination in spec.nominations:
            code = nomination.code
            judging = judgings.get(code) or Judging(contest=slug, nomination=code, seed=seed)
            if judging.has_applied(command_id):
                continue
            entries = by_nomination.get(code, [])
            pairs = self._top_up(spec, judging, entries, roster, load, command_id)
            load.update(p.expert for p in pairs)
            changed.append(judging)
        return self._save_or_retry(changed, order, lambda: self.assign_experts(order))

    def recuse(self, order: Recuse) -> Reassigned:
        """Record a recusal and reassign the submission; answers with the new reviewers."""
        slug, submission, expert, reason = order.slug, order.submission, order.expert, order.reason
        contest = self.store.get_contest(slug)
        spec = contest.spec
        require_recusal(order.actor, Stage.of(spec), expert)
        contest.check_phase(Phase.JUDGING, "recusal")
        entry = next((e for e in self.reads.admitted(slug) if e.reference == submission), None)
        if entry is None:
            raise UnknownSubmission(f"no admitted submission {submission!r} in contest {slug}")
        judgings = self.reads.judgings(spec)
        judging = judgings.get(entry.nomination)
        if judging is None:
            raise InvalidCommand(f"experts are not assigned in {entry.nomination} yet")
        judging.recuse(submission, expert, reason)
        load = Counter[str]()
        for other in judgings.values():
            load.update(other.load())
        command_id = f"recuse:{submission}:{expert}:{judging.version}"
        pairs = self._top_up(spec, judging, [entry], self.reads.roster(slug), load, command_id)
        try:
            self.store.save(judging, actor=order.actor)
        except IntegrityError:
            return self.recuse(order)
        return Reassigned(experts=[p.expert for p in pairs])

    def _top_up(
        self, spec: ContestSpec, judging: Judging, entries: list[AdmittedEntry],
        roster: list[ExpertProfile], load: Counter[str], command_id: str,
    ) -> list[Pair]:
        panel = panel_for(spec, judging.nomination, roster)
        # The planner counts the load of the entries it plans; everything else comes in `load`.
        own = Counter(e for entry in entries for e in judging.assigned.get(entry.reference, []))
        plan = plan_assignments(
            [as_entry(e) for e in entries], [as_reviewer(p) for p in panel],
            spec.judging.reviewers_per_submission, judging.seed,
            exclude_own_region=spec.judging.exclude_own_region,
            existing=judging.assigned, barred=judging.recused,
            load={expert: count - own.get(expert, 0) for expert, count in load.items()},
        )
        pairs = [Pair(submission=s, expert=e) for s, e in plan.pairs]
        judging.assign(pairs=pairs, conflicts=plan.conflicts, shortfalls=plan.shortfalls,
                       command_id=command_id)
        return pairs

    def remind_experts(self, order: RemindExperts) -> CommandResult:
        slug, nomination, command_id = order.slug, order.nomination, order.command_id
        contest = self.store.get_contest(slug)
        contest.require_operator(order.actor, "remind experts")
        spec = contest.spec
        judging = self.reads.judgings(spec).get(nomination)
        if judging is None or judging.has_applied(command_id):
            return CommandResult(applied=False)
        cards, _ = self.reads.counted_scorecards(slug, self.store.head_position())
        open_cards: dict[str, list[str]] = {}
        for submission, experts in sorted(judging.assigned.items()):
            for expert in experts:
                if expert not in cards.get(submission, {}):
                    open_cards.setdefault(expert, []).append(submission)
        judging.remind(closes_at=order.closes_at.isoformat(), command_id=command_id, reminders=[
            Reminder(expert=expert, open_cards=refs) for expert, refs in sorted(open_cards.items())
        ])
        return self._save_or_retry([judging], order, lambda: self.remind_experts(order))

    def conclude_nomination(self, order: ConcludeNomination) -> CommandResult:
        slug, nomination, command_id = order.slug, order.nomination, order.command_id
        contest = self.store.get_contest(slug)
        contest.require_operator(order.actor, "conclude judging")
        spec = contest.spec
        closed_at = self.store.closed_at(slug, Phase.JUDGING)
        judging = self.reads.judgings(spec).get(nomination) or Judging(
            contest=slug, nomination=nomination, seed=self.reads.lottery_seed(spec))
        if judging.has_applied(command_id):
            return CommandResult(applied=False)
        rankings, _, _ = self.reads.rank_nominations(spec, closed_at, [nomination])
        judging.conclude(ranking=rankings[0], command_id=command_id)
        return self._save_or_retry([judging], order, lambda: self.conclude_nomination(order))

    def _save_or_retry(
        self, aggregates: list[Any], order: Command, again: Callable[[], CommandResult]
    ) -> CommandResult:
        """Save, or on a concurrent writer's conflict run the whole command again."""
        try:
            self.store.save(*aggregates, actor=order.actor)
        except IntegrityError:
            return again()
        return CommandResult(applied=True)


def _by_nomination(entries: list[AdmittedEntry]) -> dict[str, list[AdmittedEntry]]:
    grouped: dict[str, list[AdmittedEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.nomination, []).append(entry)
    return grouped
