"""`konkurs webhooks` as an operator uses it, against receivers on loopback."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from domain.aggregates import Submission
from tests.e2e.conftest import REPO, Cli, Contests, Store
from tests.receiver import Receiver

FAST = ("--attempts", "4", "--backoff", "0.01", "--backoff-cap", "0.02", "--timeout", "2")


@pytest.mark.slow  # 10–20 s of CLI processes: `make test-slow` (the default suite keeps to its time)
def test_an_operator_adds_webhooks_delivers_inspects_dead_letters_and_replays_them(
    cli: Cli, store: Store, contests: Contests
) -> None:
    contests.collecting()
    contests.close_collection()
    with Receiver(fail_first=3) as portal, Receiver(fail_first=-1) as archive:
        added = cli("webhooks", "add", "portal", portal.url, "--type", "submission.submitted",
                    "--type", "contest.phase_changed", "--from", "0", "--json")
        added.assert_ok()
        secret = json.loads(added.stdout)["secret"]
        cli.env["ARCHIVE_SECRET"] = "archive-secret"
        cli("webhooks", "add", "archive", archive.url, "--type", "submission.submitted",
            "--contest", contests.slug, "--secret-env", "ARCHIVE_SECRET", "--from", "0").assert_ok()

        ran = cli("webhooks", "run", "--once", *FAST, "--json")
        assert ran.code == 0 and "Traceback" not in ran.stderr, ran.stderr
        outcomes = {o["webhook"]: o for o in json.loads(ran.stdout)}
        submitted = store.count(Submission.Submitted)
        assert outcomes["portal"]["delivered"] == submitted + 2  # two phases closed
        assert outcomes["archive"]["dead_lettered"] == submitted
        assert all(post.signed_with(secret) for post in portal.received)
        assert len(portal.attempts) == len(portal.received) + 3

        listed = {w["name"]: w for w in json.loads(cli("webhooks", "list", "--json").stdout)}
        assert listed["archive"]["dead_letters"] == submitted
        assert listed["portal"]["position"] == store.head()
        assert "secret" not in listed["portal"]

        shown = cli("webhooks", "dead", "archive")
        shown.assert_ok()
        assert "submission.submitted" in shown.stdout and "HTTP 500" in shown.stdout
        letters = json.loads(cli("webhooks", "dead", "archive", "--json").stdout)
        assert letters[0]["payload"]["contest"] == contests.slug

        cli("webhooks", "replay", "archive", "--all", *FAST).assert_rejected("still failing")
        archive.heal()
        replayed = cli("webhooks", "replay", "archive", "--position", str(letters[0]["position"]))
        replayed.assert_ok()
        assert "1 dead letters delivered" in replayed.stdout
        cli("webhooks", "replay", "archive", "--all").assert_ok()
        assert all(post.signed_with("archive-secret") for post in archive.received)
        assert len(archive.received) == submitted
        assert "no dead letters" in cli("webhooks", "dead", "archive").stdout

    cli("webhooks", "remove", "archive").assert_ok()
    assert [w["name"] for w in json.loads(cli("webhooks", "list", "--json").stdout)] == ["portal"]


@pytest.mark.slow  # 10–20 s of CLI processes: `make test-slow` (the default suite keeps to its time)
def test_bad_webhook_commands_are_refused_in_one_line(cli: Cli) -> None:
    cli("webhooks", "add", "portal", "http://127.0.0.1:9/", "--type", "submission.submited"
        ).assert_rejected("unknown event type 'submission.submited'", "submission.submitted")
    cli("webhooks", "add", "portal", "portal.example.org", "--type", "submission.submitted"
        ).assert_rejected("http:// or https://")
    cli("webhooks", "add", "portal", "http://127.0.0.1:9/", "--type", "submission.submitted",
        "--secret-env", "NOT_SET_ANYWHERE").assert_rejected("NOT_SET_ANYWHERE", "not set")
    cli("webhooks", "dead", "nobody").assert_rejected("no webhook named 'nobody'")
    cli("webhooks", "add", "portal", "http://127.0.0.1:9/", "--type", "submission.submitted"
        ).assert_ok()
    cli("webhooks", "replay", "portal").assert_rejected("--position", "--all")
    cli("webhooks", "replay", "portal", "--position", "7").assert_rejected("no dead letter at position 7")


def test_the_delivery_loop_follows_new_events_and_stops_cleanly_on_sigterm(
    cli: Cli, store: Store, contests: Contests
) -> None:
    contests.collecting()
    with Receiver() as portal:
        cli("webhooks", "add", "portal", portal.url, "--type", "submission.submitted").assert_ok()
        loop = subprocess.Popen([sys.executable, "-m", "konkurs", "webhooks", "run", "--interval",
                                 "0.05"], cwd=REPO, env=cli.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(1)
            contests.close_collection()
            deadline = time.monotonic() + 30
            while len(portal.received) < len(contests.entries):
                assert loop.poll() is None and time.monotonic() < deadline, loop.stderr
                time.sleep(0.05)
        finally:
            loop.send_signal(signal.SIGTERM)
            out, err = loop.communicate(timeout=30)
    assert loop.returncode == 0, err
    assert "portal" in out and "Traceback" not in err
    assert sorted(p.event["data"]["reference"] for p in portal.received) == [
        e[0] for e in contests.entries]
