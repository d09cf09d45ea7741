"""Acceptance: `konkurs mailer run` sends every letter of a contest run through the dev server, and
of a participation drive, each exactly once to the right address, though it is SIGKILLed midway.

`konkurs demo` runs Smart Dialog 2023 through the embedded Temporal dev server (89 announcement
letters, expert assignments, submissions screened, results published). Municipal Dialog 2024, a
participation drive, is then run on the same home through the services, with a review after
`report_by`, and one judging gets a reminder. What should be sent is worked out from
`konkurs events tail` and the addresses imported; the SMTP server is aiosmtpd in this process, and
it kills the mailer at its K-th message before answering, so that message is not stored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.aggregates.judging import Reminder
from domain.commands.contest import ReviewParticipation
from domain.rules.participation import report_deadline
from konkurs.bootstrap import Bootstrap
from konkurs.settings import Settings
from tests.example_contests import run_example
from tests.factories import OPERATOR
from tests.integration.test_mailer import MailSink

REPO = Path(__file__).resolve().parents[2]
DEMO = "smart-dialog-2023"
KILL_AT = 300
DOMAIN = "mail.minsport.example"

pytestmark = [pytest.mark.slow, pytest.mark.only_on(
    "sqlite", reason="`konkurs demo` is the embedded default: its store is always SQLite")]


def konkurs(home: Path, *args: str | Path, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "konkurs", *map(str, args)], cwd=REPO,
                          env={**clean_env(home), **(env or {})}, capture_output=True, text=True, timeout=600)
    assert not check or done.returncode == 0, done.stderr
    return done


def clean_env(home: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "KONKURS_"))}
    return {**kept, "KONKURS_HOME": str(home), "KONKURS_MAIL_DOMAIN": DOMAIN}


def more_letters(home: Path) -> str:
    """A participation drive reviewed after `report_by`, and a reminder to one judging's experts."""
    settings = Settings(home=home, persistence_module="eventsourcing.sqlite", production=False)
    wiring = Bootstrap(settings, store_env=settings.store_env())
    app = wiring.services
    try:
        [drive] = run_example(app, REPO / "examples" / "municipal-dialog-2024.yaml", home / "work")
        contest = app.store.get_contest(drive)
        late = report_deadline(contest.spec, contest.plan) + timedelta(days=1)
        app.participation.review_participation(
            ReviewParticipation(slug=drive, moment=late, command_id="late review", actor=OPERATOR))
        judging = next(iter(app.reads.judgings(app.store.get_contest(DEMO).spec).values()))
        assigned = sorted(judging.assigned.items())[:2]
        judging.remind(closes_at=contest.plan.windows[-1].closes_at.isoformat(), command_id="remind",
                       reminders=[Reminder(expert=experts[0], open_cards=[ref]) for ref, experts in assigned])
        app.store.save(judging, actor=OPERATOR)
    finally:
        wiring.close()
    return drive


def expected(events: list[dict[str, Any]]) -> dict[int, list[tuple[str, str]]]:
    """Per event position, the (kind, key) of each letter docs/mail.md says it sends."""
    references: dict[str, str] = {}
    admitted: dict[str, list[str]] = {}
    wanted: dict[int, list[tuple[str, str]]] = {}
    for event in events:
        data, slug, name = event["data"], event["contest"], event["name"]
        if name == "submission.submitted":
            references[event["aggregate_id"]] = data["reference"]
        if name == "submission.admitted":
            admitted.setdefault(slug, []).append(references[event["aggregate_id"]])
        letters = recipients_of(name, data, ("applicant", f"{slug}/{references.get(event['aggregate_id'])}"),
                                [("applicant", f"{slug}/{r}") for r in admitted.get(slug, [])])
        if letters:
            wanted[event["position"]] = letters
    return wanted


def recipients_of(name: str, data: dict[str, Any], applicant: tuple[str, str],
                  admitted: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if name == "announcement.issued":
        return [("authority", data["addressee"]["region"])]
    if name == "judging.assigned":
        return [("expert", expert) for expert in sorted({pair["expert"] for pair in data["pairs"]})]
    if name == "judging.experts_reminded":
        return [("expert", reminder["expert"]) for reminder in data["reminders"]]
    if name in ("submission.filed", "submission.admitted", "submission.rejected") or (
            name == "submission.submitted" and not data.get("draft")):
        return [applicant]
    if name == "contest.results_published":
        return admitted
    if name == "contest.participation_reviewed":
        chased = [("coordinator", region["code"]) for region in data["laggards"]]
        for region in data.get("missing_reports") or []:
            chased += [("municipality", named["oktmo"]) for named in region["named"]]
            chased.append(("coordinator", region["region"]))
        return chased
    return []


def address(kind: str, key: str) -> str:
    return f"{kind}.{key.replace('/', '.')}@example.org".lower()


def test_every_letter_arrives_once_though_the_mailer_is_killed_midway(tmp_path: Path) -> None:
    home = tmp_path / "home"
    demo = subprocess.run([sys.executable, "-m", "konkurs", "demo", "--json", "--seed", "11", "--no-outputs",
                           "--home", str(home)], cwd=REPO, env=clean_env(home), capture_output=True,
                          text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr
    drive = more_letters(home)
    events = [json.loads(line) for line in konkurs(home, "events", "tail").stdout.splitlines()]
    wanted = expected(events)
    recipients = sorted({letter for letters in wanted.values() for letter in letters})
    book = tmp_path / "адреса.csv"
    book.write_text("вид;ключ;почта;имя\n" + "".join(
        f"{kind};{key};{address(kind, key)};Адресат {key}\n" for kind, key in recipients), encoding="utf-8")
    konkurs(home, "mailer", "addresses", "import", book)
    names = Counter(e["name"] for e in events if e["position"] in wanted)
    assert names["announcement.issued"] == 89 and names["judging.experts_reminded"] == 1
    assert names["contest.participation_reviewed"] == 2 and names["judging.assigned"] > 0

    mailer: subprocess.Popen[str] | None = None

    def kill_at(attempt: int) -> str | None:
        if attempt == KILL_AT and mailer is not None:
            os.kill(mailer.pid, signal.SIGKILL)
            return "421 4.3.0 going away"
        return None

    smtp = {"KONKURS_SMTP_PORT": "", "KONKURS_MAIL_FROM": "Конкурс <konkurs@minsport.example>"}
    with MailSink(answer=kill_at) as sink:
        smtp["KONKURS_SMTP_PORT"] = str(sink.port)
        run = [sys.executable, "-m", "konkurs", "mailer", "run", "--interval", "0.2"]
        mailer = subprocess.Popen(run, cwd=REPO, env={**clean_env(home), **smtp}, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert mailer.wait(timeout=300) == -signal.SIGKILL, mailer.stderr.read() if mailer.stderr else ""
        assert len(sink.received) == KILL_AT - 1

        total = sum(len(letters) for letters in wanted.values())
        mailer = subprocess.Popen(run, cwd=REPO, env={**clean_env(home), **smtp}, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 300
        while len(sink.received) < total and time.monotonic() < deadline and mailer.poll() is None:
            time.sleep(0.2)
        mailer.send_signal(signal.SIGTERM)
        _, err = mailer.communicate(timeout=60)
        assert mailer.returncode == 0, err
        finished = json.loads(konkurs(home, "mailer", "run", "--once", "--json", env=smtp).stdout)

    assert finished["sent"] == 0 and finished["outbox"] == {"pending": 0, "sent": total, "dead": 0}
    ids = sink.ids()
    assert len(ids) == len(set(ids)) == total, Counter(ids).most_common(3)
    assert set(ids) == {f"<{position}.{n}.konkurs@{DOMAIN}>"
                        for position, letters in wanted.items() for n in range(len(letters))}
    by_position: dict[int, list[str]] = {}
    for message in sink.received:
        by_position.setdefault(int(str(message["Message-ID"]).strip("<").split(".")[0]), []).append(
            message["To"].addresses[0].addr_spec)
    assert {p: sorted(to) for p, to in by_position.items()} == {
        p: sorted(address(*letter) for letter in letters) for p, letters in wanted.items()}

    letters = {str(m["Message-ID"]): m for m in sink.received}
    zabaikalsky = next(e for e in events if e["name"] == "announcement.issued"
                       and e["data"]["addressee"]["region"] == "75")
    letter = letters[f"<{zabaikalsky['position']}.0.konkurs@{DOMAIN}>"]
    assert str(letter["Subject"]) == zabaikalsky["data"]["subject"]
    assert str(letter["To"]) == "Адресат 75 <authority.75@example.org>"
    assert zabaikalsky["data"]["particulars"]["number"] in letter.get_content()

    results = json.loads(konkurs(home, "results", DEMO, "--json").stdout)
    winner = results["nominations"][0]["winners"][0]
    [published] = [e for e in events if e["name"] == "contest.results_published" and e["contest"] == DEMO]
    [won] = [m for m in sink.received if m["Message-ID"].startswith(f"<{published['position']}.")
             and m["To"].addresses[0].addr_spec == address("applicant", f"{DEMO}/{winner['reference']}")]
    assert f"заняла {winner['place']} место" in won.get_content()

    chases = [m for m in sink.received if m["To"].addresses[0].addr_spec.startswith("coordinator.")]
    assert any("участие региона ниже целевого" in str(m["Subject"]) for m in chases)
    assert any("не представили отчёт" in m.get_content() and drive not in str(m["To"])
               for m in chases)
