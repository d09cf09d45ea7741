"""One finished demo contest, shared by the tests of what Konkurs hands on: spreadsheets, the
protocol, the public site. `konkurs demo` runs Smart Dialog 2023 end to end (judged, voted,
published) on the embedded default, so its store is always SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("KONKURS_TEST_ARTIFACTS", REPO / "test-artifacts"))


@dataclass(frozen=True)
class FinishedDemo:
    home: Path
    report: dict[str, Any]  # what `konkurs demo --json` printed
    slug: str = "smart-dialog-2023"

    def konkurs(self, *args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run the CLI on the demo's home, as an operator would after the demo."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "KONKURS_"))}
        return subprocess.run([sys.executable, "-m", "konkurs", *map(str, args)], cwd=REPO,
                              env={**env, "KONKURS_HOME": str(self.home)}, capture_output=True,
                              text=True, timeout=timeout)

    def results_json(self) -> dict[str, Any]:
        done = self.konkurs("results", self.slug, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@pytest.fixture(scope="session")
def finished_demo(tmp_path_factory: pytest.TempPathFactory) -> FinishedDemo:
    home = tmp_path_factory.mktemp("demo") / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "KONKURS_"))}
    done = subprocess.run([sys.executable, "-m", "konkurs", "demo", "--json", "--seed", "11",
                           "--home", str(home)], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return FinishedDemo(home, json.loads(done.stdout))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave what a person should look at (screenshots, PDFs): kept after the run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
