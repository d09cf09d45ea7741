"""Konkurs's own tokens: issued by federal operators, stored as hashes, refused once revoked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from domain.access import rights_of
from domain.actors import LOCAL_OPERATOR, SYSTEM, Actor, ActorKind, Role, Scope, actor_for
from domain.aggregates.credential import Credential
from domain.commands.credentials import IssuedToken, IssueToken, RevokeToken
from domain.errors import Forbidden, InvalidCommand, Unauthenticated
from services.credentials import Credentials
from store.application import StoreApplication
from store.log import topic_of

EXPERT_SCOPE = Scope(contests=("smart-dialog-2023",))
REGIONAL = actor_for(Role.REGIONAL_OPERATOR, "zab-op", Scope(region="75"))
AUDITOR = actor_for(Role.AUDITOR, "ach")


@pytest.fixture
def store(store_env: dict[str, str]) -> Iterator[StoreApplication]:
    made = StoreApplication(env=store_env)
    yield made
    made.close()


@pytest.fixture
def credentials(store: StoreApplication) -> Credentials:
    return Credentials(store)


def issue(credentials: Credentials, role: Role = Role.EXPERT, id: str = "ivanova",
          scope: Scope = EXPERT_SCOPE, label: str = "", expires_at: datetime | None = None) -> IssuedToken:
    return credentials.issue(IssueToken(actor=LOCAL_OPERATOR, role=role, id=id, scope=scope, label=label,
                                        expires_at=expires_at))


def test_a_token_acts_as_who_it_was_issued_for(credentials: Credentials) -> None:
    issued = issue(credentials, label="Ivanova's laptop")
    assert issued.token.startswith(f"konkurs_{issued.token_id}_")
    assert len(issued.token_id) == 12 and int(issued.token_id, 16) >= 0
    actor = credentials.authenticate(issued.token)
    assert actor == issued.acts_as
    assert (actor.kind, actor.id, actor.scope, actor.credential) == (
        ActorKind.EXPERT, "ivanova", EXPERT_SCOPE, issued.token_id)
    credentials.check_current(actor)


def test_a_revoked_token_stops_working_at_once(credentials: Credentials, store_env: dict[str, str]) -> None:
    issued = issue(credentials)
    elsewhere = Credentials(StoreApplication(env=store_env))  # another process on the same store
    assert elsewhere.authenticate(issued.token) == issued.acts_as
    assert credentials.revoke(RevokeToken(actor=LOCAL_OPERATOR, token_id=issued.token_id,
                                          reason="laptop lost")).applied
    with pytest.raises(Unauthenticated, match=f"token {issued.token_id} was revoked: laptop lost"):
        elsewhere.authenticate(issued.token)
    with pytest.raises(Unauthenticated, match="revoked"):
        elsewhere.check_current(issued.acts_as)
    with pytest.raises(InvalidCommand, match="already revoked"):
        credentials.revoke(RevokeToken(actor=LOCAL_OPERATOR, token_id=issued.token_id, reason="again"))


def test_an_expired_token_is_refused(credentials: Credentials) -> None:
    expires = datetime(2099, 3, 1, tzinfo=UTC)
    issued = issue(credentials, expires_at=expires)
    assert credentials.authenticate(issued.token, now=expires - timedelta(seconds=1)) == issued.acts_as
    with pytest.raises(Unauthenticated, match="expired at 2099-03-01 00:00 UTC"):
        credentials.authenticate(issued.token, now=expires)
    with pytest.raises(Unauthenticated, match="expired"):
        credentials.check_current(issued.acts_as, now=expires + timedelta(days=1))
    with pytest.raises(InvalidCommand, match="has passed"):
        issue(credentials, expires_at=datetime(2020, 1, 1))


@pytest.mark.parametrize("bearer", [
    "konkurs__", "konkurs_xyz_secret", "konkurs_0123456789ab", "konkurs_0123456789AB_" + "s" * 43,
    "konkurs_0123456789ab_short"])
def test_a_malformed_token_is_refused_without_echoing_it(credentials: Credentials, bearer: str) -> None:
    with pytest.raises(Unauthenticated, match="malformed Konkurs token") as refused:
        credentials.authenticate(bearer)
    assert bearer not in str(refused.value) and "\n" not in str(refused.value)


def test_an_unknown_token_or_a_wrong_secret_is_refused(credentials: Credentials) -> None:
    issued = issue(credentials)
    forged = issued.token[:-4] + ("AAAA" if not issued.token.endswith("AAAA") else "BBBB")
    for bearer in (forged, "konkurs_0123456789ab_" + "x" * 43):
        with pytest.raises(Unauthenticated, match="unknown token") as refused:
            credentials.authenticate(bearer)
        assert bearer.rsplit("_", 1)[-1] not in str(refused.value)
    with pytest.raises(Unauthenticated, match="neither a Konkurs token"):
        credentials.authenticate("hunter2")
    with pytest.raises(Unauthenticated, match="OIDC is not configured"):
        credentials.authenticate("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")


def test_the_log_holds_the_hash_of_the_secret_never_the_secret(
    credentials: Credentials, store: StoreApplication
) -> None:
    issued = issue(credentials)
    secret = issued.token.split("_", 2)[2]  # konkurs_<id>_<secret>; the secret may hold "_"
    credentials.revoke(RevokeToken(actor=LOCAL_OPERATOR, token_id=issued.token_id, reason="rotated"))
    logged = list(store.read_log([topic_of(Credential.Issued), topic_of(Credential.Revoked)]))
    assert len(logged) == 2
    assert all(secret not in repr(event.state) and issued.token not in repr(event.state) for event in logged)
    assert len(logged[0].state["secret_hash"]) == 64
    assert logged[0].state["actor"]["id"] == LOCAL_OPERATOR.id  # who issued it
    assert secret not in repr(credentials.tokens(LOCAL_OPERATOR)) and secret not in repr(issued)


@pytest.mark.parametrize("issuer", [REGIONAL, AUDITOR, actor_for(Role.EXPERT, "x", EXPERT_SCOPE)])
def test_only_a_federal_operator_issues_and_nothing_is_written_otherwise(
    credentials: Credentials, store: StoreApplication, issuer: Actor
) -> None:
    with pytest.raises(Forbidden, match="lacks the right to issue tokens"):
        credentials.issue(IssueToken(actor=issuer, role=Role.EXPERT, id="ivanova", scope=EXPERT_SCOPE))
    assert store.head_position() == 0
    issued = issue(credentials)
    with pytest.raises(Forbidden, match="lacks the right to revoke tokens"):
        credentials.revoke(RevokeToken(actor=issuer, token_id=issued.token_id, reason="no"))
    assert credentials.authenticate(issued.token) == issued.acts_as


@pytest.mark.parametrize(("role", "scope", "why"), [
    (Role.REGIONAL_OPERATOR, Scope(), "only one, is scoped to a region"),
    (Role.EXPERT, Scope(), "must name its contests"),
    (Role.APPLICANT, Scope(), "known by its INN"),
    (Role.AUDITOR, Scope(region="75"), "a regional operator, and only one, is scoped to a region"),
    (Role.APPLICANT, Scope(inn="7536796700", region="75"), "a regional operator, and only one"),
    (Role.PORTAL, Scope(inn="7536796700", contests=("c",)), "an applicant is known by its INN, and only"),
])
def test_a_role_and_scope_that_do_not_fit_are_refused_in_one_line(
    credentials: Credentials, store: StoreApplication, role: Role, scope: Scope, why: str
) -> None:
    with pytest.raises(InvalidCommand, match=why) as refused:
        issue(credentials, role=role, scope=scope)
    assert "\n" not in str(refused.value) and str(refused.value).startswith(
        f"cannot issue a token acting as {role}"
    )
    assert store.head_position() == 0


def test_federal_operators_and_auditors_list_tokens_with_who_issued_and_revoked_them(
    credentials: Credentials,
) -> None:
    expert = issue(credentials, label="laptop")
    portal = issue(credentials, role=Role.PORTAL, id="gosuslugi")
    credentials.revoke(RevokeToken(actor=LOCAL_OPERATOR, token_id=expert.token_id, reason="left"))
    listed = {t.token_id: t for t in credentials.tokens(AUDITOR)}
    assert list(listed) == [expert.token_id, portal.token_id]
    revoked, live = listed[expert.token_id], listed[portal.token_id]
    assert (revoked.acts_as, revoked.label, revoked.issued_by, revoked.reason) == (
        expert.acts_as, "laptop", LOCAL_OPERATOR, "left")
    assert revoked.revoked_by == LOCAL_OPERATOR and revoked.revoked_at is not None
    assert revoked.issued_at <= revoked.revoked_at
    assert live.revoked_at is None and live.acts_as.kind == ActorKind.PORTAL
    assert credentials.tokens(LOCAL_OPERATOR) == list(listed.values())
    with pytest.raises(Forbidden, match="list tokens"):
        credentials.tokens(REGIONAL)


def test_actors_arriving_over_temporal_are_checked_against_their_token(credentials: Credentials) -> None:
    for trusted in (LOCAL_OPERATOR, SYSTEM, actor_for(Role.EXPERT, "x", EXPERT_SCOPE, "oidc:https://sso")):
        credentials.check_current(trusted)
    issued = issue(credentials)
    with pytest.raises(Unauthenticated, match="not issued to them"):
        credentials.check_current(issued.acts_as.model_copy(update={"id": "petrov"}))
    with pytest.raises(Unauthenticated, match="not issued to them"):
        credentials.check_current(issued.acts_as.model_copy(update={"credential": "0123456789ab"}))
    with pytest.raises(Unauthenticated):
        credentials.check_current(LOCAL_OPERATOR.model_copy(update={"id": "impostor"}))


def test_rights_are_told_in_plain_words_per_role() -> None:
    assert "issue, list and revoke tokens" in rights_of(LOCAL_OPERATOR)
    assert any("region 75" in line for line in rights_of(REGIONAL))
    assert not any("tokens" in line for line in rights_of(REGIONAL))
    assert any("smart-dialog-2023" in line for line in rights_of(actor_for(Role.PORTAL, "p", EXPERT_SCOPE)))
    assert rights_of(SYSTEM) and rights_of(AUDITOR)[-1] == "list tokens"
