"""The vote as open data in the pabulib format, for anyone to recount it with public tools.

One `.pb` file per nomination with a vote: its META, the options on the ballot as PROJECTS and
every counted ballot as VOTES (http://pabulib.org/format). Voters appear only by the id of their
first ballot slot in the nomination, a uuid5 of the keyed pseudonym, so a file links no voter to
a person nor to their ballots in other nominations. Only counted ballots are written: those the
published tally counts, recorded before the event that closed voting.

Every option costs 1. The budget is what makes pabutools' greedy rule (`greedy_utilitarian_welfare`
with `Cardinality_Sat`) select the published winners where the vote decides them; see
docs/open-data.md for what `selected` means under each `voting.award`.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.aggregates import Ballot, Contest, Submission
from domain.ids import ballot_hex, contest_id
from domain.outcomes import Standing
from domain.phases import Phase
from domain.regions import region_name
from services.konkurs import Konkurs
from store.log import topic_of

# What `selected` is, and whether the greedy rule on costs of 1 and META's budget reproduces it.
AWARD_RULES = {
    "people_choice": ("greedy", "приз зрительских симпатий: больше всего голосов"),
    "votes_only": ("greedy", "победители по числу голосов"),
    "none": ("greedy", "голосование не присуждает мест: выбраны победители экспертной оценки, "
                       "стоявшие в бюллетене; число голосов показывает спрос на тиражирование"),
    "none_shortlist": ("none", "голосование не присуждает мест: выбраны победители экспертной оценки; "
                               "число голосов показывает спрос на тиражирование"),
    "weighted": ("weighted", "места по взвешенной сумме экспертной оценки и доли голосов"),
}


def pabulib_files(konkurs: Konkurs, slug: str) -> dict[str, str]:
    """File name → pabulib text, one per nomination with options on the ballot; empty when the
    contest has no tallied vote."""
    contest = konkurs.store.get_contest(slug)
    if contest.tally is None:
        return {}
    ballots = _counted_ballots(konkurs, slug, contest.tally.voting_closed_at)
    titles = {logged.state["reference"]: logged.state["title"]
              for logged in konkurs.store.contest_events(slug, [Submission.Submitted])}
    options = _options(konkurs, contest)
    window = _voting_window(konkurs, contest)
    files = {}
    for nomination in contest.spec.nominations:
        references = options.get(nomination.code, [])
        if references:
            text = _nomination_file(contest, nomination.code, references, titles,
                                    ballots.get(nomination.code, {}), window)
            files[f"{slug}-{nomination.code}.pb"] = text
    return files


def _counted_ballots(
    konkurs: Konkurs, slug: str, closed_at: int
) -> dict[str, dict[str, tuple[list[str], str]]]:
    """nomination → voter id → (chosen submissions, voter's region), as the tally counts them."""
    found: dict[str, dict[str, tuple[list[str], str]]] = defaultdict(dict)
    for _, state in konkurs.store.read_states(topic_of(Ballot.Cast), stop=closed_at):
        if state["contest"] != slug:
            continue
        nomination = state["nomination"]
        voter = ballot_hex(slug, nomination, state["voter"])
        chosen, _ = found[nomination].setdefault(voter, ([], state["region"]))
        chosen.append(state["submission"])
    return found


def _options(konkurs: Konkurs, contest: Contest) -> dict[str, list[str]]:
    """What was on each nomination's ballot: what judging put there, or every admitted entry."""
    if contest.judging is not None:
        return contest.judging.shortlist
    options: dict[str, list[str]] = defaultdict(list)
    for entry in konkurs.reads.admitted(contest.slug):
        options[entry.nomination].append(entry.reference)
    return options


def _voting_window(konkurs: Konkurs, contest: Contest) -> tuple[str, str]:
    """The days voting opened and closed, as the log records the phase changes."""
    zone = ZoneInfo(contest.spec.timezone)
    begin = end = ""
    wanted = contest_id(contest.slug)
    for logged in konkurs.store.read_log([topic_of(Contest.PhaseChanged)]):
        if logged.originator_id != wanted:
            continue
        day = datetime.fromisoformat(logged.state["timestamp"]).astimezone(zone).strftime("%d.%m.%Y")
        if logged.state["opened"] == Phase.VOTING:
            begin = day
        if logged.state["closed"] == Phase.VOTING:
            end = day
    return begin, end


def _award(contest: Contest, code: str) -> str:
    """How the nomination's winners relate to the vote (a key of AWARD_RULES)."""
    voting = contest.spec.voting
    if contest.judging is None or contest.judging.ranking(code) is None:
        return "votes_only"
    if voting.award == "none" and voting.ballot == "shortlist":
        return "none_shortlist"
    return voting.award


def _selected(contest: Contest, award: str, nomination: str) -> list[Standing]:
    if contest.results is None:
        return []
    chosen = contest.results.people_choice if award == "people_choice" else contest.results.winners
    return [s for s in chosen if s.nomination == nomination]


def _nomination_file(
    contest: Contest, code: str, references: list[str], titles: dict[str, str],
    ballots: dict[str, tuple[list[str], str]], window: tuple[str, str],
) -> str:
    spec = contest.spec
    award = _award(contest, code)
    rule, meaning = AWARD_RULES[award]
    selected = {s.reference: s for s in _selected(contest, award, code)}
    ranking = contest.judging.ranking(code) if contest.judging else None
    scores = {e.reference: e.score for e in ranking.entries} if ranking else {}
    votes: dict[str, int] = defaultdict(int)
    for chosen, _ in ballots.values():
        for reference in chosen:
            votes[reference] += 1
    budget = {"people_choice": 1, "none": len(references)}.get(award, spec.places_per_nomination)
    by_votes = award in ("people_choice", "votes_only")
    per_voter = spec.voting.ballots_per_voter_per_nomination
    nomination = next(n for n in spec.nominations if n.code == code)
    meta = [
        ("description", f"{spec.title}: {nomination.title}"),
        ("country", "Russia"),
        ("unit", region_name(spec.region) if spec.region else "Российская Федерация"),
        ("instance", f"{spec.slug}/{code}"),
        ("num_projects", len(references)),
        ("num_votes", len(ballots)),
        ("budget", budget),
        ("vote_type", "choose-1" if per_voter == 1 else "approval"),
        ("rule", rule),
        ("date_begin", window[0]),
        ("date_end", window[1]),
        ("language", "ru"),
        ("min_length", 1),
        ("max_length", per_voter),
        ("award", spec.voting.award),
        ("selected", meaning),
        ("tie_break", "больше голосов; при равенстве выше экспертная оценка (score), затем project_id"),
    ]
    projects = [
        (reference, _cost(by_votes, votes[reference], budget), votes[reference],
         titles.get(reference, reference), scores.get(reference, 0.0),
         selected[reference].place if reference in selected else "none", int(reference in selected))
        for reference in references
    ]
    voters = [(voter, ",".join(chosen), region) for voter, (chosen, region) in sorted(ballots.items())]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    _section(writer, "META", ("key", "value"), meta)
    _section(writer, "PROJECTS", ("project_id", "cost", "votes", "name", "score", "place", "selected"),
             projects)
    _section(writer, "VOTES", ("voter_id", "vote", "region"), voters)
    return out.getvalue()


def _cost(by_votes: bool, votes: int, budget: int) -> int:
    """1, except where votes decide and nobody chose the option: Konkurs places no option without
    a vote, so it costs more than the budget and the greedy rule cannot select it either."""
    return budget + 1 if by_votes and votes == 0 else 1


def _section(writer: Any, name: str, header: tuple[str, ...], rows: Iterable[Iterable[object]]) -> None:
    writer.writerow([name])
    writer.writerow(header)
    writer.writerows(rows)
