"""The 89 regions as square tiles on a grid, each near where the region lies: north on top,
west on the left, so a reader finds a region without a real map (which would make Moscow a dot
and Yakutia a fifth of the page). Row 0 is the northernmost."""

from __future__ import annotations

# Each line is one row of the grid: `column:code` pairs, west to east.
_ROWS = """
2:51 18:87
2:10 3:29 4:83 5:11 8:89 11:24 14:14 16:49 18:41
1:78 2:47 3:35 4:43 5:59 6:66 7:86 8:72 9:70 11:19 12:38 14:28 15:27
0:39 1:60 2:53 3:69 4:76 5:44 6:18 7:74 8:45 9:55 10:54 11:42 12:17 13:03 14:75 15:79 16:25 17:65
1:67 2:40 3:50 4:77 5:33 6:37 7:12 8:02 10:22 11:04
1:32 2:57 3:71 4:62 5:52 6:21 7:16 8:56
1:46 2:48 3:68 4:13 5:73 6:63
1:31 2:36 3:58 4:64
0:90 1:93 2:94 3:61 4:34 5:30
0:95 1:23 2:01 3:26 4:08
0:91 2:09 3:07 4:15 5:06 6:20 7:05
0:92
"""


def _tiles() -> dict[str, tuple[int, int]]:
    tiles = {}
    for row, line in enumerate(_ROWS.strip().splitlines()):
        for pair in line.split():
            column, code = pair.split(":")
            tiles[code] = (row, int(column))
    return tiles


TILES: dict[str, tuple[int, int]] = _tiles()
"""Region code → (row, column) of its tile."""

ROWS = 1 + max(row for row, _ in TILES.values())
COLUMNS = 1 + max(column for _, column in TILES.values())
