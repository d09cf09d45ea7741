"""Which rules decided a result: recorded with every results event, so an auditor knows what to
recompute with.

`RULES_VERSION` is bumped by hand whenever a rule here changes what it decides; the rules it
replaces then stay callable under the old version. The fingerprint of the rules' source as
shipped is taken outside the domain (`services/fingerprints.py`), which reads the files.
"""

from __future__ import annotations

RULES_VERSION = "1"
KNOWN_RULES_VERSIONS = frozenset({RULES_VERSION})
