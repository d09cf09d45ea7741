"""Ballots for the concurrency test: each writer's own voters, plus a pool every writer shares."""

from __future__ import annotations

from domain.commands.intake import BallotInput

NOMINATIONS = ("HC-1", "HC-2")
REGIONS = ("23", "42", "53", "75")


def ballots_for(writer: int, count: int, shared: float) -> list[BallotInput]:
    """`count` ballots; a `shared` fraction come from voters that every writer also sends."""
    rows = []
    pooled = int(count * shared)
    for number in range(count):
        voter = f"shared-{number}" if number < pooled else f"w{writer}-{number}"
        nomination = NOMINATIONS[number % 2]
        rows.append(
            BallotInput(
                voter=voter,
                nomination=nomination,
                submission=f"{nomination}-{number % 3}",
                region=REGIONS[number % 4],
                label=f"writer {writer} item {number}",
            )
        )
    return rows
