"""Copies of the real project for tests and the bench, and a larger synthetic one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sitegen.site.registry import load_registry

REPO = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("content", "templates", "static", "locales", "sitegen.toml")
"""What a copy of the real project needs: everything a build reads."""


KEPT_CODES = frozenset({200, 301, 302, 303, 304, 307, 308, 401, 403, 404, 407, 410, 413, 414, 415, 418, 422, 429, 431, 500, 503, 504})
"""The codes of :func:`copy_project`'s ``trimmed`` copy: those the comparison tables compare
(a table's code without a page is an error), and those the tests edit, in every class but 1xx."""


def copy_project(target: Path, content: Path = REPO / "content", trimmed: bool = False) -> Path:
    """Copy the real project (with ``content`` as its content) into ``target``; return it.

    ``trimmed``: only the pages of :data:`KEPT_CODES` (and the intros of their classes),
    a quarter of the code pages: the same templates, catalogs, configuration, tables and guide,
    for tests that build it many times. Links to the pages left out are warnings."""
    target.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = content if part == "content" else REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=_left_out if trimmed and part == "content" else None)
        else:
            shutil.copy2(source, target / part)
    return target


def _left_out(folder: str, names: list[str]) -> set[str]:
    """The pages a trimmed copy leaves out: the other codes, and the intros of classes without a code."""
    classes = {f"{code // 100}xx" for code in KEPT_CODES}
    left = set()
    for name in names:
        stem = name.removesuffix(".md")
        if (stem.isdigit() and int(stem) not in KEPT_CODES) or (stem.endswith("xx") and stem not in classes):
            left.add(name)
    return left


def enlarge(root: Path, codes: int, model: int = 307) -> list[int]:
    """Add pages until the project has ``codes`` codes, in every language it has; return them.

    Each new page is the language's page of ``model`` under another code and name: the
    registry's codes first, then unofficial ones. The result is a site the size of the
    finished reference, with the same kind of links between pages.
    """
    folders = sorted(folder for folder in (root / "content").iterdir() if (folder / f"{model}.md").is_file())
    existing = {int(path.stem) for folder in folders for path in folder.glob("*.md") if path.stem.isdigit()}
    registry = load_registry()
    candidates = [code for code in registry if code not in existing] + [code for code in range(520, 600) if code not in registry]
    added = candidates[: max(codes - len(existing), 0)]
    for folder in folders:
        text = (folder / f"{model}.md").read_text("utf-8")
        for code in added:
            name = registry[code].name if code in registry else f"Unofficial {code}"
            page = re.sub(rf"^code: {model}$", f"code: {code}", text, count=1, flags=re.MULTILINE)
            page = re.sub(r"^name: .*$", f"name: {name}", page, count=1, flags=re.MULTILINE)
            page = re.sub(r"^(title|aliases|original_slug): .*\n", "", page, flags=re.MULTILINE)
            if code not in registry:
                page = re.sub(r"^status: .*$", "status: unofficial", page, count=1, flags=re.MULTILINE)
            (folder / f"{code}.md").write_text(page, "utf-8")
    return added
