"""Reading a contest spec from YAML, with every problem pinned to a line of the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from domain.errors import SpecError
from domain.spec import ContestSpec
from domain.spec.checks import SpecProblems

Location = tuple[int, int]


def load_spec(path: Path | str) -> ContestSpec:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SpecError(str(path), [f"cannot read file: {error.strerror}"]) from None
    return parse_spec(raw, source=str(path))


def parse_spec(raw: bytes | str, source: str = "<spec>") -> ContestSpec:
    text = _decode(raw, source)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(error, "problem", None) or str(error)
        raise SpecError(source, [f"{where}: YAML syntax error: {problem}"]) from None
    if not isinstance(data, dict):
        raise SpecError(source, [f"{source}:1:1: a spec must be a mapping of fields"])
    try:
        return ContestSpec.model_validate(data)
    except ValidationError as error:
        locations = _locations(node)
        raise SpecError(source, _describe(error, locations, source)) from None


def _decode(raw: bytes | str, source: str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpecError(
            source, [f"{source}: not UTF-8 (bad byte at offset {error.start}); save it as UTF-8"]
        ) from None


def _describe(error: ValidationError, locations: dict[tuple[Any, ...], Location], source: str) -> list[str]:
    problems = []
    for item in error.errors():
        cause = item.get("ctx", {}).get("error")
        pinned = cause.problems if isinstance(cause, SpecProblems) else [None]
        for problem in pinned:
            loc = (*item["loc"], *problem.path) if problem else tuple(item["loc"])
            message = problem.message if problem else item["msg"].removeprefix("Value error, ")
            line, column = _nearest(loc, locations)
            path = ".".join(str(part) for part in loc) or "spec"
            problems.append(f"{source}:{line}:{column}: {path}: {message}")
    return problems


def _nearest(loc: tuple[Any, ...], locations: dict[tuple[Any, ...], Location]) -> Location:
    for length in range(len(loc), -1, -1):
        if loc[:length] in locations:
            return locations[loc[:length]]
    return (1, 1)


def _locations(node: yaml.Node | None) -> dict[tuple[Any, ...], Location]:
    found: dict[tuple[Any, ...], Location] = {}

    def walk(current: yaml.Node, path: tuple[Any, ...]) -> None:
        found[path] = (current.start_mark.line + 1, current.start_mark.column + 1)
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                child = (*path, key.value)
                walk(value, child)
                found[child] = (key.start_mark.line + 1, key.start_mark.column + 1)
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                walk(item, (*path, index))

    if node is not None:
        walk(node, ())
    return found
