"""Contest specs: the example files, the phase plan they give, and how bad files are reported."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from domain.errors import SpecError
from domain.phases import Phase
from domain.regions import REGION_CODES
from domain.spec import ContestSpec, NominationKind
from konkurs.spec_files import load_spec, parse_spec
from tests.factories import spec_data

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))

BROKEN = """\
slug: broken-contest
title: Сломанный конкурс
organisers: [АСИ]
level: federal
colour: blue
directions:
  - code: health
    title: Здравоохранение
    nominations:
      - code: doctor
        title: Запись к врачу
        kind: trophy
      - code: doctor
        title: Запись к врачу ещё раз
schedule:
  announced: 2023-05-05
  collection_closes: 2023-06-18
  screening_closes: 2023-07-14
  judging_closes: 2023-09-15
  results_published: 2023-11-20
eligibility:
  applicant_kinds: [ngo]
judging:
  criteria:
    - code: results
      title: Результаты
      weight: 1
"""
ONLY_DUPLICATE = BROKEN.replace("colour: blue\n", "").replace("kind: trophy", "kind: person")
SECOND_DOCTOR = "      - code: doctor\n        title: Запись к врачу ещё раз\n"


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return lines[occurrence - 1]


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.source == str(path)
    return caught.value.problems


def smart_dialog() -> ContestSpec:
    return load_spec(EXAMPLES / "smart-dialog-2023.yaml")


def test_the_examples_are_the_four_seed_contests_and_the_federal_stage_of_seed_003() -> None:
    assert [p.name for p in EXAMPLE_FILES] == [
        "decade-of-childhood-2023.yaml",
        "municipal-dialog-2024.yaml",
        "smart-dialog-2023.yaml",
        "social-services-2025-federal.yaml",
        "social-services-2025-zabaikalsky.yaml",
    ]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_spec_loads_and_is_named_after_its_slug(path: Path) -> None:
    spec = load_spec(path)
    assert spec.slug == path.stem


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_names_only_known_regions(path: Path) -> None:
    spec = load_spec(path)
    named = {spec.region} if spec.region else set()
    named |= set(spec.eligibility.regions or ())
    assert named <= REGION_CODES


def test_smart_dialog_has_13_nominations_over_3_directions() -> None:
    spec = smart_dialog()
    assert [d.code for d in spec.directions] == ["healthcare", "social-policy", "education"]
    assert len(spec.nominations) == 13
    assert all(n.kind is NominationKind.PRACTICE for n in spec.nominations)


def test_smart_dialog_runs_through_every_phase_with_voting_last() -> None:
    assert smart_dialog().phase_plan().phases == [
        Phase.ANNOUNCED,
        Phase.COLLECTING,
        Phase.SCREENING,
        Phase.JUDGING,
        Phase.VOTING,
        Phase.RESULTS,
    ]


def test_smart_dialog_collection_closes_at_the_end_of_18_june_moscow_time() -> None:
    closes_at = smart_dialog().phase_plan().window(Phase.COLLECTING).closes_at
    assert closes_at == datetime(2023, 6, 18, 21, 0, tzinfo=UTC)


def test_smart_dialog_puts_its_winners_to_the_vote_which_awards_nothing() -> None:
    """Seed 002: «Практики-победители будут представлены на общественное голосование»."""
    spec = smart_dialog()
    assert spec.voting.enabled
    assert spec.voting.ballot == "winners" and spec.voting.award == "none"
    assert spec.voting.ballot_size(spec.places_per_nomination) == spec.places_per_nomination == 3


def test_social_services_has_exactly_the_15_nominations_of_the_seed() -> None:
    spec = load_spec(EXAMPLES / "social-services-2025-zabaikalsky.yaml")
    kinds = [n.kind for n in spec.nominations]
    assert len(kinds) == 15
    assert (
        kinds
        == [NominationKind.PRACTICE] * 9
        + [NominationKind.PERSON] * 3
        + [NominationKind.ORGANISATION] * 3
    )
    assert spec.region == "75"
    assert spec.eligibility.regions == ["75"]


def test_social_services_collection_closes_at_the_end_of_1_march_chita_time() -> None:
    spec = load_spec(EXAMPLES / "social-services-2025-zabaikalsky.yaml")
    closes_at = spec.phase_plan().window(Phase.COLLECTING).closes_at
    assert closes_at == datetime(2025, 3, 1, 15, 0, tzinfo=UTC)


def test_a_spec_without_voting_skips_the_voting_phase() -> None:
    spec = load_spec(EXAMPLES / "decade-of-childhood-2023.yaml")
    assert Phase.VOTING not in spec.phase_plan().phases


def test_turning_voting_off_drops_the_voting_phase_and_nothing_else() -> None:
    data = smart_dialog().model_dump(mode="json")
    data["voting"]["enabled"] = False
    plan = ContestSpec.model_validate(data).phase_plan()
    assert plan.phases == [
        Phase.ANNOUNCED,
        Phase.COLLECTING,
        Phase.SCREENING,
        Phase.JUDGING,
        Phase.RESULTS,
    ]


def test_field_errors_are_each_pinned_to_their_line(tmp_path: Path) -> None:
    path = write(tmp_path, BROKEN)
    problems = problems_of(path)
    assert len(problems) == 2
    unknown = next(p for p in problems if "colour" in p)
    kind = next(p for p in problems if "kind" in p)
    assert unknown.startswith(f"{path}:{line_of(BROKEN, 'colour: blue')}:1: ")
    assert "Extra inputs are not permitted" in unknown
    assert kind.startswith(f"{path}:{line_of(BROKEN, 'kind: trophy')}:9: ")
    assert "'practice', 'initiative', 'organisation' or 'person'" in kind


def test_a_duplicated_nomination_code_is_reported_once_field_errors_are_fixed(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, ONLY_DUPLICATE)
    problems = problems_of(path)
    assert len(problems) == 1
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", problems[0])
    assert "duplicate nomination code 'doctor'" in problems[0]


def test_a_duplicated_nomination_code_points_at_the_second_occurrence(tmp_path: Path) -> None:
    path = write(tmp_path, ONLY_DUPLICATE)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(ONLY_DUPLICATE, 'code: doctor', occurrence=2)}:")


def test_a_yaml_syntax_error_gives_one_problem_with_its_line(tmp_path: Path) -> None:
    text = "slug: bad-yaml\ntitle: Конкурс\n  level: federal\n"
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:3:")
    assert "YAML syntax error" in problems[0]


def test_a_cp1251_spec_is_reported_as_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cp1251.yaml"
    path.write_bytes(BROKEN.encode("cp1251"))
    problems = problems_of(path)
    assert len(problems) == 1
    assert "not UTF-8" in problems[0]


def test_a_utf8_spec_with_a_byte_order_mark_still_loads() -> None:
    raw = (EXAMPLES / "smart-dialog-2023.yaml").read_bytes()
    assert parse_spec(b"\xef\xbb\xbf" + raw).slug == "smart-dialog-2023"


def test_a_schedule_whose_dates_are_out_of_order_is_rejected(tmp_path: Path) -> None:
    text = ONLY_DUPLICATE.replace(SECOND_DOCTOR, "").replace("07-14", "06-01")
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert len(problems) == 1
    line = text.splitlines().index("  screening_closes: 2023-06-01") + 1
    assert problems[0].startswith(f"{path}:{line}:3: schedule.screening_closes: ")
    assert "screening closes (2023-06-02 00:00) before collecting" in problems[0]


def test_an_enabled_phase_without_its_deadline_is_rejected() -> None:
    data = smart_dialog().model_dump(mode="json")
    del data["schedule"]["voting_closes"]
    with pytest.raises(SpecError) as caught:
        parse_spec(yaml.safe_dump(data, allow_unicode=True), source="inline.yaml")
    assert "schedule.voting_closes is required" in caught.value.problems[0]


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[2] / "examples").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_a_spec_read_back_from_its_json_keeps_its_whole_day_deadlines(path: Path) -> None:
    spec = load_spec(path)
    again = ContestSpec.model_validate(spec.model_dump(mode="json"))
    assert again == spec
    assert again.phase_plan() == spec.phase_plan()
    assert again.fingerprint() == spec.fingerprint()


def test_a_review_date_outside_collection_and_an_unknown_addressee_region_are_refused() -> None:
    data = spec_data(datetime(2031, 1, 10, tzinfo=UTC), voting=False)
    data["participation"] = {"target": {"absolute": 5}, "regions": {"99": {"absolute": 1}},
                             "review": {"dates": ["2031-02-01", "2031-12-31"]}}
    data["announcement"] = {"addressees": [{"name": "Кто-то", "region": "00"}],
                            "subject": "О конкурсе", "letter": "$title"}
    with pytest.raises(SpecError) as refused:
        parse_spec(yaml.safe_dump(data, allow_unicode=True), "drive.yaml")
    problems = refused.value.problems
    assert any("participation.review.dates.1: " in p and "falls outside collection" in p
               for p in problems), problems
    assert not any("participation.review.dates.0" in p for p in problems)
    assert any("participation.regions.99: unknown region code '99'" in p for p in problems), problems
    assert any("announcement.addressees.0.region: unknown region code '00'" in p for p in problems)
