"""The materials gate at screening: a submission with fewer files than the spec requires by then
is rejected, with how many it had."""

from __future__ import annotations

from domain.rules.eligibility import Ineligibility

MATERIALS_MISSING = "materials missing"


def missing_materials(required: int, attached: int) -> Ineligibility | None:
    if attached >= required:
        return None
    return Ineligibility(MATERIALS_MISSING, f"{attached} of the {required} required materials attached "
                                            "by the materials deadline")
