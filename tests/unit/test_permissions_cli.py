"""The permissions matrix through the CLI: each role acts with a token of its own in
KONKURS_TOKEN, as an operator's shell would; an allowed command exits 0, a forbidden one prints
one line naming the missing right, exits 1 and writes nothing.

The commands that go through Temporal (announce, extend, close, cancel) are refused the same
way by their Updates' validators: see tests/workflows/test_update_senders.py.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.actors import Actor
from domain.commands.credentials import IssueToken
from konkurs.bootstrap import Bootstrap
from konkurs.cli import run, runtime
from services.konkurs import Konkurs
from tests.factories import OPERATOR
from tests.unit.permissions import (
    APPLICANT_INN,
    FEDERAL,
    OPERATORS,
    ROLES,
    SLUG,
    World,
    collecting,
    fresh,
    judging,
    voting,
    with_token,
)


def sheet(folder: Path, name: str, header: Sequence[str], *rows: Sequence[object]) -> str:
    """A CSV as Russian Excel saves it: UTF-8 with BOM, `;`."""
    path = folder / name
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def submission_yaml(folder: Path) -> str:
    path = folder / "submission.yaml"
    path.write_text(
        "reference: B1\nnomination: HC-1\ntitle: Практика B1\n"
        f"applicant: {{name: Школа B1, kind: ngo, region: '75', inn: '{APPLICANT_INN}'}}\n",
        encoding="utf-8")
    return str(path)


Args = Callable[[World, Path], list[str]]


@dataclass(frozen=True)
class CliCase:
    state: Callable[[Konkurs], World]
    args: Args
    allowed: frozenset[str]


CLI_CASES: dict[str, CliCase] = {
    "submit": CliCase(collecting, lambda w, d: ["submit", SLUG, submission_yaml(d)],
                      OPERATORS | {"applicant"}),
    "import submissions": CliCase(collecting, lambda w, d: ["import", "submissions", SLUG, sheet(
        d, "s.csv", ["reference", "nomination", "title", "applicant_name", "applicant_kind", "region", "inn"],
        ["B2", "HC-1", "Практика B2", "Школа B2", "ngo", "75", APPLICANT_INN])], OPERATORS | {"applicant"}),
    "review": CliCase(judging, lambda w, d: [
        "review", SLUG, "--submission", "A1", "--expert", w.expert, "--score", "impact=8",
        "--score", "replicable=3"], frozenset({"expert"})),
    "import reviews": CliCase(judging, lambda w, d: ["import", "reviews", SLUG, sheet(
        d, "r.csv", ["submission", "expert", "impact", "replicable"], ["A1", w.expert, "8", "3"])],
        frozenset({"expert"})),
    "recuse": CliCase(judging, lambda w, d: [
        "recuse", SLUG, "--submission", "A1", "--expert", w.expert, "--reason", "консультировал"],
        OPERATORS | {"expert"}),
    "judging assign": CliCase(judging, lambda w, d: ["judging", "assign", SLUG], OPERATORS),
    "import experts": CliCase(collecting, lambda w, d: ["import", "experts", SLUG, sheet(
        d, "e.csv", ["id", "name", "organisation", "region", "level", "directions"],
        ["E9", "Эксперт 9", "Центр 9", "77", "federal", "health"])], OPERATORS),
    "import ballots": CliCase(voting, lambda w, d: ["import", "ballots", SLUG, sheet(
        d, "b.csv", ["voter", "nomination", "submission", "region"],
        ["citizen-1", "HC-1", w.extra["shortlisted"], "75"])], OPERATORS | {"portal"}),
    "import registry": CliCase(fresh, lambda w, d: ["import", "registry", "providers", sheet(
        d, "reg.csv", ["inn", "name", "region", "entered_on"], [APPLICANT_INN, "Школа", "75", "2020-01-01"])],
        FEDERAL),
    "import municipalities": CliCase(fresh, lambda w, d: ["import", "municipalities", sheet(
        d, "m.csv", ["oktmo", "name", "region"], ["76601000", "Чита", "75"])], OPERATORS),
    "tokens issue": CliCase(fresh, lambda w, d: [
        "tokens", "issue", "--role", "portal", "--id", "portal-2", "--contest", SLUG], FEDERAL),
    "tokens revoke": CliCase(with_token, lambda w, d: [
        "tokens", "revoke", w.extra["token_id"], "--reason", "утерян"], FEDERAL),
}

# The policy decides the same on every store; hundreds of fresh databases would add nothing.
pytestmark = pytest.mark.only_on("memory", reason="the rights policy does not depend on the store")

MATRIX = [(command, role) for command in CLI_CASES for role in ROLES]


def token_of(konkurs: Konkurs, actor: Actor) -> str:
    assert actor.role is not None
    return konkurs.credentials.issue(IssueToken(
        role=actor.role, id=actor.id, scope=actor.scope, label="matrix", actor=OPERATOR)).token


@pytest.mark.parametrize(("command", "role"), MATRIX, ids=[f"{c} as {r}" for c, r in MATRIX])
def test_each_role_may_run_only_the_commands_its_scope_allows(
    wiring: Bootstrap, konkurs: Konkurs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], command: str, role: str,
) -> None:
    case = CLI_CASES[command]
    world = case.state(konkurs)
    actor = ROLES[role](world)
    monkeypatch.setattr(runtime, "bootstrap", lambda: wiring)
    monkeypatch.setenv("KONKURS_TOKEN", token_of(konkurs, actor))
    args = case.args(world, tmp_path)
    before = konkurs.store.head_position()
    capsys.readouterr()

    code = run(args)

    _, err = capsys.readouterr()
    if role in case.allowed:
        assert (code, err) == (0, ""), f"konkurs {' '.join(args)} as {role}: {err}"
        return
    assert code == 1
    assert err.strip().splitlines() == [err.strip()], err
    assert err.startswith(f"error: {actor.describe()} lacks the right to "), err
    assert konkurs.store.head_position() == before


def test_an_applicant_and_an_expert_read_only_their_own_submissions_from_the_cli(
    wiring: Bootstrap, konkurs: Konkurs, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    world = judging(konkurs)
    monkeypatch.setattr(runtime, "bootstrap", lambda: wiring)

    def as_role(role: str, *args: str) -> tuple[int, str, str]:
        monkeypatch.setenv("KONKURS_TOKEN", token_of(konkurs, ROLES[role](world)))
        capsys.readouterr()
        code = run(["submissions", SLUG, *args])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = as_role("applicant", "--json")
    assert code == 0 and [r["reference"] for r in json.loads(out)] == ["B1"]
    code, _, err = as_role("applicant", "A1")
    assert code == 1 and err.startswith("error: applicant school-1 (INN ") and "read submission A1" in err
    hidden = next(ref for ref in ("A1", "A2", "B1") if world.expert not in assignees(konkurs, ref))
    code, _, err = as_role("expert", hidden)
    assert code == 1 and f"lacks the right to read submission {hidden}" in err
    code, out, _ = as_role("expert", "A1")
    assert code == 0 and "Submission A1" in out and "admitted" in out
    code, _, err = as_role("portal")
    assert code == 1 and "lacks the right to read submissions" in err


def assignees(konkurs: Konkurs, reference: str) -> list[str]:
    return [e for j in konkurs.reads.judgings(konkurs.store.get_contest(SLUG).spec).values()
            for e in j.assigned.get(reference, [])]
