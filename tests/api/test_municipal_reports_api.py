"""Municipal reports over HTTP: recorded as `konkurs participation report` records them, the same
report again writes nothing, a refusal is a problem that writes nothing, and the reports missing
are read back as `konkurs participation SLUG --reports` shows them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.commands.contest import ReviewParticipation
from konkurs.api.problems import PROBLEM_JSON
from services.konkurs import Konkurs
from tests.api.world import Call, Serve, contest
from tests.factories import OPERATOR
from tests.unit.permissions import SLUG, World, reporting, voting

CHITA = "76601000"
REPORTS = contest("/participation/reports")


def report(oktmo: str = CHITA, received: str = "30.01.2030", reference: str = "исх. № 12") -> dict[str, Any]:
    return {"reports": [{"oktmo": oktmo, "received": received, "reference": reference}]}


def chased(konkurs: Konkurs) -> World:
    """A drive asking for reports, whose review before report_by found region 75 lagging: Chita owes one."""
    world = reporting(konkurs)
    konkurs.participation.review_participation(ReviewParticipation(
        slug=SLUG, moment=datetime(2030, 1, 20, tzinfo=UTC), command_id="review-1", actor=OPERATOR))
    return world


def test_a_report_is_recorded_once_and_the_same_again_writes_nothing(serve: Serve) -> None:
    served = serve(chased)
    before = served.send(Call("GET", REPORTS), "auditor")
    assert before.status_code == 200, before.text
    [region] = before.json()["regions"]
    assert [m["oktmo"] for m in region["missing"]] == [CHITA] and region["received"] == []

    first = served.send(Call("POST", REPORTS, json=report()), "regional operator of 75")

    assert first.status_code == 200, first.text
    assert first.json() == {"recorded": 1, "unchanged": 0, "regions": ["75"]}
    served.token("federal operator")  # issuing it writes; the report again must not
    head = served.head()
    again = served.send(Call("POST", REPORTS, json=report(received="2030-01-30")), "federal operator")
    assert again.json() == {"recorded": 0, "unchanged": 1, "regions": []}
    assert served.head() == head
    [region] = served.send(Call("GET", REPORTS), "federal operator").json()["regions"]
    assert region["missing"] == []
    assert [(r["oktmo"], r["received"], r["reference"]) for r in region["received"]] == [
        (CHITA, "2030-01-30", "исх. № 12")]


@pytest.mark.parametrize(("state", "body", "caller", "status", "detail"), [
    (reporting, report(oktmo="99999999"), "federal operator", 422,
     "reports[0]: unknown municipality 99999999"),
    (reporting, report(oktmo="12ab"), "federal operator", 422, "body.reports.0.oktmo: String should match"),
    (reporting, report(received="31.02.2030"), "federal operator", 422, "not a date: '31.02.2030'"),
    (reporting, {"reports": []}, "federal operator", 422, "body.reports: List should have at least 1 item"),
    (voting, report(), "federal operator", 422, "its spec has no participation.report_by"),
    (reporting, report(), "regional operator of 23", 403, "lacks the right to record municipal reports"),
    (reporting, report(), "auditor", 403, "lacks the right to record municipal reports"),
], ids=["unknown OKTMO", "malformed OKTMO", "no such day", "no report", "no drive", "another region",
        "an auditor"])
def test_a_refused_report_is_a_problem_and_writes_nothing(
    serve: Serve, state: Any, body: dict[str, Any], caller: str, status: int, detail: str
) -> None:
    served = serve(state)
    served.token(caller)
    head = served.head()

    answer = served.send(Call("POST", REPORTS, json=body), caller)

    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert detail in answer.json()["detail"]
    assert served.head() == head


def test_a_report_with_another_date_than_the_one_recorded_is_refused(serve: Serve) -> None:
    served = serve(reporting)
    assert served.send(Call("POST", REPORTS, json=report()), "federal operator").status_code == 200
    head = served.head()

    answer = served.send(Call("POST", REPORTS, json=report(received="31.01.2030")), "federal operator")

    assert answer.status_code == 409, answer.text
    assert answer.json()["detail"] == ("reports[0]: municipality 76601000 has a report recorded already, "
                                       "received 30.01.2030 (исх. № 12)")
    assert served.head() == head
