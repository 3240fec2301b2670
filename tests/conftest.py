"""Shared fixtures: the repository, fixture sites and scratch sites."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Protocol

import pytest

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"

SCRATCH_CONFIG = f"""
[tool.sitegen]
title = "HTTP status codes"
base_url = "https://example.test/"
templates = "{REPO / "templates"}"
static = "{REPO / "static"}"
locales = "{REPO / "locales"}"

[[tool.sitegen.languages]]
tag = "en"
name = "English"

[[tool.sitegen.languages]]
tag = "fr"
name = "Français"

[[tool.sitegen.languages]]
tag = "pt-BR"
name = "Português (Brasil)"
segment = "pt-br"
"""

MINIMAL_PAGE = """\
---
code: {code}
name: {name}
overview: Overview of {code}.
---

Body of {code}.
"""


@pytest.fixture
def repo() -> Path:
    return REPO


class ScratchSite(Protocol):
    """Writes ``{relative path: text}`` into a new project and returns its root."""

    def __call__(self, files: dict[str, str | bytes], config: str = ...) -> Path: ...


@pytest.fixture
def scratch_site(tmp_path: Path) -> ScratchSite:
    """Return a function writing ``{relative path: text}`` into a new project."""

    def make(files: dict[str, str | bytes], config: str = SCRATCH_CONFIG) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        (root / "pyproject.toml").write_text(config, "utf-8")
        (root / "content").mkdir(exist_ok=True)
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text), "utf-8")
        return root

    return make


def page(code: int, name: str, **extra: str) -> str:
    """Return a minimal native page."""
    text = MINIMAL_PAGE.format(code=code, name=name)
    if extra:
        lines = "".join(f"{key}: {value}\n" for key, value in extra.items())
        text = text.replace("---\n\n", lines + "---\n\n", 1)
    return text
