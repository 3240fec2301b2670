"""``sitegen new`` and ``sitegen translations``: what authors and translators run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.content.versions import source_version_of as content_digest
from tests.conftest import ScratchSite, page

Capture = pytest.CaptureFixture[str]


def test_new_prefills_name_and_spec_from_the_registry(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({})
    assert main(["new", "418", "--root", str(root)]) == 0
    assert capsys.readouterr().out == "Created content/en/418.md\n"
    text = (root / "content" / "en" / "418.md").read_text("utf-8")
    assert "code: 418\nname: (Unused)\nspec: RFC 9110 §15.5.19\n" in text
    assert "status: unused\n" in text
    # the new page builds without errors
    assert main(["check", "--root", str(root)]) == 0


def test_new_names_the_page_by_its_reason_phrase_without_the_registrys_remark(scratch_site: ScratchSite) -> None:
    root = scratch_site({})
    assert main(["new", "510", "--root", str(root)]) == 0
    text = (root / "content" / "en" / "510.md").read_text("utf-8")
    assert "name: Not Extended\n" in text  # the registry says "Not Extended (OBSOLETED)"
    assert "status: obsolete\n" in text


def test_new_page_is_a_draft_until_its_placeholders_are_written(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({})
    assert main(["new", "444", "--root", str(root)]) == 0
    page_file = root / "content" / "en" / "444.md"
    assert "draft: true\n" in page_file.read_text("utf-8")
    # a draft is checked, but neither published nor held to its placeholders
    assert main(["build", "--strict", "--root", str(root)]) == 0
    assert not (root / "_site" / "en" / "444").exists()
    capsys.readouterr()
    # without 'draft: true', every "TODO" left is an error with its line
    page_file.write_text(page_file.read_text("utf-8").replace("draft: true\n", ""), "utf-8")
    assert main(["check", "--root", str(root)]) == 1
    err = capsys.readouterr().err.splitlines()
    hint = " (write the text, or keep 'draft: true' until the page is done)"
    assert err[:2] == [
        "content/en/444.md:3: name: placeholder text 'TODO reason phrase'" + hint,
        "content/en/444.md:4: warning: spec: cannot read 'TODO RFC number and section, e.g. RFC 9110 §15.4.8' as a spec reference"
        " (write 'RFC 9110 §15.4.8' or a link to the section on rfc-editor.org)",
    ]
    assert "content/en/444.md:15: placeholder text 'TODO'" + hint in err
    assert main(["build", "--root", str(root)]) == 1


def test_new_refuses_to_overwrite(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")})
    before = (root / "content" / "en" / "307.md").read_bytes()
    assert main(["new", "307", "--root", str(root)]) == 1
    assert "content/en/307.md already exists: refusing to overwrite it" in capsys.readouterr().err
    assert (root / "content" / "en" / "307.md").read_bytes() == before


def test_new_translation_starts_from_the_english_page_and_records_its_version(scratch_site: ScratchSite) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect", seeAlso="[308]", aliases="\n  - /old/307/\n  - /older/307/")})
    english = (root / "content" / "en" / "307.md").read_text("utf-8")
    assert main(["new", "307", "--lang", "pt-BR", "--root", str(root)]) == 0
    text = (root / "content" / "pt-br" / "307.md").read_text("utf-8")
    assert "# Translated from content/en/307.md" in text
    assert "seeAlso: [308]" in text and "Body of 307." in text
    assert f"source_version: {content_digest(english)}\n" in text
    # old URLs redirect to the English page only: the translation would clash with them
    assert "/old/307/" not in text and "aliases" not in text
    assert main(["check", "--root", str(root)]) == 0


def test_new_translation_needs_the_english_page(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({})
    assert main(["new", "307", "--lang", "fr", "--root", str(root)]) == 1
    assert "no content/en/307.md to translate from: create it first with 'sitegen new 307'" in capsys.readouterr().err


def test_new_with_an_unknown_language_is_a_usage_error(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({})
    assert main(["new", "307", "--lang", "de", "--root", str(root)]) == 2
    assert "--lang de is not a configured language" in capsys.readouterr().err


def translated_site(scratch_site: ScratchSite) -> Path:
    """Return a site whose two English pages were translated into French with 'sitegen new'."""
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect"), "content/en/308.md": page(308, "Permanent Redirect")})
    for code in (307, 308):
        assert main(["new", str(code), "--lang", "fr", "--root", str(root)]) == 0
        translation = root / "content" / "fr" / f"{code}.md"
        translation.write_text(translation.read_text("utf-8").replace("draft: true\n", ""), "utf-8")
    return root


def test_a_draft_translation_is_checked_but_not_published(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")})
    assert main(["new", "307", "--lang", "fr", "--root", str(root)]) == 0
    assert "draft: true\n" in (root / "content" / "fr" / "307.md").read_text("utf-8")
    capsys.readouterr()
    assert main(["translations", "--lang", "fr", "--root", str(root)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "fr: 0/1 translated, 1 missing, 0 outdated",
        "  missing: 307",
        "  of which in progress (draft: true): 307",
    ]
    assert main(["build", "--root", str(root)]) == 0
    html = (root / "_site" / "fr" / "307" / "index.html").read_text("utf-8")
    assert "pas encore été traduite" in html  # readers still get the English page, with the notice


def test_translations_report_missing_and_outdated(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = translated_site(scratch_site)
    english = root / "content" / "en" / "308.md"
    english.write_text(english.read_text("utf-8").replace("Body of 308.", "Body of 308, revised."), "utf-8")
    capsys.readouterr()
    assert main(["translations", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:3] == [
        "fr: 2/2 translated, 0 missing, 1 outdated",
        f"  outdated: content/fr/308.md (set source_version: {content_digest(english.read_text('utf-8'))} once updated)",
        "pt-BR: 0/2 translated, 2 missing, 0 outdated",
    ]
    assert main(["translations", "--root", str(root), "--format", "json", "--lang", "fr"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "fr": {
            "total": 2,
            "translated": [307, 308],
            "missing": [],
            "outdated": {"308": {"record": content_digest(english.read_text("utf-8"))}},
            "untracked": [],
            "orphans": [],
            "drafts": [],
            "draft_language": False,
            "intros": {"missing": [], "outdated": {}, "untracked": []},
            "data_files": {},
        }
    }
    assert main(["translations", "--root", str(root), "--lang", "fr", "--fail-on", "outdated"]) == 1
    assert main(["translations", "--root", str(root), "--lang", "fr", "--fail-on", "missing"]) == 0
    assert main(["translations", "--root", str(root), "--fail-on", "missing"]) == 1


def test_translations_report_intro_pages_like_code_pages(scratch_site: ScratchSite, capsys: Capture) -> None:
    intro = "---\noverview: {overview}\n{version}---\n\n{text}\n"
    english_index = intro.format(overview="All the codes.", version="", text="Every response has a code.")
    english_class = intro.format(overview="Redirections.", version="", text="The 3xx codes redirect.")
    root = scratch_site(
        {
            "content/en/307.md": page(307, "Temporary Redirect"),
            "content/en/index.md": english_index,
            "content/en/3xx.md": english_class,
            "content/fr/index.md": intro.format(
                overview="Tous les codes.", version=f"source_version: {content_digest(english_index)}\n", text="Chaque réponse a un code."
            ),
            "content/fr/3xx.md": intro.format(overview="Redirections.", version="source_version: 0123456789ab\n", text="Les codes 3xx."),
        }
    )
    capsys.readouterr()
    assert main(["translations", "--root", str(root)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "fr: 0/1 translated, 1 missing, 1 outdated",
        "  missing: 307",
        "  to start one: sitegen new 307 --lang fr (writes content/fr/307.md)",
        f"  outdated: content/fr/3xx.md (set source_version: {content_digest(english_class)} once updated)",
        "pt-BR: 0/1 translated, 3 missing, 0 outdated",
        "  missing: 307",
        "  to start one: sitegen new 307 --lang pt-BR (writes content/pt-br/307.md)",
        "  intro pages missing: content/pt-br/3xx.md content/pt-br/index.md",
    ]
    assert main(["translations", "--root", str(root), "--lang", "fr", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["fr"]["intros"] == {
        "missing": [],
        "outdated": {"3xx": {"record": content_digest(english_class)}},
        "untracked": [],
    }


DRAFT_LANGUAGE_CONFIG = """
[tool.sitegen]
title = "HTTP status codes"
base_url = "https://example.test/"
templates = "{repo}/templates"
static = "{repo}/static"
locales = "{repo}/locales"

[[tool.sitegen.languages]]
tag = "en"
name = "English"

[[tool.sitegen.languages]]
tag = "de"
name = "Deutsch"
title = "HTTP-Statuscodes"
draft = true
"""


def test_a_draft_language_is_started_with_new_and_listed_by_translations(scratch_site: ScratchSite, capsys: Capture) -> None:
    from tests.conftest import REPO

    english: dict[str, str | bytes] = {"content/en/307.md": page(307, "Temporary Redirect"), "content/en/308.md": page(308, "Permanent")}
    root = scratch_site(english, DRAFT_LANGUAGE_CONFIG.format(repo=REPO))
    # README's "Adding a language": a draft language is started before it is published
    assert main(["new", "307", "--lang", "de", "--root", str(root)]) == 0
    assert capsys.readouterr().out == "Created content/de/307.md\n"
    assert main(["translations", "--root", str(root)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "de (draft language): 0/2 translated, 2 missing, 0 outdated",
        "  missing: 307 308",
        "  to start one: sitegen new 308 --lang de (writes content/de/308.md)",
        "  of which in progress (draft: true): 307",
    ]
    assert main(["translations", "--root", str(root), "--lang", "de", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["de"]["draft_language"] is True
    # unfinished by definition: --fail-on counts it only when asked for by name
    assert main(["translations", "--root", str(root), "--fail-on", "missing"]) == 0
    assert main(["translations", "--root", str(root), "--lang", "de", "--fail-on", "missing"]) == 1
    # and it stays unpublished until draft = true is removed
    assert main(["build", "--root", str(root)]) == 0
    assert not (root / "_site" / "de").exists()


def test_outdated_translation_says_so_on_the_page(scratch_site: ScratchSite) -> None:
    root = translated_site(scratch_site)
    english = root / "content" / "en" / "308.md"
    english.write_text(english.read_text("utf-8") + "\nMore.\n", "utf-8")
    assert main(["build", "--root", str(root)]) == 0
    outdated = (root / "_site" / "fr" / "308" / "index.html").read_text("utf-8")
    current = (root / "_site" / "fr" / "307" / "index.html").read_text("utf-8")
    assert "Cette traduction n’est peut-être plus à jour" in outdated
    assert '<a href="/en/308/">Lire la version originale actuelle</a>' in outdated
    assert "plus à jour" not in current


def test_mdn_source_commit_is_compared_with_git_history(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")})

    def git(*arguments: str) -> str:
        return subprocess.run(["git", *arguments], cwd=root, check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "start")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "english")
    commit = git("rev-parse", "HEAD")
    (root / "content" / "fr").mkdir()
    (root / "content" / "fr" / "307.md").write_text(
        f"---\ntitle: 307 Redirection temporaire\nslug: Web/HTTP/Status/307\nl10n:\n  sourceCommit: {commit}\n---\n", "utf-8"
    )
    assert main(["translations", "--root", str(root), "--lang", "fr", "--fail-on", "outdated"]) == 0
    english = root / "content" / "en" / "307.md"
    english.write_text(english.read_text("utf-8") + "\nChanged.\n", "utf-8")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "change english")
    capsys.readouterr()
    assert main(["translations", "--root", str(root), "--lang", "fr", "--fail-on", "outdated"]) == 1
    assert "outdated: content/fr/307.md" in capsys.readouterr().out


def test_missing_ui_string_falls_back_to_english_and_is_reported(scratch_site: ScratchSite, tmp_path: Path, capsys: Capture) -> None:
    from tests.conftest import REPO, SCRATCH_CONFIG

    locales = tmp_path / "locales"
    for source in (REPO / "locales").rglob("*.po*"):
        target = locales / source.relative_to(REPO / "locales")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text("utf-8"), "utf-8")
    catalog = locales / "fr" / "LC_MESSAGES" / "messages.po"
    text = catalog.read_text("utf-8")
    catalog.write_text(text.replace('msgstr "Voir aussi"', 'msgstr ""'), "utf-8")
    line = catalog.read_text("utf-8").splitlines().index('msgid "See also"') + 1
    root = scratch_site(
        {"content/en/307.md": page(307, "T", seeAlso="[308]"), "content/en/308.md": page(308, "P")},
        SCRATCH_CONFIG.replace(str(REPO / "locales"), str(locales)),
    )
    assert main(["build", "--root", str(root)]) == 0
    err = capsys.readouterr().err
    assert f"locales/fr/LC_MESSAGES/messages.po:{line}: warning: untranslated UI string 'See also': shown in English" in err
    html = (root / "_site" / "fr" / "307" / "index.html").read_text("utf-8")
    assert '<h2 id="page-see-also">See also</h2>' in html
    assert main(["check", "--strict", "--root", str(root)]) == 1


def test_translations_of_the_source_language_is_a_usage_error(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({"content/en/307.md": page(307, "T")})
    assert main(["translations", "--lang", "en", "--root", str(root)]) == 2
    assert "en is the source language" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["translations", "999"], "argument code: 999 is not a status code: they go from 100 to 599"),
        (["translations", "299"], "no page has the code 299 (in any language)"),
        (["new", "999"], "argument code: 999 is not a status code: they go from 100 to 599"),
        (["new", "abc"], "argument code: not a status code: 'abc'"),
    ],
)
def test_a_code_that_is_not_one_is_a_usage_error(argv: list[str], said: str, scratch_site: ScratchSite, capsys: Capture) -> None:
    # 'translations 999' printed "0/0 translated" and exited 0, 'new 999' exited 1 where 'new abc' exited 2
    root = scratch_site({"content/en/307.md": page(307, "T"), "content/fr/307.md": page(307, "R")})
    assert main([*argv, "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


def test_a_translation_without_an_english_page_is_listed(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({"content/en/307.md": page(307, "T"), "content/fr/308.md": page(308, "P")})
    assert main(["translations", "--lang", "fr", "--root", str(root)]) == 0
    assert "  no en page to translate from: 308" in capsys.readouterr().out
