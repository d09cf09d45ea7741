"""The public vote from the command line: a portal's export, the tally and replication demand."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import SLUG, Cli, Contests, Files, Store

BALLOT_HEADER = ("voter", "nomination", "submission", "region")


@pytest.mark.slow  # 10–20 s of CLI processes: `make test-slow` (the default suite keeps to its time)
def test_a_portal_export_records_good_ballots_and_refusals_with_their_reasons(
    cli: Cli, files: Files, store: Store, contests: Contests
) -> None:
    shortlist = contests.voting()
    rows = [("esia-1", "HC-1", shortlist["HC-1"][0], "23"),
            ("esia-1", "HC-1", shortlist["HC-1"][1], "23"),   # a second ballot: refused
            ("esia-2", "HC-1", "not-listed", "23"),            # off the shortlist: refused
            ("esia-2", "HC-2", shortlist["HC-2"][0], "75"),
            ("esia-3", "HC-2", shortlist["HC-2"][0], "75")]
    path = files.csv("портал.csv", BALLOT_HEADER, rows)
    run = cli("import", "ballots", SLUG, path, "--record-rejections", "--json")
    run.assert_ok()
    assert json.loads(run.stdout) == {"sent": 5, "accepted": 3, "rejected": {
        "already voted in this nomination": 1, "submission not on the shortlist": 1}, "repeated": 0}
    assert store.ballots() == 3

    again = cli("import", "ballots", SLUG, path, "--record-rejections", "--json")
    again.assert_ok()
    assert json.loads(again.stdout) == {"sent": 5, "accepted": 0, "rejected": {}, "repeated": 5}
    said = cli("import", "ballots", SLUG, path, "--record-rejections")
    assert said.stdout.startswith("Recorded 0 of 5 ballots; refused 0; 5 had been recorded before")
    one = files.csv("одна.csv", BALLOT_HEADER, [("esia-9", "HC-1", shortlist["HC-1"][0], "23")])
    assert cli("import", "ballots", SLUG, one).stdout.startswith("Recorded 1 ballots.")
    assert cli("import", "ballots", SLUG, one).stdout.startswith(
        "Nothing written: this file was recorded before, as batch ")
    assert store.ballots() == 4

    counted = cli("vote", "tally", SLUG, "--recount", "--json")
    counted.assert_ok()
    tally = json.loads(counted.stdout)
    assert tally["accepted"] == 4 and tally["recount_agrees"] is True
    assert tally["by_submission"] == {"HC-1": {shortlist["HC-1"][0]: 2},
                                      "HC-2": {shortlist["HC-2"][0]: 2}}

    wanted = cli("vote", "demand", SLUG, "--region", "75", "--json")
    wanted.assert_ok()
    (region,) = json.loads(wanted.stdout)
    assert region["region"] == "75" and region["ballots"] == 2
    assert region["wanted"][0]["reference"] == shortlist["HC-2"][0]
    assert region["wanted"][0]["share"] == 1.0
    human = cli("vote", "demand", SLUG, "--region", "75")
    human.assert_ok()
    assert "Забайкальский край" in human.stdout
