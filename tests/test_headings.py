"""Heading ids that survive translation: explicit ids, ids matched by position, ASCII ids,
and every link to a missing anchor reported."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from sitegen.cli import main
from tests.conftest import ScratchSite, page

Capture = pytest.CaptureFixture[str]

ENGLISH = page(307, "Temporary Redirect") + "\n## Example\n\nText.\n\n## How clients handle it\n\n### Browsers\n"
FRENCH = page(307, "Redirection temporaire") + "\n## Exemple\n\nTexte.\n\n## Comment les clients la gèrent\n\n### Navigateurs\n"


def ids(root, path: str) -> list[str]:
    html = BeautifulSoup((root / "_site" / path).read_text("utf-8"), "html.parser")
    return [str(heading["id"]) for heading in html.select("article h2[id], article h3[id]") if not str(heading["id"]).startswith("page-")]


def test_a_translation_with_the_same_outline_keeps_the_english_ids(scratch_site: ScratchSite, capsys: Capture) -> None:
    linking = page(308, "Permanent Redirect") + "\nSee [how clients handle it](307.md#how-clients-handle-it).\n"
    root = scratch_site({"content/en/307.md": ENGLISH, "content/fr/307.md": FRENCH, "content/en/308.md": linking})
    assert main(["build", "--strict", "--root", str(root)]) == 0
    assert capsys.readouterr().err == ""
    assert ids(root, "en/307/index.html") == ["example", "how-clients-handle-it", "browsers"]
    assert ids(root, "fr/307/index.html") == ["example", "how-clients-handle-it", "browsers"]
    # the link works from the French copy of 308 too
    fr_308 = BeautifulSoup((root / "_site" / "fr" / "308" / "index.html").read_text("utf-8"), "html.parser")
    assert [a["href"] for a in fr_308.select("article p a")] == ["/fr/307/#how-clients-handle-it"]


def test_a_translation_with_another_outline_falls_back_to_its_words_and_says_so(scratch_site: ScratchSite, capsys: Capture) -> None:
    french = FRENCH.replace("### Navigateurs\n", "## Navigateurs\n")
    linking = page(308, "Permanent Redirect") + "\nSee [how clients handle it](307.md#how-clients-handle-it).\n"
    root = scratch_site({"content/en/307.md": ENGLISH, "content/fr/307.md": french, "content/en/308.md": linking})
    assert main(["check", "--root", str(root)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "content/en/308.md:9: warning: link to #how-clients-handle-it on the fr page of 307, which has no such anchor"
        " (anchors there: comment-les-clients-la-gerent, exemple, navigateurs)",
        "content/fr/307.md:15: warning: the headings differ from those of content/en/307.md (other levels): their ids follow"
        " this page's words, so links to its sections from other languages may break"
        " (keep the source page's headings, same count and levels, or give a heading its id with {#id})",
        "2 warning(s).",
    ]


def test_an_explicit_id_wins_in_every_language(scratch_site: ScratchSite, capsys: Capture) -> None:
    french = FRENCH.replace("## Exemple\n", "## Exemple {#sample}\n")
    root = scratch_site({"content/en/307.md": ENGLISH.replace("## Example\n", "## Example {#sample}\n"), "content/fr/307.md": french})
    assert main(["build", "--strict", "--root", str(root)]) == 0
    assert ids(root, "en/307/index.html") == ["sample", "how-clients-handle-it", "browsers"]
    assert ids(root, "fr/307/index.html") == ["sample", "how-clients-handle-it", "browsers"]
    html = (root / "_site" / "fr" / "307" / "index.html").read_text("utf-8")
    assert "{#" not in html


def test_a_link_to_a_dropped_compatibility_section_is_reported(scratch_site: ScratchSite, capsys: Capture) -> None:
    mdn = (
        page(103, "Early Hints")
        + "\nSee [support](#browser-compatibility).\n\n## Specifications\n\n{{Specifications}}\n\n## Browser compatibility\n\n{{Compat}}\n"
    )
    linking = page(308, "Permanent Redirect") + "\nSee [103 support](103.md#browser-compatibility).\n"
    root = scratch_site({"content/en/103.md": mdn, "content/en/308.md": linking})
    assert main(["check", "--root", str(root)]) == 0
    hint = (
        "that section is left out of the page: it holds only macros that render nothing, such as {{Compat}}; anchors there: specifications"
    )
    assert capsys.readouterr().err.splitlines() == [
        f"content/en/103.md:9: warning: link to #browser-compatibility on this page, which has no such anchor ({hint})",
        f"content/en/308.md:9: warning: link to #browser-compatibility on the en page of 103, which has no such anchor ({hint})",
        "2 warning(s).",
    ]
