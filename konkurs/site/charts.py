"""The site's charts as inline SVG: drawn by matplotlib, then made part of the page (no XML
prolog, ids of their own so two charts on one page never share one, a role and a name for
screen readers). The numbers behind each chart are in a table next to it."""

from __future__ import annotations

import io
import re
import tempfile
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display, the same output on every machine

from markupsafe import Markup, escape
from matplotlib.dates import date2num
from matplotlib.figure import Figure

from konkurs.participation_chart import RUSSIAN, draw_league
from konkurs.site.vote_timeline import Timeline
from projections.models import Results
from projections.participation_models import Participation

INK, MUTED, WINNER, SIGNAL = "#1a1a1a", "#8a8a8a", "#b3261e", "#d97706"


def _svg_style() -> AbstractContextManager[None]:
    """Vector text (not paths) keeps the page small and its words searchable; a fixed salt keeps
    the same contest's site byte for byte the same."""
    return matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "konkurs",
                                  "font.family": "DejaVu Sans"})


def score_spread(results: Results) -> Markup:
    """Per nomination, the normalised score of every ranked submission; winners in red."""
    nominations = [n for n in results.nominations if n.ranking][::-1]
    figure = Figure(figsize=(8, 1.2 + 0.42 * len(nominations)), layout="constrained")
    axes = figure.subplots()
    placed = {(n.code, w.reference) for n in results.nominations for w in n.winners}
    for row, nomination in enumerate(nominations):
        others = [r.score for r in nomination.ranking if (nomination.code, r.reference) not in placed]
        winners = [r.score for r in nomination.ranking if (nomination.code, r.reference) in placed]
        axes.scatter(others, [row] * len(others), s=18, color=MUTED, alpha=0.8, linewidths=0)
        axes.scatter(winners, [row] * len(winners), s=46, color=WINNER, marker="D", linewidths=0)
    axes.set_yticks(range(len(nominations)), [_short(n.title) for n in nominations], fontsize=8)
    axes.set_xlabel("Итоговый балл экспертов (из 100)", fontsize=9)
    axes.grid(axis="x", alpha=0.3)
    axes.scatter([], [], s=46, color=WINNER, marker="D", label="победители")
    axes.scatter([], [], s=18, color=MUTED, label="остальные оценённые заявки")
    axes.legend(loc="lower left", fontsize=8, frameon=False, bbox_to_anchor=(0, 1.0), ncols=2)
    return inline_svg(figure, "scores", "Разброс баллов по номинациям",
                      "Каждая точка — оценённая заявка; ромбы — победители. Числа в таблице рядом.")


def vote_over_time(timeline: Timeline) -> Markup:
    """Counted ballots per interval, with the tally's anomaly signals marked."""
    figure = Figure(figsize=(8, 3.2), layout="constrained")
    axes = figure.subplots()
    starts = date2num([interval.start for interval in timeline.intervals])
    width = 0.85 * timeline.step / timedelta(days=1)  # dates are plotted in days
    axes.bar(starts, [i.ballots for i in timeline.intervals], width=width, align="edge", color="#2f6db5")
    axes.xaxis_date()
    flagged = [i for i in timeline.intervals if i.anomalies]
    if flagged:
        axes.scatter(date2num([i.start + timeline.step / 2 for i in flagged]), [i.ballots for i in flagged],
                     marker="v", s=70, color=SIGNAL, zorder=3, label="сигнал подсчёта (проверить)")
        axes.legend(fontsize=8, frameon=False)
    axes.set_ylabel("Бюллетеней", fontsize=9)
    axes.set_xlabel("Время (UTC)", fontsize=9)
    axes.grid(axis="y", alpha=0.3)
    figure.autofmt_xdate()
    return inline_svg(figure, "timeline", "Голосование во времени",
                      "Число учтённых бюллетеней за каждый интервал; треугольники — сигналы подсчёта.")


def league(shown: Participation) -> Markup:
    """The participation league as `konkurs participation chart` draws it."""
    with tempfile.TemporaryDirectory() as folder, _svg_style():
        path = draw_league(shown, Path(folder) / "league.svg", words=RUSSIAN)
        text = path.read_text(encoding="utf-8")
    return _accessible(text, "league", "Рейтинг участия регионов",
                       "Столбец — число заявок региона, черта — его цель; красным — отстающие.")


def inline_svg(figure: Figure, key: str, title: str, description: str) -> Markup:
    with _svg_style():
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
    return _accessible(buffer.getvalue(), key, title, description)


_ID = re.compile(r'id="([^"]+)"')


def _accessible(svg: str, key: str, title: str, description: str) -> Markup:
    """The <svg> element alone, its ids prefixed with `key`, named by its <title> and <desc>."""
    svg = svg[svg.index("<svg"):]
    for name in set(_ID.findall(svg)):
        svg = (svg.replace(f'id="{name}"', f'id="{key}-{name}"')
               .replace(f"#{name})", f"#{key}-{name})").replace(f'#{name}"', f'#{key}-{name}"'))
    head_end = svg.index(">") + 1
    opening = svg[:head_end].replace(
        "<svg ", f'<svg role="img" aria-labelledby="{key}-title {key}-desc" class="chart" ', 1)
    named = (f'<title id="{key}-title">{escape(title)}</title>'
             f'<desc id="{key}-desc">{escape(description)}</desc>')
    return Markup(opening + named + svg[head_end:])  # matplotlib's own SVG, our escaped text


def _short(title: str, most: int = 42) -> str:
    return title if len(title) <= most else title[: most - 1].rstrip() + "…"
