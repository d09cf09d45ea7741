"""The worker's check of who sent a command over Temporal: this deployment's signature, for this
very command, not expired, from a credential that still holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.actors import Role, Scope
from domain.commands.credentials import IssueToken, RevokeToken
from domain.commands.senders import VerifySender
from domain.errors import Unauthenticated
from services.konkurs import Konkurs
from services.senders import VALID_FOR, Senders
from tests.factories import OPERATOR

PURPOSE = "close_phase:stage-75:0123456789abcdef"


def test_a_signed_sender_is_verified_as_its_actor(konkurs: Konkurs) -> None:
    signed = konkurs.senders.sign(OPERATOR, PURPOSE)
    assert konkurs.senders.verify(VerifySender(sender=signed, purpose=PURPOSE)).actor == OPERATOR


@pytest.mark.parametrize("change", ["actor", "purpose", "other key", "missing"])
def test_a_sender_this_deployment_did_not_sign_for_this_command_is_refused(
    konkurs: Konkurs, change: str
) -> None:
    signed = konkurs.senders.sign(OPERATOR, PURPOSE)
    check = {
        "actor": VerifySender(sender=signed.model_copy(update={"actor": OPERATOR.model_copy(
            update={"id": "someone-else"})}), purpose=PURPOSE),
        "purpose": VerifySender(sender=signed, purpose=PURPOSE.replace("close_phase", "cancel")),
        "other key": VerifySender(sender=Senders(lambda: b"another key", konkurs.credentials).sign(
            OPERATOR, PURPOSE), purpose=PURPOSE),
        "missing": VerifySender(sender=None, purpose=PURPOSE),
    }[change]
    with pytest.raises(Unauthenticated) as refused:
        konkurs.senders.verify(check)
    assert "\n" not in str(refused.value)
    assert str(refused.value).startswith("refused: ")


def test_a_signature_expires_a_day_after_it_was_made(konkurs: Konkurs) -> None:
    made = datetime(2030, 3, 1, 12, tzinfo=UTC)
    signed = konkurs.senders.sign(OPERATOR, PURPOSE, now=made)
    check = VerifySender(sender=signed, purpose=PURPOSE)
    konkurs.senders.verify(check, now=made + VALID_FOR - timedelta(seconds=1))
    with pytest.raises(Unauthenticated, match="expired at 2030-03-02 12:00 UTC"):
        konkurs.senders.verify(check, now=made + VALID_FOR)


def test_the_sender_of_a_token_revoked_since_it_signed_is_refused(konkurs: Konkurs) -> None:
    issued = konkurs.credentials.issue(IssueToken(
        role=Role.REGIONAL_OPERATOR, id="zab-op", scope=Scope(region="75"), actor=OPERATOR))
    actor = konkurs.credentials.authenticate(issued.token)
    check = VerifySender(sender=konkurs.senders.sign(actor, PURPOSE), purpose=PURPOSE)
    konkurs.senders.verify(check)
    konkurs.credentials.revoke(RevokeToken(token_id=issued.token_id, reason="уволен", actor=OPERATOR))
    with pytest.raises(Unauthenticated, match=f"token {issued.token_id} was revoked: уволен"):
        konkurs.senders.verify(check)
