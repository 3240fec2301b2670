"""What CI relies on: browser tests cannot be skipped unnoticed."""

from __future__ import annotations

from pathlib import Path

import pytest

SKIPPING_BROWSER_TEST = """
import pytest

@pytest.fixture(scope="session")
def browser():
    pytest.skip("no Chromium in the fixture")

@pytest.mark.browser
def test_needs_chromium():
    pytest.skip("no Chromium here")

@pytest.mark.browser
def test_needs_the_browser_fixture(browser):
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """Return a test suite with our conftest and browser tests that skip (in the test, in a fixture)."""
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text("utf-8"))
    pytester.makeini("[pytest]\nmarkers =\n    browser: needs Chromium\n")
    pytester.makepyfile(SKIPPING_BROWSER_TEST)
    return pytester


def test_a_skipped_browser_test_fails_when_browsers_are_required(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGEN_REQUIRE_BROWSER", "1")
    result = suite.runpytest()
    result.assert_outcomes(failed=1, errors=1)
    result.stdout.fnmatch_lines(["*SITEGEN_REQUIRE_BROWSER=1 requires the browser tests to run*no Chromium here*"])
    result.stdout.fnmatch_lines(["*SITEGEN_REQUIRE_BROWSER=1 requires the browser tests to run*no Chromium in the fixture*"])
    assert result.ret != 0


def test_a_browser_test_may_skip_elsewhere(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SITEGEN_REQUIRE_BROWSER", raising=False)
    suite.runpytest().assert_outcomes(skipped=2)
