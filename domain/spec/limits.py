"""How long the texts of a submission may be: its title, its summary, the applicant's or nominee's name."""

from __future__ import annotations

from pydantic import Field

from domain.spec.base import SpecModel


class Limits(SpecModel):
    title: int = Field(default=300, ge=1, le=1000, description="Most characters in a submission's title")
    summary: int = Field(default=4000, ge=1, le=20_000, description="Most characters in a summary")
    name: int = Field(default=500, ge=1, le=500,
                      description="Most characters in an applicant's name, a nominee's full name included")
