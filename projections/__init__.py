"""Read models: views projected from the log into a SQLite file, and the queries over them."""

from projections.board_view import BoardView
from projections.participation_queries import participation, region_participation
from projections.queries import board, list_contests, results
from projections.results_view import ResultsView
from projections.runner import catch_up, default_views, follow, rebuild
from projections.view import View
from projections.views_db import ViewsDB

__all__ = [
    "BoardView",
    "ResultsView",
    "View",
    "ViewsDB",
    "board",
    "catch_up",
    "default_views",
    "follow",
    "list_contests",
    "participation",
    "rebuild",
    "region_participation",
    "results",
]
