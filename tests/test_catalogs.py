"""UI catalogs while a language is added: one problem per new catalog, nothing said about
strings that ``make i18n`` put there, and ``make i18n`` stable byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.render.catalogs import update_catalogs
from tests.conftest import REPO, SCRATCH_CONFIG, ScratchSite, page

Capture = pytest.CaptureFixture[str]


def site_with_own_locales(scratch_site: ScratchSite, tmp_path: Path, extra: str = "") -> Path:
    locales = tmp_path / "locales"
    shutil.copytree(REPO / "locales", locales)
    return scratch_site(
        {"content/en/307.md": page(307, "Temporary Redirect")}, SCRATCH_CONFIG.replace(str(REPO / "locales"), str(locales)) + extra
    )


def test_make_i18n_leaves_catalogs_byte_identical_when_no_string_changed(scratch_site: ScratchSite, tmp_path: Path) -> None:
    root = site_with_own_locales(scratch_site, tmp_path)
    catalogs = sorted((tmp_path / "locales").rglob("*.po"))
    before = {path: path.read_bytes() for path in catalogs}
    assert update_catalogs(root) == []
    assert {path: path.read_bytes() for path in catalogs} == before


def test_a_new_language_is_one_problem_and_nothing_is_missing_after_make_i18n(
    scratch_site: ScratchSite, tmp_path: Path, capsys: Capture
) -> None:
    extra = '\n[[tool.sitegen.languages]]\ntag = "fr-CA"\nname = "Français (Canada)"\n'
    root = site_with_own_locales(scratch_site, tmp_path, extra)
    catalog = tmp_path / "locales" / "fr_CA" / "LC_MESSAGES" / "messages.po"
    # before make i18n: one warning, no catalog
    assert main(["check", "--root", str(root)]) == 0
    assert [line for line in capsys.readouterr().err.splitlines() if "fr_CA" in line] == [
        f"{catalog}: warning: no UI catalog for fr-CA: its UI strings are shown in English (run 'make i18n' to create it)"
    ]
    assert update_catalogs(root) == [catalog]
    count = catalog.read_text("utf-8").count('msgstr ""\n') - 1  # the header's msgstr
    assert main(["check", "--root", str(root)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if "fr_CA" in line] == [
        f"{catalog}: warning: fr-CA: {count} UI strings to translate"
        " (until then they are shown in English; Poedit, Weblate or any gettext tool opens this file)"
    ]
    assert not any("is not in the catalog" in line for line in err)
    # and a second make i18n changes nothing
    before = catalog.read_bytes()
    assert update_catalogs(root) == []
    assert catalog.read_bytes() == before


def test_make_i18n_creates_the_catalog_of_a_draft_language(scratch_site: ScratchSite, tmp_path: Path, capsys: Capture) -> None:
    # README, "Adding a language": declare it with draft = true, then make i18n creates its catalog
    extra = '\n[[tool.sitegen.languages]]\ntag = "fr-CA"\nname = "Français (Canada)"\ndraft = true\n'
    root = site_with_own_locales(scratch_site, tmp_path, extra)
    catalog = tmp_path / "locales" / "fr_CA" / "LC_MESSAGES" / "messages.po"
    assert update_catalogs(root) == [catalog]
    count = catalog.read_text("utf-8").count('msgstr ""\n') - 1  # the header's msgstr
    assert main(["check", "--drafts", "--root", str(root)]) == 0
    assert [line for line in capsys.readouterr().err.splitlines() if "fr_CA" in line] == [
        f"{catalog}: warning: fr-CA: {count} UI strings to translate"
        " (until then they are shown in English; Poedit, Weblate or any gettext tool opens this file)"
    ]
    # a disabled language is never built: no catalog for it
    disabled = site_with_own_locales(scratch_site, tmp_path / "other", extra.replace("draft", "disabled"))
    assert update_catalogs(disabled) == []


def test_the_strings_noted_while_compiling_are_those_a_second_parse_finds() -> None:
    from sitegen.config import load_config
    from sitegen.render import templating

    config, problems = load_config(REPO)
    assert config is not None, problems
    environment = templating.create_environment(config.templates_dir, config)
    assert templating.check_templates(environment, config) == []  # compiles every template
    assert isinstance(environment, templating.Environment)
    assert "code.html" in environment.found
    noted = templating.template_messages(environment, config)
    parsed_again = templating.create_environment(config.templates_dir, config)  # nothing compiled, nothing noted
    assert parsed_again.found == {}  # type: ignore[attr-defined]
    assert templating.template_messages(parsed_again, config) == noted
    assert len(noted) > 50 and all(":" in where for where in noted.values())
