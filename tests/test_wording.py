"""Language rules of ``check``: French typography for the languages configured, and each
language's glossary. The broken fixtures (``tests/invalid/french-typography``,
``tests/invalid/glossary-term-avoided``) pin the exact messages; these tests pin the choice
of languages and the CLI's verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sitegen.cli import main
from sitegen.config import load_config
from tests.conftest import SCRATCH_CONFIG, page

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import ScratchSite

FRENCH = page(307, "Redirection temporaire").replace("Body of 307.", "Attention : une espace ordinaire avant le deux-points.")
PORTUGUESE = page(307, "Redirecionamento temporário").replace("Body of 307.", "Atenção : um espaço antes dos dois-pontos.")


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["check", "--strict", "--root", str(root)])
    return code, [line for line in capsys.readouterr().err.splitlines() if "typography" in line or "glossary" in line]


def test_french_pages_are_held_to_french_typography_by_default(scratch_site: ScratchSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = scratch_site(
        {"content/en/307.md": page(307, "Temporary Redirect"), "content/fr/307.md": FRENCH, "content/pt-br/307.md": PORTUGUESE}
    )
    assert check(root, capsys) == (
        1,
        ["content/fr/307.md:7: warning: French typography: plain space before ':' (use a no-break space (U+00A0))"],
    )


@pytest.mark.parametrize(
    ("setting", "flagged"),
    [("[]", []), ('["pt-br"]', ["content/pt-br/307.md:7"]), ('["fr", "pt-BR"]', ["content/fr/307.md:7", "content/pt-br/307.md:7"])],
)
def test_the_languages_held_to_french_typography_are_configurable(
    scratch_site: ScratchSite, capsys: pytest.CaptureFixture[str], setting: str, flagged: list[str]
) -> None:
    config = SCRATCH_CONFIG.replace(
        'base_url = "https://example.test/"\n', f'base_url = "https://example.test/"\nfrench_typography = {setting}\n'
    )
    root = scratch_site(
        {"content/en/307.md": page(307, "Temporary Redirect"), "content/fr/307.md": FRENCH, "content/pt-br/307.md": PORTUGUESE}, config
    )
    code, lines = check(root, capsys)
    assert [line.split(": warning")[0] for line in lines] == flagged
    assert code == (1 if flagged else 0)


def test_an_unknown_language_in_french_typography_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        SCRATCH_CONFIG.replace(
            'base_url = "https://example.test/"\n', 'base_url = "https://example.test/"\nfrench_typography = ["fr-CA", 3]\n'
        ),
        "utf-8",
    )
    config, problems = load_config(tmp_path)
    assert config is not None and config.french_typography == ()
    assert [problem.format() for problem in problems] == [
        "pyproject.toml:5: 'french_typography' must be a list of language tags such as [\"fr\"] ([] turns it off)"
    ]
    (tmp_path / "pyproject.toml").write_text(
        SCRATCH_CONFIG.replace(
            'base_url = "https://example.test/"\n', 'base_url = "https://example.test/"\nfrench_typography = ["fr-CA"]\n'
        ),
        "utf-8",
    )
    _config, problems = load_config(tmp_path)
    assert [problem.format() for problem in problems] == [
        "pyproject.toml:5: warning: french_typography: 'fr-CA' is not a configured language"
    ]


def test_a_glossary_applies_to_its_own_language_only(scratch_site: ScratchSite, capsys: pytest.CaptureFixture[str]) -> None:
    glossary = "- use: point de terminaison\n  avoid: [endpoint]\n"
    english = page(307, "Temporary Redirect").replace("Body of 307.", "The endpoint moved.")
    french = page(307, "Redirection temporaire").replace("Body of 307.", "L'endpoint a changé, pas le `endpoint` du code.")
    root = scratch_site({"content/en/307.md": english, "content/fr/307.md": french, "content/fr/glossary.yaml": glossary})
    assert check(root, capsys) == (
        1,
        ["content/fr/307.md:7: warning: glossary: 'endpoint' is a term to avoid (use 'point de terminaison')"],
    )


def test_a_term_of_several_words_is_found_across_a_line_break(scratch_site: ScratchSite, capsys: pytest.CaptureFixture[str]) -> None:
    glossary = "- use: boucle rapide\n  avoid: [boucle serrée]\n"
    french = page(307, "Redirection temporaire").replace(
        "Body of 307.", "Un client qui relance dans une boucle\nserrée sature le serveur.\n\nUne boucle serrée aussi."
    )
    root = scratch_site(
        {"content/en/307.md": page(307, "Temporary Redirect"), "content/fr/307.md": french, "content/fr/glossary.yaml": glossary}
    )
    assert check(root, capsys) == (
        1,
        [
            "content/fr/307.md:7: warning: glossary: 'boucle serrée' is a term to avoid (use 'boucle rapide')",
            "content/fr/307.md:10: warning: glossary: 'boucle serrée' is a term to avoid (use 'boucle rapide')",
        ],
    )


def test_the_wording_of_a_draft_is_checked_only_with_drafts(scratch_site: ScratchSite, capsys: pytest.CaptureFixture[str]) -> None:
    # a translation in the works (here, as `sitegen new` makes it, still the English words)
    # never fails a strict check by its typography; once it is no longer a draft, it does
    draft = FRENCH.replace("---\n\n", "draft: true\n---\n\n", 1)
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect"), "content/fr/307.md": draft})
    assert check(root, capsys) == (0, [])
    assert main(["check", "--strict", "--drafts", "--root", str(root)]) == 1
    assert "content/fr/307.md:8: warning: French typography: plain space before ':'" in capsys.readouterr().err
    (root / "content/fr/307.md").write_text(FRENCH, "utf-8")
    assert check(root, capsys)[0] == 1
