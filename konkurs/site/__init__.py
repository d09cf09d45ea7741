"""The public results site: `konkurs publish SLUG --out DIR`."""

from konkurs.site.publisher import publish_site

__all__ = ["publish_site"]
