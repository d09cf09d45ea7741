"""Announcing a federal stage with its regional stages, and asking who has promoted."""

from __future__ import annotations

import json
import time

import pytest

from domain.actors import Role, Scope, actor_for
from tests.e2e.conftest import Cli, Contests, Files

STAGES = """\
regional_stages:
  regions: ["75", "23", "42"]
  slug: "zdorovye-2030-{region}"
  title: "Региональный этап: {region_name}"
  organisers: ["Минздрав: {region_name}"]
  schedule:
    announced: 2030-01-10
    collection_closes: 2030-02-01
    screening_closes: 2030-02-10
    judging_closes: 2030-02-20
    voting_closes: 2030-02-25
    results_published: 2030-02-28
"""


def test_a_federal_announcement_starts_its_regional_stages_and_waits_for_them(
    cli: Cli, files: Files, contests: Contests, temporal: str
) -> None:
    spec = files.text("federal.yaml", contests.spec_yaml + STAGES)
    announced = cli("announce", spec)
    announced.assert_ok()
    assert "3 regional stages" in announced.stdout
    for region in ("75", "23", "42"):
        assert f"zdorovye-2030-{region}" in announced.stdout

    deadline = time.monotonic() + 60
    while True:
        shown = cli("status", "zdorovye-2030", "--json")
        stages = json.loads(shown.stdout)["stages"] if shown.code == 0 else []
        if len(stages) == 3 and all(s["phase"] for s in stages):
            break
        assert time.monotonic() < deadline, f"the stages did not show: {shown.stdout}{shown.stderr}"
        time.sleep(0.3)
    assert {(s["stage"], s["status"], s["phase"]) for s in stages} == {
        (f"zdorovye-2030-{r}", "waiting", "announced") for r in ("75", "23", "42")}
    text = cli("status", "zdorovye-2030")
    text.assert_ok()
    assert ("Not promoted yet: Краснодарский край, Кемеровская область — Кузбасс, Забайкальский край"
            in text.stdout)

    regional = cli("status", "zdorovye-2030-75")
    regional.assert_ok()
    assert "Promotion to zdorovye-2030: waiting" in regional.stdout

    cli("close", "zdorovye-2030", "--phase", "announced").assert_ok()
    cli("close", "zdorovye-2030-23", "--phase", "announced").assert_ok()
    for phase in ("collecting", "screening", "judging", "voting", "results"):
        cli("close", "zdorovye-2030-23", "--phase", phase).assert_ok()
    cli("close", "zdorovye-2030", "--phase", "collecting").assert_ok()
    for phase in ("announced", "collecting", "screening", "judging", "voting", "results"):
        cli("close", "zdorovye-2030-75", "--phase", phase).assert_ok()
    deadline = time.monotonic() + 30
    while "refused" not in (late := cli("status", "zdorovye-2030-75")).stdout:
        assert time.monotonic() < deadline, late.stdout
        time.sleep(0.3)
    assert "Promotion to zdorovye-2030: refused: federal stage zdorovye-2030 closed collection at " in (
        " ".join(late.stdout.split()))
    stages = {s["stage"]: s for s in json.loads(cli("status", "zdorovye-2030", "--json").stdout)["stages"]}
    assert stages["zdorovye-2030-23"]["status"] == "promoted"
    assert stages["zdorovye-2030-75"]["status"] == "refused"
    assert stages["zdorovye-2030-42"]["status"] == "waiting"


def test_a_federal_spec_that_is_not_the_one_named_is_refused_in_one_line(
    cli: Cli, files: Files, contests: Contests
) -> None:
    regional = files.text("regional.yaml", contests.spec_yaml.replace(
        "level: federal", 'level: regional\nregion: "75"') + "promotion:\n  federal: another-2030\n")
    federal = files.text("federal.yaml", contests.spec_yaml)
    cli("announce", regional, "--federal", federal).assert_rejected(
        "this is zdorovye-2030, but zdorovye-2030 promotes to another-2030")


@pytest.mark.slow  # 10–20 s of CLI processes: `make test-slow` (the default suite keeps to its time)
def test_a_regional_operator_runs_only_their_own_regions_stage_through_temporal(
    cli: Cli, files: Files, contests: Contests, temporal: str
) -> None:
    spec = files.text("federal.yaml", contests.spec_yaml + STAGES)
    cli("announce", spec).assert_ok()
    zabaikalsky = cli.acting_as(actor_for(Role.REGIONAL_OPERATOR, "zab-op", Scope(region="75")))
    expert = cli.acting_as(actor_for(Role.EXPERT, "эксперт-1", Scope(contests=("zdorovye-2030-75",))))

    zabaikalsky("announce", spec).assert_rejected(
        "regional operator zab-op (region 75) lacks the right to announce contests in zdorovye-2030")
    for stage in ("zdorovye-2030-23", "zdorovye-2030"):
        zabaikalsky("close", stage, "--phase", "announced").assert_rejected(
            "regional operator zab-op (region 75) lacks the right to close announced in " + stage,
            "a regional operator acts only in the stages of region 75")
    expert("cancel", "zdorovye-2030-75", "--reason", "не нравится").assert_rejected(
        "expert эксперт-1 lacks the right to cancel the contest in zdorovye-2030-75")
    zabaikalsky("close", "zdorovye-2030-75", "--phase", "announced").assert_ok()

    changes = [json.loads(line) for line in cli(
        "events", "tail", "--type", "contest.phase_changed").stdout.splitlines()]
    assert [(e["contest"], e["actor"]["id"]) for e in changes] == [("zdorovye-2030-75", "zab-op")]
    assert changes[0]["data"]["cause"] == "operator"
