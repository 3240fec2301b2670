"""Shared fixtures: the repository, fixture sites and scratch sites."""

from __future__ import annotations

import importlib.util
import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest
from hypothesis import settings

from tests.projects import copy_project

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator

    from playwright.sync_api import Browser

pytest_plugins = ["pytester"]  # tests/test_ci.py runs pytest on small test files

# no test is timed (the machines are shared): Hypothesis's 200 ms deadline per example
# failed a loaded run (tests/test_load.py, an example took 276 ms)
settings.register_profile("sitegen", deadline=None)
settings.load_profile("sitegen")

# every build of the tests makes anyway the views it keeps by what they read, and fails if
# one changed (sitegen/render/reads.py): a read the recorder misses cannot go unseen
os.environ["SITEGEN_CHECK_VIEWS"] = "1"

# a stage with more than a few items to redo shares them with a forked child, as a large
# build does on a machine with a free core (sitegen/engine/parallel.py): the tests' builds
# take that path whatever the machine's load, and check its output too
os.environ.setdefault("SITEGEN_FORK_LEAST", "8")
os.environ.setdefault("SITEGEN_JOBS", "2")

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


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Return a trimmed copy of the real project (content, templates, static, locales,
    configuration) with a quarter of its code pages (:data:`tests.projects.KEPT_CODES`)."""
    return copy_project(tmp_path / "project", trimmed=True)


@pytest.fixture
def whole_project(tmp_path: Path) -> Path:
    """Return a copy of the whole real project, which builds without a warning."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder of the real site, built once per session as ``sitegen build`` does
    (search index included)."""
    from sitegen.config import load_config
    from sitegen.engine.build import build_site
    from sitegen.output.write import write_site

    output = tmp_path_factory.mktemp("real") / "_site"
    config, problems = load_config(REPO, {"output": str(output)})
    assert config is not None, problems
    result = build_site(config, search=True)
    assert not result.failed(), [problem.format() for problem in result.errors]
    write_site(result.files, output)
    return output


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Fail a skipped browser test when ``SITEGEN_REQUIRE_BROWSER=1`` (set by ``.ci/run``).

    Without Chromium the browser tests skip with a reason; in CI that would hide them.
    """
    report = yield
    if report.skipped and item.get_closest_marker("browser") and os.environ.get("SITEGEN_REQUIRE_BROWSER") == "1":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"browser test skipped, but SITEGEN_REQUIRE_BROWSER=1 requires the browser tests to run: {reason}"
    return report


# -- the browser, shared by every browser test module --------------------------------
# One Chromium per session, defined here: a test module that imported the fixture from
# another one would start a second Playwright in the same thread, which Playwright refuses
# ("Sync API inside the asyncio loop") when both modules run in one session.

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("browser tests need Playwright for Python (pip install -e '.[test]')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
