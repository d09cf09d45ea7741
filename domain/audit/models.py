"""What an audit finds: each recomputed check and every difference from the record."""

from __future__ import annotations

from pydantic import Field

from domain.model import Value


class Difference(Value):
    check: str = Field(description="The check that found it: screening, assignment, judging, …")
    where: str = Field(description="What differs, e.g. 'nomination N1, place 1'")
    recorded: str | None = Field(default=None, description="What the log says")
    recomputed: str | None = Field(default=None, description="What the rules give from the log")

    def describe(self) -> str:
        if self.recorded is None and self.recomputed is None:
            return f"{self.check}: {self.where}"
        return (f"{self.check}: {self.where}: recorded {self.recorded or 'nothing'}, "
                f"recomputed {self.recomputed or 'nothing'}")


class CheckResult(Value):
    check: str
    recomputed: int = Field(description="How many recorded decisions this check recomputed")
    differences: list[Difference] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Worth knowing, not a failure")

    @property
    def holds(self) -> bool:
        return not self.differences


class ContestAudit(Value):
    slug: str
    spec_hash: str = Field(description="Fingerprint of the spec announced, the one in force")
    rules_version: str = Field(description="Rule version the results events recorded")
    checks: list[CheckResult]

    @property
    def holds(self) -> bool:
        return all(check.holds for check in self.checks)

    @property
    def differences(self) -> list[Difference]:
        return [d for check in self.checks for d in check.differences]
