"""What an applicant may attach to a submission: how large, of which types, how many."""

from __future__ import annotations

from pydantic import Field

from domain.spec.base import SpecModel

MIB = 1024 * 1024
LARGEST_ALLOWED = 200 * MIB  # no spec may allow more: the API's cap on an upload's body

DOCUMENTS = (
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "image/jpeg",
    "image/png",
)


class Materials(SpecModel):
    max_bytes: int = Field(default=20 * MIB, ge=1, le=LARGEST_ALLOWED, description="Largest file, in bytes")
    media_types: list[str] = Field(default_factory=lambda: list(DOCUMENTS), min_length=1,
                                   description="Media types accepted, e.g. application/pdf")
    max_files: int = Field(default=10, ge=1, le=100, description="Files per submission")
    required: int = Field(default=0, ge=0, le=100,
                          description="Files a submission must have when intake ends (the materials gate, "
                          "or collection's close); screening rejects one with fewer")
