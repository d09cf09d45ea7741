"""The people's pages: Russian HTML served by the API's own app, for applicants, experts,
citizens and operators. Every form calls the same services as the API and the CLI."""

from konkurs.pages.app import install

__all__ = ["install"]
