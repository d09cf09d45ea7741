"""Every example contest, run in-process from announcement to published results.

No Temporal: the driver calls the domain commands the contest workflow's activities call, in
the workflow's order and with its command ids (`workflows/contest.py` `_close`, the judging
panels, `activities/stages.py` for promotions). Each plan is rebased so that collection opens
now, and every later phase is closed early by an operator, as `konkurs demo` does.

The population is generated (`konkurs/population.py`), written as Excel CSV and read back
through `konkurs/intake_files.py`, and fitted to each spec: admitted kinds and regions, valid
INNs, ages for personal nominations, municipalities where rosters are imported. Each contest
also gets entries screening must reject: the population's private person, and per spec one
from outside its regions, one above a nomination's age limit, and two applicants left out of
the registry. Judging has one recusal; a vote has a portal batch with two refused ballots.

    run_example(app, Path("examples/smart-dialog-2023.yaml"), workdir) -> ["smart-dialog-2023"]
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from domain.commands.contest import (
    Announce,
    ReceivePromotion,
    RecordExtension,
    RecordPhaseChange,
    ReviewParticipation,
    SettlePromotion,
)
from domain.commands.intake import BallotInput, CastBallots, SubmissionForm, Submit
from domain.commands.judging import ConcludeNomination, EnrollExperts, Recuse
from domain.commands.order import ContestOrder
from domain.commands.registry import ImportMunicipalities, ImportRegistry
from domain.errors import KonkursError, UnknownContest
from domain.ids import workflow_id
from domain.phases import Phase, PhasePlan
from domain.promotion import PromotionBatch
from domain.regions import region_name
from domain.rules.eligibility import admitted_regions
from domain.rules.participation import scheduled_reviews
from domain.spec import ApplicantKind, ContestSpec, Nomination, NominationKind
from konkurs import intake_files, marathon_population, municipality_files, operations, population
from konkurs.population import INSTITUTION_NAMES, Entry, write_excel_csv
from konkurs.spec_files import load_spec
from konkurs.tables import Row, read_rows
from services.konkurs import Konkurs
from tests.factories import OPERATOR, inn, record_cards
from workflows.contest import conclusion_on_close
from workflows.models import ContestInput

# The regional stages of the federal example that are run (of the template's 89).
STAGE_REGIONS = ("75", "23", "42")
# Submissions per nomination: a contest run alone (60 at least), a regional stage, and the
# federal stage directly, besides the regional winners it takes.
PER_NOMINATION = {"alone": 7, "stage": 4, "federal": 2}
AT_LEAST = 60
VOTERS = 600
VOTER_KEY = b"example-contests"
EARLY_CLOSE = "прогон примера: фаза закрыта оператором досрочно"
EXTENSION_REASON = "по просьбам регионов"
RECUSAL_REASON = "консультировал заявителя при подготовке заявки"
# Kinds the population does not name; Decade of Childhood admits only these.
AUTHORITY_NAMES = {
    ApplicantKind.REGIONAL_AUTHORITY: "Министерство социальной защиты населения",
    ApplicantKind.MUNICIPALITY: "Администрация городского округа",
}
REGISTERED_SINCE = date(2020, 1, 15)


def run_example(app: Konkurs, spec_path: Path, workdir: Path, seed: int = 1) -> list[str]:
    """Run the example to published results; the slugs of the contests run, federal first."""
    spec = load_spec(spec_path)
    driver = Driver(app, workdir, seed)
    if spec.regional_stages is not None:
        return driver.federal(spec)
    plan = operations.plan_for(spec, operations.utc_now(), rebase_to_now=True)
    driver.open(spec, plan, max(AT_LEAST, PER_NOMINATION["alone"] * len(spec.nominations)))
    driver.finish(spec)
    return [spec.slug]


@dataclass
class Driver:
    app: Konkurs
    workdir: Path
    seed: int
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    late_wave: dict[str, list[tuple[str, SubmissionForm]]] = field(default_factory=dict)
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def federal(self, spec: ContestSpec) -> list[str]:
        """The federal stage collects while its regional stages run and promote into it."""
        now = operations.utc_now()
        plan = operations.plan_for(spec, now, rebase_to_now=True)
        signer = operations.Signer(self.app.senders, OPERATOR)
        federal = operations.contest_input(spec, plan, signer)
        shift = operations.rebase_shift(spec.phase_plan(), now)
        stages = [s for s in operations.stage_inputs(federal, spec, shift, now, signer)
                  if s.spec["region"] in STAGE_REGIONS]
        self.open(spec, plan, PER_NOMINATION["federal"] * len(spec.nominations))
        for stage in stages:
            self.run_stage(stage)
        self.finish(spec)
        return [spec.slug, *(stage.slug for stage in stages)]

    def run_stage(self, stage: ContestInput) -> None:
        spec = ContestSpec.model_validate(stage.spec)
        self.open(spec, stage.plan, PER_NOMINATION["stage"] * len(spec.nominations))
        self.finish(spec)

    def open(self, spec: ContestSpec, plan: PhasePlan, submissions: int) -> None:
        """Announce, open collection and take the first wave of submissions and the roster."""
        slug = spec.slug
        self.app.contests.announce(
            Announce(spec=spec, plan=plan, command_id=f"{slug}:announce", actor=OPERATOR)
        )
        self.close(slug, Phase.ANNOUNCED, cause="deadline")
        forms = self.submissions(spec, submissions)
        first_wave = len(forms) * 5 // 6
        self.app.submissions.submit(Submit(slug=slug, forms=forms[:first_wave], actor=OPERATOR))
        self.late_wave[slug] = forms[first_wave:]
        if spec.participation is not None:
            moment = scheduled_reviews(spec, plan)[0]
            self.app.participation.review_participation(
                ReviewParticipation(
                    slug=slug,
                    moment=moment,
                    command_id=f"{slug}:participation:{moment.isoformat()}",
                    actor=OPERATOR,
                )
            )
        if not spec.judging.enabled:
            return
        roster = self.workdir / f"{slug}-experts.csv"
        population.experts(spec, roster, self.seed, per_direction=experts_per_direction(spec))
        self.app.judging.enroll_experts(
            EnrollExperts(slug=slug, profiles=intake_files.expert_profiles(roster), actor=OPERATOR)
        )

    def finish(self, spec: ContestSpec) -> None:
        """Extend collection, take the last wave, then close each phase to published results."""
        slug = spec.slug
        self.extend_collection(slug)
        self.app.submissions.submit(Submit(slug=slug, forms=self.late_wave.pop(slug), actor=OPERATOR))
        self.close(slug, Phase.COLLECTING)
        phases = self.app.store.get_contest(slug).plan.phases
        if Phase.MATERIALS in phases:
            self.close(slug, Phase.MATERIALS)
        if Phase.SCREENING in phases:
            self.close(slug, Phase.SCREENING)
        if Phase.JUDGING in phases:
            self.judge(spec)
            self.close(slug, Phase.JUDGING)
        if Phase.VOTING in phases:
            self.vote(spec)
            self.close(slug, Phase.VOTING)
        self.close(slug, Phase.RESULTS)

    def close(self, slug: str, phase: Phase, cause: str = "operator") -> None:
        """What the contest workflow's `_close` does, in its order and with its command ids."""
        contest = self.app.store.get_contest(slug)
        reason = EARLY_CLOSE if cause == "operator" else ""
        self.app.contests.change_phase(
            RecordPhaseChange(
                slug=slug,
                closed=phase,
                cause=cause,
                reason=reason,
                command_id=f"{slug}:close:{phase}",
                actor=OPERATOR,
            )
        )
        if phase == Phase.JUDGING:
            for nomination in contest.spec.nominations:
                self.app.judging.conclude_nomination(
                    ConcludeNomination(
                        slug=slug,
                        nomination=nomination.code,
                        command_id=f"{slug}:conclude:{nomination.code}",
                        actor=OPERATOR,
                    )
                )
        conclusion = conclusion_on_close(contest.plan, phase)
        if conclusion:
            name = conclusion.__name__
            getattr(self.app.results, name)(
                ContestOrder(slug=slug, command_id=f"{slug}:{name}", actor=OPERATOR)
            )
        opened = contest.plan.next_phase(phase)
        if opened == Phase.RESULTS:
            self.app.results.declare_results(
                ContestOrder(slug=slug, command_id=f"{slug}:declare_results", actor=OPERATOR)
            )
        if phase == Phase.RESULTS:
            self.app.results.publish_results(
                ContestOrder(slug=slug, command_id=f"{slug}:publish_results", actor=OPERATOR)
            )
            if contest.spec.promotion is not None:
                self.promote(slug)
        if opened == Phase.JUDGING:
            self.app.judging.assign_experts(
                ContestOrder(slug=slug, command_id=f"{slug}:assign_experts", actor=OPERATOR)
            )

    def extend_collection(self, slug: str) -> None:
        """Move collection's deadline later, short of the next one, as an operator's Update."""
        plan = self.app.store.get_contest(slug).plan
        closes = plan.window(Phase.COLLECTING).closes_at
        following = plan.windows[plan.phases.index(Phase.COLLECTING) + 1].closes_at
        later = closes + min(timedelta(days=12), (following - closes) / 2)
        self.app.contests.extend_deadline(
            RecordExtension(
                slug=slug,
                phase=Phase.COLLECTING,
                closes_at=later,
                reason=EXTENSION_REASON,
                command_id=f"{workflow_id(slug)}:update:extend-collection",
                actor=OPERATOR,
            )
        )

    def promote(self, slug: str) -> None:
        """`promote_winners`: deliver the batch to the federal stage, then settle the outcome."""
        batch = self.app.contests.promotion_batch(slug)
        refusal = self.deliver(batch)
        self.app.contests.settle_promotion(
            SettlePromotion(
                slug=slug,
                federal=batch.federal,
                refusal=refusal,
                references=[e.reference for e in batch.entries],
                command_id=f"{slug}:promote",
                actor=OPERATOR,
            )
        )
        if refusal is None:
            quality = {e.reference: e.quality for e in self.entries[slug]}
            self.entries[batch.federal] += [
                Entry(e.reference, e.nomination, e.applicant.region, quality[e.provenance.reference])
                for e in batch.entries
            ]

    def deliver(self, batch: PromotionBatch) -> str | None:
        """None when the federal stage took the batch, else its reason for refusing it."""
        try:
            self.app.store.get_contest(batch.federal)
        except UnknownContest:
            return f"federal stage {batch.federal} has not been announced"
        try:
            self.app.contests.receive_promotion(
                ReceivePromotion(
                    federal=batch.federal,
                    batch=batch,
                    command_id=f"{batch.federal}:promotion:{batch.stage}",
                    actor=OPERATOR,
                )
            )
        except KonkursError as refusal:
            return str(refusal)
        return None

    def judge(self, spec: ContestSpec) -> None:
        """One expert recuses; the cards come in, a few short where the spec's minimum allows."""
        slug = spec.slug
        submission, panel = next(
            (ref, experts) for ref, experts in sorted(self.assignments(spec).items()) if experts
        )
        self.app.judging.recuse(
            Recuse(slug=slug, submission=submission, expert=panel[0], reason=RECUSAL_REASON, actor=OPERATOR)
        )
        assignments = self.assignments(spec)
        if spec.judging.required_reviews < spec.judging.reviewers_per_submission:
            assignments = {
                ref: experts[:-1] if index % 10 == 3 else experts
                for index, (ref, experts) in enumerate(sorted(assignments.items()))
            }
        path = self.workdir / f"{slug}-reviews.csv"
        population.reviews(spec, self.entries[slug], assignments, path, self.seed)
        record_cards(self.app, slug, intake_files.review_forms(path, spec.judging.criteria))

    def assignments(self, spec: ContestSpec) -> dict[str, list[str]]:
        return {
            ref: list(experts)
            for judging in self.app.reads.judgings(spec).values()
            for ref, experts in judging.assigned.items()
        }

    def vote(self, spec: ContestSpec) -> None:
        """An operator's file of ballots, then a portal batch with a repeat voter and a ballot
        for a practice off the shortlist: both refused and counted by reason."""
        slug = spec.slug
        judging = self.app.store.get_contest(slug).judging
        assert judging is not None
        path = self.workdir / f"{slug}-ballots.csv"
        population.ballots(judging.shortlist, self.entries[slug], path, self.seed, voters=VOTERS)
        ballots = intake_files.ballots(path)
        self.app.ballots.cast_ballots(
            CastBallots(slug=slug, ballots=ballots, voter_key=VOTER_KEY, strict=True, actor=OPERATOR)
        )
        first = ballots[0]
        shortlisted = set(judging.shortlist[first.nomination])
        other = next(ref for ref in judging.shortlist[first.nomination] if ref != first.submission)
        ranking = judging.ranking(first.nomination)
        assert ranking is not None
        off = next(e.reference for e in ranking.entries if e.reference not in shortlisted)
        self.app.ballots.cast_ballots(
            CastBallots(
                slug=slug,
                ballots=[
                    BallotInput(
                        voter=first.voter,
                        nomination=first.nomination,
                        submission=other,
                        region=first.region,
                        label="portal:1",
                    ),
                    BallotInput(
                        voter="esia-portal-1",
                        nomination=first.nomination,
                        submission=off,
                        region=first.region,
                        label="portal:2",
                    ),
                ],
                voter_key=VOTER_KEY,
                batch=f"{slug}:portal:1",
                actor=OPERATOR,
            )
        )

    def submissions(self, spec: ContestSpec, count: int) -> list[tuple[str, SubmissionForm]]:
        """The population's file, fitted to the spec and read back; the registry imported."""
        path = self.workdir / f"{spec.slug}-submissions.csv"
        entries = population.submissions(generation_spec(spec), path, self.seed, count)
        rosters = self.municipalities(spec) if spec.participation is not None else {}
        fitting = Fitting(spec, random.Random(f"{self.seed}/{spec.slug}"), self.numbers, rosters)
        rows = [fitting.fit(row) for _, row in read_rows(path, intake_files.SUBMISSION_COLUMNS)]
        header = list(dict.fromkeys(name for row in rows for name in row))
        write_excel_csv(path, header, ([row.get(name, "") for name in header] for row in rows))
        regions = {row["reference"]: row["region"] for row in rows}
        self.entries[spec.slug] = [replace(e, region=regions[e.reference]) for e in entries]
        forms = intake_files.submission_forms(path)
        if spec.eligibility.registry is not None:
            self.import_registry(spec.eligibility.registry, spec.slug, forms, fitting.planted)
        return forms

    def import_registry(
        self, registry: str, slug: str, forms: list[tuple[str, SubmissionForm]], planted: set[str]
    ) -> None:
        """The registry's file holds every applicant but two, whom screening must reject."""
        listed = [form for _, form in forms if form.applicant.inn]
        left_out = [form.reference for form in listed if form.reference not in planted][1:3]
        path = self.workdir / f"{slug}-{registry}.csv"
        write_excel_csv(
            path,
            ("inn", "name", "region", "entered_on"),
            [
                (f.applicant.inn, f.applicant.name, f.applicant.region, f"{REGISTERED_SINCE:%d.%m.%Y}")
                for f in listed
                if f.reference not in left_out
            ],
        )
        self.app.registry.import_registry(
            ImportRegistry(registry=registry, rows=intake_files.registry_rows(path), actor=OPERATOR)
        )

    def municipalities(self, spec: ContestSpec) -> dict[str, list[str]]:
        """Import the marathon's generated municipal rosters; they name what submissions may."""
        folder = self.workdir / "marathon"
        roster_file, _, truth = marathon_population.generate(
            spec, folder, self.seed, municipalities=1500, initiatives=500
        )
        self.app.participation.import_municipalities(
            ImportMunicipalities(rows=municipality_files.municipality_rows(roster_file), actor=OPERATOR)
        )
        return truth.rosters


@dataclass
class Fitting:
    """Rewrites the population's rows so the spec admits them, except those planted to fail."""

    spec: ContestSpec
    rng: random.Random
    numbers: itertools.count[int]
    rosters: dict[str, list[str]]
    planted: set[str] = field(default_factory=set)
    outside: str | None = None
    too_old: set[str] = field(default_factory=set)

    def fit(self, row: Row) -> Row:
        spec, fitted = self.spec, dict(row)
        kind = ApplicantKind(row["applicant_kind"])
        if kind == ApplicantKind.PERSON:
            self.planted.add(row["reference"])  # the population's private person: not admitted
        elif kind not in spec.eligibility.applicant_kinds:
            kind = self.rng.choice(spec.eligibility.applicant_kinds)
            fitted.update(
                applicant_kind=kind.value,
                applicant_name=AUTHORITY_NAMES.get(kind, INSTITUTION_NAMES.get(kind, ("Организация",))[0]),
            )
        fitted["region"] = self.region(row)
        fitted["title"] = row["title"].replace(
            f"({region_name(row['region'])})", f"({region_name(fitted['region'])})"
        )
        if row.get("inn"):
            fitted["inn"] = inn(fitted["region"], next(self.numbers))
        nomination = spec.nomination(row["nomination"])
        assert nomination is not None
        fitted["age"] = self.age(row["reference"], nomination)
        if self.rosters.get(fitted["region"]):
            fitted["municipality"] = self.rng.choice(self.rosters[fitted["region"]][:5])
        if spec.eligibility.conditions:  # every applicant confirms the admission conditions
            fitted["conditions"] = ",".join(c.code for c in spec.eligibility.conditions)
        return fitted

    def region(self, row: Row) -> str:
        """One of the spec's regions; the first applicant from elsewhere is kept, planted."""
        allowed, region, reference = admitted_regions(self.spec), row["region"], row["reference"]
        if allowed is None or region in allowed:
            return region
        if self.outside is None and reference not in self.planted:
            self.outside = reference
            self.planted.add(reference)
            return region
        return self.rng.choice(allowed)

    def age(self, reference: str, nomination: Nomination) -> str:
        """Ages for personal nominations; the first entry of an age-limited one is too old."""
        if nomination.kind != NominationKind.PERSON:
            return ""
        high = nomination.max_age
        if high is not None and nomination.code not in self.too_old and reference not in self.planted:
            self.too_old.add(nomination.code)
            self.planted.add(reference)
            return str(high + 4)
        return str(self.rng.randint(nomination.min_age or 22, high or 64))


def generation_spec(spec: ContestSpec) -> ContestSpec:
    """The population draws applicants of the kinds it knows names for; a spec admitting none
    of them (only authorities) gets institutions drawn, and `Fitting` makes them authorities."""
    if any(kind in INSTITUTION_NAMES for kind in spec.eligibility.applicant_kinds):
        return spec
    kinds = [*spec.eligibility.applicant_kinds, ApplicantKind.STATE_INSTITUTION]
    return spec.model_copy(
        update={"eligibility": spec.eligibility.model_copy(update={"applicant_kinds": kinds})}
    )


def experts_per_direction(spec: ContestSpec) -> int:
    """Enough for every panel to reach its reviewers after conflicts and a recusal: per-nomination
    panels deal a direction's experts round its nominations."""
    needed = spec.judging.reviewers_per_submission + 2
    if spec.judging.panels == "per_nomination":
        return needed * max(len(d.nominations) for d in spec.directions)
    return max(12, 3 * needed)
