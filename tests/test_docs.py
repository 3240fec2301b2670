"""The README stays true: every command and every front-matter field is documented."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from sitegen.cli import make_parser
from sitegen.content.facts import FACT_FIELDS
from sitegen.content.load import NATIVE_FIELDS
from sitegen.site.model import Features
from tests.conftest import REPO

README = (REPO / "README.md").read_text("utf-8")


def commands() -> list[str]:
    parser = make_parser()
    action = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return sorted(action.choices)


@pytest.mark.parametrize("command", commands())
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"sitegen {command}" in README


@pytest.mark.parametrize("field", sorted((NATIVE_FIELDS | FACT_FIELDS) - {"see_also"}))
def test_every_front_matter_field_is_in_the_readme(field: str) -> None:
    assert f"`{field}`" in README


@pytest.mark.parametrize("target", ["build", "test", "check", "serve", "i18n", "golden", "bench"])
def test_every_make_target_is_in_the_readme(target: str) -> None:
    assert f"make {target}" in README


def test_editing_the_site_configuration_never_reinstalls_the_package() -> None:
    makefile = (REPO / "Makefile").read_text("utf-8")
    stamps = [line for line in makefile.splitlines() if line.startswith(("$(STAMP):", "$(TEST_STAMP):"))]
    assert len(stamps) == 2 and all("sitegen.toml" not in line for line in stamps), stamps
    assert "[tool.sitegen" not in (REPO / "pyproject.toml").read_text("utf-8")
    assert (REPO / "sitegen.toml").is_file()
    # setuptools' notes about editable installs are silenced
    assert "PIP_INSTALL := PYTHONWARNINGS=ignore" in makefile


def test_the_readme_says_what_make_clean_removes() -> None:
    makefile = (REPO / "Makefile").read_text("utf-8")
    removed = next(line for line in makefile.splitlines() if line.startswith("\trm -rf")).split()[2:]
    row = next(line for line in README.splitlines() if line.startswith("| `make clean`"))
    for path in removed:
        assert f"`{path}/`" in row, path


@pytest.mark.parametrize("feature", [item.name for item in dataclasses.fields(Features)])
def test_every_reader_feature_is_in_the_readme(feature: str) -> None:
    assert f"| `{feature}` |" in README


def test_the_readme_limits_are_the_codes() -> None:
    from markdown_it import MarkdownIt

    from sitegen.content.front_matter import MAX_VALUES
    from sitegen.content.limits import MAX_PAGE_BYTES, MAX_TOKENS
    from sitegen.content.macros import MAX_CALL_LENGTH, MAX_TAG_LINES

    rows = {
        line.split(" | ")[0].lstrip("| "): line.split(" | ")[1]
        for line in README.split("### Limits, and what hostile input")[1].splitlines()
        if line.startswith("| ")
    }
    assert rows["One file read (a page, an intro, a YAML data file)"] == f"{MAX_PAGE_BYTES // 2**20} MiB ({MAX_PAGE_BYTES:,} bytes)"
    assert rows["Markdown elements of one page (blocks, table cells, list items, links...)"].startswith(f"{MAX_TOKENS:,} ")
    assert rows["Values of one front matter, YAML aliases expanded"] == f"{MAX_VALUES:,}"
    assert rows["One macro `{{...}}` or tag `{% ... %}`"] == f"{MAX_CALL_LENGTH:,} characters; a tag spans at most {MAX_TAG_LINES} lines"
    assert rows["Nesting of quotes and lists"].startswith(f"{MarkdownIt('commonmark').options['maxNesting']} levels")
