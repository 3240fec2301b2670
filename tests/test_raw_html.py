"""``raw_html`` in ``[tool.sitegen]``: raw HTML allowed (the default), its risky parts reported
(``warn``), or refused (``deny``). The exact messages are in ``tests/invalid/raw-html-*``."""

from __future__ import annotations

import pytest

from sitegen.cli import main
from sitegen.content.raw_html import risky_parts
from tests.conftest import SCRATCH_CONFIG, ScratchSite, page

BODY = '\n<div onclick="steal()">\n<script>alert(1)</script>\n</div>\n\nText <iframe src="https://example.test/"></iframe>.\n'


def config(mode: str) -> str:
    return SCRATCH_CONFIG.replace('base_url = "https://example.test/"', f'base_url = "https://example.test/"\nraw_html = "{mode}"')


def test_raw_html_is_allowed_by_default(scratch_site: ScratchSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = scratch_site({"content/en/418.md": page(418, "I'm a teapot") + BODY})
    assert main(["check", "--strict", "--root", str(root)]) == 0
    assert "raw HTML" not in capsys.readouterr().err


def test_check_reports_each_risky_part_when_set_to_warn(scratch_site: ScratchSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = scratch_site({"content/en/418.md": page(418, "I'm a teapot") + BODY}, config("warn"))
    assert main(["check", "--root", str(root)]) == 0  # warnings: the site still builds
    err = capsys.readouterr().err
    assert "content/en/418.md:9: warning: raw HTML: an event-handler attribute onclick= on <div>" in err
    assert "content/en/418.md:10: warning: raw HTML: a <script> element" in err
    assert "content/en/418.md:13: warning: raw HTML: an <iframe> element" in err
    assert main(["check", "--strict", "--root", str(root)]) == 1


def test_deny_refuses_any_raw_html(scratch_site: ScratchSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = scratch_site({"content/en/418.md": page(418, "I'm a teapot") + "\nPress <kbd>Ctrl</kbd>.\n"}, config("deny"))
    assert main(["build", "--root", str(root)]) == 1
    assert "content/en/418.md:9: raw HTML is not allowed on this site: <kbd>" in capsys.readouterr().err
    assert not (root / "_site").exists()


def test_an_unknown_mode_is_a_configuration_error(scratch_site: ScratchSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = scratch_site({"content/en/418.md": page(418, "I'm a teapot")}, config("maybe"))
    assert main(["check", "--root", str(root)]) == 1
    line = 1 + config("maybe").split("\n").index('raw_html = "maybe"')
    assert f"pyproject.toml:{line}: raw_html must be 'allow', 'warn' or 'deny', not 'maybe'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ("<p>fine <kbd>x</kbd></p>", []),
        ("<SCRIPT SRC=x.js></SCRIPT>", [(0, "a <script> element")]),
        ('<a href="java\tscript:alert(1)">x</a>', [(0, "a javascript: URL in href= on <a>")]),
        ("<img src=x\nonerror=alert(1)>", [(0, "an event-handler attribute onerror= on <img>")]),
        ('<svg><a xlink:href="javascript:alert(1)">x</a></svg>', [(0, "a javascript: URL in xlink:href= on <a>")]),
        ('<object data="data:text/html,x"></object>', [(0, "an <object> element"), (0, "a data: URL in data= on <object>")]),
        (
            '<form action="https://example.test/"><button formaction="javascript:x()">',
            [(0, "a <form> element"), (0, "a javascript: URL in formaction= on <button>")],
        ),
        ("<p>\n<base href=https://example.test/>", [(1, "a <base> element")]),
    ],
)
def test_risky_parts_are_found(html: str, found: list[tuple[int, str]]) -> None:
    assert risky_parts(html) == found
