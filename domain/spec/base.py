"""What every part of a contest spec shares."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]


class SpecModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
