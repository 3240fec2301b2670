"""What a build gives back: its files (when kept in memory), its problems, its outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sitegen.site.model import Problem

if TYPE_CHECKING:
    from sitegen.render.bodies import Rendered
    from sitegen.render.views import Renderer
    from sitegen.site.resolve import Site


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build produced: the files of the site and every problem met."""

    files: dict[str, bytes]
    """The files, when the sink kept them in memory (the dev server, tests)."""
    problems: list[Problem]
    site: Site | None = None
    renderer: Renderer | None = field(default=None, compare=False)
    paths: tuple[str, ...] = ()
    """Every output path, whatever the sink."""
    counts: tuple[int, int] = (0, 0)
    """Code pages and languages, where there is no :attr:`site` (a build remembered whole)."""
    rendered: Rendered | None = field(default=None, compare=False)
    """The markdown of every entry of :attr:`site`, as the views were given it."""

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that fail any build."""
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Return the problems that fail only a strict build."""
        return [problem for problem in self.problems if problem.severity == "warning"]

    def summary(self) -> str:
        """Return "N pages (M code pages) in L languages": build, check and serve say it in the same words."""
        pages = sum(1 for path in self.paths if path.endswith(".html"))
        codes, languages = (len(self.site.entries), len(self.site.config.languages)) if self.site else self.counts
        return f"{pages} pages ({codes} code pages) in {languages} language{'' if languages == 1 else 's'}"

    def failed(self, strict: bool = False) -> bool:
        """Return whether the build must not be written."""
        return bool(self.errors or (strict and self.warnings))


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Return the problems once each, ordered by path and line."""
    return sorted(dict.fromkeys(problems), key=Problem.sort_key)
