"""A generated Municipal Dialog marathon: municipal rosters of the 89 regions and initiatives
skewed as seed 004 reports them (Krasnodar 4, Kemerovo 252, Novgorod 104, …), written as Excel
CSV. The same seed gives the same files; the benchmark and the scale test share them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from domain.regions import REGIONS
from domain.spec import ContestSpec
from konkurs.population import write_excel_csv

# Seed 004's own counts of initiatives posted.
SEED_COUNTS = {"23": 4, "42": 252, "53": 104}
# Plausible roster sizes for those three regions; the others' sizes are drawn.
SEED_ROSTERS = {"23": 426, "42": 34, "53": 56}
KINDS = ("municipality", "municipal_institution", "ngo")


@dataclass(frozen=True)
class Marathon:
    rosters: dict[str, list[str]]  # region → OKTMO codes
    submissions: dict[str, int]  # region → initiatives posted
    taking_part: dict[str, int]  # region → municipalities named by its initiatives


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
    submissions: int = 80_000,
) -> tuple[Path, Path, Marathon]:
    """Write `municipalities.csv` and `submissions.csv` into `folder`; return them and the truth."""
    rng = random.Random(f"{seed}/marathon")
    others = [r.code for r in REGIONS if r.code not in SEED_COUNTS]
    sizes = {**SEED_ROSTERS, **_shares(rng, others, municipalities - sum(SEED_ROSTERS.values()))}
    rosters = {code: [f"{int(code):02d}{k:06d}" for k in range(size)] for code, size in sizes.items()}
    names = {r.code: r.name for r in REGIONS}
    roster_rows = [(oktmo, f"Муниципальное образование № {k + 1} ({names[code]})", code)
                   for code, codes in rosters.items() for k, oktmo in enumerate(codes)]
    municipalities_csv = folder / "municipalities.csv"
    write_excel_csv(municipalities_csv, ("oktmo", "name", "region"), roster_rows)

    counts = {**SEED_COUNTS, **_shares(rng, others, submissions - sum(SEED_COUNTS.values()))}
    nominations = [n.code for n in spec.nominations]
    rows: list[tuple[str, ...]] = []
    named: dict[str, set[str]] = {code: set() for code in rosters}
    for code, count in counts.items():
        # A few active municipalities post most of a region's initiatives; 3% name none.
        active = rosters[code][: max(1, len(rosters[code]) // rng.choice((2, 3, 5)))]
        for _ in range(count):
            municipality = "" if rng.random() < 0.03 else rng.choice(active)
            if municipality:
                named[code].add(municipality)
            number = len(rows) + 1
            rows.append((f"MD-{number:06d}", rng.choice(nominations), f"Инициатива № {number}",
                         f"Администрация МО {municipality or code}", rng.choice(KINDS), code,
                         municipality))
    rng.shuffle(rows)
    submissions_csv = folder / "submissions.csv"
    write_excel_csv(submissions_csv, ("reference", "nomination", "title", "applicant_name",
                                      "applicant_kind", "region", "municipality"), rows)
    truth = Marathon(rosters=rosters, submissions=counts,
                     taking_part={code: len(codes) for code, codes in named.items()})
    return municipalities_csv, submissions_csv, truth
