"""Municipal Dialog 2024 at the marathon's scale through the CLI: 89 regions, 18,000
municipalities, 81,312 initiatives and the practices of seed 004 (Krasnodar 4, Kemerovo 252,
Novgorod 104). Correctness only; the time is
bench/participation.py's business."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.aggregates import Contest
from domain.commands.contest import Announce, ReviewParticipation
from domain.phases import Phase
from konkurs import marathon_population
from konkurs.spec_files import load_spec
from store.log import topic_of
from tests.e2e.conftest import REPO, Cli, Store
from tests.factories import OPERATOR, close_phase

pytestmark = pytest.mark.slow


def test_the_marathon_league_and_laggards_match_what_was_imported(
    cli: Cli, store: Store, tmp_path: Path
) -> None:
    spec = load_spec(REPO / "examples" / "municipal-dialog-2024.yaml")
    plan = spec.phase_plan()
    with store.open() as app:
        app.contests.announce(
            Announce(
                spec=spec,
                plan=plan.shifted(datetime.now(UTC) - plan.windows[0].closes_at),
                command_id="announce",
                actor=OPERATOR,
            )
        )
        close_phase(app, spec.slug, Phase.ANNOUNCED, "open")
    rosters, entries, truth = marathon_population.generate(spec, tmp_path)

    cli("import", "municipalities", rosters, timeout=300).assert_ok()
    cli("import", "submissions", spec.slug, entries, timeout=300).assert_ok()
    shown = cli("participation", spec.slug, "--json", timeout=300)
    shown.assert_ok()

    league = json.loads(shown.stdout)
    total = 81_312 + sum(truth.practices.values())
    assert (league["submissions"], league["initiatives"], len(league["regions"])) == (total, 81_312, 89)
    lines = {line["code"]: line for line in league["regions"]}
    assert {code: line["submissions"] for code, line in lines.items()} == truth.submissions
    assert {code: line["initiatives"] for code, line in lines.items()} == truth.initiatives
    assert (lines["23"]["practices"], lines["42"]["practices"], lines["53"]["practices"]) == (4, 252, 104)
    for code, line in lines.items():
        assert line["municipalities"] == len(truth.rosters[code])
        assert line["taking_part"] == truth.taking_part[code]
        assert line["target"] == len(truth.rosters[code])  # one practice per municipality
    counts = [line["practices"] for line in league["regions"]]
    assert counts == sorted(counts, reverse=True)
    below = {code for code, count in truth.practices.items() if count < len(truth.rosters[code])}
    assert "23" in below and "42" not in below and "53" not in below
    assert set(league["lagging"]) == below

    krasnodar = json.loads(cli("participation", spec.slug, "--region", "23", "--json").stdout)
    assert len(krasnodar["municipalities"]) == 426
    named = sum(m["submissions"] for m in krasnodar["municipalities"]) + krasnodar["unnamed"]
    assert named == truth.submissions["23"]

    with store.open() as app:
        app.participation.review_participation(
            ReviewParticipation(slug=spec.slug, moment=datetime.now(UTC), command_id="review", actor=OPERATOR)
        )
        [review] = [e.state for e in app.store.read_log([topic_of(Contest.ParticipationReviewed)])]
    assert {lag["code"] for lag in review["laggards"]} == below
    assert review["submissions"] == total
    [krasnodar_lag] = [lag for lag in review["laggards"] if lag["code"] == "23"]
    assert krasnodar_lag["silent"]["count"] == 426 - truth.posting_practices["23"]
