"""Audit checks beyond a recomputed outcome: the seals on results events, each assignment's
conflict check, and the promotions between stages."""

from __future__ import annotations

from uuid import UUID

from domain.aggregates import Contest, Expert, ExpertProfile, Judging, Submission
from domain.aggregates.judging import judging_id
from domain.audit.models import CheckResult, Difference
from domain.contract import public_name
from domain.outcomes import ContestResults
from domain.personal import ERASED
from domain.rules.assignment import Entry, conflict_reason
from domain.rules.panels import panel_for
from domain.rules.version import KNOWN_RULES_VERSIONS
from domain.spec import ContestSpec
from services.audit_promotions import PromotionAudit
from services.chain import Chain
from services.contest_record import ContestRecord
from services.fingerprints import rules_code
from services.judging_reads import JudgingReads, as_entry, as_reviewer
from store.application import StoreApplication
from store.log import LoggedEvent, topic_of


class AuditChecks:
    """Checks on what the log recorded, by the same rules the contest ran under."""

    def __init__(self, store: StoreApplication, reads: JudgingReads, chain: Chain) -> None:
        self.store = store
        self.reads = reads
        self.chain = chain

    def contest_submissions(self, slug: str) -> dict[UUID, str]:
        """The contest's submissions: aggregate id → reference."""
        return {logged.originator_id: logged.state["reference"]
                for logged in self.store.contest_events(slug, [Submission.Submitted])}

    def check_seals(self, record: ContestRecord) -> CheckResult:
        """Each results event names the spec announced, rules this release knows, and a chain
        head that the stored chain still has: a log rewritten before it would not."""
        spec_hash = record.spec.fingerprint()
        found, notes = [], []
        if record.announced.state["fingerprint"] != spec_hash:
            found.append(Difference(check="seal", where="announced spec fingerprint",
                                    recorded=record.announced.state["fingerprint"], recomputed=spec_hash))
        sealed = 0
        for event, seal in record.seals():
            where = f"{_label(event)} at position {event.position}"
            if seal is None:
                notes.append(f"{where} was recorded before results carried seals")
                continue
            sealed += 1
            if seal.spec_hash != spec_hash:
                found.append(Difference(check="seal", where=f"{where}: spec", recorded=seal.spec_hash,
                                        recomputed=spec_hash))
            if seal.rules_version not in KNOWN_RULES_VERSIONS:
                found.append(Difference(
                    check="seal", where=f"{where}: rules version", recorded=seal.rules_version,
                    recomputed=f"this release recomputes {', '.join(sorted(KNOWN_RULES_VERSIONS))} only"))
            elif seal.rules_code != rules_code():
                notes.append(f"{where}: rule code {seal.rules_code} then, {rules_code()} now, "
                             f"under the same version {seal.rules_version}")
            link = self.chain.link(seal.chain_position)
            if seal.chain_position >= event.position or link is None or link.hex() != seal.chain_head:
                found.append(Difference(
                    check="seal", where=f"{where}: chain head at position {seal.chain_position}",
                    recorded=seal.chain_head, recomputed=link.hex() if link else "no such link"))
        return CheckResult(check="seal", recomputed=sealed, differences=found, notes=notes)

    def check_assignments(self, record: ContestRecord) -> CheckResult:
        """Replays the roster and recusals in log order; at each assignment, every pair assigned
        must pass the conflict rules and every conflict recorded must be one."""
        spec, slug = record.spec, record.slug
        nominations = {judging_id(slug, n.code): n.code for n in spec.nominations}
        entries = {e.reference: as_entry(e) for e in self.reads.admitted(slug)}
        experts: dict[UUID, ExpertProfile] = {}
        recused: set[tuple[str, str]] = set()
        found: list[Difference] = []
        notes: list[str] = []
        checked = 0
        topics = [topic_of(c) for c in (Expert.Enrolled, Expert.ProfileChanged, Judging.Recused,
                                        Judging.Assigned)]
        for logged in self.store.read_log(topics):
            state = logged.state
            if (logged.topic == topics[0] and state["contest"] == slug) or (
                    logged.topic == topics[1] and logged.originator_id in experts):
                experts[logged.originator_id] = ExpertProfile.model_validate(state["profile"])
            elif logged.originator_id not in nominations:
                continue
            elif logged.topic == topics[2]:
                recused.add((state["submission"], state["expert"]))
            elif logged.topic == topics[3]:
                nomination = nominations[logged.originator_id]
                roster = sorted(experts.values(), key=lambda p: p.id)
                panel = {p.id: p for p in panel_for(spec, nomination, roster)}
                checked += len(state["pairs"]) + len(state["conflicts"])
                problems, unverifiable = _assignment_problems(spec, nomination, state, panel, entries,
                                                              recused)
                found += problems
                notes += unverifiable
        return CheckResult(check="assignment", recomputed=checked, differences=found, notes=notes)

    def check_promotions(self, record: ContestRecord, results: ContestResults | None) -> CheckResult:
        """Promotions, from both ends: see `services.audit_promotions`."""
        return PromotionAudit(self.store).check(record, results)


def _assignment_problems(
    spec: ContestSpec, nomination: str, state: dict[str, list[dict[str, str]]],
    panel: dict[str, ExpertProfile], entries: dict[str, Entry], recused: set[tuple[str, str]],
) -> tuple[list[Difference], list[str]]:
    """The differences, and notes on conflicts that rested on particulars erased since: an
    erased name or INN matches nothing, so those are taken as recorded."""
    exclude_own_region = spec.judging.exclude_own_region
    found = []
    notes = []

    def conflict(submission: str, expert: str) -> str | None:
        entry, profile = entries.get(submission), panel.get(expert)
        if entry is None:
            return "not an admitted submission"
        if profile is None:
            return "not on the nomination's panel"
        return conflict_reason(as_reviewer(profile), entry, exclude_own_region=exclude_own_region)

    for pair in state["pairs"]:
        submission, expert = pair["submission"], pair["expert"]
        problem = ("recused from it earlier" if (submission, expert) in recused
                   else conflict(submission, expert))
        if problem is not None:
            found.append(Difference(check="assignment",
                                    where=f"nomination {nomination}, {submission} to {expert}",
                                    recorded="assigned", recomputed=problem))
    for recorded in state["conflicts"]:
        reason = conflict(recorded["submission"], recorded["expert"])
        where = f"nomination {nomination}, {recorded['submission']} to {recorded['expert']}"
        if reason == recorded["reason"]:
            continue
        if _erased(entries.get(recorded["submission"]), panel.get(recorded["expert"])):
            notes.append(f"{where}: kept apart ({recorded['reason']}) on particulars erased since; "
                         "taken as recorded")
            continue
        found.append(Difference(check="assignment", where=where, recorded=f"kept apart: {recorded['reason']}",
                                recomputed=reason or "no conflict"))
    return found, notes


def _erased(entry: Entry | None, profile: ExpertProfile | None) -> bool:
    """A person applicant's name stands in as its organisation in the conflict rules."""
    return (entry is not None and entry.organisation == ERASED) or (
        profile is not None and profile.name == ERASED)


def _label(event: LoggedEvent) -> str:
    return next((public_name(c) for c in (Contest.ScreeningConcluded, Contest.JudgingConcluded,
                                           Contest.VotesTallied, Contest.ResultsDeclared,
                                           Contest.ResultsPublished) if topic_of(c) == event.topic),
                event.topic)
