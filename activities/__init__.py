"""Temporal activities: the only workflow code that touches the store. Each is idempotent."""
