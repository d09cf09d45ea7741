"""Judging from the CLI: the roster, assignments, recusals, status and the quality report."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

import typer

from domain.commands.judging import EnrollExperts, Recuse
from domain.commands.order import ContestOrder
from konkurs import intake_files
from konkurs.cli import runtime
from konkurs.cli.intake_commands import IgnoreColumns, Slug, import_app, left_aside, write_batch
from konkurs.cli.output import JsonFlag, emit_json, say, table
from projections.judging_report import JudgingReport, judging_report

judging_app = typer.Typer(
    help="Expert judging: assignments, open cards, and the quality report.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(judging_app, name="judging")
    app.command("recuse")(recuse)
    import_app.command("experts")(import_experts)


def import_experts(
    slug: Slug,
    file: Annotated[Path, typer.Argument(help="Roster as CSV (columns id;name;organisation;region;"
                                         "level;directions[;inn;municipality]), JSONL or YAML.")],
    ignore_column: IgnoreColumns = None,
    as_json: JsonFlag = False,
) -> None:
    """Enroll experts (or update them). `directions` lists direction or nomination codes,
    separated by commas; `level` is federal or regional."""
    actor = runtime.actor()
    profiles = intake_files.expert_profiles(file, ignore_column or ())
    left_aside(profiles.set_aside, as_json)
    konkurs, order = runtime.services(), EnrollExperts(slug=slug, profiles=profiles, actor=actor)
    write_batch(profiles, lambda: konkurs.judging.enroll_experts(order), "experts", as_json)


@judging_app.command("assign")
def assign(slug: Slug, as_json: JsonFlag = False) -> None:
    """Top up assignments now, e.g. after importing more experts (judging does it when it opens)."""
    konkurs = runtime.services()
    konkurs.judging.assign_experts(ContestOrder(slug=slug, command_id=f"assign:{uuid.uuid4()}",
                                                actor=runtime.actor()))
    report = judging_report(konkurs, slug)
    if as_json:
        emit_json(report)
        return
    _nominations(report)


@judging_app.command("assignments")
def assignments(
    slug: Slug,
    expert: Annotated[str | None, typer.Option(help="Only this expert's submissions.")] = None,
    submission: Annotated[str | None, typer.Option(help="Only this submission's experts.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Who reviews what, with each card's state (open, done)."""
    konkurs = runtime.services()
    spec = konkurs.store.get_contest(slug).spec
    cards, _ = konkurs.reads.counted_scorecards(slug, konkurs.store.head_position())
    rows = [
        {"nomination": code, "submission": ref, "expert": who,
         "card": "done" if who in cards.get(ref, {}) else "open"}
        for code, judging in konkurs.reads.judgings(spec).items()
        for ref, experts in sorted(judging.assigned.items())
        for who in experts
        if (expert is None or who == expert) and (submission is None or ref == submission)
    ]
    if as_json:
        emit_json(rows)
        return
    say(table(f"Assignments ({len(rows)})", ["nomination", "submission", "expert", "card"],
              [tuple(r.values()) for r in rows]))


@judging_app.command("status")
def status(slug: Slug, as_json: JsonFlag = False) -> None:
    """Open and done cards per expert."""
    report = judging_report(runtime.services(), slug)
    if as_json:
        emit_json(report.experts)
        return
    _experts(report, with_leniency=False)


@judging_app.command("report")
def report(slug: Slug, as_json: JsonFlag = False) -> None:
    """Agreement per nomination (Krippendorff's alpha), disagreements, under-reviewed
    submissions, z-score fallbacks, and each expert's leniency (mean offset from colleagues)."""
    shown = judging_report(runtime.services(), slug)
    if as_json:
        emit_json(shown)
        return
    say(f"Judging of [bold]{slug}[/]: normalisation {shown.normalisation}, "
        f"{'concluded' if shown.concluded else 'in progress (computed from the cards so far)'}")
    _nominations(shown)
    _experts(shown, with_leniency=True)


def recuse(
    slug: Slug,
    submission: Annotated[str, typer.Option(help="The submission's reference.")],
    expert: Annotated[str | None, typer.Option(
        help="The expert who steps aside; by default the expert whose credential this is.")] = None,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why; recorded in the log.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """An expert declares a conflict of interest and steps aside from a submission; another
    eligible expert takes it over."""
    actor = runtime.actor()
    expert = expert or actor.id
    order = Recuse(slug=slug, submission=submission, expert=expert, reason=reason, actor=actor)
    replacements = runtime.services().judging.recuse(order).experts
    if as_json:
        emit_json({"submission": submission, "recused": expert, "replaced_by": replacements})
    elif replacements:
        say(f"{expert} recused from {submission}; reassigned to {', '.join(replacements)}")
    else:
        say(
            f"{expert} recused from {submission}; no eligible expert is left to take it over "
            "(import more experts, then `konkurs judging assign`)"
        )


def _nominations(report: JudgingReport) -> None:
    say(
        table(
            "Nominations",
            [
                "nomination",
                "admitted",
                "cards",
                "conflicts",
                "short",
                "alpha",
                "spread",
                "under",
                "z fallback",
            ],
            [
                (
                    n.title,
                    n.admitted,
                    n.assigned_pairs,
                    n.conflicts,
                    n.shortfalls,
                    "—" if n.agreement is None else f"{n.agreement:.2f}",
                    len(n.disagreements),
                    len(n.under_reviewed) + n.unreviewed,
                    ", ".join(n.fallback_experts) or "—",
                )
                for n in report.nominations
            ],
            widest=28,
        )
    )
    say(
        "cards: assigned expert–submission pairs; short: submissions without enough eligible "
        "experts; spread: cards far apart; under: below the minimum reviews"
    )


def _experts(report: JudgingReport, with_leniency: bool) -> None:
    columns = ["expert", "name", "level", "region", "assigned", "done", "open", "recused"]
    rows = [
        [e.expert, e.name, e.level, e.region, e.assigned, e.done, e.open, e.recused] for e in report.experts
    ]
    if with_leniency:
        columns.append("leniency")
        for row, e in zip(rows, report.experts, strict=True):
            row.append(e.leniency)
    say(table("Experts", columns, rows, widest=30))
