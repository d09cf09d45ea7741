"""Times expert judging at national scale: 5,000 submissions × 3 reviews, 200 experts, 13 nominations.

    .venv/bin/python bench/judging.py [--submissions N] [--experts N] [--json]

Two paths over the same generated population and the Smart Dialog 2023 spec (13 nominations in
3 directions, per-direction panels, z-score normalisation, no regional expert on their own region):

- the pure rules, in process: `assign_s` (panels and the conflict-aware balanced plan for every
  nomination), `score_s` (checking and weighting every card, then z-score normalisation) and
  `rank_s` (the 13 rankings with their tie-break cascade and agreement, and experts' leniency);
  `total_s` is their sum (target: under 10 s on the project's 2-core machine);
- the domain on a temporary SQLite store, as the worker runs it: `domain_assign_s`
  (`assign_experts`), `domain_cards_s` (`record_reviews`, one batch), `domain_conclude_s`
  (`conclude_judging` ranking all 13 nominations); `domain_total_s` is their sum. Two more show
  what the per-nomination child workflows add: `domain_remind_s` (the 13 `remind_experts` calls,
  here with every card in) and `domain_nominations_s` (the 13 `conclude_nomination` calls made
  at the close, before the contest's `conclude_judging`).

A benchmark, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from figures import close_phase, report, timed  # noqa: E402

from domain.actors import LOCAL_OPERATOR as OPERATOR  # noqa: E402
from domain.aggregates import Applicant, ExpertProfile  # noqa: E402
from domain.commands.contest import Announce  # noqa: E402
from domain.commands.intake import (  # noqa: E402
    ReviewForm,
    SubmissionForm,
    Submit,
)
from domain.commands.judging import ConcludeNomination, EnrollExperts, RemindExperts  # noqa: E402
from domain.commands.order import ContestOrder  # noqa: E402
from domain.phases import Phase  # noqa: E402
from domain.regions import REGIONS  # noqa: E402
from domain.rules.assignment import Entry, Reviewer, plan_assignments  # noqa: E402
from domain.rules.judgement import rank_nomination  # noqa: E402
from domain.rules.normalisation import Card, normalise  # noqa: E402
from domain.rules.panels import panel_for  # noqa: E402
from domain.rules.quality import leniency  # noqa: E402
from domain.rules.scoring import check_scorecard, weighted_score  # noqa: E402
from domain.spec import ContestSpec  # noqa: E402
from konkurs.population import record_cards  # noqa: E402
from konkurs.spec_files import load_spec  # noqa: E402
from services.konkurs import Konkurs  # noqa: E402

SEED = "bench-judging"
MUNICIPALITIES = ("городской округ", "муниципальный район", "сельское поселение")



def population(
    spec: ContestSpec, submissions: int, experts: int
) -> tuple[list[SubmissionForm], list[ExpertProfile]]:
    """Submissions from all 89 regions, spread evenly over the nominations; experts split across
    the directions in proportion to their nominations, a third federal, the rest regional. Some
    experts work for an applicant organisation or live in an applicant's municipality, so the
    conflict checks have real work to do."""
    rng = random.Random(SEED)
    nominations = spec.nominations
    forms = []
    for index in range(submissions):
        region = REGIONS[index % len(REGIONS)].code
        organisation = index % 40
        forms.append(SubmissionForm(
            reference=f"P-{index + 1:05d}", nomination=nominations[index % len(nominations)].code,
            title=f"Практика {index + 1}",
            applicant=Applicant(
                name=f"ГБУ «Центр {region}-{organisation}»", kind="state_institution", region=region,
                inn=f"{region}{organisation:08d}", municipality=MUNICIPALITIES[index % 3]),
        ))
    total = len(nominations)
    shares = [len(d.nominations) * experts // total for d in spec.directions]
    shares[0] += experts - sum(shares)
    roster = []
    for direction, share in zip(spec.directions, shares, strict=True):
        for number in range(share):
            federal = number % 3 == 0
            region = "77" if federal else rng.choice(REGIONS).code
            tied = number % 10 == 7  # works for an applicant organisation of their region
            organisation = f"ГБУ «Центр {region}-{number % 40}»" if tied else f"Экспертный совет {number}"
            roster.append(ExpertProfile(
                id=f"{direction.code}-{number + 1:03d}", name=f"Эксперт {number + 1}",
                organisation=organisation, inn=f"{region}{number % 40:08d}" if tied else None,
                region=region, municipality=MUNICIPALITIES[number % 3] if number % 4 == 1 else None,
                level="federal" if federal else "regional", directions=[direction.code],
            ))
    return forms, roster


def card_scores(spec: ContestSpec, submission: str, expert: str) -> dict[str, float]:
    """Integer scores: the submission's quality, the expert's temperament and some noise."""
    rng = random.Random(f"{SEED}/{submission}/{expert}")
    quality = random.Random(f"{SEED}/{submission}").gauss(0.6, 0.15)
    temper = random.Random(f"{SEED}/{expert}").gauss(0, 0.08)
    scores = {}
    for criterion in spec.judging.criteria:
        low, high = criterion.scale.min, criterion.scale.max
        level = quality + temper + rng.gauss(0, 0.1)
        scores[criterion.code] = float(round(min(high, max(low, low + level * (high - low)))))
    return scores


def _entry(form: SubmissionForm) -> Entry:
    a = form.applicant
    return Entry(reference=form.reference, organisation=a.name, inn=a.inn, region=a.region,
                 municipality=a.municipality)


def _reviewer(p: ExpertProfile) -> Reviewer:
    return Reviewer(id=p.id, organisation=p.organisation, inn=p.inn, region=p.region,
                    municipality=p.municipality, level=p.level)


def pure_rules(
    spec: ContestSpec, forms: list[SubmissionForm], roster: list[ExpertProfile]
) -> dict[str, float]:
    figures: dict[str, float] = {}
    by_nomination: dict[str, list[SubmissionForm]] = defaultdict(list)
    for form in forms:
        by_nomination[form.nomination].append(form)
    judging = spec.judging

    def assign() -> list[tuple[str, str]]:
        # As `assign_experts` does: one plan per nomination, the load carried across them.
        load = Counter[str]()
        pairs: list[tuple[str, str]] = []
        for nomination in spec.nominations:
            panel = [_reviewer(p) for p in panel_for(spec, nomination.code, roster)]
            plan = plan_assignments(
                [_entry(f) for f in by_nomination[nomination.code]], panel,
                judging.reviewers_per_submission, SEED,
                exclude_own_region=judging.exclude_own_region, load=dict(load))
            load.update(expert for _, expert in plan.pairs)
            pairs += plan.pairs
        return pairs

    pairs, figures["assign_s"] = timed(assign)
    sheets = [(s, e, card_scores(spec, s, e)) for s, e in pairs]  # the experts' work, not timed

    def score() -> tuple[list[Card], dict[str, Any]]:
        cards = []
        for submission, expert, scores in sheets:
            check_scorecard(scores, judging.criteria, f"{submission}/{expert}")
            cards.append(Card(submission=submission, expert=expert,
                              score=weighted_score(scores, judging.criteria), criteria=scores))
        return cards, normalise(cards, judging.normalisation)

    (cards, scores), figures["score_s"] = timed(score)
    positions = {form.reference: index for index, form in enumerate(forms)}

    def rank() -> int:
        by_card: dict[str, list[Card]] = defaultdict(list)
        for card in cards:
            by_card[card.submission].append(card)
        ranked = 0
        for nomination in spec.nominations:
            entries = {f.reference: positions[f.reference] for f in by_nomination[nomination.code]}
            own = [c for reference in entries for c in by_card[reference]]
            ranking = rank_nomination(nomination.code, entries, scores, own, judging, SEED)
            ranked += len(ranking.entries)
        leniency(cards)
        return ranked

    ranked, figures["rank_s"] = timed(rank)
    figures["total_s"] = figures["assign_s"] + figures["score_s"] + figures["rank_s"]
    figures["cards"] = len(cards)
    figures["ranked"] = ranked
    return figures


def domain(
    workdir: Path, spec: ContestSpec, forms: list[SubmissionForm], roster: list[ExpertProfile]
) -> dict[str, float]:
    slug = spec.slug
    app = Konkurs(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                       "SQLITE_DBNAME": str(workdir / "konkurs.db")})
    figures: dict[str, float] = {}

    def setup() -> None:
        plan = spec.phase_plan().shifted(datetime.now(UTC) - spec.phase_plan().windows[0].closes_at)
        app.contests.announce(Announce(spec=spec, plan=plan, command_id="announce", actor=OPERATOR))
        close_phase(app, slug, Phase.ANNOUNCED, "c1", cause="bench")
        app.judging.enroll_experts(
            EnrollExperts(slug=slug, profiles=[(f"expert {p.id}", p) for p in roster], actor=OPERATOR)
        )
        app.submissions.submit(
            Submit(slug=slug, forms=[(f"row {f.reference}", f) for f in forms], actor=OPERATOR)
        )
        close_phase(app, slug, Phase.COLLECTING, "c2", cause="bench")
        app.results.conclude_screening(ContestOrder(slug=slug, command_id="screen", actor=OPERATOR))
        close_phase(app, slug, Phase.SCREENING, "c3", cause="bench")

    _, figures["domain_setup_s"] = timed(setup)
    _, figures["domain_assign_s"] = timed(
        lambda: (
            app.judging.assign_experts(ContestOrder(slug=slug, command_id="assign", actor=OPERATOR)).applied
        )
    )
    review_forms = [
        (f"card {s}/{e}", ReviewForm(submission=s, expert=e, scores=card_scores(spec, s, e)))
        for judging in app.reads.judgings(spec).values()
        for s, experts in sorted(judging.assigned.items())
        for e in experts
    ]
    _, figures["domain_cards_s"] = timed(
        lambda: record_cards(app, slug, review_forms).recorded
    )
    closes_at = app.store.get_contest(slug).plan.window(Phase.JUDGING).closes_at

    def remind() -> None:
        for nomination in spec.nominations:
            app.judging.remind_experts(
                RemindExperts(
                    slug=slug,
                    nomination=nomination.code,
                    closes_at=closes_at,
                    command_id=f"remind:{nomination.code}",
                    actor=OPERATOR,
                )
            )

    _, figures["domain_remind_s"] = timed(remind)
    close_phase(app, slug, Phase.JUDGING, "c4", cause="bench")
    _, figures["domain_conclude_s"] = timed(
        lambda: (
            app.results.conclude_judging(ContestOrder(slug=slug, command_id="judge", actor=OPERATOR)).applied
        )
    )

    def nominations() -> None:
        for nomination in spec.nominations:
            app.judging.conclude_nomination(
                ConcludeNomination(
                    slug=slug,
                    nomination=nomination.code,
                    command_id=f"conclude:{nomination.code}",
                    actor=OPERATOR,
                )
            )

    _, figures["domain_nominations_s"] = timed(nominations)
    figures["domain_total_s"] = (
        figures["domain_assign_s"] + figures["domain_cards_s"] + figures["domain_conclude_s"]
    )
    outcome = app.store.get_contest(slug).judging
    assert outcome is not None and len(outcome.rankings) == len(spec.nominations)
    figures["domain_cards"] = len(review_forms)
    app.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--experts", type=int, default=200)
    parser.add_argument("--no-domain", action="store_true", help="time the pure rules only")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    spec = load_spec(REPO / "examples" / "smart-dialog-2023.yaml")
    forms, roster = population(spec, args.submissions, args.experts)
    figures: dict[str, float] = {
        "submissions": args.submissions,
        "experts": len(roster),
        "nominations": len(spec.nominations),
    }
    figures |= pure_rules(spec, forms, roster)
    if not args.no_domain:
        with tempfile.TemporaryDirectory() as tmp:
            figures |= domain(Path(tmp), spec, forms, roster)
    report(figures, args.json)


if __name__ == "__main__":
    main()
