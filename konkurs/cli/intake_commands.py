"""Intake from the CLI: submissions, reviews and ballots go straight to the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from domain.commands.intake import BatchOutcome, CastBallots, RecordReviews, ReviewForm, Submit
from domain.commands.order import Recorded
from domain.errors import InputFileError
from konkurs import intake_files
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, console, emit_json, say

Slug = Annotated[str, typer.Argument(help="The contest's slug.")]
CsvFile = Annotated[Path, typer.Argument(
    help="CSV as Excel saves it: UTF-8 with or without BOM, or Windows-1251 (cp1251); separated by `;`, "
    "`,` or tab; headers in English or Russian (docs/operators.md, 'Russian column headers'). "
    "Or JSON Lines (.jsonl), one object per line with the same keys."
)]
IgnoreColumns = Annotated[list[str] | None, typer.Option(
    "--ignore-column", metavar="NAME",
    help="A column of the file to leave aside knowingly (repeatable); any other unknown column is refused.",
)]

import_app = typer.Typer(
    help="Import intake files. Each file is checked whole first: one bad row and nothing is written.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.command("submit")(submit)
    app.command("review")(review)
    app.add_typer(import_app, name="import")


def submit(
    slug: Slug,
    file: Annotated[Path, typer.Argument(help="One submission as JSON or YAML (UTF-8 or cp1251).")],
    draft: Annotated[bool, typer.Option(
        "--draft", help="Save it as a draft, not filed: file it later with `konkurs file`.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Record one submission from a JSON/YAML file while collection is open; the same reference
    again revises a saved draft (and files it, without --draft).

    \b
    Fields (the spec's `limits` cap the lengths; defaults shown):
      reference            the submission's number, up to 100 characters
      nomination           a nomination code of the spec
      title                up to 300 characters
      summary              optional, up to 4000 characters
      applicant.name       up to 500 characters
      applicant.kind       state_institution, municipal_institution, ngo,
                           business, regional_authority, municipality, person
      applicant.region     two-digit region code, e.g. "16"
      applicant.inn        optional: 10 or 12 digits
      applicant.municipality  optional: OKTMO code
      applicant.age        optional: a person's age, for personal nominations
      conditions           the codes of the spec's admission conditions confirmed

    \b
    For example:
    reference: ZDR-201
    nomination: HC-1
    title: Запись к врачу по телефону 122
    summary: Единый номер записи к врачу для всего края.
    applicant:
      name: ГБУЗ «Городская поликлиника № 3»
      kind: state_institution
      region: "75"
      inn: "7536012345"
    """
    actor = runtime.actor()
    forms = intake_files.single_submission(file)
    outcome = runtime.services().submissions.submit(Submit(slug=slug, forms=forms, actor=actor, draft=draft))
    _done("submission", forms, outcome, as_json)


def review(
    slug: Slug,
    submission: Annotated[str | None, typer.Option(help="The submission's reference.")] = None,
    expert: Annotated[str | None, typer.Option(
        help="The expert's id; by default the expert whose credential this is.")] = None,
    score: Annotated[list[str] | None, typer.Option(
        help="CRITERION=VALUE, once per criterion of the spec, e.g. --score impact=8")] = None,
    file: Annotated[Path | None, typer.Option(
        help="Or the whole card as YAML/JSON: submission, expert, scores.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Record one expert's scorecard while judging is open; a second card revises the first.
    Only the expert assigned to the submission may record it, with their own credential."""
    actor = runtime.actor()
    expert = expert or actor.id
    if file is not None:
        forms = intake_files.single_card(file)
    elif submission and score:
        forms = [("--score", ReviewForm(submission=submission, expert=expert,
                                        scores=dict(_criterion_score(item) for item in score)))]
    else:
        raise InputFileError("give --submission and a --score per criterion, or --file")
    outcome = runtime.services().submissions.record_reviews(
        RecordReviews(slug=slug, forms=forms, actor=actor))
    _done("review", forms, outcome, as_json)


def _criterion_score(item: str) -> tuple[str, float]:
    criterion, _, value = item.partition("=")
    try:
        return criterion.strip(), float(value.replace(",", "."))
    except ValueError:
        raise InputFileError(f"--score {item!r} is not CRITERION=VALUE, e.g. impact=8") from None


@import_app.command("submissions")
def import_submissions(
    slug: Slug, file: CsvFile, ignore_column: IgnoreColumns = None, as_json: JsonFlag = False
) -> None:
    """Import submissions. Columns: reference;nomination;title;applicant_name;applicant_kind;
    region[;inn;municipality;summary;age], or their Russian headers (Регистрационный номер,
    Номинация, Название практики, Наименование организации, Тип организации, Регион, ИНН, ОКТМО,
    Краткое описание, Возраст…). Kinds and regions may be written in Russian: «НКО»,
    «государственное учреждение»; «Татарстан», «г. Москва» or a code such as 16.
    The spec's limits cap the lengths of title, summary and applicant_name."""
    actor = runtime.actor()
    forms = intake_files.submission_forms(file, ignore_column or ())
    left_aside(forms.set_aside, as_json)
    konkurs, order = runtime.services(), Submit(slug=slug, forms=forms, actor=actor)
    write_batch(forms, lambda: konkurs.submissions.submit(order), "submissions", as_json)


@import_app.command("reviews")
def import_reviews(
    slug: Slug, file: CsvFile, ignore_column: IgnoreColumns = None, as_json: JsonFlag = False
) -> None:
    """Import an expert's scorecards while judging is open, with that expert's credential.
    Columns: submission;expert;<one per criterion>. A second card from the same expert for the
    same submission is a revision."""
    konkurs, actor = runtime.services(), runtime.actor()
    criteria = konkurs.store.get_contest(slug).spec.judging.criteria
    forms = intake_files.review_forms(file, criteria, ignore_column or ())
    left_aside(forms.set_aside, as_json)
    order = RecordReviews(slug=slug, forms=forms, actor=actor)
    write_batch(order.forms, lambda: konkurs.submissions.record_reviews(order), "reviews", as_json)


@import_app.command("ballots")
def import_ballots(
    slug: Slug, file: CsvFile,
    record_rejections: Annotated[bool, typer.Option(
        "--record-rejections",
        help="A portal's export: record refused ballots with their reasons and keep the rest, "
        "in batches, instead of refusing the whole file at its first bad ballot.")] = False,
    batch: Annotated[int, typer.Option(help="Ballots per batch with --record-rejections.")] = 50_000,
    ignore_column: IgnoreColumns = None,
    as_json: JsonFlag = False,
) -> None:
    """Import ballots while voting is open. Columns: voter;nomination;submission;region (a code or
    a name). Voter ids are kept only as keyed HMAC pseudonyms."""
    settings = runtime.settings()
    konkurs, actor = runtime.services(), runtime.actor()
    key = settings.voter_key()
    ballots = intake_files.ballots(file, ignore_column or ())
    left_aside(ballots.set_aside, as_json)
    if not record_rejections:
        write_batch(ballots, lambda: konkurs.ballots.cast_ballots(
            CastBallots(slug=slug, ballots=ballots, voter_key=key, strict=True, actor=actor)),
            "ballots", as_json)
        return
    accepted, rejected, repeated = 0, Counter[str](), 0
    with _progress(as_json) as progress:
        task = progress.add_task("recording ballots", total=len(ballots))
        for start in range(0, len(ballots), batch):
            outcome = konkurs.ballots.cast_ballots(
                CastBallots(slug=slug, ballots=ballots[start:start + batch], voter_key=key,
                            actor=actor))
            if outcome.repeated:
                repeated += outcome.sent
            else:
                accepted += outcome.accepted
                rejected.update(outcome.rejected)
            progress.advance(task, outcome.sent)
    if as_json:
        emit_json({"sent": len(ballots), "accepted": accepted, "rejected": dict(rejected),
                   "repeated": repeated})
        return
    before = (f"; {repeated} had been recorded before, in the same batches, and were not written "
              "again" if repeated else "")
    say(f"Recorded {accepted} of {len(ballots)} ballots; refused {rejected.total()}{before}"
        + "".join(f"\n  {count:>8}  {reason}" for reason, count in rejected.most_common()))


def left_aside(columns: Sequence[str], as_json: bool) -> None:
    """Say which of the file's columns were not imported, so none vanishes without a word."""
    if columns and not as_json:
        say(f"Left aside the column{'s' if len(columns) > 1 else ''} {', '.join(map(repr, columns))}.")


def write_batch(
    rows: Sequence[Any], save: Callable[[], Recorded | BatchOutcome], what: str, as_json: bool
) -> None:
    """Check and save the whole file as one batch, with a spinner while the rows are checked."""
    with _progress(as_json) as progress:
        progress.add_task(f"checking and recording {len(rows):,} {what}", total=None)
        outcome = save()
    _done(what, rows, outcome, as_json)


def _progress(as_json: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=True,
        disable=as_json or not console.is_terminal,
    )


def _done(what: str, forms: Sequence[Any], outcome: Recorded | BatchOutcome, as_json: bool) -> None:
    """Say what was written: a file recorded before writes nothing, and says so."""
    repeated = isinstance(outcome, BatchOutcome) and outcome.repeated
    written = 0 if repeated else outcome.accepted if isinstance(outcome, BatchOutcome) else outcome.recorded
    if as_json:
        emit_json({"recorded": written, "what": what, "rows": len(forms),
                   "unchanged": len(forms) - written})
    elif isinstance(outcome, BatchOutcome) and repeated:
        say(f"Nothing written: this file was recorded before, as batch {outcome.batch} "
            f"({outcome.accepted} of {len(forms)} {what} accepted).")
    elif written == 0:
        say(f"Nothing written: all {len(forms)} {what} are recorded already, unchanged.")
    elif written < len(forms):
        say(f"Recorded {written} of {len(forms)} {what}; the other {len(forms) - written} were "
            "recorded already, unchanged.")
    else:
        say(f"Recorded {written} {what}.")
