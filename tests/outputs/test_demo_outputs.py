"""`make demo` ends by writing what the ministry hands on, and says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.outputs.conftest import FinishedDemo

pytestmark = pytest.mark.only_on(
    "sqlite", reason="`konkurs demo` is the embedded default: its store is always SQLite")


def test_the_demo_writes_the_exports_the_protocols_and_the_site(finished_demo: FinishedDemo) -> None:
    outputs = finished_demo.report["outputs"]
    folder = finished_demo.home / "outputs"
    assert outputs["missing"] == []
    exports = {Path(p).name for p in outputs["exports"]}
    assert {f"{finished_demo.slug}-{table}" for table in ("register.csv", "register.xlsx", "ranking.xlsx",
                                                        "tally.csv", "scores.xlsx")} <= exports
    codes = [n["code"] for n in finished_demo.report["results"]["nominations"]]
    assert len([name for name in exports if name.endswith(".pb")]) == len(codes)
    protocols = {Path(p).name for p in outputs["protocols"]}
    assert protocols == {f"protocol-{code}.{kind}" for code in codes for kind in ("html", "pdf")}
    assert outputs["site"] == str(folder / "site" / "index.html")
    every = [Path(p) for p in [*outputs["exports"], *outputs["protocols"], outputs["site"]]]
    assert all(path.is_relative_to(folder) and path.stat().st_size > 0 for path in every)
    head = finished_demo.report["results"]["sealed_head"]
    assert head in (folder / "site" / "verify.html").read_text(encoding="utf-8")
