"""The vote as pabulib open data: pabutools' own parser reads the published counts and its greedy
rule selects the published winners."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pabutools.election import Cardinality_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare
from pabutools.tiebreaking import TieBreakingRule

from domain.commands.intake import BallotInput, CastBallots
from domain.commands.order import ContestOrder
from domain.phases import Phase
from konkurs.exports.pabulib import pabulib_files
from services.konkurs import Konkurs
from tests.factories import OPERATOR, close_phase, voting_contest
from tests.outputs.conftest import REPO, FinishedDemo

WRITE_FILES = (
    "import sys; from pathlib import Path; from konkurs.bootstrap import bootstrap; "
    "from konkurs.exports.pabulib import pabulib_files\n"
    "for name, text in pabulib_files(bootstrap().services, sys.argv[1]).items():\n"
    "    (Path(sys.argv[2]) / name).write_text(text, encoding='utf-8')"
)


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "KONKURS_"))}


def recount(path: Path) -> tuple[dict[str, int], set[str], set[str]]:
    """What anyone can get from a file with pabutools alone: votes per option, what the greedy
    rule selects (ties as the file's META says: expert score, then id), what the file marks."""
    instance, profile = parse_pabulib(str(path))
    votes = {project.name: profile.approval_score(project) for project in instance}
    ties = TieBreakingRule(lambda inst, prof, project: (-float(inst.project_meta[project]["score"]),
                                                         project.name))
    chosen = greedy_utilitarian_welfare(instance, profile, sat_class=Cardinality_Sat, tie_breaking=ties)
    marked = {p.name for p in instance if instance.project_meta[p]["selected"] == "1"}
    return votes, {p.name for p in chosen}, marked


@pytest.mark.only_on("sqlite", reason="`konkurs demo` is the embedded default: its store is always SQLite")
def test_pabutools_recounts_each_nomination_of_the_demo_to_the_published_counts_and_winners(
    finished_demo: FinishedDemo, tmp_path: Path,
) -> None:
    published = finished_demo.results_json()
    done = subprocess.run([sys.executable, "-c", WRITE_FILES, finished_demo.slug, str(tmp_path)],
                          cwd=REPO, env={**clean_env(), "KONKURS_HOME": str(finished_demo.home)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    tally = published["vote"]["by_submission"]
    assert sorted(tally) == sorted(n["code"] for n in published["nominations"] if n["winners"])
    for nomination in published["nominations"]:
        code = nomination["code"]
        votes, chosen, marked = recount(tmp_path / f"{finished_demo.slug}-{code}.pb")
        assert votes == tally[code], code
        winners = {w["reference"] for w in nomination["winners"]}
        assert chosen == winners == marked, code
        assert {w["reference"]: w["votes"] for w in nomination["winners"]} == tally[code]
    assert sum(sum(v.values()) for v in tally.values()) == published["vote"]["accepted"]


def cast(konkurs: Konkurs, picks: list[tuple[str, str, str, str]]) -> None:
    konkurs.ballots.cast_ballots(CastBallots(
        slug="vote-test", voter_key=b"key", actor=OPERATOR,
        ballots=[BallotInput(voter=v, nomination=n, submission=s, region=r) for v, n, s, r in picks]))


def test_a_small_people_choice_vote_recounts_to_its_tally_and_people_choice(
    konkurs: Konkurs, tmp_path: Path,
) -> None:
    voting_contest(konkurs, voting={"award": "people_choice"})
    cast(konkurs, [("a", "HC-1", "HC-1-0", "23"), ("b", "HC-1", "HC-1-0", "75"),
                   ("c", "HC-1", "HC-1-2", "75"), ("a", "HC-2", "HC-2-1", "23"),
                   ("d", "HC-1", "HC-1-9", "23"),  # not on the ballot: refused, not in the file
                   ("d", "HC-1", "HC-1-0", "23")])
    close_phase(konkurs, "vote-test", Phase.VOTING, "close:voting")
    for step in (konkurs.results.tally_votes, konkurs.results.declare_results):
        step(ContestOrder(slug="vote-test", command_id=step.__name__, actor=OPERATOR))
    files = pabulib_files(konkurs, "vote-test")
    assert sorted(files) == ["vote-test-HC-1.pb", "vote-test-HC-2.pb"]
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    votes, chosen, marked = recount(tmp_path / "vote-test-HC-1.pb")
    assert votes == {"HC-1-0": 3, "HC-1-1": 0, "HC-1-2": 1}
    # The factory's judging ranked nothing, so the vote places both winners of each nomination;
    # an option nobody chose is never placed, by Konkurs or by the greedy rule.
    assert chosen == marked == {"HC-1-0", "HC-1-2"}
    votes, chosen, marked = recount(tmp_path / "vote-test-HC-2.pb")
    assert votes == {"HC-2-0": 0, "HC-2-1": 1, "HC-2-2": 0} and chosen == marked == {"HC-2-1"}
    instance, profile = parse_pabulib(str(tmp_path / "vote-test-HC-1.pb"))
    assert len(profile) == 4 and {b.meta["region"] for b in profile} == {"23", "75"}
    assert instance.meta["vote_type"] == "choose-1" and instance.meta["country"] == "Russia"
    assert not any(voter in files["vote-test-HC-1.pb"] for voter in (";a;", ";b;", ";c;", ";d;"))


def test_a_contest_with_no_tally_has_no_open_data(konkurs: Konkurs) -> None:
    voting_contest(konkurs)
    assert pabulib_files(konkurs, "vote-test") == {}
