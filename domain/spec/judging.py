"""The judging part of a contest spec: criteria, panels, normalisation and the ranking cascade."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from domain.spec.base import Code, SpecModel


class Scale(SpecModel):
    min: float = 0
    max: float = 10

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"scale min {self.min} must be below max {self.max}")
        return self


class Criterion(SpecModel):
    code: Code
    title: str = Field(min_length=1)
    weight: float = Field(gt=0)
    scale: Scale = Scale()


TIE_BREAK_STEPS = ("score", "reviews", "criteria", "submitted_first", "lottery")


class Judging(SpecModel):
    enabled: bool = True
    criteria: list[Criterion] = Field(default_factory=list)
    tie_break: list[str] = Field(
        default_factory=lambda: ["score", "reviews", "criteria", "lottery"],
        description="Ranking cascade: score, reviews, criteria (each criterion in spec order), "
        "criterion:CODE, submitted_first, lottery (seeded before judging closes).",
    )
    normalisation: Literal["raw", "zscore", "trimmed"] = Field(
        default="raw",
        description="raw: mean of cards; zscore: per-expert z-scores rescaled to the pooled scale "
        "(raw for experts with fewer than 3 cards); trimmed: drop min and max from 5+ cards.",
    )
    panels: Literal["per_direction", "per_nomination"] = Field(
        default="per_direction",
        description="per_direction: a direction's experts judge all its nominations; "
        "per_nomination: each nomination gets its own panel from its direction's experts.",
    )
    reviewers_per_submission: int = Field(default=3, ge=1)
    minimum_reviews: int | None = Field(
        default=None, ge=1, description="Below this a submission is flagged, not ranked "
        "(default: reviewers_per_submission).",
    )
    exclude_own_region: bool = Field(
        default=False, description="Never let a regional expert judge their own region."
    )
    blind: bool = Field(
        default=False, description="Experts see no applicant (name, kind, region, INN), no nominee's "
        "name and no file names: only the practice itself."
    )
    reminder_days_before_close: int = Field(
        default=3, ge=0, description="Experts with open cards are reminded this many days before "
        "judging closes; 0 sends no reminder.",
    )
    disagreement_threshold: float = Field(
        default=30, gt=0, description="Flag a submission whose cards differ by more (0–100 points)."
    )

    @property
    def required_reviews(self) -> int:
        return self.minimum_reviews or self.reviewers_per_submission

    def cascade(self) -> list[str]:
        """The tie-break steps with `criteria` spelled out one criterion at a time."""
        steps: list[str] = []
        for step in self.tie_break:
            steps += [f"criterion:{c.code}" for c in self.criteria] if step == "criteria" else [step]
        return steps

    @model_validator(mode="after")
    def _criteria_and_cascade(self) -> Judging:
        if self.enabled and not self.criteria:
            raise ValueError("judging is enabled but lists no criteria")
        codes = [c.code for c in self.criteria]
        if len(set(codes)) < len(codes):
            raise ValueError(f"duplicate criterion code among {codes}")
        for step in self.tie_break:
            if step.startswith("criterion:"):
                if step.removeprefix("criterion:") not in codes:
                    raise ValueError(f"tie_break step {step!r} names an unknown criterion")
            elif step not in TIE_BREAK_STEPS:
                allowed = ", ".join((*TIE_BREAK_STEPS, "criterion:CODE"))
                raise ValueError(f"unknown tie_break step {step!r}; use one of {allowed}")
        return self
