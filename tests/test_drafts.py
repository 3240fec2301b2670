"""Drafts: pages and languages that are checked, previewed with ``--drafts``, never published."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from sitegen.cli import main
from tests.conftest import SCRATCH_CONFIG, ScratchSite, page

Capture = pytest.CaptureFixture[str]

DRAFT_LANGUAGE = (
    SCRATCH_CONFIG
    + """
[[tool.sitegen.languages]]
tag = "fr-CA"
name = "Français (Canada)"
draft = true
"""
)


def html(root: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_site" / path).read_text("utf-8"), "html.parser")


def test_a_draft_page_is_published_only_with_drafts_and_marked_there(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect"), "content/en/308.md": page(308, "Permanent", draft="true")})
    assert main(["build", "--strict", "--root", str(root)]) == 0
    assert not (root / "_site" / "en" / "308").exists()
    assert html(root, "en/307/index.html").select(".notice.draft") == []
    assert main(["build", "--strict", "--drafts", "--root", str(root)]) == 0
    notice = html(root, "en/308/index.html").select_one(".notice.draft")
    assert notice is not None
    assert notice.get_text(" ", strip=True) == "Draft: this page is not published. It is shown because the site was built with --drafts."
    french = html(root, "fr/308/index.html").select_one(".notice.draft")
    assert french is not None and french.get_text(" ", strip=True).startswith("Brouillon\u00a0: cette page n’est pas publiée.")
    # a published page is not marked
    assert html(root, "en/307/index.html").select(".notice.draft") == []
    assert main(["check", "--drafts", "--root", str(root)]) == 0


def test_a_draft_language_is_built_only_with_drafts(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site(
        {"content/en/307.md": page(307, "Temporary Redirect"), "content/fr-ca/307.md": page(307, "Redirection temporaire")}, DRAFT_LANGUAGE
    )
    assert main(["build", "--strict", "--root", str(root)]) == 0
    assert capsys.readouterr().err == ""
    assert not (root / "_site" / "fr-ca").exists()
    switcher = [a["hreflang"] for a in html(root, "en/307/index.html").select("nav.switcher a")]
    assert switcher == ["en", "fr", "pt-BR"]
    assert "fr-ca" not in (root / "_site" / "sitemap.xml").read_text("utf-8")

    assert main(["build", "--drafts", "--root", str(root)]) == 0
    page_html = html(root, "fr-ca/307/index.html")
    assert page_html.select_one(".notice.draft") is not None
    assert [a["hreflang"] for a in html(root, "en/307/index.html").select("nav.switcher a")] == ["en", "fr", "pt-BR", "fr-CA"]


def test_a_disabled_language_is_never_built(scratch_site: ScratchSite, capsys: Capture) -> None:
    config = DRAFT_LANGUAGE.replace("draft = true", "disabled = true")
    root = scratch_site({"content/en/307.md": page(307, "T"), "content/fr-ca/307.md": page(307, "R")}, config)
    assert main(["build", "--strict", "--drafts", "--root", str(root)]) == 0
    assert not (root / "_site" / "fr-ca").exists()
