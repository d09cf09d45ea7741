"""The pages' sessions against a hostile visitor: a cookie that shows no token, a revocation that
ends a session at once, forms posted from elsewhere, a sign-in that would send the visitor off
the site, and the development identity provider's refusals."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from domain.commands.credentials import RevokeToken
from konkurs.api import create_app
from konkurs.bootstrap import Bootstrap
from konkurs.pages.sessions import SESSION_COOKIE
from konkurs.pages.signin import callback_address
from konkurs.settings import Settings
from tests.api.world import Serve, issue
from tests.factories import OPERATOR
from tests.unit.permissions import SLUG, collecting


def csrf_of(client: TestClient, path: str = "/signin") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient, token: str, next: str = "") -> str:
    answer = client.post("/signin", data={"csrf": csrf_of(client), "token": token, "next": next},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def header_of(client: TestClient) -> str:
    return client.get("/").text.split("</header>")[0]


def test_the_cookie_does_not_show_the_token_and_a_revocation_signs_the_visitor_out(serve: Serve) -> None:
    served = serve(collecting)
    issued = issue(served.world, "regional operator of 75")
    client = served.client
    sign_in(client, issued.token)
    assert "региональный оператор zabaikalsky (регион 75)" in header_of(client)
    payload = client.cookies[SESSION_COOKIE].split(".")[0]
    content = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert issued.token.split("_", 2)[2] not in json.dumps(content)
    assert content["via"] == "token"

    served.world.konkurs.credentials.revoke(RevokeToken(token_id=issued.token_id, reason="утерян",
                                                        actor=OPERATOR))
    assert "Вы вошли как" not in header_of(client)
    assert "/signin" in header_of(client)


def test_a_form_without_this_sessions_token_is_refused_and_signs_nobody_in(serve: Serve) -> None:
    served = serve(collecting)
    token = issue(served.world, "federal operator").token
    for csrf in ("", "guessed"):
        answer = served.client.post("/signin", data={"csrf": csrf, "token": token}, follow_redirects=False)
        assert answer.status_code in (403, 422)
        assert "Вы вошли как" not in header_of(served.client)


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_signing_in_never_sends_the_visitor_to_another_site(serve: Serve, target: str) -> None:
    served = serve(collecting)
    assert sign_in(served.client, issue(served.world, "federal operator").token, next=target) == "/"


def test_pages_forbid_framing_and_the_api_keeps_its_problem_details(serve: Serve) -> None:
    client = serve(collecting).client
    page = client.get("/")
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    missing = client.get("/v1/contests/nope/head")
    assert missing.headers["content-type"] == "application/problem+json"
    assert "x-frame-options" not in missing.headers
    refused = client.get("/no-such-page")
    assert refused.status_code == 404 and "text/html" in refused.headers["content-type"]


def test_the_development_provider_refuses_a_forged_code_and_a_wrong_secret(serve: Serve) -> None:
    client = serve(collecting).client
    assert client.get("/dev-oidc/jwks").json()["keys"][0]["kty"] == "RSA"
    wrong_secret = client.post("/dev-oidc/token", data={"client_id": "konkurs-pages", "client_secret": "x",
                                                        "code": "c", "redirect_uri": "/"})
    assert wrong_secret.status_code == 401
    secret = client.app.state.dev_provider.client_secret  # type: ignore[attr-defined]
    forged = client.post("/dev-oidc/token", data={"client_id": "konkurs-pages", "client_secret": secret,
                                                  "code": "eyJhbGciOiJub25lIn0.e30.", "redirect_uri": "/"})
    assert forged.json() == {"error": "invalid_grant"}


def test_production_mode_serves_no_development_provider(
    store_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("SESSION", "ACTOR", "SIGNING", "VOTER"):
        monkeypatch.setenv(f"KONKURS_{key}_KEY", "5" * 64)
    production = Bootstrap(Settings(home=tmp_path, persistence_module=store_env["PERSISTENCE_MODULE"],
                                    production=True), store_env=store_env)
    try:
        with TestClient(create_app(production)) as client:
            assert client.get("/dev-oidc/.well-known/openid-configuration").status_code == 404
            assert "/signin/oidc" not in client.get("/signin").text
    finally:
        production.close()


def test_the_front_page_offers_the_board_to_operators_and_auditors_only(serve: Serve) -> None:
    served = serve(collecting)
    board = f'href="/contests/{SLUG}/board"'
    assert "/apply" in served.client.get("/").text
    assert board not in served.client.get("/").text
    sign_in(served.client, issue(served.world, "applicant").token)
    assert board not in served.client.get("/").text
    sign_in(served.client, issue(served.world, "auditor").token)
    assert board in served.client.get("/").text


def test_behind_a_tls_proxy_the_provider_sends_visitors_back_to_the_public_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KONKURS_PUBLIC_URL", "https://konkurs.zabkrai.ru/")
    behind_proxy = Request({"type": "http", "scheme": "http", "server": ("127.0.0.1", 8000),
                            "path": "/signin/oidc", "headers": [], "query_string": b""})
    assert callback_address(behind_proxy) == "https://konkurs.zabkrai.ru/signin/oidc/callback"
