"""On the page: callouts, "Edit this page", "Last updated", the print stylesheet; each can be
turned off. (Copy buttons are tested in Chromium, tests/test_reader_browser.py.)"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from sitegen.config import load_config
from sitegen.content.history import parse_log
from sitegen.engine.build import build_site
from tests.conftest import REPO, SCRATCH_CONFIG, ScratchSite, page

SITES = Path(__file__).parent / "sites"


def built(root: Path) -> dict[str, bytes]:
    config, problems = load_config(root)
    assert config is not None, problems
    result = build_site(config)
    assert not result.errors, [problem.format() for problem in result.errors]
    return result.files


def soup(files: dict[str, bytes], path: str) -> BeautifulSoup:
    return BeautifulSoup(files[path], "html.parser")


def callouts(files: dict[str, bytes], path: str) -> list[tuple[str, str, str]]:
    return [
        (" ".join(aside["class"]), aside.select_one(".callout-title").text, aside.select("p")[-1].text)  # type: ignore[union-attr]
        for aside in soup(files, path).select("aside.callout")
    ]


def test_mdn_and_github_callouts_are_notes_with_a_translated_label() -> None:
    files = built(SITES / "reader")
    assert callouts(files, "en/429/index.html") == [
        ("callout note", "Note", "The limit and the window are the server's choice."),
        ("callout warning", "Warning", "Retrying in a tight loop makes it worse."),
        ("callout tip", "Tip", "Send Retry-After."),
        ("callout callout", "Callout", "MDN's plain callout."),
    ]
    assert callouts(files, "en/503/index.html") == [
        ("callout important", "Important", "Say how long with Retry-After."),
        ("callout caution", "Caution", "Do not use it for a permanent outage."),
    ]
    assert [label for _kind, label, _text in callouts(files, "fr/429/index.html")] == ["Remarque", "Attention"]
    assert [label for _kind, label, _text in callouts(files, "pt-br/429/index.html")] == ["Dica"]
    # a quote that is not a callout stays a quote; no "[!NOTE]" is left anywhere
    assert soup(files, "en/429/index.html").select_one("blockquote").text.strip() == "A quote that is not a callout."  # type: ignore[union-attr]
    assert not [path for path, data in files.items() if b"[!" in data]


def test_an_untranslated_page_labels_its_callouts_in_its_own_language() -> None:
    files = built(SITES / "reader")
    document = soup(files, "fr/503/index.html")
    assert document.select_one("article")["lang"] == "en"  # type: ignore[index]
    assert [aside.select_one(".callout-title").text for aside in document.select("aside.callout")] == ["Important", "Caution"]  # type: ignore[union-attr]


def test_callouts_can_be_turned_off(scratch_site: ScratchSite) -> None:
    body = page(307, "Temporary Redirect") + "\n> [!NOTE]\n> Plain.\n"
    files = built(scratch_site({"content/en/307.md": body}, SCRATCH_CONFIG + "\n[tool.sitegen.features]\ncallouts = false\n"))
    quote = soup(files, "en/307/index.html").select_one("blockquote")
    assert quote is not None and "[!NOTE]" in quote.text


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ('repository = "https://github.com/example/codes"', "https://github.com/example/codes/edit/main/content/fr/307.md"),
        ('repository = "https://gitlab.com/example/codes/"', "https://gitlab.com/example/codes/-/edit/main/content/fr/307.md"),
        (
            'repository = "https://git.example.org/codes"\nedit_url = "https://git.example.org/codes/_edit/trunk/{path}"',
            "https://git.example.org/codes/_edit/trunk/content/fr/307.md",
        ),
        ('repository = "https://git.example.org/codes"', None),
        ("", None),
    ],
)
def test_edit_this_page_comes_from_the_repository(scratch_site: ScratchSite, settings: str, expected: str | None) -> None:
    config = SCRATCH_CONFIG.replace('base_url = "https://example.test/"', f'base_url = "https://example.test/"\n{settings}')
    files = built(
        scratch_site({"content/en/307.md": page(307, "Temporary Redirect"), "content/fr/307.md": page(307, "Redirection")}, config)
    )
    link = soup(files, "fr/307/index.html").select_one(".page-meta a")
    assert (link["href"] if link else None) == expected
    if link:
        assert link.text == "Modifier cette page"


def test_an_edit_url_without_path_is_refused(scratch_site: ScratchSite) -> None:
    config = SCRATCH_CONFIG.replace(
        'base_url = "https://example.test/"', 'base_url = "https://example.test/"\nedit_url = "https://x.test/edit"'
    )
    _config, problems = load_config(scratch_site({}, config))
    assert [problem.format() for problem in problems] == [
        "pyproject.toml:5: edit_url must be an http(s) URL with {path} in it: 'https://x.test/edit'"
    ]


def git(root: Path, *arguments: str, date: str = "2024-03-05T10:00:00+00:00") -> None:
    environment = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    environment |= {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.test",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.test",
    }
    subprocess.run(["git", *arguments], cwd=root, check=True, capture_output=True, env=environment)


def test_last_updated_is_the_files_last_commit_in_the_readers_locale(scratch_site: ScratchSite) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect"), "content/fr/307.md": page(307, "Redirection")})
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    (root / "content/fr/307.md").write_text(page(307, "Redirection temporaire"), "utf-8")
    git(root, "commit", "-q", "-am", "second", date="2025-11-28T23:30:00+00:00")
    (root / "content/en/308.md").write_text(page(308, "Permanent Redirect"), "utf-8")  # never committed
    files = built(root)

    def updated(path: str) -> tuple[str, str] | None:
        time = soup(files, path).select_one(".page-meta time")
        return (str(time["datetime"]), time.text) if time else None

    assert updated("en/307/index.html") == ("2024-03-05", "March 5, 2024")
    assert updated("fr/307/index.html") == ("2025-11-28", "28 novembre 2025")
    assert updated("pt-br/307/index.html") == ("2024-03-05", "5 de março de 2024")  # the English page it shows
    assert updated("en/308/index.html") is None
    assert soup(files, "fr/307/index.html").select_one(".page-meta").text.startswith("Dernière mise à jour\u00a0:")  # type: ignore[union-attr]


def test_without_git_or_turned_off_there_is_no_date(scratch_site: ScratchSite) -> None:
    files = built(scratch_site({"content/en/307.md": page(307, "Temporary Redirect")}))
    assert soup(files, "en/307/index.html").select_one(".page-meta") is None
    assert parse_log("commit 2024-01-02\ncontent/en/307.md\n\ncommit 2023-01-01\ncontent/en/307.md\ncontent/en/308.md\n") == {
        "content/en/307.md": __import__("datetime").date(2024, 1, 2),
        "content/en/308.md": __import__("datetime").date(2023, 1, 1),
    }


def test_the_print_stylesheet_drops_navigation_prints_urls_and_keeps_code_whole() -> None:
    printed = (REPO / "static/print.css").read_text("utf-8")
    for hidden in (".site-header > :not(.site-title)", ".classes", ".toc", ".sidebar", ".pager", "button"):
        assert hidden in printed.split("display: none")[0], hidden
    assert 'content: " (" attr(href) ")"' in printed
    assert "pre { white-space: pre-wrap; }" in printed
    files = built(SITES / "reader")
    link = soup(files, "fr/429/index.html").select_one('link[rel=stylesheet][media="print"]')
    assert link is not None and str(link["href"]).startswith("/docs/static/print.css?v=")
    assert "break-inside: avoid" in printed


def test_the_real_site_shows_the_last_update_of_each_page(real_site: Path) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("the project is not a git checkout: no commit dates to show")
    document = BeautifulSoup((real_site / "fr/307/index.html").read_bytes(), "html.parser")
    time = document.select_one(".page-meta time")
    assert time is not None and time["datetime"]


BUDGET = 30 * 1024
"""A code page's HTML and the stylesheets it applies on screen, in bytes (JavaScript and the
print stylesheet excluded)."""


def test_every_code_page_of_the_real_site_stays_under_30_kb(real_site: Path) -> None:
    over = []
    for path in sorted(real_site.glob("*/[1-5][0-9][0-9]/index.html")):
        document = BeautifulSoup(path.read_bytes(), "html.parser")
        sheets = [
            str(link["href"]).split("?")[0].lstrip("/") for link in document.select("link[rel=stylesheet]") if link.get("media") != "print"
        ]
        weight = path.stat().st_size + sum((real_site / sheet).stat().st_size for sheet in sheets)
        if weight > BUDGET:
            over.append(f"{path.relative_to(real_site)}: {weight} bytes")
    assert over == []


def test_a_translation_shows_the_registered_phrase_without_the_registrys_remarks(scratch_site: ScratchSite) -> None:
    # the registry writes "Not Extended (OBSOLETED)" and "Upload Resumption Supported
    # (TEMPORARY - registered 2024-11-13, ...)": a reader is shown the reason phrase
    files = built(
        scratch_site(
            {
                "content/en/510.md": page(510, "Not Extended", spec="RFC 2774 §7"),
                "content/fr/510.md": page(510, "Non étendu", spec="RFC 2774 §7"),
                "content/en/104.md": page(104, "Upload Resumption Supported", spec="draft-ietf-httpbis-resumable-upload §4"),
                "content/fr/104.md": page(104, "Reprise de téléversement", spec="draft-ietf-httpbis-resumable-upload §4"),
                "content/en/306.md": page(306, "(Unused)", spec="RFC 9110 §15.4.7"),
                "content/fr/306.md": page(306, "(Inutilisé)", spec="RFC 9110 §15.4.7"),
            }
        )
    )
    # the registry's "(Unused)" is no phrase, nor the English page's name that says it
    heading = soup(files, "fr/306/index.html").h1
    assert heading is not None and heading.get_text() == "306 (Inutilisé)"
    for code, english, french in ((510, "Not Extended", "Non étendu"), (104, "Upload Resumption Supported", "Reprise de téléversement")):
        tree = soup(files, f"fr/{code}/index.html")
        assert tree.h1 is not None and tree.h1.get_text() == f"{code} {english} — {french}"
        assert tree.title is not None and tree.title.get_text().startswith(f"{code} {english} — {french} – ")
