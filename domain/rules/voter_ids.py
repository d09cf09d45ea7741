"""One voter id, one spelling: the rule a contest's spec names for voter ids, applied before the
pseudonym is taken, on every path a ballot comes in by (an operator's file, a portal's batch, the
API's single ballots).

The default only trims surrounding whitespace, which the file import has always done: normalising
more merges ids that differ in formatting, and merging two real people's ids takes a vote from one
of them without a trace, while a portal that authenticated its voter hands over one spelling of
their id. A contest whose portal is known to spell ids loosely names more steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

VoterIdStep = Literal["trim", "strip_spaces", "casefold", "strip_leading_zeros"]

DEFAULT_VOTER_ID_RULE: tuple[VoterIdStep, ...] = ("trim",)

# The steps apply in this order whatever order the spec lists them in, so that a rule is a set:
# whitespace goes before zeros are looked at, and case never matters to digits.
STEP_ORDER: tuple[VoterIdStep, ...] = ("trim", "strip_spaces", "casefold", "strip_leading_zeros")


def normalise_voter_id(voter: str, rule: Iterable[VoterIdStep] = DEFAULT_VOTER_ID_RULE) -> str:
    """`voter` as the rule spells it; an empty answer means there was no id.

    - trim: whitespace before and after the id;
    - strip_spaces: every whitespace character, inside the id as well;
    - casefold: case, as Unicode folds it;
    - strip_leading_zeros: zeros before an id made only of digits (ESIA's numeric ids), so
      «00123» and «123» are one voter; «0» stays «0», and ids with letters are left as they are.
    """
    steps = set(rule)
    for step in STEP_ORDER:
        if step not in steps:
            continue
        if step == "trim":
            voter = voter.strip()
        elif step == "strip_spaces":
            voter = "".join(voter.split())
        elif step == "casefold":
            voter = voter.casefold()
        elif voter.isascii() and voter.isdigit():
            voter = voter.lstrip("0") or "0"
    return voter
