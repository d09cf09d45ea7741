"""The store adapter: what only the event store can do, and the one place that knows its dialect."""
