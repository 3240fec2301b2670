"""``source_version`` is the git blob id of the English page, so that ``sitegen translations
--diff`` can show what changed since; the old SHA-256 versions stay readable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.content.versions import legacy_version_of, source_version_of
from tests.conftest import ScratchSite, page

Capture = pytest.CaptureFixture[str]


def git(root: Path, *arguments: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@t", *arguments]
    return subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def committed_site(scratch_site: ScratchSite) -> Path:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect") + "\nThe method stays.\n"})
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "english")
    return root


def test_the_recorded_version_is_the_git_blob_id(scratch_site: ScratchSite) -> None:
    root = committed_site(scratch_site)
    assert main(["new", "307", "--lang", "fr", "--root", str(root)]) == 0
    blob = git(root, "hash-object", "content/en/307.md")
    assert f"source_version: {blob}\n" in (root / "content" / "fr" / "307.md").read_text("utf-8")
    assert source_version_of((root / "content" / "en" / "307.md").read_text("utf-8")) == blob


def test_diff_shows_what_changed_since_the_followed_version(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = committed_site(scratch_site)
    assert main(["new", "307", "--lang", "fr", "--root", str(root)]) == 0
    translation = root / "content" / "fr" / "307.md"
    translation.write_text(translation.read_text("utf-8").replace("draft: true\n", ""), "utf-8")
    old_blob = git(root, "hash-object", "content/en/307.md")
    english = root / "content" / "en" / "307.md"
    english.write_text(english.read_text("utf-8").replace("The method stays.", "The method and the body stay."), "utf-8")
    capsys.readouterr()
    assert main(["translations", "--diff", "--lang", "fr", "307", "--root", str(root)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"content/fr/307.md follows content/en/307.md at {old_blob}; since then:",
        f"--- content/en/307.md ({old_blob})",
        "+++ content/en/307.md (now)",
        "@@ -6,4 +6,4 @@",
        " ",
        " Body of 307.",
        " ",
        "-The method stays.",
        "+The method and the body stay.",
    ]
    # the version to record is the new blob id
    assert main(["translations", "--lang", "fr", "--root", str(root)]) == 0
    new_blob = git(root, "hash-object", "content/en/307.md")
    assert f"  outdated: content/fr/307.md (set source_version: {new_blob} once updated)" in capsys.readouterr().out


def test_an_old_sha256_version_is_still_read_and_diffed(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = committed_site(scratch_site)
    english = root / "content" / "en" / "307.md"
    legacy = legacy_version_of(english.read_text("utf-8"))
    translation = page(307, "Redirection temporaire", source_version=legacy)
    (root / "content" / "fr").mkdir()
    (root / "content" / "fr" / "307.md").write_text(translation, "utf-8")
    assert main(["translations", "--lang", "fr", "--fail-on", "outdated", "--root", str(root)]) == 0
    english.write_text(english.read_text("utf-8") + "More.\n", "utf-8")
    git(root, "commit", "-q", "-am", "more")
    capsys.readouterr()
    assert main(["translations", "--lang", "fr", "--fail-on", "outdated", "--root", str(root)]) == 1
    assert main(["translations", "--diff", "--root", str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"content/fr/307.md follows content/en/307.md at {legacy}; since then:" in out
    assert "+More." in out


def test_a_version_missing_from_the_history_is_said_plainly(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = committed_site(scratch_site)
    translation = page(307, "Redirection temporaire", source_version="0123456789ab")
    (root / "content" / "fr").mkdir()
    (root / "content" / "fr" / "307.md").write_text(translation, "utf-8")
    capsys.readouterr()
    assert main(["translations", "--diff", "--lang", "fr", "--root", str(root)]) == 0
    assert capsys.readouterr().out == (
        "content/fr/307.md: cannot show what changed in content/en/307.md:"
        " the version it follows (0123456789ab) is not in the git history\n"
    )
    (root / "content" / "en" / "308.md").write_text(page(308, "Permanent Redirect"), "utf-8")
    assert main(["translations", "--diff", "--lang", "fr", "308", "--root", str(root)]) == 0
    assert capsys.readouterr().out == "No outdated translation.\n"


def test_an_outdated_intro_says_so_on_its_page_and_a_current_one_does_not(scratch_site: ScratchSite) -> None:
    english_intro = "---\ntitle: Client errors\noverview: The client got something wrong.\n---\n\nThe request is at fault.\n"
    french_intro = (
        "---\ntitle: Erreurs du client\noverview: Le client s'est trompé.\nsource_version: {version}\n---\n\nLa requête est en cause.\n"
    )
    root = scratch_site(
        {
            "content/en/404.md": page(404, "Not Found"),
            "content/en/4xx.md": english_intro,
            "content/en/index.md": english_intro.replace("Client errors", "Status codes"),
            "content/fr/4xx.md": french_intro.format(version=source_version_of(english_intro.replace("at fault", "wrong"))),
            "content/fr/index.md": french_intro.format(version=source_version_of(english_intro.replace("Client errors", "Status codes"))),
        }
    )
    assert main(["build", "--root", str(root)]) == 0
    outdated = (root / "_site/fr/4xx/index.html").read_text("utf-8")
    assert "Cette traduction n’est peut-être plus à jour" in outdated
    assert '<a href="/en/4xx/">Lire la version originale actuelle</a>' in outdated
    assert "plus à jour" not in (root / "_site/fr/index.html").read_text("utf-8")
