"""The league table as a bar chart: one bar per region, its target marked, laggards in red. Where
the spec counts initiatives and practices apart, they get a panel each, side by side."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display, the same output on every machine

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from domain.errors import InputFileError
from projections.participation_models import Participation, RegionParticipation

FORMATS = {".png", ".svg"}


@dataclass(frozen=True)
class Wording:
    """The chart's words: the operator's English by default, the public site's Russian."""

    measures: dict[str, str] = field(default_factory=lambda: {
        "submissions": "submissions", "practices": "practices", "initiatives": "initiatives"})
    no_target: str = "{measure} (no target)"
    title: str = ("{slug}: {submissions} submissions{kinds}; {lagging} of {regions} regions below target")
    kinds: str = " ({initiatives} initiatives, {practices} practices)"
    legend: tuple[str, str, str, str] = ("at or above target", "below target", "no target", "target")


RUSSIAN = Wording(
    measures={"submissions": "заявок", "practices": "практик", "initiatives": "инициатив"},
    no_target="{measure} (без цели)",
    title="Заявок: {submissions}{kinds}; ниже цели {lagging} регионов из {regions}",
    kinds=" (инициатив {initiatives}, практик {practices})",
    legend=("цель достигнута", "ниже цели", "цели нет", "цель"))
AHEAD, LAGGING, NO_TARGET, TARGET, OTHER = "#3b73b9", "#d62f2f", "#9a9a9a", "#111111", "#8fb996"


def draw_league(
    shown: Participation, path: Path, highlight: str | None = None, words: Wording = Wording()
) -> Path:
    if path.suffix.lower() not in FORMATS:
        raise InputFileError(f"{path}: the chart is drawn as .png or .svg, not {path.suffix or 'no suffix'}")
    regions = shown.regions[::-1]  # barh draws from the bottom: the first of the league on top
    apart = shown.initiatives > 0
    figure = Figure(figsize=(14 if apart else 10, 1.6 + 0.19 * len(regions)), layout="constrained")
    panels = figure.subplots(1, 2, sharey=True) if apart else [figure.subplots()]
    axes = panels[0]
    _targeted(axes, regions)
    axes.set_yticks(list(range(len(regions))), [f"{r.name or r.code} ({r.code})" for r in regions],
                    fontsize=7)
    for label, region in zip(axes.get_yticklabels(), regions, strict=True):
        if region.code == highlight:
            label.set_fontweight("bold")
    axes.set_ylim(-0.6, len(regions) - 0.4)
    measure = regions[0].counts if regions else "submissions"
    axes.set_xlabel(words.measures[measure])
    if apart:
        other = "initiatives" if measure != "initiatives" else "practices"
        panels[1].barh(range(len(regions)), [getattr(r, other) for r in regions], height=0.7, color=OTHER)
        panels[1].set_xlabel(words.no_target.format(measure=words.measures[other]))
        panels[1].grid(axis="x", alpha=0.3)
    lagging = len(shown.lagging)
    kinds = words.kinds.format(initiatives=shown.initiatives, practices=shown.practices) if apart else ""
    axes.set_title(words.title.format(slug=shown.slug, submissions=shown.submissions, kinds=kinds,
                                      lagging=lagging, regions=len(regions)), fontsize=10, loc="left")
    ahead, behind, untargeted, target = words.legend
    axes.legend(handles=[
        Patch(color=AHEAD, label=ahead), Patch(color=LAGGING, label=behind),
        Patch(color=NO_TARGET, label=untargeted),
        Line2D([], [], color=TARGET, marker="|", linestyle="", markersize=12, label=target),
    ], loc="lower right", fontsize=8)
    try:
        figure.savefig(path)
    except OSError as error:
        raise InputFileError(f"{path}: cannot write the chart: {error.strerror}") from None
    return path


def _targeted(axes: Axes, regions: list[RegionParticipation]) -> None:
    """What each region's target counts, as bars coloured by where they stand, targets marked."""
    rows = range(len(regions))
    axes.barh(rows, [r.counted for r in regions], height=0.7, color=[
        NO_TARGET if r.target is None else LAGGING if r.lagging else AHEAD for r in regions])
    targeted = [(row, r.target) for row, r in zip(rows, regions, strict=True) if r.target is not None]
    if targeted:
        axes.scatter([t for _, t in targeted], [row for row, _ in targeted], marker="|", s=160,
                     linewidths=2, color=TARGET, zorder=3)
    axes.grid(axis="x", alpha=0.3)
