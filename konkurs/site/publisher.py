"""`publish_site`: the static public site of one contest, written whole or not at all."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from statistics import median

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from domain.errors import InputFileError
from domain.russian_dates import russian_date
from konkurs.site import charts
from konkurs.site.content import SiteContent, gather
from projections.views_db import ViewsDB
from services.konkurs import Konkurs

HERE = Path(__file__).parent
GENERATOR = '<meta name="generator" content="Konkurs">'  # how an earlier site of ours is known


@dataclass(frozen=True)
class Page:
    file: str
    label: str
    template: str


@dataclass(frozen=True)
class Published:
    folder: Path
    pages: list[str]
    content: SiteContent


def publish_site(konkurs: Konkurs, views: ViewsDB, slug: str, folder: Path) -> Path:
    """Write the public site of `slug` into `folder` (replacing an earlier Konkurs site there)
    and return the folder. NotPublished when the results are not public; InputFileError when
    the folder cannot be written or holds something else."""
    return write_site(konkurs, views, slug, folder).folder


def write_site(konkurs: Konkurs, views: ViewsDB, slug: str, folder: Path) -> Published:
    content = gather(konkurs, views, slug)
    _check_replaceable(folder)
    pages = site_pages(content)
    rendered = {page.file: _render(page, pages, content) for page in pages}
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        try:
            for name, html in rendered.items():
                (staging / name).write_text(html, encoding="utf-8")
            shutil.copy(HERE / "static" / "site.css", staging / "site.css")
            staging.chmod(0o755)
            _swap(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as error:
        raise InputFileError(f"{folder}: cannot write the site: {error.strerror or error}") from None
    return Published(folder=folder, pages=[page.file for page in pages], content=content)


def site_pages(content: SiteContent) -> list[Page]:
    pages = [Page("index.html", "Итоги", "index.html")]
    if content.vote is not None:
        pages += [Page("vote.html", "Голосование по регионам", "vote.html"),
                  Page("demand.html", "Спрос на практики", "demand.html")]
    if content.participation is not None:
        pages.append(Page("participation.html", "Участие регионов", "participation.html"))
    return [*pages, Page("verify.html", "Как проверить", "verify.html")]


def _check_replaceable(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputFileError(f"{folder}: is a file, not a folder for the site")
    if folder.is_dir() and any(folder.iterdir()):
        index = folder / "index.html"
        if not (index.is_file() and GENERATOR in index.read_text(encoding="utf-8", errors="replace")):
            raise InputFileError(f"{folder}: holds files that are not a Konkurs site; "
                                 "give an empty or new folder")


def _swap(staging: Path, folder: Path) -> None:
    """Put the new site in place; an earlier one is moved aside first and removed after."""
    if folder.exists():
        aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}-old-", dir=folder.parent))
        folder.rename(aside / folder.name)
        staging.rename(folder)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        staging.rename(folder)


def _render(page: Page, pages: list[Page], content: SiteContent) -> str:
    template = _environment().get_template(page.template)
    return template.render(page=page, pages=pages, site=content, charts=_charts(page, content),
                           generator=Markup(GENERATOR))  # a constant of ours


def _charts(page: Page, content: SiteContent) -> dict[str, Markup | None]:
    return {"scores": None, "timeline": None, "league": None} | _drawn(page, content)


def _drawn(page: Page, content: SiteContent) -> dict[str, Markup]:
    if page.file == "index.html" and any(n.ranking for n in content.results.nominations):
        return {"scores": charts.score_spread(content.results)}
    if page.file == "vote.html" and content.vote is not None and content.vote.timeline.intervals:
        return {"timeline": charts.vote_over_time(content.vote.timeline)}
    if page.file == "participation.html" and content.participation is not None:
        return {"league": charts.league(content.participation)}
    return {}


@cache
def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(number=number, score=score, day=russian_date, moment=moment, median=median)
    return environment


def number(value: int) -> str:
    """4961 → «4 961», as Russian typography groups digits (a non-breaking space)."""
    return f"{value:,}".replace(",", "\u00a0")


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def moment(value: datetime, step: timedelta | None = None) -> str:
    """An interval's start in UTC, as precise as the interval."""
    if step is not None and step >= timedelta(days=1):
        return value.strftime("%d.%m.%Y")
    if step is not None and step >= timedelta(minutes=1):
        return value.strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y %H:%M:%S")
