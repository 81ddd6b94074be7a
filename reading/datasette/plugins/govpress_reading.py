"""Datasette plugin: the reading pages (``/doc/<id>``, ``/search``, ``/coverage``); see ``reading.plugin``."""

from __future__ import annotations

from reading.plugin import (  # noqa: F401 - pluggy finds the hook implementations by name
    asgi_wrapper,
    extra_css_urls,
    menu_links,
    register_facet_classes,
    register_routes,
    render_cell,
)
