"""The score form: one input per criterion of the spec, read into a card the service records,
or into a Russian message on each input that cannot be part of one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import TypeAdapter, ValidationError

from domain.errors import ScoreOutOfRange
from domain.rules.scoring import check_scorecard
from domain.spec.judging import Criterion

NUMBER = TypeAdapter(float)


def field_of(criterion: Criterion) -> str:
    return f"score-{criterion.code}"


def scale_of(criterion: Criterion) -> str:
    return f"от {criterion.scale.min:g} до {criterion.scale.max:g}"


def read_card(
    form: Mapping[str, object], criteria: Sequence[Criterion]
) -> tuple[dict[str, float], dict[str, str], dict[str, str]]:
    """(scores, errors by field, what was typed by field): nothing is recorded while `errors`
    has anything in it. Each value is judged by the same scorecard rule the service applies."""
    scores: dict[str, float] = {}
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    for criterion in criteria:
        field = field_of(criterion)
        raw = form.get(field)
        typed[field] = raw if isinstance(raw, str) else ""
        if not isinstance(raw, str):
            errors[field] = f"Нет оценки по критерию «{criterion.title}»: откройте страницу заново"
            continue
        text = raw.strip().replace(",", ".")  # a Russian keyboard types 7,5
        if not text:
            errors[field] = f"Поставьте оценку {scale_of(criterion)}"
            continue
        try:
            value = NUMBER.validate_python(text)
            check_scorecard({criterion.code: value}, [criterion], "card")
        except ValidationError:
            errors[field] = "Введите число, например 7 или 7,5"
            continue
        except ScoreOutOfRange:
            errors[field] = f"Оценка должна быть {scale_of(criterion)}"
            continue
        scores[criterion.code] = value
    return scores, errors, typed


def shown(value: float) -> str:
    """A score as a person types it: 7, 7,5."""
    return f"{value:g}".replace(".", ",")
