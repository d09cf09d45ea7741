"""Spreadsheets of a contest (`konkurs export`): the tables described in `sheets.py` and built
from the read models in `gather.py`, written as CSV, XLSX and, for the vote, pabulib.

`konkurs.exports.files.write_exports` writes every table that applies; docs/exports.md lists
the tables and their columns."""
