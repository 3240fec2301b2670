"""The command line, through the real entry point: exit codes, output, what is written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.cli import PIPE_CLOSED, format_problems, main
from sitegen.site.model import Problem
from tests.conftest import REPO, ScratchSite, page

Capture = pytest.CaptureFixture[str]


def test_build_writes_the_site_and_reports_the_count(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")})
    assert main(["build", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert out == "Built 14 pages (3 code pages) in 3 languages into _site/.\n"
    assert main(["check", "--root", str(root)]) == 0
    assert capsys.readouterr().out == "No problems in 14 pages (3 code pages) in 3 languages.\n"
    assert (root / "_site" / "en" / "307" / "index.html").is_file()
    assert (root / "_site" / "fr" / "307" / "index.html").is_file()


def test_out_option_chooses_the_folder(scratch_site: ScratchSite, tmp_path: Path) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")})
    assert main(["build", "--root", str(root), "--out", str(tmp_path / "elsewhere")]) == 0
    assert (tmp_path / "elsewhere" / "index.html").is_file()
    assert not (root / "_site").exists()


def test_failed_build_leaves_the_previous_site_untouched(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")})
    assert main(["build", "--root", str(root)]) == 0
    before = {path: path.read_bytes() for path in (root / "_site").rglob("*") if path.is_file()}
    (root / "content" / "en" / "307.md").write_text("---\ncode: [\n---\n", "utf-8")
    (root / "content" / "en" / "308.md").write_text("no front matter\n", "utf-8")
    capsys.readouterr()
    assert main(["build", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    # every problem of the build, together, sorted, then the summary
    assert err.splitlines()[:3] == [
        "content/en/307.md:2: the front matter ends inside a value: a '[' or '{' is not closed (close it, or quote the value)",
        "    YAML says: expected the node content, but found '<stream end>'",
        "content/en/308.md:1: no front matter: the file must start with a '---' line (did you forget the '---' lines around the YAML?)",
    ]
    assert "Nothing written: _site/ is unchanged." in err
    after = {path: path.read_bytes() for path in (root / "_site").rglob("*") if path.is_file()}
    assert after == before


def test_rebuild_removes_stale_files(scratch_site: ScratchSite) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect"), "content/en/308.md": page(308, "Permanent Redirect")})
    assert main(["build", "--root", str(root)]) == 0
    (root / "content" / "en" / "308.md").unlink()
    assert main(["build", "--root", str(root)]) == 0
    assert not (root / "_site" / "en" / "308").exists()
    assert not [path for path in root.iterdir() if path.name.startswith("._site")]


def test_warnings_pass_unless_strict(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect", seeAlso="[309]")})
    assert main(["check", "--root", str(root)]) == 0
    assert "warning: seeAlso: unknown status code 309 (did you mean 308? it is shown as plain text)" in capsys.readouterr().err
    assert main(["check", "--strict", "--root", str(root)]) == 1
    assert "strict mode" in capsys.readouterr().err


def test_check_writes_nothing(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")})
    assert main(["check", "--root", str(root)]) == 0
    assert "No problems" in capsys.readouterr().out
    assert not (root / "_site").exists()


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["build", "--nope"]])
def test_usage_errors_exit_2(argv: list[str], capsys: Capture) -> None:
    assert main(argv) == 2
    assert "usage: sitegen" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("port", "said"), [("99999", "99999 is not a port"), ("-1", "-1 is not a port"), ("eighty", "not a port: 'eighty'")]
)
def test_a_port_out_of_range_is_a_usage_error(port: str, said: str, capsys: Capture) -> None:
    assert main(["serve", "--port", port]) == 2
    err = capsys.readouterr().err
    assert f"argument --port: {said}" in err and "Traceback" not in err and "internal error" not in err


def test_missing_project_is_a_clear_problem(tmp_path: Path, capsys: Capture) -> None:
    assert main(["build", "--root", str(tmp_path)]) == 1
    assert "sitegen.toml: no sitegen.toml (or pyproject.toml with [tool.sitegen]) in" in capsys.readouterr().err


def test_unknown_configuration_key_is_reported(scratch_site: ScratchSite, capsys: Capture) -> None:
    from tests.conftest import SCRATCH_CONFIG

    root = scratch_site({}, SCRATCH_CONFIG.replace('title = "HTTP status codes"', 'titel = "x"'))
    assert main(["check", "--strict", "--root", str(root)]) == 1
    assert "pyproject.toml:3: warning: unknown configuration key 'titel' (did you mean 'title'?)" in capsys.readouterr().err


def test_same_warning_on_many_pages_is_folded() -> None:
    problems = [Problem(f"content/en/{code}.md", 4, "unknown field 'x'", "warning") for code in range(300, 310)]
    lines = format_problems(problems)
    assert lines == [
        "content/en/300.md:4: warning: unknown field 'x'",
        "content/en/301.md:4: warning: unknown field 'x'",
        "content/en/302.md:4: warning: unknown field 'x'",
        "  ... and 7 more like this: warning: unknown field 'x'",
    ]


def test_python_dash_m_runs_the_same_cli(scratch_site: ScratchSite) -> None:
    root = scratch_site({"content/en/307.md": "---\ncode: 307\n---\n"})
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", "check", "--root", str(root)], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert result.returncode == 1
    assert result.stderr.startswith("content/en/307.md:1: missing 'name'")
    assert "Traceback" not in result.stderr


def test_a_reader_that_goes_away_is_no_internal_error(scratch_site: ScratchSite) -> None:
    """``sitegen check | head``: the lines not read are lost, quietly, as with other tools."""
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")})
    for command in (["check"], ["translations"]):
        process = subprocess.Popen(
            [sys.executable, "-m", "sitegen", *command, "--root", str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # before anything is written: every write fails
        with process.stderr:
            assert process.wait(timeout=60) == PIPE_CLOSED, command
            assert b"internal error" not in process.stderr.read(), command


def test_a_build_run_as_a_command_leaves_its_files_and_its_cache_whole(scratch_site: ScratchSite, tmp_path: Path) -> None:
    """The command ends without the interpreter's teardown: what it wrote is still all there."""
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")})
    assert main(["build", "--root", str(root), "--out", str(tmp_path / "in-process"), "--no-cache"]) == 0
    command = [sys.executable, "-m", "sitegen", "build", "--root", str(root), "--out", str(tmp_path / "command"), "--timings"]
    runs = [subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False) for _ in range(2)]
    assert [(run.returncode, run.stderr) for run in runs] == [(0, "")] * 2
    assert runs[0].stdout.splitlines()[-1] == f"Built 14 pages (3 code pages) in 3 languages into {tmp_path / 'command'}/."
    # the second build found the first one whole in the cache: nothing was made again
    assert runs[1].stdout.splitlines()[2].split() == ["build", "0", "ms", "1", "0"], runs[1].stdout
    files = {}
    for name in ("in-process", "command"):
        out = tmp_path / name
        files[name] = {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}
    assert files["command"] == files["in-process"]


def test_unreadable_content_entries_are_problems(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")})
    (root / "content" / "en" / "drafts.md").mkdir()  # a folder named like a page is not a page
    (root / "content" / "en" / "308.md").symlink_to(root / "nowhere.md")
    assert main(["check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("content/en/308.md: a symbolic link to nothing (a missing file): it is not read\n")
    assert "internal error" not in err


def test_output_is_identical_whatever_the_hash_seed(tmp_path: Path) -> None:
    """Set and dict order must never leak into the output: build in two processes."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**__import__("os").environ, "PYTHONHASHSEED": seed}
        root = REPO / "tests" / "sites" / "multilingual"
        subprocess.run(
            [sys.executable, "-m", "sitegen", "build", "--root", str(root), "--out", str(out)], check=True, env=env, capture_output=True
        )
        outputs.append({path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()})
    assert outputs[0] == outputs[1]


def test_commands_find_the_project_root_from_a_subfolder(
    scratch_site: ScratchSite, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")})
    monkeypatch.chdir(root / "content" / "en")
    assert main(["build"]) == 0
    assert capsys.readouterr().out == "Built 14 pages (3 code pages) in 3 languages into _site/.\n"
    assert (root / "_site" / "en" / "307" / "index.html").is_file()
    assert not (root / "content" / "en" / "_site").exists()


def test_sitegen_toml_is_read_before_pyproject(scratch_site: ScratchSite, capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import SCRATCH_CONFIG

    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")}, "[project]\nname = 'x'\n")
    own = SCRATCH_CONFIG.replace("[tool.sitegen]\n", "").replace("[[tool.sitegen.languages]]", "[[languages]]")
    (root / "sitegen.toml").write_text(own.replace('title = "HTTP status codes"', 'title = "Own file"\ntitel = "typo"'), "utf-8")
    monkeypatch.chdir(root / "content")
    assert main(["check"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == "sitegen.toml:3: warning: unknown configuration key 'titel' (did you mean 'title'?)"
    assert main(["build"]) == 0
    assert "Own file" in (root / "_site" / "index.html").read_text("utf-8")


def _own_config_project(scratch_site: ScratchSite, files: dict[str, str | bytes]) -> Path:
    """Return a project configured by sitegen.toml (``[[languages]]``), as the real one is."""
    from tests.conftest import SCRATCH_CONFIG

    root = scratch_site(files, "[project]\nname = 'x'\n")
    own = SCRATCH_CONFIG.replace("[tool.sitegen]\n", "").replace("[[tool.sitegen.languages]]", "[[languages]]")
    (root / "sitegen.toml").write_text(own, "utf-8")
    return root


def test_unknown_language_folder_names_the_configuration_file(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = _own_config_project(scratch_site, {"content/en/307.md": page(307, "Temporary Redirect"), "content/de/307.md": page(307, "X")})
    assert main(["check", "--root", str(root)]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "content/de: 'de' is not a configured language (configured: en, fr, pt-br)"
        ' (add a [[languages]] entry with tag = "de" to sitegen.toml, with draft = true until it is ready)'
    )


def test_language_folder_differing_in_case_is_an_error(scratch_site: ScratchSite, capsys: Capture) -> None:
    root = scratch_site(
        {
            "content/en/307.md": page(307, "Temporary Redirect"),
            "content/en/418.md": page(418, "I'm a teapot"),
            "content/pt-br/307.md": page(307, "Redirecionamento temporário").replace("Body of 307.", "Corpo do 307."),
            "content/pt-BR/418.md": page(418, "Sou um bule de chá"),
        }
    )
    assert main(["check", "--root", str(root)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "content/pt-BR: the folder of pt-BR is 'pt-br', not 'pt-BR' (folder names are case-sensitive): its files are not read"
        " (move its files into content/pt-br/)",
        "Failed with 1 error(s) and 0 warning(s).",
    ]
    (root / "content" / "pt-br" / "307.md").unlink()
    (root / "content" / "pt-br").rmdir()
    assert main(["check", "--root", str(root)]) == 1
    assert "content/pt-BR: the folder of pt-BR is 'pt-br', not 'pt-BR'" in capsys.readouterr().err
