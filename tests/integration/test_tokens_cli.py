"""`konkurs tokens` and `konkurs whoami` as a user runs them, on the embedded default's SQLite."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import REPO

UNSET = ("KONKURS_TOKEN", "KONKURS_PROFILE", "KONKURS_MODE", "PERSISTENCE_MODULE", "KONKURS_OIDC_ISSUER")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def konkurs(home: Path, *args: str, code: int = 0, **env: str) -> subprocess.CompletedProcess[str]:
    base = {name: value for name, value in os.environ.items() if name not in UNSET}
    done = subprocess.run([sys.executable, "-m", "konkurs", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={**base, "KONKURS_HOME": str(home), "COLUMNS": "200", **env})
    assert done.returncode == code, f"konkurs {' '.join(args)} exited {done.returncode}: {done.stderr}"
    return done


def refused(done: subprocess.CompletedProcess[str], why: str) -> None:
    assert done.stderr.startswith("error: ") and why in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


@pytest.mark.slow  # 10–20 s of CLI processes: `make test-slow` (the default suite keeps to its time)
def test_a_token_acts_as_its_holder_until_it_is_revoked(home: Path) -> None:
    assert json.loads(konkurs(home, "whoami", "--json").stdout)["id"] == "local-operator"
    issued = json.loads(konkurs(home, "tokens", "issue", "--role", "expert", "--id", "ivanova",
                                "--contest", "smart-dialog-2023", "--label", "laptop", "--json").stdout)
    token, token_id = issued["token"], issued["token_id"]

    me = json.loads(konkurs(home, "whoami", "--json", KONKURS_TOKEN=token).stdout)
    assert (me["kind"], me["id"], me["role"], me["credential"]) == ("expert", "ivanova", "expert", token_id)
    assert me["scope"]["contests"] == ["smart-dialog-2023"]
    assert any("score the submissions assigned to them" in right for right in me["rights"])
    shown = konkurs(home, "whoami", KONKURS_TOKEN=token).stdout
    assert "expert ivanova" in shown and "smart-dialog-2023" in shown and token not in shown
    refused(konkurs(home, "tokens", "issue", "--role", "portal", "--id", "p", "--contest", "c",
                    code=1, KONKURS_TOKEN=token), "lacks the right to issue tokens")

    revoked = konkurs(home, "tokens", "revoke", token_id, "--reason", "laptop lost").stdout
    assert f"Revoked token {token_id}" in revoked
    after = konkurs(home, "whoami", code=1, KONKURS_TOKEN=token)
    refused(after, f"token {token_id} was revoked: laptop lost")
    assert token.split("_", 2)[2] not in after.stderr


@pytest.mark.slow  # 10–20 s of CLI processes: `make test-slow` (the default suite keeps to its time)
def test_a_profile_saves_the_token_for_later_commands(home: Path) -> None:
    shown = konkurs(home, "tokens", "issue", "--role", "auditor", "--id", "ach", "--expires", "01.03.2099",
                    "--profile", "audit").stdout
    assert "shown only once" in shown and "KONKURS_PROFILE=audit" in shown
    saved = home / "profiles" / "audit.token"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert saved.read_text().strip() in shown
    me = json.loads(konkurs(home, "whoami", "--json", KONKURS_PROFILE="audit").stdout)
    assert (me["role"], me["id"]) == ("auditor", "ach")

    listed = json.loads(konkurs(home, "tokens", "list", "--json", KONKURS_PROFILE="audit").stdout)
    assert [(t["acts_as"]["id"], t["expires_at"][:10], t["revoked_at"]) for t in listed] == [
        ("ach", "2099-03-01", None)]
    assert "secret_hash" not in json.dumps(listed)
    table = konkurs(home, "tokens", "list").stdout
    assert listed[0]["token_id"] in table and "auditor" in table and "local-operator" in table
    refused(konkurs(home, "tokens", "issue", "--role", "auditor", "--id", "x", "--profile", "audit", code=1),
            "profile audit already exists")
    refused(konkurs(home, "whoami", code=1, KONKURS_PROFILE="nobody"), "no profile 'nobody'")


@pytest.mark.parametrize(("args", "why"), [
    (("--role", "regional-operator", "--id", "zab-op"), "a regional operator, and only one, is scoped"),
    (("--role", "expert", "--id", "ivanova"), "scope must name its contests"),
    (("--role", "applicant", "--id", "ngo"), "known by its INN"),
    (("--role", "applicant", "--id", "ngo", "--inn", "123"), "inn: String should match pattern"),
    (("--role", "auditor", "--id", "a", "--expires", "someday"), "--expires 'someday' is not a date or time"),
    (("--role", "auditor", "--id", "a", "--expires", "2001-01-01"), "which has passed"),
])
def test_a_token_that_cannot_be_issued_is_refused_in_one_line(
    home: Path, args: tuple[str, ...], why: str
) -> None:
    refused(konkurs(home, "tokens", "issue", *args, code=1), why)


def test_a_garbled_token_is_refused_in_one_line(home: Path) -> None:
    unknown = "konkurs_0123456789ab_" + "x" * 43
    refused(konkurs(home, "whoami", code=1, KONKURS_TOKEN=unknown), "unknown token")
    refused(konkurs(home, "whoami", code=1, KONKURS_TOKEN="a.b.c"), "OIDC is not configured")
    refused(konkurs(home, "whoami", code=1, KONKURS_MODE="production"), "production mode needs a credential")
