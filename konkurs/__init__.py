"""Konkurs wiring: settings, the store factory, the embedded Temporal server, the worker, the CLI."""
