"""The working group's protocol: the PDF reads back the winners, the panel and the chain head that
`konkurs results --json` and `konkurs judging report --json` publish; bad input writes nothing."""

from __future__ import annotations

import csv
import html
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.commands.contest import Announce
from domain.errors import InvalidCommand
from konkurs.documents.protocol import PdfUnavailable, render_pdf, write_protocols
from projections import ViewsDB, catch_up, default_views
from services.konkurs import Konkurs
from tests.factories import OPERATOR, make_spec
from tests.outputs.conftest import REPO, FinishedDemo

PDFTOTEXT = Path("/usr/bin/pdftotext")
NOMINATION = "hc-doctor-appointment"
ONLY_SQLITE = pytest.mark.only_on(
    "sqlite", reason="`konkurs demo` is the embedded default: its store is always SQLite")


def squashed(text: str) -> str:
    """Text with no whitespace: table cells wrap titles and names across lines."""
    return "".join(text.split())


def published_nomination(demo: FinishedDemo) -> tuple[dict[str, Any], dict[str, Any]]:
    published = demo.results_json()
    return published, next(n for n in published["nominations"] if n["code"] == NOMINATION)


def panel_names(demo: FinishedDemo) -> set[str]:
    """The experts the demo imported for healthcare, the direction of the nomination: its panel."""
    with (demo.home / "experts.csv").open(encoding="utf-8-sig", newline="") as roster:
        return {row["name"] for row in csv.DictReader(roster, delimiter=";")
                if "healthcare" in row["directions"].split(",")}


@pytest.mark.slow
@ONLY_SQLITE
def test_the_protocol_pdf_and_html_state_the_winners_the_panel_and_the_chain_head(
    finished_demo: FinishedDemo, tmp_path: Path, artifacts: Path,
) -> None:
    assert PDFTOTEXT.exists(), "pdftotext (poppler-utils) is needed: CI installs it"
    done = finished_demo.konkurs("protocol", finished_demo.slug, "--out", tmp_path,
                                 "--nomination", NOMINATION, "--json")
    assert done.returncode == 0, done.stderr
    files = [Path(f) for f in json.loads(done.stdout)["files"]]
    assert sorted(f.name for f in files) == [f"protocol-{NOMINATION}.html", f"protocol-{NOMINATION}.pdf"]
    pdf = tmp_path / f"protocol-{NOMINATION}.pdf"
    shutil.copy(pdf, artifacts / pdf.name)
    read_back = subprocess.run([PDFTOTEXT, pdf, "-"], capture_output=True, text=True, check=True).stdout
    page = html.unescape((tmp_path / f"protocol-{NOMINATION}.html").read_text(encoding="utf-8"))
    published, nomination = published_nomination(finished_demo)
    assert nomination["winners"] and published["sealed_head"]
    panel = panel_names(finished_demo)
    assert len(panel) > 3
    for text in (squashed(read_back), squashed(page)):
        assert "Протоколзаседаниярабочейгруппы" in text
        assert published["sealed_head"] in text and str(published["sealed_position"]) in text
        for winner in nomination["winners"]:
            assert winner["reference"] in text
            assert squashed(winner["title"]) in text and squashed(winner["applicant"]) in text
        for name in panel:
            assert squashed(name) in text
    scores = page[page.index('id="scores"'):page.index('id="winners"')]
    printed = [scores.index(f">{entry['reference']}<") for entry in nomination["ranking"]]
    assert printed == sorted(printed), "the ranking is printed in its order"
    ties = [entry for entry in nomination["ranking"] if entry["settled_by"] not in (None, "score")]
    assert page.count("равная оценка; решил шаг") == len(ties)


@ONLY_SQLITE
@pytest.mark.parametrize("args, says", [
    (["--nomination", "no-such"], "--nomination no-such: contest smart-dialog-2023 has no such nomination"),
    (["--nomination", NOMINATION, "--format", "docx"], "'docx' is not one of"),
])
def test_bad_input_is_one_line_and_writes_nothing(
    finished_demo: FinishedDemo, tmp_path: Path, args: list[str], says: str,
) -> None:
    out = tmp_path / "protocols"
    done = finished_demo.konkurs("protocol", finished_demo.slug, "--out", out, *args)
    assert done.returncode != 0 and says in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


@ONLY_SQLITE
def test_an_unknown_contest_is_one_line(finished_demo: FinishedDemo, tmp_path: Path) -> None:
    done = finished_demo.konkurs("protocol", "no-such-contest", "--out", tmp_path / "p")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["error: no contest 'no-such-contest' has been announced"]


NO_PANGO = (
    "import sys, types\n"
    "def missing(name): raise OSError('cannot load library libpango-1.0-0')\n"
    "stub = types.ModuleType('weasyprint'); stub.__getattr__ = missing\n"
    "sys.modules['weasyprint'] = stub\n"
    "from konkurs.cli import run\n"
    "sys.exit(run(sys.argv[1:]))"
)


@ONLY_SQLITE
def test_without_pango_the_html_is_written_and_the_command_says_what_to_install(
    finished_demo: FinishedDemo, tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "KONKURS_"))}
    done = subprocess.run(
        [sys.executable, "-c", NO_PANGO, "protocol", finished_demo.slug, "--out", str(tmp_path),
         "--nomination", NOMINATION],
        cwd=REPO, env={**env, "KONKURS_HOME": str(finished_demo.home)}, capture_output=True, text=True,
        timeout=120)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"protocol-{NOMINATION}.html"]


def test_render_pdf_names_the_missing_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    stub = type(sys)("weasyprint")

    def missing(name: str) -> None:
        raise OSError("cannot load library 'libpango-1.0-0'")

    stub.__getattr__ = missing  # type: ignore[method-assign]
    monkeypatch.setitem(sys.modules, "weasyprint", stub)
    with pytest.raises(PdfUnavailable, match=r"libpangoft2-1\.0-0"):
        render_pdf("<p>тест</p>")


def test_a_contest_not_judged_yet_has_no_protocol(konkurs: Konkurs, tmp_path: Path) -> None:
    spec = make_spec(datetime.now(UTC))
    konkurs.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id="announce",
                                       actor=OPERATOR))
    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())
    out = tmp_path / "protocols"
    with pytest.raises(InvalidCommand, match="judging of test-contest is not concluded yet"):
        write_protocols(konkurs, views, spec.slug, out)
    with pytest.raises(InvalidCommand, match="--nomination HC-1: judging of test-contest is not concluded"):
        write_protocols(konkurs, views, spec.slug, out, nominations=["HC-1"])
    assert not out.exists()
