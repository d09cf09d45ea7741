"""Temporal workflows: deterministic orchestration of contest phases. No I/O here."""
