"""Signing in: with a token, through the development identity provider (a role or a citizen),
and the refusals a stranger, a forged token and a forged form meet."""

from __future__ import annotations

import httpx
import pytest

from domain.actors import Role, Scope, actor_for
from tests.e2e.conftest import Cli, Contests
from tests.e2e.pages.conftest import Journey, token_for

pytestmark = pytest.mark.slow


def test_a_token_a_provider_role_and_a_citizen_sign_in_and_out(
    cli: Cli, contests: Contests, journey: Journey
) -> None:
    contests.collecting()
    journey.open("/")
    assert contests.spec.title in journey.text
    journey.step("front-page")
    journey.step("front-page-phone", phone=True)

    journey.sign_in_with_token("konkurs_000000000000_forged")
    assert "Вход" in journey.title
    assert "token" in journey.field_error("token").lower()
    journey.step("forged-token")

    operator = actor_for(Role.REGIONAL_OPERATOR, "zab-op", Scope(region="75"))
    journey.sign_in_with_token(token_for(cli, operator))
    assert "региональный оператор zab-op (регион 75)" in journey.find("header").text
    journey.sign_out()
    assert "Войти" in journey.find("header").text

    journey.sign_in_as("ivanova", role="expert", contests=contests.slug)
    assert "эксперт ivanova" in journey.find("header").text
    journey.sign_out()

    journey.sign_in_as("1234567", region="75")
    assert "гражданин …4567" in journey.find("header").text
    journey.step("citizen-signed-in")


def test_a_form_posted_from_elsewhere_is_refused_and_changes_nothing(pages: str) -> None:
    answer = httpx.post(f"{pages}/signin", data={"csrf": "guessed", "token": "konkurs_x"})
    assert answer.status_code == 403
    assert "did not come from this site" in answer.text
