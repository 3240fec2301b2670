"""Pages stay light: every code page of the real site, HTML and stylesheet together, under
30 KiB (DESIGN.md's quality bar), whatever the constants, diagrams and links it carries."""

from __future__ import annotations

import re

from sitegen.config import load_config
from sitegen.engine.build import build_site
from tests.conftest import REPO

BUDGET = 30 * 1024
_STYLESHEETS = re.compile(rb'<link rel="stylesheet" href="/([^"?]+)[^"]*">')
"""The stylesheets a page applies on screen: the print one (``media="print"``) is left out, as
the browser fetches it last and never waits for it."""


def test_every_code_page_with_its_stylesheets_stays_under_30_kib() -> None:
    config, problems = load_config(REPO)
    assert config is not None, problems
    files = build_site(config).files
    heavy = {}
    for path, data in files.items():
        if re.fullmatch(r"[a-z-]+/[0-9]{3}/index\.html", path):
            weight = len(data) + sum(len(files[sheet.decode()]) for sheet in _STYLESHEETS.findall(data))
            if weight >= BUDGET:
                heavy[path] = weight
    assert heavy == {}, f"over {BUDGET} bytes of HTML + CSS: {heavy}"
