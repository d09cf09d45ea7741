"""The vote by region as a map of tiles: each region a square where it lies on the grid of
`region_tiles`, its colour the class of its ballots, its short name and count written on it."""

from __future__ import annotations

from dataclasses import dataclass

from domain.regions import region_name
from konkurs.site.region_tiles import COLUMNS, ROWS, TILES

TILE, GAP = 40, 3
# Light to dark; text is dark on the first three and white on the last two, 4.5:1 or better.
PALETTE = ("#deebf7", "#9ecae1", "#6baed6", "#2166ac", "#08306b")
NONE = "#f2f2f2"
_DARK_FROM = 3
_SHORT = {"77": "Мск", "78": "СПб", "92": "Сев", "93": "ДНР", "94": "ЛНР", "86": "ХМАО",
          "89": "ЯНАО", "83": "НАО", "79": "ЕАО", "87": "Чук", "15": "Осет", "09": "КЧР",
          "07": "КБР", "50": "МО", "47": "ЛО", "14": "Якут", "04": "Р.Алт", "22": "Алт",
          "23": "Крд", "24": "Крск", "65": "Сах"}
_NOT_NAMES = {"республика", "область", "край", "автономный", "автономная", "округ", "народная"}


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    short: str
    ballots: int
    x: int
    y: int
    fill: str
    ink: str


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    fill: str


@dataclass(frozen=True)
class TileMap:
    tiles: list[Tile]
    bands: list[Band]
    width: int = COLUMNS * (TILE + GAP)
    height: int = ROWS * (TILE + GAP)
    size: int = TILE


def tile_map(ballots: dict[str, int]) -> TileMap:
    """`ballots`: region code → ballots from there; a region missing from it had none."""
    bands = _bands(sorted(count for count in ballots.values() if count > 0))
    tiles = []
    for code, (row, column) in sorted(TILES.items()):
        count = ballots.get(code, 0)
        shade = next((i for i, band in enumerate(bands) if count <= band.high), None) if count else None
        tiles.append(Tile(code=code, name=region_name(code) or code, short=short_name(code),
                          ballots=count, x=column * (TILE + GAP), y=row * (TILE + GAP),
                          fill=NONE if shade is None else bands[shade].fill,
                          ink="#ffffff" if shade is not None and shade >= _DARK_FROM else "#1a1a1a"))
    return TileMap(tiles=tiles, bands=bands)


def _bands(counts: list[int]) -> list[Band]:
    """Up to five classes of about as many regions each (quantiles), so the colours tell
    regions apart even when a few regions vote far more than the rest."""
    if not counts:
        return []
    tops = sorted({counts[min(len(counts) - 1, (len(counts) * (i + 1)) // len(PALETTE))]
                   for i in range(len(PALETTE))} | {counts[-1]})
    tops = [top for top in tops if top <= counts[-1]]
    bands, low = [], counts[0]
    for index, top in enumerate(tops):
        bands.append(Band(low=low, high=top, fill=PALETTE[index + len(PALETTE) - len(tops)]))
        low = top + 1
    return bands


def short_name(code: str) -> str:
    """A few letters to write on the region's tile: the distinctive word of its name."""
    if code in _SHORT:
        return _SHORT[code]
    name = region_name(code) or code
    words = [w for w in name.replace("—", " ").split() if w.lower() not in _NOT_NAMES]
    return (words[0] if words else name)[:4]
