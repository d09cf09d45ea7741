"""`konkurs publish`: the public site of the finished demo, checked against `konkurs results
--json`; a marathon's participation page; the refusals."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.aggregates import Submission
from domain.commands.contest import Announce
from domain.errors import InputFileError
from domain.regions import REGION_CODES, region_name
from konkurs.site import publish_site
from konkurs.site.content import NotPublished
from konkurs.site.region_tiles import TILES
from projections import ViewsDB, catch_up, default_views
from services.konkurs import Konkurs
from tests.example_contests import run_example
from tests.factories import OPERATOR, make_spec
from tests.outputs.conftest import FinishedDemo
from tests.outputs.site_pages import addresses, svgs, tables

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SQLITE_ONLY = pytest.mark.only_on("sqlite", reason="`konkurs demo` is the embedded default: its store "
                                  "is always SQLite")


@pytest.fixture(scope="module")
def published(finished_demo: FinishedDemo) -> dict[str, Any]:
    """What `konkurs results --json` says: the independent source the site is checked against."""
    return finished_demo.results_json()


@pytest.fixture(scope="module")
def demo_site(finished_demo: FinishedDemo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site") / "site"
    done = finished_demo.konkurs("publish", finished_demo.slug, "--out", folder)
    assert done.returncode == 0, done.stderr
    return folder


def _score(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


@SQLITE_ONLY
def test_the_front_page_lists_every_nominations_winners(published: dict[str, Any], demo_site: Path) -> None:
    shown = tables(demo_site / "index.html")
    for nomination in published["nominations"]:
        assert nomination["winners"], nomination["code"]
        header, *rows = shown[f"Победители номинации «{nomination['title']}»"]
        assert header == ["Место", "Практика", "Заявитель", "Регион", "Балл", "Голосов"]
        assert rows == [[str(w["place"]), w["title"], w["applicant"], w["region_name"], _score(w["score"]),
                         str(w["votes"])] for w in nomination["winners"]]


@SQLITE_ONLY
def test_the_verify_page_shows_the_chain_head_the_results_are_sealed_with(
    published: dict[str, Any], demo_site: Path
) -> None:
    page = (demo_site / "verify.html").read_text(encoding="utf-8")
    assert published["sealed_head"] and published["sealed_head"] in page
    assert f"<code>{published['sealed_position']}</code>" in page
    assert "konkurs audit verify --contest smart-dialog-2023" in page


@SQLITE_ONLY
def test_the_tile_map_has_89_regions_with_the_tallys_ballots(
    published: dict[str, Any], demo_site: Path
) -> None:
    demand = published["demand"]
    ballots: Counter[str] = Counter()
    for practices in demand.values():
        for regions in practices.values():
            ballots.update(regions)
    assert ballots.total() == published["vote"]["accepted"]
    [tile_map] = [svg for svg in svgs(demo_site / "vote.html") if "tile-map" in svg.get("class", "")]
    tiles = {g.get("data-region"): int(g.get("data-ballots", "-1"))
             for g in tile_map.iter("{http://www.w3.org/2000/svg}g")}
    assert set(tiles) == REGION_CODES and len(tiles) == 89
    assert tiles == {code: ballots.get(code, 0) for code in REGION_CODES}
    _, *rows = tables(demo_site / "vote.html")["Бюллетени по регионам (все номинации)"]
    assert {row[0]: int(row[2]) for row in rows} == tiles


@SQLITE_ONLY
def test_every_page_is_self_contained_with_valid_named_svg(demo_site: Path) -> None:
    pages = sorted(demo_site.glob("*.html"))
    assert [p.name for p in pages] == ["demand.html", "index.html", "verify.html", "vote.html"]
    for page in [*pages, demo_site / "site.css"]:
        external = [a for a in addresses(page) if a.startswith(("http:", "https:", "//"))]
        assert not external, f"{page.name} points outside the site: {external}"
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<html lang="ru">' in text and text.count("<h1") == 1, page.name
        for svg in svgs(page):
            assert svg.get("role") == "img" and svg.get("aria-labelledby"), page.name
            assert svg.find("{http://www.w3.org/2000/svg}title") is not None, page.name
    assert len(svgs(demo_site / "index.html")) == 1  # the scores' spread
    assert len(svgs(demo_site / "vote.html")) == 2  # the tile map and the vote over time


@SQLITE_ONLY
def test_json_names_the_pages_and_an_earlier_site_is_replaced(
    finished_demo: FinishedDemo, published: dict[str, Any], demo_site: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "public"
    shutil.copytree(demo_site, folder)
    (folder / "stale.html").write_text("from an earlier run")
    done = finished_demo.konkurs("publish", finished_demo.slug, "--out", folder, "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["pages"] == ["index.html", "vote.html", "demand.html", "verify.html"]
    assert answer["sealed_head"] == published["sealed_head"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*answer["pages"], "site.css"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]  # no staging folder left behind


@SQLITE_ONLY
def test_bad_input_is_one_line_and_writes_nothing(finished_demo: FinishedDemo, tmp_path: Path) -> None:
    unknown = finished_demo.konkurs("publish", "no-such-contest", "--out", tmp_path / "a")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("not a site")
    taken = finished_demo.konkurs("publish", finished_demo.slug, "--out", tmp_path / "taken")
    for done, expected in ((unknown, "no-such-contest"), (taken, "not a Konkurs site")):
        assert done.returncode != 0
        assert done.stderr.count("\n") == 1 and expected in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]


def test_a_contest_whose_results_are_not_published_is_refused(konkurs: Konkurs, tmp_path: Path) -> None:
    spec = make_spec(datetime.now(UTC), slug="not-yet")
    konkurs.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id="announce",
                                       actor=OPERATOR))
    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())
    with pytest.raises(NotPublished, match="not-yet: results are not published"):
        publish_site(konkurs, views, "not-yet", tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_a_marathon_gets_its_participation_league(konkurs: Konkurs, tmp_path: Path) -> None:
    [slug] = run_example(konkurs, EXAMPLES / "municipal-dialog-2024.yaml", tmp_path)
    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())
    (tmp_path / "a-file").write_text("")
    with pytest.raises(InputFileError, match="a-file: is a file"):
        publish_site(konkurs, views, slug, tmp_path / "a-file")
    folder = publish_site(konkurs, views, slug, tmp_path / "site")
    assert sorted(p.name for p in folder.glob("*.html")) == [
        "index.html", "participation.html", "verify.html"]
    submitted = Counter(logged.state["applicant"]["region"]
                        for logged in konkurs.store.contest_events(slug, [Submission.Submitted])
                        if not logged.state.get("draft"))
    [[_, *rows]] = tables(folder / "participation.html").values()
    counted = {row[1]: int(row[2].replace("\u00a0", "")) for row in rows}
    assert {name: n for name, n in counted.items() if n} == {region_name(c): n for c, n in submitted.items()}
    [league] = svgs(folder / "participation.html")
    assert league.get("role") == "img"


def test_the_tile_grid_places_each_of_the_89_regions_on_a_tile_of_its_own() -> None:
    assert set(TILES) == REGION_CODES and len(TILES) == 89
    assert len(set(TILES.values())) == 89
