"""Which rules decided a result: recorded with every results event, so an auditor knows what to
recompute with.

`RULES_VERSION` is bumped by hand whenever a rule here changes what it decides; the rules it
replaces then stay callable under the old version. `rules_code()` fingerprints the rule modules'
source as shipped, so a record also shows when the code changed without a bump.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

RULES_VERSION = "1"
KNOWN_RULES_VERSIONS = frozenset({RULES_VERSION})


@cache
def rules_code() -> str:
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
