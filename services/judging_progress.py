"""Judging progress by expert, as a contest's operators and auditors follow it: cards recorded
against cards assigned, and recusals. The counts of `konkurs judging status`, without the ranking
the full judging report computes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from domain.access import Stage, require_reader
from domain.actors import Actor
from domain.commands.order import Order
from domain.model import Value
from domain.phases import Phase
from services.judging_reads import JudgingReads
from store.application import StoreApplication


class ReadJudgingProgress(Order):
    actor: Actor
    slug: str


class ExpertProgress(Value):
    expert: str
    name: str
    assigned: int
    recorded: int
    recused: int


class JudgingProgress(Value):
    slug: str
    opened: bool
    experts: list[ExpertProgress]


CardedPairs = Callable[[int], set[tuple[str, str]]]
"""(submission, expert) of the cards recorded up to a log position: the caller's index of them."""


def judging_progress(
    store: StoreApplication, reads: JudgingReads, query: ReadJudgingProgress, carded: CardedPairs
) -> JudgingProgress:
    contest = store.get_contest(query.slug)
    require_reader(query.actor, Stage.of(contest.spec), "read the judging progress")
    judgings = reads.judgings(contest.spec)
    if not judgings:
        return JudgingProgress(slug=query.slug, opened=False, experts=[])
    # Cards count as the ranking will count them: up to judging's close, only from experts still assigned.
    closed_at = store.phase_closed_at(query.slug, Phase.JUDGING) or store.head_position()
    cards = carded(closed_at)
    assigned, recorded, recused = Counter[str](), Counter[str](), Counter[str]()
    for judging in judgings.values():
        assigned.update(judging.load())
        recused.update(e for experts in judging.recused.values() for e in experts)
        recorded.update(expert for submission, experts in judging.assigned.items()
                        for expert in experts if (submission, expert) in cards)
    names = {profile.id: profile.name for profile in reads.roster(query.slug)}
    experts = sorted(set(assigned) | set(recused))
    return JudgingProgress(slug=query.slug, opened=True, experts=[
        ExpertProgress(expert=e, name=names.get(e, e), assigned=assigned[e], recorded=recorded[e],
                       recused=recused[e])
        for e in experts
    ])
