"""`konkurs forget` as an operator answers an erasure request after a contest is over: the name
and INN leave every file of the store and the views, the record still verifies, and what people
read says "erased".

The contest is driven through every phase in the domain, as the workflow's activities would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from domain.actors import Role, Scope, actor_for
from domain.aggregates import Applicant, ExpertProfile
from domain.commands.intake import SubmissionForm, Submit
from domain.commands.order import ContestOrder
from domain.personal import Person
from domain.phases import Phase
from domain.spec import ApplicantKind
from konkurs.spec_files import parse_spec
from store.person_keys import person_of
from tests.e2e.conftest import ENTRIES, PANEL, SLUG, SPEC_YAML
from tests.factories import OPERATOR, cards_for_assignments, close_phase, record_cards

if TYPE_CHECKING:
    from tests.e2e.conftest import Cli, Contests, Store

pytestmark = pytest.mark.only_on("sqlite", reason="reads the bytes of the store's files")

APPLICANT_NAME = "Мельникова Дарья Сергеевна"
APPLICANT_INN = "772801234567"
EXPERT_NAME = "Кузнецов Аркадий Львович"
EXPERT_INN = "500100732259"
APPLICANT = f"applicant:{SLUG}/ZDR-005"
EXPERT = f"expert:{SLUG}/эксперт-7"
REASON = "Заявление субъекта ПДн № 12 от 01.07.2030"
SECRETS = (APPLICANT_NAME, APPLICANT_INN, EXPERT_NAME, EXPERT_INN)

def run_contest_with_people(contests: Contests, store: Store) -> None:
    """A person among the applicants and on the panel; screened, judged, tallied, published."""
    contests.spec = parse_spec(SPEC_YAML.replace("applicant_kinds: [state_institution, ngo]",
                                                 "applicant_kinds: [state_institution, ngo, person]"),
                               source="spec.yaml")
    contests.collecting()
    person = SubmissionForm(reference="ZDR-005", nomination="HC-1", title="Школа здоровья для пациентов",
                            applicant=Applicant(name=APPLICANT_NAME, kind=ApplicantKind.PERSON, region="75",
                                                inn=APPLICANT_INN, age=34))
    forms = [(f"entry {e[0]}", contests.form(*e)) for e in ENTRIES] + [("entry ZDR-005", person)]
    with store.open() as app:
        app.submissions.submit(Submit(slug=SLUG, forms=forms, actor=OPERATOR))
        close_phase(app, SLUG, Phase.COLLECTING, "close-collecting")
    expert = ExpertProfile(id="эксперт-7", name=EXPERT_NAME, organisation="Экспертный совет № 7",
                           inn=EXPERT_INN, region="77", level="federal", directions=["health"])
    contests.open_judging([*PANEL, ("panel row 7", expert)])
    with store.open() as app:
        record_cards(app, SLUG, cards_for_assignments(app, SLUG, lambda ref, _: 3 + int(ref[-1])))
        for phase, command in ((Phase.JUDGING, "judging"), (Phase.VOTING, "voting")):
            close_phase(app, SLUG, phase, f"close-{command}")
            if phase == Phase.JUDGING:
                app.results.conclude_judging(ContestOrder(slug=SLUG, command_id="judge", actor=OPERATOR))
        app.results.tally_votes(ContestOrder(slug=SLUG, command_id="tally", actor=OPERATOR))
        app.results.declare_results(ContestOrder(slug=SLUG, command_id="declare", actor=OPERATOR))
        app.results.publish_results(ContestOrder(slug=SLUG, command_id="publish", actor=OPERATOR))


def database_files(home: Path) -> dict[Path, bytes]:
    """Every file of the store and the views, with their -wal and -shm siblings."""
    return {path: path.read_bytes() for path in sorted(home.rglob("*.db*")) if path.is_file()}


def holding(home: Path, secrets: tuple[bytes, ...]) -> list[str]:
    return [f"{path.name} holds {secret!r}" for path, content in database_files(home).items()
            for secret in secrets if secret in content]


def keys_of(store: Store, *people: str) -> tuple[bytes, ...]:
    with store.open() as app:
        keys = [app.store.person_keys.key(person_of(Person.parse(p).aggregate_id)) for p in people]
    assert all(keys)
    return tuple(key for key in keys if key)


def json_of(run: Any) -> Any:
    run.assert_ok()
    return json.loads(run.stdout)


@pytest.fixture
def forgotten(cli: Cli, contests: Contests, store: Store, home: Path) -> Cli:
    """The finished contest, its views read and a webhook's dead letters kept, then both people
    forgotten."""
    run_contest_with_people(contests, store)
    cli("results", SLUG).assert_ok()
    cli("webhooks", "add", "archive", "http://127.0.0.1:9/", "--type", "submission.submitted",
        "--type", "expert.enrolled", "--from", "0").assert_ok()
    assert cli("webhooks", "run", "--once", "--attempts", "1", "--backoff", "0").code == 0
    names = tuple(name.encode() for name in (APPLICANT_NAME, EXPERT_NAME))
    assert len(holding(home, names)) >= 2, "the views should hold both names before the erasure"
    keys = keys_of(store, APPLICANT, EXPERT)

    for person in (EXPERT, APPLICANT):
        run = cli("forget", person, "--reason", REASON)
        run.assert_ok()
        assert f"Forgot {person}" in run.stdout

    assert holding(home, (*(s.encode() for s in SECRETS), *keys)) == []
    return cli


def test_no_file_of_the_store_or_the_views_holds_a_forgotten_name_and_the_record_verifies(
    forgotten: Cli,
) -> None:
    verified = forgotten("audit", "verify")

    verified.assert_ok()
    assert "chain intact" in verified.stdout
    report = json_of(forgotten("audit", "verify", "--json"))
    assert report["holds"] and report["intact"]


def test_what_people_read_says_erased_and_the_others_keep_their_names(forgotten: Cli) -> None:
    [submission] = json_of(forgotten("submissions", SLUG, "ZDR-005", "--json"))
    assert submission["applicant"]["name"] == "erased"
    assert submission["applicant"]["inn"] is None
    assert (submission["applicant"]["age"], submission["applicant"]["region"]) == (34, "75")

    experts = {e["expert"]: e for e in json_of(forgotten("judging", "status", SLUG, "--json"))}
    assert experts["эксперт-7"]["name"] == "erased"
    assert experts["эксперт-1"]["name"] == "Эксперт 1"

    results = json_of(forgotten("results", SLUG, "--json"))
    applicants = {r["reference"]: r["applicant"] for n in results["nominations"] for r in n["ranking"]}
    assert applicants["ZDR-005"] == "erased"
    assert applicants["ZDR-001"] == "ГБУЗ «Краевая больница»"

    letters = json_of(forgotten("webhooks", "dead", "archive", "--json"))
    assert APPLICANT_NAME not in json.dumps(letters, ensure_ascii=False)


def test_the_erasure_is_recorded_with_who_when_and_why_but_not_the_name(
    forgotten: Cli, tmp_path: Path
) -> None:
    forgotten("audit", "report", SLUG, "--out", tmp_path).assert_ok()
    report = json.loads((tmp_path / f"{SLUG}-audit.json").read_text(encoding="utf-8"))

    erasures = [c for c in report["operator_commands"] if c["kind"] == "erasure"]
    assert [(c["details"]["person"], c["reason"], c["actor"]["id"]) for c in erasures] == [
        (EXPERT, REASON, "local-operator"), (APPLICANT, REASON, "local-operator")]
    tail = forgotten("events", "tail")
    tail.assert_ok()
    assert all(secret not in tail.stdout for secret in SECRETS)
    recorded = [json.loads(line) for line in tail.stdout.splitlines() if '"erasure.recorded"' in line]
    assert [(e["data"]["person"], e["contest"]) for e in recorded] == [(EXPERT, SLUG), (APPLICANT, SLUG)]


def test_a_second_forget_finds_nothing_left(forgotten: Cli) -> None:
    again = forgotten("forget", APPLICANT, "--reason", REASON)

    again.assert_ok()
    assert "Nothing left to forget" in again.stdout


@pytest.mark.parametrize(("role", "scope", "why"), [
    (Role.AUDITOR, Scope(), "only the contest's operators may"),
    (Role.REGIONAL_OPERATOR, Scope(region="75"), "a regional operator acts only in the stages of region 75"),
])
def test_who_may_not_forget_is_refused_in_one_line_and_nothing_is_erased(
    cli: Cli, contests: Contests, store: Store, role: Role, scope: Scope, why: str
) -> None:
    run_contest_with_people(contests, store)

    refused = cli.acting_as(actor_for(role, "someone", scope))("forget", APPLICANT, "--reason", REASON)

    refused.assert_rejected("lacks the right to forget personal data", why)
    [submission] = json_of(cli("submissions", SLUG, "ZDR-005", "--json"))
    assert submission["applicant"]["name"] == APPLICANT_NAME
