"""The site's charts without a contest: the vote's intervals, the SVG they become, the tile map's
colour classes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from domain.rules.anomalies import Anomaly
from konkurs.site.charts import vote_over_time
from konkurs.site.tile_map import NONE, tile_map
from konkurs.site.vote_timeline import MOST_BARS, binned

START = datetime(2023, 10, 1, 9, 0, tzinfo=UTC)


def test_a_days_vote_is_cut_into_a_few_dozen_intervals_with_the_burst_in_its_own() -> None:
    moments = [START + timedelta(minutes=7 * k) for k in range(200)]  # about 23 hours
    moments += [START + timedelta(hours=5, minutes=3, seconds=s) for s in range(150)]
    burst = Anomaly(kind="burst", minute="2023-10-01T14:03", ballots=151, usual=1.0)
    timeline = binned(moments, [burst])
    assert timeline.step == timedelta(hours=1) and len(timeline.intervals) < MOST_BARS
    assert timeline.ballots == 350
    starts = [interval.start for interval in timeline.intervals]
    assert starts == [START + timedelta(hours=h) for h in range(len(starts))]  # none skipped
    [flagged] = [interval for interval in timeline.intervals if interval.anomalies]
    assert flagged.start == datetime(2023, 10, 1, 14, 0, tzinfo=UTC) and flagged.anomalies == (burst,)
    assert flagged.ballots == 150 + sum(1 for m in moments[:200] if m.hour == 14)


def test_the_vote_over_time_is_an_svg_named_for_screen_readers_with_ids_of_its_own() -> None:
    timeline = binned([START + timedelta(minutes=k) for k in range(30)],
                      [Anomaly(kind="burst", minute="2023-10-01T09:10", ballots=1, usual=1.0)])
    svg = ET.fromstring(str(vote_over_time(timeline)))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "timeline-title timeline-desc"
    ids = [element.get("id") for element in svg.iter() if element.get("id")]
    assert ids and all(i.startswith("timeline-") for i in ids) and len(ids) == len(set(ids))


def test_tile_colours_split_the_regions_into_classes_covering_every_count() -> None:
    ballots = {code: int(code) for code in ("01", "05", "23", "50", "77", "78", "91", "95")}
    shown = tile_map(ballots)
    assert len(shown.tiles) == 89
    for tile in shown.tiles:
        if tile.code in ballots:
            [band] = [b for b in shown.bands if b.low <= tile.ballots <= b.high]
            assert tile.fill == band.fill
        else:
            assert tile.ballots == 0 and tile.fill == NONE
    assert shown.bands[0].low == 1 and shown.bands[-1].high == 95
