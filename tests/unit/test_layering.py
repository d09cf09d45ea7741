"""What each layer loads, checked in a fresh interpreter: the run-time side of the import
contracts in pyproject.toml (`lint-imports` checks the import graph; these check `sys.modules`)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

STORE_MODULES = (
    "sqlite3", "_sqlite3", "psycopg", "eventsourcing.persistence", "eventsourcing.application",
    "eventsourcing.sqlite", "eventsourcing.postgres", "temporalio",
)


def loaded_after(code: str) -> list[str]:
    """Run `code` in a fresh interpreter at the repository root; the modules it left loaded."""
    script = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    modules: list[str] = json.loads(done.stdout.splitlines()[-1])
    return modules


def within(modules: list[str], *packages: str) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)]


def test_the_domain_and_every_module_under_it_load_no_store_database_or_temporal() -> None:
    modules = loaded_after("""
        import importlib, pkgutil
        import domain
        for found in pkgutil.walk_packages(domain.__path__, "domain."):
            importlib.import_module(found.name)
    """)
    assert "domain.aggregates.contest" in modules and "domain.rules.tally" in modules
    assert within(modules, *STORE_MODULES) == []
    assert within(modules, "store", "services", "workflows", "activities", "projections", "konkurs") == []


def test_the_contest_workflow_loads_no_store_and_no_service() -> None:
    modules = loaded_after("import workflows.contest")
    assert "workflows.contest" in modules and "activities.contest" in modules
    assert within(modules, "eventsourcing.application", "eventsourcing.persistence") == []
    assert within(modules, "store", "services") == []


def test_the_cli_imports_and_shows_its_help_when_psycopg_cannot_be_imported() -> None:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import importlib.abc, sys

        BLOCKED = ("psycopg", "psycopg_pool", "eventsourcing.postgres")

        class WithoutPostgresExtra(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if any(name == b or name.startswith(b + ".") for b in BLOCKED):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, WithoutPostgresExtra())
        import konkurs.cli
        loaded = [m for m in sys.modules if m.split(".")[0] in ("psycopg", "psycopg_pool")]
        assert not loaded and "eventsourcing.postgres" not in sys.modules, loaded
        sys.argv = ["konkurs", "--help"]
        konkurs.cli.main()
    """)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Usage: konkurs" in done.stdout
    assert "demo" in done.stdout
