"""Fingerprints of the code that decides results, taken by reading the shipped rule modules."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import domain.rules

RULES_PACKAGE = Path(domain.rules.__file__).parent


@cache
def rules_code() -> str:
    """The rule modules' source, hashed in name order: a record shows when the code changed
    without a bump of `RULES_VERSION`."""
    digest = hashlib.sha256()
    for module in sorted(RULES_PACKAGE.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
