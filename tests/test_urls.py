"""URL fields: only http(s) (and relative links where they make sense) reach a page.

A ``javascript:``, ``data:`` or ``vbscript:`` URL in a link runs, or shows, whatever the
author of the field chose, on the reader's click. Every field that becomes an ``href`` is
checked, each refusal reported at its line (``tests/invalid/unsafe-urls``,
``tests/invalid/unsafe-links-in-body``); these tests cover the configuration's URLs and
the checker itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.cli import main
from sitegen.config import load_config
from sitegen.site.urls import checked_base_url, url_problem
from tests.conftest import SCRATCH_CONFIG, ScratchSite, page

RUNS_CODE = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "javascript\x00:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    'https://example.test/" onmouseover="alert(1)',
    "https://example.test/<script>",
    "https:\\\\evil.test",
]


@pytest.mark.parametrize("url", RUNS_CODE)
def test_urls_that_could_run_code_are_refused(url: str) -> None:
    assert url_problem(url) is not None
    assert url_problem(url, relative=True) is not None


@pytest.mark.parametrize("url", ["https://www.rfc-editor.org/rfc/rfc9110#section-15", "http://nginx.org/", "HTTPS://EXAMPLE.TEST/a?b=c#d"])
def test_web_urls_pass(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize("url", ["../308/", "/en/308/", "308.md#anchor", "//cdn.example.test/x"])
def test_relative_urls_pass_only_where_allowed(url: str) -> None:
    assert url_problem(url, relative=True) is None
    assert url_problem(url) == "must be an absolute http(s) URL"


@given(st.text())
def test_a_url_that_passes_cannot_start_a_script(text: str) -> None:
    # browsers drop ASCII tabs and newlines and leading controls and spaces from a URL,
    # and compare schemes in any case: whatever passes must not be javascript: once they have
    if url_problem(text, relative=True) is None:
        cleaned = "".join(character for character in text if character not in "\t\n\r").lstrip("".join(map(chr, range(0x21))))
        assert not cleaned.lower().startswith(("javascript:", "data:", "vbscript:"))
        assert not any(character in text for character in '<>"\\`')


BASE_URLS = [
    ("https://Example.TEST", "https://example.test/"),
    ("HTTPS://example.test:8443/docs", "https://example.test:8443/docs/"),
    ("https://example.test/codes d'état/", None),
    ("https://example.test/café/", "https://example.test/caf%C3%A9/"),
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("https://[::1]:8000/", "https://[::1]:8000/"),
    ("https://example.test/\nDisallow: /", None),
    ("https://user:secret@example.test/", None),
    ("https://example.test/?utm=1", None),
    ("https://example.test/#top", None),
    ("javascript:alert(1)//", None),
    ("ftp://example.test/", None),
    ("example.test", None),
    ("https://", None),
    ("https://example.test:99999/", None),
]


@pytest.mark.parametrize(("written", "used"), BASE_URLS)
def test_base_url_is_checked_and_normalised(written: str, used: str | None) -> None:
    assert checked_base_url(written)[0] == used


def write_config(root: Path, extra: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    text = SCRATCH_CONFIG.replace('base_url = "https://example.test/"\n', extra)
    (root / "pyproject.toml").write_text(text, "utf-8")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('base_url = "javascript:alert(1)//"\n', "base_url must be an http(s) URL, not a 'javascript:' one: 'javascript:alert(1)//'"),
        (
            'base_url = "https://example.test/\\nDisallow: /"\n',
            "base_url contains the control character U+000A, which no URL may hold (write it percent-encoded)",
        ),
        ("base_url = 5\n", "base_url must be text: 5"),
        (
            'base_url = "https://example.test/"\nrepository = "javascript:alert(document.domain)"\n',
            "repository must be an http(s) URL, not a 'javascript:' one",
        ),
        ('base_url = "https://example.test/"\nrepository = "/src/"\n', "repository must be an absolute http(s) URL: '/src/'"),
    ],
)
def test_configuration_urls_are_refused_at_their_line(tmp_path: Path, extra: str, message: str) -> None:
    write_config(tmp_path, extra)
    config, problems = load_config(tmp_path)
    assert config is None
    line = 1 + SCRATCH_CONFIG.split("\n").index('base_url = "https://example.test/"') + extra.count("\n") - 1
    assert problems[0].format().startswith(f"pyproject.toml:{line}: {message}")


def test_robots_and_sitemap_use_the_checked_base_url(scratch_site: ScratchSite) -> None:
    config = SCRATCH_CONFIG.replace('base_url = "https://example.test/"', 'base_url = "HTTPS://Example.TEST/codes/état"')
    root = scratch_site({"content/en/200.md": page(200, "OK")}, config)
    assert main(["build", "--root", str(root)]) == 0
    robots = (root / "_site" / "robots.txt").read_text("utf-8")
    assert robots.splitlines()[-1] == "Sitemap: https://example.test/codes/%C3%A9tat/sitemap.xml"
    sitemap = (root / "_site" / "sitemap.xml").read_text("utf-8")
    assert "<loc>https://example.test/codes/%C3%A9tat/en/200/</loc>" in sitemap
    assert "Example.TEST" not in sitemap


def test_a_repository_link_must_be_http(scratch_site: ScratchSite, capsys: pytest.CaptureFixture[str]) -> None:
    config = SCRATCH_CONFIG.replace(
        'base_url = "https://example.test/"', 'base_url = "https://example.test/"\nrepository = "data:text/html,x"'
    )
    root = scratch_site({"content/en/200.md": page(200, "OK")}, config)
    assert main(["build", "--root", str(root)]) == 1
    assert "repository must be an http(s) URL, not a 'data:' one" in capsys.readouterr().err
    assert not (root / "_site").exists()
