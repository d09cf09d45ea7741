"""Operators acting through the API: the same signed Updates the CLI sends, to a real workflow on
the embedded Temporal server, recorded under the caller's actor; the wrong caller is refused
with problem details before anything is sent."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from domain.actors import Actor, Role, Scope, actor_for
from domain.commands.credentials import IssueToken
from services.konkurs import Konkurs
from tests.e2e.api_server import ApiServer
from tests.e2e.conftest import Cli, Contests, Files
from tests.e2e.test_stages_cli import STAGES
from tests.factories import OPERATOR

STAGE = "zdorovye-2030-75"
ZABAIKALSKY = actor_for(Role.REGIONAL_OPERATOR, "zab-op", Scope(region="75"))
EXPERT = actor_for(Role.EXPERT, "эксперт-1", Scope(contests=(STAGE,)))


def bearer(cli: Cli, actor: Actor) -> dict[str, str]:
    app = Konkurs(env=cli.store_env)
    try:
        assert actor.role is not None
        token = app.credentials.issue(IssueToken(role=actor.role, id=actor.id, scope=actor.scope,
                                                 actor=OPERATOR)).token
    finally:
        app.close()
    return {"Authorization": f"Bearer {token}"}


def test_a_regional_operator_extends_and_closes_their_stage_through_the_api_and_nothing_else(
    cli: Cli, files: Files, contests: Contests, temporal: str, tmp_path: Path
) -> None:
    cli("announce", files.text("federal.yaml", contests.spec_yaml + STAGES)).assert_ok()
    server = ApiServer(cli.env, tmp_path / "api.log")
    server.start()
    try:
        with httpx.Client(base_url=f"{server.url}/v1", timeout=60) as api:
            zab, expert = bearer(cli, ZABAIKALSKY), bearer(cli, EXPERT)
            refused = api.post("/contests/zdorovye-2030-23/close", json={"phase": "announced"}, headers=zab)
            assert refused.status_code == 403, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert "a regional operator acts only in the stages of region 75" in refused.json()["detail"]
            assert api.post(f"/contests/{STAGE}/cancel", json={"reason": "не нравится"},
                            headers=expert).status_code == 403
            assert api.post(f"/contests/{STAGE}/cancel", json={"reason": "x"}).status_code == 401

            deadline = api.get(f"/contests/{STAGE}/schedule").json()["windows"][0]["closes_at"]
            later = (datetime.fromisoformat(deadline) + timedelta(days=3)).isoformat()
            extended = api.post(f"/contests/{STAGE}/extend", headers=zab,
                                json={"until": later, "reason": "просьба муниципалитетов"})
            assert extended.status_code == 200, extended.text
            assert extended.json()["plan"]["windows"][0]["closes_at"] == later.replace("+00:00", "Z")
            closed = api.post(f"/contests/{STAGE}/close", json={"phase": "announced"}, headers=zab)
            assert closed.status_code == 200, closed.text
            assert closed.json()["phase"] == "collecting"
            again = api.post(f"/contests/{STAGE}/close", json={"phase": "announced"}, headers=zab)
            assert again.status_code == 422 and "announced" in again.json()["detail"]
    finally:
        server.kill()

    tail = cli("events", "tail", "--type", "contest.deadline_extended", "--type", "contest.phase_changed")
    recorded = [json.loads(line) for line in tail.stdout.splitlines()]
    assert [(e["name"], e["contest"], e["actor"]["id"]) for e in recorded] == [
        ("contest.deadline_extended", STAGE, "zab-op"), ("contest.phase_changed", STAGE, "zab-op")]
