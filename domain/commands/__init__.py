"""Orders to the application services: one input model per command, and the result models they
return. Pure values, so workflows, activities, the CLI and the HTTP API can all carry them."""
