"""The citizen's pages: the ballot of a contest in its vote, and the receipt of the ballots cast.
Checking a receipt, open to anyone, is `citizen_verify`'s."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from domain.actors import Actor, ActorKind, Scope
from domain.commands.intake import BallotInput, CastBallots
from domain.commands.receipts import ReadReceipt, Receipt
from domain.errors import Forbidden, Unauthenticated
from domain.phases import Phase
from domain.regions import REGION_CODES, REGIONS, padded_region
from konkurs.api.context import Api
from konkurs.pages import citizen_verify, dev_provider
from konkurs.pages.rendering import api_of, page, sessions_of
from konkurs.pages.sessions import Visitor
from konkurs.pages.signin import link_of
from projections import results
from services.credentials import OIDC

router = APIRouter(include_in_schema=False)
router.include_router(citizen_verify.router)

PORTAL_ID = "pages"
REGION_CHOICES = [(region.code, f"{region.code} — {region.name}") for region in REGIONS]
NO_REGION = ("", "— выберите регион —")
CHOICE_FIELD = "choice-{}"
FIELD_MESSAGES = {"region": "Выберите регион, в котором вы живёте.",
                  "ballot": "Отметьте практику хотя бы в одной номинации."}


def pages_portal(request: Request, slug: str) -> Actor:
    """Who casts a citizen's ballot from these pages: the pages themselves, as the portal that
    authenticated the voter. The identity provider vouched for the citizen; like any portal, the
    pages hand over their voter id (of which only the HMAC pseudonym is kept) and are registered
    for one contest, so `cast_ballots` applies the same caster's right and checks as to a portal
    calling the API. The credential names the provider that vouched, for the record."""
    link = link_of(request)
    issuer = link.configured.issuer if link.configured is not None else dev_provider.issuer_of(request)
    return Actor(kind=ActorKind.PORTAL, id=PORTAL_ID, scope=Scope(contests=(slug,)),
                 credential=f"{OIDC}{issuer}")


def citizen_of(request: Request) -> tuple[Visitor, str]:
    """The signed-in citizen and their voter id; anyone else is refused."""
    visitor = sessions_of(request).visitor(request)
    if visitor is None:
        raise Unauthenticated("sign in through the identity provider to vote")
    if visitor.voter is None:
        raise Forbidden("only a citizen signed in through the identity provider votes here")
    return visitor, visitor.voter


def ballot_of(api: Api, slug: str) -> list[dict[str, Any]]:
    """Each nomination with the practices on its ballot: what judging put there (its shortlist,
    or its winners as `voting.ballot` says), in ranking order."""
    return [{"code": nomination.code, "title": nomination.title,
             "practices": [entry for entry in nomination.ranking if entry.shortlisted]}
            for nomination in results(api.views(), slug).nominations]


def _receipt(request: Request, api: Api, slug: str, voter: str) -> Receipt:
    return api.services.receipts.receipt(ReadReceipt(actor=pages_portal(request, slug), slug=slug,
                                                     voter=voter, voter_key=api.voter_key))


def _vote_page(request: Request, api: Api, slug: str, visitor: Visitor, voter: str, status: int = 200,
               **context: Any) -> Response:
    contest = api.services.store.get_contest(slug)
    context.setdefault("region", visitor.region or "")
    context.setdefault("chosen", {})
    return page(request, "citizen_vote.html", status=status, visitor=visitor, title="Голосование",
                contest=contest.spec, slug=slug, open=contest.phase == Phase.VOTING,
                nominations=ballot_of(api, slug), regions=[NO_REGION, *REGION_CHOICES],
                voted=bool(_receipt(request, api, slug, voter).lines), nonce=secrets.token_urlsafe(16),
                choice_field=CHOICE_FIELD, **context)


@router.get("/contests/{slug}/vote")
def vote_form(request: Request, slug: str) -> Response:
    visitor, voter = citizen_of(request)
    return _vote_page(request, api_of(request), slug, visitor, voter)


@router.post("/contests/{slug}/vote")
async def vote(request: Request, slug: str) -> Response:
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    sessions_of(request).check_csrf(request, form.get("csrf"))
    return await run_in_threadpool(_cast, request, slug, form)


def _cast(request: Request, slug: str, form: Mapping[str, str]) -> Response:
    visitor, voter = citizen_of(request)
    api = api_of(request)
    region = str(padded_region(form.get("region", "").strip()))
    nominations = [n["code"] for n in ballot_of(api, slug)]
    chosen = {code: form[CHOICE_FIELD.format(code)].strip() for code in nominations
              if form.get(CHOICE_FIELD.format(code), "").strip()}
    errors = {}
    if region not in REGION_CODES:
        errors["region"] = FIELD_MESSAGES["region"]
    if not chosen:
        errors["ballot"] = FIELD_MESSAGES["ballot"]
    ballots: list[BallotInput] = []
    if not errors:
        try:
            ballots = [BallotInput(voter=voter, nomination=code, submission=reference, region=region,
                                   label=f"pages {code}") for code, reference in chosen.items()]
        except ValidationError as invalid:
            errors = {_field_of(error["loc"]): FIELD_MESSAGES[_field_of(error["loc"])]
                      for error in invalid.errors()}
    if errors:
        return _vote_page(request, api, slug, visitor, voter, status=422, errors=errors, region=region,
                          chosen=chosen)
    outcome = api.services.ballots.cast_ballots(CastBallots(
        actor=pages_portal(request, slug), slug=slug, ballots=ballots, voter_key=api.voter_key,
        batch=_batch(form.get("nonce", ""), voter, ballots)))
    if outcome.rejected:
        # One sentence, as the CLI prints a refusal: the service's reasons, each once.
        refusal = "; ".join(sorted(outcome.rejected))
        return _vote_page(request, api, slug, visitor, voter, status=409, refusal=refusal,
                          accepted=outcome.accepted, region=region)
    return RedirectResponse(f"/contests/{slug}/receipt", status_code=303)


def _field_of(location: tuple[int | str, ...]) -> str:
    return "region" if "region" in location else "ballot"


def _batch(nonce: str, voter: str, ballots: list[BallotInput]) -> str:
    """One batch per form shown: the same form sent twice (a double click, a reload) records
    once and answers as the first time, while a new visit's ballots are a new batch that meets
    the "already voted" check. The voter id only enters a hash with a random nonce."""
    digest = hashlib.sha256(f"pages\x1f{nonce or secrets.token_hex(16)}\x1f{voter}".encode())
    for row in ballots:
        digest.update(f"\x1e{row.nomination}\x1f{row.submission}\x1f{row.region}".encode())
    return digest.hexdigest()[:32]


@router.get("/contests/{slug}/receipt")
def receipt(request: Request, slug: str) -> Response:
    visitor, voter = citizen_of(request)
    api = api_of(request)
    contest = api.services.store.get_contest(slug)
    titles = {nomination.code: nomination.title for nomination in contest.spec.nominations}
    return page(request, "citizen_receipt.html", visitor=visitor, title="Квитанция о голосовании",
                contest=contest.spec, slug=slug, receipt=_receipt(request, api, slug, voter), titles=titles)
