"""`konkurs status`'s board: filed, screened and drafts counted apart, each rejection named."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.commands.intake import FileDraft
from konkurs.bootstrap import Bootstrap
from konkurs.cli import run, runtime
from projections import ViewsDB, board, catch_up, default_views
from services.konkurs import Konkurs
from tests.factories import DAY, OPERATOR
from tests.unit.test_drafts_and_arrival import CONDITION, TITLE, arrival_spec, collecting, form, submit


def test_status_counts_screened_and_drafts_and_names_each_rejection(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    slug = collecting(konkurs, arrival_spec(datetime.now(UTC) - DAY))
    submit(konkurs, slug, form("B-1"), form("B-2", confirmed=False))
    submit(konkurs, slug, form("B-3"), form("B-4"), form("B-5"), draft=True)
    konkurs.submissions.file_draft(FileDraft(slug=slug, reference="B-3", actor=OPERATOR))

    database = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, database, default_views())
    shown = board(database, slug)
    counts = (shown.submissions, shown.screened, shown.admitted, shown.rejected, shown.drafts)
    assert counts == (3, 3, 2, 1, 2)
    assert [(r.reference, r.reason) for r in shown.rejections] == [
        ("B-2", f"admission condition {CONDITION} not confirmed: {TITLE}")]
    assert sum(n.submissions for n in shown.by_nomination) == 3


def test_konkurs_status_prints_the_intake_and_each_rejection(
    wiring: Bootstrap, konkurs: Konkurs, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    slug = collecting(konkurs, arrival_spec(datetime.now(UTC) - DAY))
    submit(konkurs, slug, *(form(f"R-{i:02d}", confirmed=False) for i in range(14)), form("R-99"))
    submit(konkurs, slug, form("R-50"), draft=True)
    monkeypatch.setattr(runtime, "bootstrap", lambda: wiring)
    monkeypatch.setattr(runtime, "actor", lambda: OPERATOR)
    capsys.readouterr()

    assert run(["status", slug]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Submissions 15 filed, 15 screened (admitted 1, rejected 14), 1 in drafts" in out
    assert "R-00" in out and "R-11" in out and "R-12" not in out
    assert f"… and 2 more rejected: `konkurs status {slug} --all`" in out

    assert run(["status", slug, "--all"]) == 0
    assert "R-13" in capsys.readouterr().out
    assert run(["status", slug, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["screened"], shown["drafts"], len(shown["rejections"])) == (15, 1, 14)
    assert shown["rejections"][0] == {
        "reference": "R-00", "reason": f"admission condition {CONDITION} not confirmed: {TITLE}"}
