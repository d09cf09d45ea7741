"""`konkurs submit --draft` and `konkurs file` from the command line: the same service commands
the API's applicant routes call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.aggregates import SubmissionStatus
from domain.commands.reads import ReadSubmissions
from konkurs.bootstrap import Bootstrap
from konkurs.cli import run, runtime
from services.konkurs import Konkurs
from tests.factories import OPERATOR
from tests.unit.permissions import SLUG, collecting
from tests.unit.test_permissions_cli import submission_yaml, token_of

pytestmark = pytest.mark.only_on("memory", reason="the command line reads the same services on any store")


def status_of(konkurs: Konkurs, reference: str) -> SubmissionStatus:
    [record] = konkurs.submission_reads.submissions(
        ReadSubmissions(actor=OPERATOR, slug=SLUG, reference=reference))
    return record.status


def test_a_draft_saved_from_the_cli_is_filed_later(
    wiring: Bootstrap, konkurs: Konkurs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    collecting(konkurs)
    monkeypatch.setattr(runtime, "bootstrap", lambda: wiring)
    monkeypatch.setenv("KONKURS_TOKEN", token_of(konkurs, OPERATOR))

    assert run(["submit", SLUG, submission_yaml(tmp_path), "--draft"]) == 0
    assert status_of(konkurs, "B1") == SubmissionStatus.DRAFT
    capsys.readouterr()

    assert run(["file", SLUG, "B1", "--json"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out) == {"reference": "B1", "status": "submitted", "rejection_reason": None}
    assert status_of(konkurs, "B1") == SubmissionStatus.SUBMITTED

    assert run(["file", SLUG, "B1"]) == 1
    _, err = capsys.readouterr()
    assert err.strip() == "error: cannot file submission B1: it is submitted"
