"""Who may do what: the one policy every application service applies before it writes.

A refusal is a `Forbidden` whose one line names the actor, the right it lacks and why; the
services raise it before anything is written, so the CLI, the API and the pages refuse alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.actors import Actor, ActorKind
from domain.errors import Forbidden
from domain.spec import ContestSpec
from domain.value import Value


class Stage(Value):
    """What the policy knows of a contest: its slug, its region, and its federal stage."""

    slug: str
    region: str | None = None
    federal: str | None = None

    @classmethod
    def of(cls, spec: ContestSpec) -> Stage:
        federal = spec.promotion.federal if spec.promotion else None
        return cls(slug=spec.slug, region=spec.region, federal=federal)


def refuse(actor: Actor, right: str, why: str) -> Forbidden:
    return Forbidden(f"{actor.describe()} lacks the right to {right}: {why}")


def require_operator(actor: Actor, stage: Stage, right: str) -> None:
    """Federal operators run every contest in their scope and its regional stages; a regional
    operator runs only the stages of their own region. The engine runs what it started."""
    if actor.kind == ActorKind.SYSTEM:
        return
    if actor.kind != ActorKind.OPERATOR:
        raise refuse(actor, f"{right} in {stage.slug}", "only the contest's operators may")
    region = actor.scope.region
    if region is not None and stage.region != region:
        raise refuse(actor, f"{right} in {stage.slug}",
                     f"a regional operator acts only in the stages of region {region}")
    if not (actor.scope.covers(stage.slug) or (stage.federal and actor.scope.covers(stage.federal))):
        raise refuse(actor, f"{right} in {stage.slug}", "the contest is outside the operator's scope")


def require_scorer(actor: Actor, slug: str, expert: str) -> None:
    """A scorecard is written by its expert and nobody else, not even an operator."""
    right = f"record expert {expert}'s card in {slug}"
    if actor.kind != ActorKind.EXPERT:
        raise refuse(actor, right, "a card is recorded only by the expert who scored it")
    if actor.id != expert:
        raise refuse(actor, right, f"the card is expert {expert}'s, not theirs")
    if not actor.scope.covers(slug):
        raise refuse(actor, right, "the contest is outside the expert's scope")


def require_recusal(actor: Actor, stage: Stage, expert: str) -> None:
    """An expert declares their own conflict; an operator of the contest may record one."""
    if actor.kind == ActorKind.EXPERT and actor.id == expert and actor.scope.covers(stage.slug):
        return
    if actor.kind == ActorKind.EXPERT:
        raise refuse(actor, f"recuse expert {expert} in {stage.slug}",
                     "an expert declares only their own conflicts in their own contests")
    require_operator(actor, stage, f"recuse expert {expert}")


def require_submitter(actor: Actor, stage: Stage, inns: Iterable[str | None]) -> None:
    """An applicant files only its own submissions; an operator may enter anyone's."""
    if actor.kind != ActorKind.APPLICANT:
        require_operator(actor, stage, "file submissions")
        return
    right = f"file submissions in {stage.slug}"
    if not actor.scope.covers(stage.slug):
        raise refuse(actor, right, "the contest is outside the applicant's scope")
    foreign = next((inn for inn in inns if inn != actor.scope.inn), "")
    if foreign != "":
        raise refuse(actor, right, f"an applicant files only under its own INN, not {foreign or 'none'}")


def require_caster(actor: Actor, stage: Stage) -> None:
    """A portal casts in the contests it is registered for; an operator may import a file."""
    if actor.kind != ActorKind.PORTAL:
        require_operator(actor, stage, "cast ballots")
        return
    if stage.slug not in actor.scope.contests:
        raise refuse(actor, f"cast ballots in {stage.slug}", "the portal is not registered for it")


def require_eraser(actor: Actor, stage: Stage) -> None:
    """A person's particulars are erased on a request someone answers for: an operator of the
    contest (a federal operator of it, or the regional operator of its region), never the engine."""
    if actor.kind == ActorKind.SYSTEM:
        raise refuse(actor, f"forget personal data in {stage.slug}", "only an operator may")
    require_operator(actor, stage, "forget personal data")


def require_federal_operator(actor: Actor, right: str) -> None:
    """Reference data and credentials are shared by every contest: they belong to the federal
    operators whose scope is every contest."""
    if actor.kind == ActorKind.SYSTEM:
        return
    if actor.kind != ActorKind.OPERATOR or actor.scope.region is not None:
        raise refuse(actor, right, "only a federal operator may")
    if actor.scope.contests:
        raise refuse(actor, right, "only a federal operator of every contest may, not one scoped to "
                                   + ", ".join(actor.scope.contests))


def require_roster_import(actor: Actor, regions: Iterable[str]) -> None:
    """A regional operator imports the municipalities of their own region only."""
    region = actor.scope.region
    if actor.kind == ActorKind.OPERATOR and region is not None:
        other = sorted(set(regions) - {region})
        if other:
            raise refuse(actor, "import municipal rosters",
                         f"a regional operator imports only region {region}'s, not {other[0]}'s")
        return
    require_federal_operator(actor, "import municipal rosters")


def require_reader(actor: Actor, stage: Stage, right: str) -> None:
    """The contest as a whole: its operators, its auditors, the engine."""
    if actor.kind == ActorKind.AUDITOR:
        if not actor.scope.covers(stage.slug):
            raise refuse(actor, f"{right} in {stage.slug}", "the contest is outside the auditor's scope")
        return
    require_operator(actor, stage, right)


def may_read_submission(
    actor: Actor, stage: Stage, applicant_inn: str | None, assigned: Iterable[str]
) -> bool:
    """Operators and auditors read every submission; an applicant reads its own, an expert the
    ones assigned to them."""
    if actor.kind == ActorKind.APPLICANT:
        return actor.scope.covers(stage.slug) and applicant_inn == actor.scope.inn
    if actor.kind == ActorKind.EXPERT:
        return actor.scope.covers(stage.slug) and actor.id in assigned
    try:
        require_reader(actor, stage, "read submissions")
    except Forbidden:
        return False
    return True


def rights_of(actor: Actor) -> list[str]:
    """What the policy above lets `actor` do, in plain words: `konkurs whoami` shows it."""
    contests = ", ".join(actor.scope.contests) if actor.scope.contests else None
    kind, region = actor.kind, actor.scope.region
    if kind == ActorKind.SYSTEM:
        return ["run what the engine started: deadlines, phase conclusions, reminders"]
    if kind == ActorKind.OPERATOR and region is None:
        where = f"the contests {contests}" if contests else "every contest"
        return [f"announce and operate {where} and their regional stages: close phases, extend "
                "deadlines, enroll and assign experts, conclude, publish and promote",
                "import registries and municipal rosters",
                "issue, list and revoke tokens",
                f"read every submission and the whole record of {where}"]
    if kind == ActorKind.OPERATOR:
        where = f" in {contests}" if contests else ""
        return [f"announce and operate the stages of region {region}{where}: close phases, extend "
                "deadlines, enroll and assign experts, conclude, publish and promote",
                f"import region {region}'s municipal roster",
                f"read every submission and the whole record of region {region}'s stages"]
    if kind == ActorKind.EXPERT:
        return [f"score the submissions assigned to them in {contests}, under their own name only",
                "declare their own conflicts of interest",
                "read the submissions assigned to them"]
    if kind == ActorKind.APPLICANT:
        where = contests or "any contest open for submissions"
        return [f"file submissions under INN {actor.scope.inn} in {where}",
                "read their own submissions"]
    if kind == ActorKind.PORTAL:
        return [f"cast voters' ballots in {contests}"]
    where = f"the contests {contests}" if contests else "every contest"
    return [f"read and recompute the record of {where}: submissions, reviews, ballots, results",
            "list tokens"]
