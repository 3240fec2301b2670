"""Rendering: markdown bodies, output plans, template views, Jinja and UI catalogs."""
