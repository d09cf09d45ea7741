"""Every intake event reconciles to a signed acceptance, and was recorded before its deadline.

The insider here has the database, not the signing key: rows written straight into the events
table are linked by the chain like any others, and only the acceptances can tell them apart.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.aggregates import Acceptance, Ballot, IntakeKind, Submission
from domain.aggregates.ballot_batch import BallotBatch
from domain.aggregates.submission import ApplicantKind
from domain.commands.contest import Announce
from domain.commands.intake import Submit
from domain.errors import KonkursError, PhaseClosed
from domain.phases import Phase
from services.ballots import voter_pseudonym
from services.konkurs import Konkurs
from services.signing import SigningKey
from store.log import topic_of
from tests.factories import OPERATOR, close_phase, make_spec, practice_forms

FORMS = practice_forms([("INSIDER-1", "HC-1", ApplicantKind.NGO)])


def intake(konkurs: Konkurs, slug: str) -> Any:
    [check] = [c for c in konkurs.audit.audit_contest(slug).checks if c.check == "intake"]
    return check


def insert(konkurs: Konkurs, *aggregates: Any) -> None:
    """Rows written straight into the events table, as the services would have shaped them."""
    konkurs.store.recorder.insert_events(konkurs.store.stored(aggregates, OPERATOR))


def a_ballot(slug: str, voter: str, batch: str | None = None) -> Ballot:
    return Ballot(contest=slug, nomination="1.1", voter=voter_pseudonym(b"k", voter),
                  submission="SD-0001", region="23", batch=batch)


def test_an_untouched_contest_reconciles_every_intake_event(konkurs: Konkurs, published: str) -> None:
    check = intake(konkurs, published)
    accepted = sum(1 for logged in konkurs.store.read_log([topic_of(Ballot.Cast)])
                   if logged.state["contest"] == published)
    assert check.holds and check.recomputed > accepted > 0


def test_ballots_written_straight_into_the_log_are_named_one_by_one(
    konkurs: Konkurs, published: str
) -> None:
    batches = konkurs.store.read_log([topic_of(BallotBatch.Received)])
    [batch, *_] = [logged.state["batch"] for logged in batches if logged.state["contest"] == published]
    insert(konkurs, a_ballot(published, "insider-1"), a_ballot(published, "insider-2", batch=batch))

    check = intake(konkurs, published)
    uncovered = [d for d in check.differences if d.recomputed == "no signed acceptance covers it"]
    assert len(uncovered) == 2
    assert uncovered[0].where.startswith("ballot ") and "at position" in uncovered[0].where
    assert uncovered[1].recorded == f"in the log (names batch {batch})"
    assert not konkurs.audit.audit_contest(published).holds


def test_a_forged_batch_record_is_not_signed_by_the_deployment(konkurs: Konkurs, published: str) -> None:
    ballot = a_ballot(published, "insider-3", batch="forged")
    insert(konkurs, ballot)
    insert(konkurs, BallotBatch(contest=published, batch="forged", sent=1, accepted=1, rejections=[],
                                digest="0" * 64, attestation="0" * 128))

    found = {(d.recorded, d.recomputed) for d in intake(konkurs, published).differences}
    assert ("signed", "not signed by this deployment's key") in found
    assert any(recomputed.startswith("the events before it give") for _, recomputed in found)


def test_a_submission_written_straight_into_the_log_is_uncovered(konkurs: Konkurs, published: str) -> None:
    [(_, form)] = FORMS
    insert(konkurs, Submission(contest=published, **dict(form)))

    [difference] = intake(konkurs, published).differences
    assert difference.where.startswith("submission ")
    assert difference.recomputed == "no signed acceptance covers it"


def test_an_entry_signed_after_its_deadline_is_named_with_the_deadline(konkurs: Konkurs) -> None:
    """Even a signed entry breaks the audit when it is stamped after the phase's deadline."""
    spec = make_spec(datetime.now(UTC) - timedelta(days=59, hours=23))  # collection closes in an hour
    konkurs.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id="a", actor=OPERATOR))
    close_phase(konkurs, spec.slug, Phase.ANNOUNCED, "open")
    [(_, form)] = FORMS
    late = Submission(contest=spec.slug, **dict(form))
    [event] = konkurs.store.stamped([late], OPERATOR)
    event = event.model_copy(update={"timestamp": datetime.now(UTC) + timedelta(hours=2)})
    stored = [konkurs.store.mapper.to_stored_event(event)]
    record = konkurs.acceptances.record(spec.slug, IntakeKind.SUBMISSIONS, stored, OPERATOR)
    konkurs.store.recorder.insert_events([*stored, *konkurs.store.stored([record], OPERATOR)])

    [difference] = intake(konkurs, spec.slug).differences
    assert difference.recomputed.startswith("after the collecting deadline")


def test_a_submission_after_the_deadline_is_refused_while_the_close_is_not_yet_recorded(
    konkurs: Konkurs,
) -> None:
    """The worker was down at the deadline: the phase still reads `collecting`, the rules do not."""
    spec = make_spec(datetime.now(UTC) - timedelta(days=61))  # collection closed a day ago
    konkurs.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id="a", actor=OPERATOR))
    close_phase(konkurs, spec.slug, Phase.ANNOUNCED, "open")
    assert konkurs.store.get_contest(spec.slug).phase == Phase.COLLECTING

    with pytest.raises(PhaseClosed, match=r"collecting closed at its deadline, \d\d\.\d\d\.\d{4} \d\d:\d\d"):
        konkurs.submissions.submit(Submit(slug=spec.slug, forms=FORMS, actor=OPERATOR))
    assert not list(konkurs.store.read_log([topic_of(Submission.Submitted), topic_of(Acceptance.Recorded)]))


def test_a_signing_key_that_is_no_ed25519_seed_is_refused_in_one_line() -> None:
    with pytest.raises(KonkursError, match=r"^the signing key \(KONKURS_SIGNING_KEY\) must be 64 hex"):
        SigningKey(lambda: b"not-a-key").sign(b"x")


def test_intake_from_before_the_first_signed_acceptance_is_noted_and_what_follows_is_checked(
    konkurs: Konkurs,
) -> None:
    """A store upgraded in place keeps the submissions an earlier release wrote without
    acceptances: they are taken as recorded. A row added after signing began is not."""
    spec = make_spec(datetime.now(UTC) + timedelta(days=1))
    konkurs.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id="a", actor=OPERATOR))
    close_phase(konkurs, spec.slug, Phase.ANNOUNCED, "open")
    earlier = practice_forms([(f"OLD-{n}", "HC-1", ApplicantKind.NGO) for n in range(3)])
    insert(konkurs, *(Submission(contest=spec.slug, **dict(form)) for _, form in earlier))
    konkurs.submissions.submit(Submit(slug=spec.slug, forms=FORMS, actor=OPERATOR))

    check = intake(konkurs, spec.slug)
    assert check.holds and check.notes == [
        "3 intake events recorded before this log's first signed acceptance: taken as recorded"]

    [(_, late_form)] = practice_forms([("INSIDER-2", "HC-1", ApplicantKind.NGO)])
    insert(konkurs, Submission(contest=spec.slug, **dict(late_form)))
    [difference] = intake(konkurs, spec.slug).differences
    assert difference.recomputed == "no signed acceptance covers it"
