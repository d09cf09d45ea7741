"""The letters' Russian texts: Jinja2 files, the shipped ones overridden file by file by the operator's.

A template's first line is `Тема: …`, then a blank line, then the body. Every template is checked at
start-up against a sample context under `StrictUndefined`, so a misspelt name fails before any
letter is composed, in one line naming the file and the line.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from domain.errors import KonkursError

SHIPPED = Path(__file__).parent / "templates"
SUBJECT = "Тема:"

_CONTEST = {"contest": "Лучшие практики 2023"}
_SUBMISSION = {**_CONTEST, "reference": "SD-1", "title": "Практика", "nomination": "Лучшая практика",
               "applicant": "АНО «Забота»"}
SAMPLES: dict[str, dict[str, Any]] = {
    "announcement": {"subject": "Конкурс", "text": "Текст письма", "region": "Забайкальский край",
                     "particulars": {"sender": "Минздрав", "number": "27-4/10/В-1",
                                     "dated": "18 октября 2023 г.",
                                     "signatory": {"position": "Министр", "name": "О.Ю. Баталина"}}},
    "assignment": {**_CONTEST, "nomination": "Лучшая практика", "expert": "E-1",
                   "submissions": [{"reference": "SD-1", "title": "Практика"}],
                   "deadline": "до 1 июня 2023 г."},
    "reminder": {**_CONTEST, "expert": "E-1", "cards": [{"reference": "SD-1", "title": "Практика"}],
                 "deadline": "до 1 июня 2023 г. включительно"},
    "receipt": {**_SUBMISSION, "received": "1 марта 2023 г."},
    "admitted": _SUBMISSION,
    "rejected": {**_SUBMISSION, "reason": "нет согласия"},
    "result": {**_SUBMISSION, "winner": True, "place": 1, "published": "1 июля 2023 г."},
    "chase_region": {**_CONTEST, "region": "Забайкальский край", "submissions": 3, "target": 10,
                     "percent": 30.0, "taking_part": 2, "municipalities": 31, "silent": 29,
                     "reviewed": "1 апреля 2023 г."},
    "report_missing": {**_CONTEST, "municipality": "Читинский район", "oktmo": "76650000",
                       "region": "Забайкальский край", "report_by": "1 апреля 2023 г."},
    "reports_missing_region": {**_CONTEST, "region": "Забайкальский край", "count": 2,
                               "named": [{"oktmo": "76650000", "name": "Читинский район"}],
                               "report_by": "1 апреля 2023 г."},
}


class TemplateError(KonkursError):
    """A template that does not parse, does not render, or lacks its subject line."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


class Templates:
    def __init__(self, override: Path | None = None) -> None:
        if override is not None and not override.is_dir():
            raise TemplateError(f"KONKURS_MAIL_TEMPLATES={override}: no such folder")
        folders = [str(override)] if override is not None else []
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([*folders, str(SHIPPED)]), undefined=jinja2.StrictUndefined,
            autoescape=False, keep_trailing_newline=True)

    def path(self, name: str) -> Path:
        source = self.env.loader.get_source(self.env, f"{name}.txt")  # type: ignore[union-attr]
        return Path(source[1] or name)

    def render(self, name: str, context: dict[str, Any]) -> Rendered:
        text = self.env.get_template(f"{name}.txt").render(context)
        first, _, rest = text.partition("\n")
        if not first.startswith(SUBJECT) or rest[:1] not in ("\n", ""):
            raise TemplateError(
                f"{self.path(name)}:1: the first line must be «{SUBJECT} …», then a blank line")
        return Rendered(subject=first.removeprefix(SUBJECT).strip(), body=rest[1:].rstrip() + "\n")

    def check(self) -> list[str]:
        """Render every template with its sample; the names checked, or an error at the first bad one."""
        for name, sample in SAMPLES.items():
            try:
                self.render(name, sample)
            except jinja2.TemplateSyntaxError as error:
                raise TemplateError(f"{error.filename or name}:{error.lineno}: {error.message}") from None
            except jinja2.TemplateError as error:
                raise TemplateError(f"{_where(error, self.path(name))}: {error}") from None
        return list(SAMPLES)

    def source(self, name: str) -> str:
        if name not in SAMPLES:
            raise TemplateError(f"no template {name!r}; the templates are {', '.join(SAMPLES)}")
        return (SHIPPED / f"{name}.txt").read_text(encoding="utf-8")


def _where(error: Exception, path: Path) -> str:
    """`file:line` of the template frame that failed: Jinja2 puts the template's lines in the traceback."""
    frames = traceback.extract_tb(error.__traceback__)
    lines = [frame.lineno for frame in frames if frame.filename == str(path)]
    return f"{path}:{lines[-1]}" if lines else str(path)
