"""Konkurs domain: the contest spec, aggregates, pure rules and the command-side application."""
