"""Application services: the commands and queries, over one shared store application."""
