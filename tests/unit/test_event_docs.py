"""docs/events.md is generated from the event classes and must never fall behind them."""

from __future__ import annotations

from eventsourcing.utils import get_topic

from domain.contract import event_classes
from konkurs.event_docs import DOCS, main, render, type_of


def test_docs_events_md_is_what_the_event_classes_generate() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/events.md is stale: run `python -m konkurs.event_docs`")
    assert main(["--check"]) == 0


def test_every_event_is_documented_with_its_version_topic_and_fields() -> None:
    text = render()
    for name, event_class in event_classes().items():
        version = getattr(event_class, "class_version", 1)
        assert f"### {name}\n\nVersion {version}; stored topic `{get_topic(event_class)}`." in text
    phase_changed = text.split("### contest.phase_changed")[1].split("###")[0]
    assert "| `closed` | [Phase](#phase) | yes |" in phase_changed
    assert "| `command_id` | string | yes | The command that recorded the event" in phase_changed
    assert "timestamp" not in phase_changed and "originator" not in phase_changed
    assert "One of `announced`, `collecting`, `materials`, `screening`" in text.split("### Phase\n")[1]


def test_schemas_read_as_short_phrases() -> None:
    assert type_of({"type": "string", "format": "date-time"}) == "string (date-time)"
    assert type_of({"anyOf": [{"$ref": "#/$defs/Provenance"}, {"type": "null"}]}) == (
        "[Provenance](#provenance) or null")
    assert type_of({"type": "array", "items": {"$ref": "#/$defs/Pair"}}) == "list of [Pair](#pair)"
    assert type_of({"type": "object", "additionalProperties": {"type": "number"}}) == (
        "map of string to number")
    assert type_of({"enum": ["federal", "regional"], "type": "string"}) == "one of `federal`, `regional`"
