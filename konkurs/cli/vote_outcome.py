"""What `konkurs results` and `konkurs vote tally` add to places: where the citizens who want each
practice on the ballot live, the submissions that got fewer reviews than the minimum, and why a
nomination ends with no winner."""

from __future__ import annotations

from domain.regions import region_name
from domain.rules.judgement import why_no_winner
from domain.rules.tally import demand_by_practice
from domain.spec import ContestSpec
from konkurs.cli.output import say, table
from projections.models import NominationCount, Results

TOP_REGIONS = 3


def print_demand(by_region: dict[str, dict[str, dict[str, int]]], top: int = TOP_REGIONS) -> None:
    """Per practice on the ballot, its votes and the regions that want it most."""
    rows = [
        (nomination, practice, sum(regions.values()),
         "; ".join(f"{region} {region_name(region) or ''} {votes}".replace("  ", " ")
                   for region, votes in list(regions.items())[:top]))
        for nomination, practices in demand_by_practice(by_region).items()
        for practice, regions in sorted(practices.items(), key=lambda p: -sum(p[1].values()))
    ]
    if rows:
        say(table(f"Demand by region (top {top} regions per practice; --json has all)",
                  ["nomination", "practice", "votes", "regions that want it most"], rows, widest=80))


def no_winner_reasons(shown: Results, counts: list[NominationCount], spec: ContestSpec) -> dict[str, str]:
    """nomination → why nobody is placed in it, for the nominations that end so; nothing before
    judging has concluded (or, without judging, before the results are declared)."""
    if not (shown.declared or shown.judged):
        return {}
    judged = spec.judging.enabled
    tallies = {n.code: n for n in counts}
    reasons = {}
    for nomination in shown.nominations:
        placed = nomination.winners if shown.declared else nomination.ranking
        if placed or (not shown.declared and not judged):
            continue
        tally = tallies.get(nomination.code)
        reasons[nomination.code] = why_no_winner(
            tally.submissions if tally else 0, tally.admitted if tally else 0,
            nomination.under_reviewed, spec.judging.required_reviews if judged else None)
    return reasons


def print_review_gaps(shown: Results) -> None:
    """The submissions that got fewer reviews than the minimum: flagged, never ranked."""
    rows = [(n.title, reference, reviews)
            for n in shown.nominations for reference, reviews in n.under_reviewed.items()]
    if rows:
        say(table("Not reviewed enough (not ranked)", ["nomination", "submission", "reviews"], rows,
                  widest=40))


def print_no_winners(shown: Results, reasons: dict[str, str]) -> None:
    titles = {n.code: n.title for n in shown.nominations}
    for code, reason in reasons.items():
        say(f"No winner in {code} {titles.get(code, '')}: {reason}")
