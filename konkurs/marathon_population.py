"""A generated Municipal Dialog marathon: municipal rosters of the 89 regions, 81,312 initiatives
over them (seed 004's total) and successful practices posted as the seed reports them (Krasnodar
4, Kemerovo 252, Novgorod 104; the other regions' are drawn), written as Excel CSV. The same seed
gives the same files; the benchmark and the scale tests share them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from domain.regions import REGIONS
from domain.spec import ContestSpec
from konkurs.population import write_excel_csv

# Seed 004's own counts: practices posted by three regions, and initiatives in all.
SEED_PRACTICES = {"23": 4, "42": 252, "53": 104}
SEED_INITIATIVES = 81_312
# Plausible roster sizes for those three regions; the others' sizes are drawn.
SEED_ROSTERS = {"23": 426, "42": 34, "53": 56}
KINDS = ("municipality", "municipal_institution", "ngo")


@dataclass(frozen=True)
class Marathon:
    rosters: dict[str, list[str]]  # region → OKTMO codes
    initiatives: dict[str, int]  # region → initiatives posted
    practices: dict[str, int]  # region → successful practices posted
    taking_part: dict[str, int]  # region → municipalities named by its submissions
    posting_practices: dict[str, int]  # region → municipalities named by its practices

    @property
    def submissions(self) -> dict[str, int]:
        """Region → everything it posted."""
        return {code: self.initiatives[code] + self.practices[code] for code in self.rosters}


def _shares(rng: random.Random, regions: list[str], total: int) -> dict[str, int]:
    """`total` split over `regions` with a long tail, as real participation is; none gets zero."""
    weights = {code: rng.lognormvariate(0, 0.7) for code in regions}
    scale = (total - len(regions)) / sum(weights.values())
    shares = {code: 1 + int(weight * scale) for code, weight in weights.items()}
    for code in rng.choices(regions, k=total - sum(shares.values())):
        shares[code] += 1
    return shares


def generate(
    spec: ContestSpec, folder: Path, seed: int = 4, municipalities: int = 18_000,
    initiatives: int = SEED_INITIATIVES,
) -> tuple[Path, Path, Marathon]:
    """Write `municipalities.csv` and `submissions.csv` into `folder`; return them and the truth.
    Initiatives go to the spec's nominations of kind initiative, practices to those of kind
    practice (to any nomination when the spec has none of that kind)."""
    rng = random.Random(f"{seed}/marathon")
    regions = [r.code for r in REGIONS]
    others = [code for code in regions if code not in SEED_PRACTICES]
    sizes = {**SEED_ROSTERS, **_shares(rng, others, municipalities - sum(SEED_ROSTERS.values()))}
    rosters = {code: [f"{int(code):02d}{k:06d}" for k in range(size)] for code, size in sizes.items()}
    names = {r.code: r.name for r in REGIONS}
    roster_rows = [(oktmo, f"Муниципальное образование № {k + 1} ({names[code]})", code)
                   for code, codes in rosters.items() for k, oktmo in enumerate(codes)]
    municipalities_csv = folder / "municipalities.csv"
    write_excel_csv(municipalities_csv, ("oktmo", "name", "region"), roster_rows)

    proposed = _shares(rng, regions, initiatives)
    # Between a tenth and two and a half practices per municipality: some regions lag, some lead.
    posted = {**{code: int(sizes[code] * rng.uniform(0.1, 2.5)) for code in others}, **SEED_PRACTICES}
    rows: list[tuple[str, ...]] = []
    named: dict[str, set[str]] = {code: set() for code in rosters}
    practising: dict[str, set[str]] = {code: set() for code in rosters}
    for code in regions:
        # A few active municipalities post most of a region's entries; 3% name none.
        active = rosters[code][: max(1, len(rosters[code]) // rng.choice((2, 3, 5)))]
        for kind, count in (("initiative", proposed[code]), ("practice", posted[code])):
            nominations = _nominations(spec, kind)
            for _ in range(count):
                municipality = "" if rng.random() < 0.03 else rng.choice(active)
                if municipality:
                    named[code].add(municipality)
                    if kind == "practice":
                        practising[code].add(municipality)
                number = len(rows) + 1
                title = "Инициатива" if kind == "initiative" else "Практика"
                rows.append((f"MD-{number:06d}", rng.choice(nominations), f"{title} № {number}",
                             f"Администрация МО {municipality or code}", rng.choice(KINDS), code,
                             municipality))
    rng.shuffle(rows)
    submissions_csv = folder / "submissions.csv"
    write_excel_csv(submissions_csv, ("reference", "nomination", "title", "applicant_name",
                                      "applicant_kind", "region", "municipality"), rows)
    truth = Marathon(rosters=rosters, initiatives=proposed, practices=posted,
                     taking_part={code: len(codes) for code, codes in named.items()},
                     posting_practices={code: len(codes) for code, codes in practising.items()})
    return municipalities_csv, submissions_csv, truth


def _nominations(spec: ContestSpec, kind: str) -> list[str]:
    of_kind = [n.code for n in spec.nominations if n.kind == kind]
    return of_kind or [n.code for n in spec.nominations]
