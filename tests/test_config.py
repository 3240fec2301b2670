"""The configuration: every mistake is a problem at its line, never a crash or data loss."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.config import load_config

BASE = """\
[tool.sitegen]
title = "HTTP status codes"
base_url = "https://example.test/"
{extra}
[[tool.sitegen.languages]]
tag = "en"
name = "English"

[[tool.sitegen.languages]]
tag = "fr"
name = "Français"
{second}
"""


def problems_of(tmp_path: Path, extra: str = "", second: str = "") -> list[str]:
    (tmp_path / "pyproject.toml").write_text(BASE.format(extra=extra, second=second), "utf-8")
    _config, problems = load_config(tmp_path)
    return [problem.format() for problem in problems]


@pytest.mark.parametrize("output", [".", "content", "templates", ".."])
def test_output_folder_may_not_replace_the_project_or_an_input(tmp_path: Path, output: str) -> None:
    (tmp_path / "project").mkdir()
    found = problems_of(tmp_path / "project", extra=f'output = "{output}"\n')
    assert len(found) == 1 and found[0].startswith("pyproject.toml:4: the output folder")


def test_out_option_may_not_replace_the_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(BASE.format(extra="", second=""), "utf-8")
    (tmp_path / "content" / "en").mkdir(parents=True)
    assert main(["build", "--root", str(tmp_path), "--out", str(tmp_path)]) == 1
    assert "--out is the project itself: nothing was written" in capsys.readouterr().err
    assert (tmp_path / "pyproject.toml").is_file()


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ('segment = "en"', "pyproject.toml:10: language 'fr' (en) has the tag or URL segment of 'en' (en)"),
        ('segment = ".."', "pyproject.toml:12: '..' cannot be a URL segment"),
        ('segment = ""', "pyproject.toml:12: '' cannot be a URL segment"),
        ('segment = "api"', "pyproject.toml:12: 'api' cannot be a URL segment"),
        ('dir = "up"', "pyproject.toml:12: dir must be 'ltr' or 'rtl', not 'up'"),
        ('nmae = "x"', "pyproject.toml:12: warning: unknown configuration key 'nmae' (did you mean 'name'?)"),
    ],
)
def test_language_mistakes_are_reported_at_their_line(tmp_path: Path, second: str, message: str) -> None:
    found = problems_of(tmp_path, second=second)
    assert found and found[0].startswith(message)


def test_bad_tag_in_the_second_language_points_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(BASE.format(extra="", second="").replace('tag = "fr"', 'tag = "pt_BR"'), "utf-8")
    _, problems = load_config(tmp_path)
    assert [problem.format() for problem in problems] == [
        "pyproject.toml:10: 'pt_BR' is not a BCP 47 tag such as 'pt-BR'",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tool = 5\n", "pyproject.toml: [tool.sitegen] must be a table"),
        ("[tool]\nsitegen = 5\n", "pyproject.toml: [tool.sitegen] must be a table"),
        ("[tool.sitegen]\nlanguages = 5\n", "pyproject.toml:2: 'languages' must be a list"),
        ("[tool.sitegen\n", "pyproject.toml:1: invalid TOML"),
    ],
)
def test_malformed_configuration(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text, "utf-8")
    config, problems = load_config(tmp_path)
    assert config is None
    assert problems[0].format().startswith(message)


def test_root_that_is_a_file_is_a_problem_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x", "utf-8")
    assert main(["check", "--root", str(tmp_path / "file")]) == 1
    assert "internal error" not in capsys.readouterr().err


def test_a_quoted_true_or_false_is_named_as_text_in_quotes(tmp_path: Path) -> None:
    assert problems_of(tmp_path, extra='precompress = "true"\n', second='draft = "False"\n') == [
        'pyproject.toml:13: draft must be true or false, and "False" in quotes is text (write false, without quotes)',
        'pyproject.toml:4: precompress must be true or false, and "true" in quotes is text (write true, without quotes)',
    ]
    assert problems_of(tmp_path, extra='precompress = "yes"\n') == ["pyproject.toml:4: precompress must be true or false, not 'yes'"]
