"""The pipeline: load -> validate -> resolve -> render, with every problem collected.

``build_site`` stops short of writing, so ``check`` and ``build`` (and the dev server)
share every stage; only :func:`sitegen.output.write.write_site` touches ``_site/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sitegen.content.comparisons import load_comparisons
from sitegen.content.glossary import load_glossaries
from sitegen.content.guide import check_leaves, load_guides
from sitegen.content.intros import load_intros
from sitegen.content.load import load_pages
from sitegen.content.markdown import create_markdown
from sitegen.output.hosting import hosting_files
from sitegen.output.write import read_static
from sitegen.render.bodies import check_anchors, render_intros, render_markdown
from sitegen.render.comparisons import COLUMNS, VALUES
from sitegen.render.exchange import EXCHANGE_CAPTION, GATEWAY_FAILURES, LANES
from sitegen.render.guide import OVERVIEW_DESC, OVERVIEW_TITLE
from sitegen.render.i18n import check_catalogs, load_translations
from sitegen.render.plan import STYLESHEET, plan_aliases, plan_outputs
from sitegen.render.templating import check_templates, create_environment, template_messages
from sitegen.render.views import Renderer, render_outputs
from sitegen.site.constants import load_constants
from sitegen.site.facts_check import check_facts
from sitegen.site.model import Problem
from sitegen.site.registry import CLASS_NAMES
from sitegen.site.resolve import Site, resolve_site, with_backlinks
from sitegen.site.translations import git_changed_since, outdated_pages
from sitegen.site.validate import validate_pages
from sitegen.site.wording import check_glossaries, check_typography

if TYPE_CHECKING:
    from collections.abc import Mapping

    import jinja2
    from babel.support import NullTranslations
    from markdown_it import MarkdownIt

    from sitegen.render.bodies import Rendered, RenderedIntro
    from sitegen.render.plan import Output
    from sitegen.site.model import Config, Intro, Page


PYTHON_MESSAGES = {
    **dict.fromkeys(CLASS_NAMES.values(), "sitegen/site/registry.py"),
    **dict.fromkeys([*COLUMNS.values(), *VALUES.values()], "sitegen/render/comparisons.py"),
    **dict.fromkeys([*LANES.values(), *GATEWAY_FAILURES.values(), EXCHANGE_CAPTION], "sitegen/render/exchange.py"),
    **dict.fromkeys([OVERVIEW_TITLE, OVERVIEW_DESC], "sitegen/render/guide.py"),
}
"""UI strings marked in Python rather than in templates."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build produced: the files of the site and every problem met."""

    files: dict[str, bytes]
    problems: list[Problem]
    site: Site | None = None
    renderer: Renderer | None = field(default=None, compare=False)

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
        pages = sum(1 for path in self.files if path.endswith(".html"))
        codes = len(self.site.entries) if self.site else 0
        languages = len(self.site.config.languages) if self.site else 0
        return f"{pages} pages ({codes} code pages) in {languages} language{'' if languages == 1 else 's'}"

    def failed(self, strict: bool = False) -> bool:
        """Return whether the build must not be written."""
        return bool(self.errors or (strict and self.warnings))


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Return the problems once each, ordered by path and line."""
    return sorted(dict.fromkeys(problems), key=Problem.sort_key)


class Stages:
    """The costly stages of a build, as plain calls.

    :func:`build_site` runs the pipeline through these; the dev server passes a subclass
    that remembers what each one produced and redoes only what a change touched
    (:mod:`sitegen.engine.incremental`). The order of the stages stays here, in one place.
    """

    def load_pages(self, config: Config) -> tuple[list[Page], list[Problem]]:
        """Return every page under ``content/`` and the problems met reading them."""
        return load_pages(config)

    def load_intros(self, config: Config) -> tuple[list[Intro], list[Problem]]:
        """Return every intro page (``index.md``, ``4xx.md``) and the problems met reading them."""
        return load_intros(config)

    def load_translations(self, config: Config) -> tuple[Mapping[str, NullTranslations], list[Problem]]:
        """Return the UI translations of every language."""
        return load_translations(config)

    def render_markdown(self, site: Site, md: MarkdownIt) -> tuple[Rendered, list[Problem]]:
        """Return the rendered markdown of every entry."""
        return render_markdown(site, md)

    def render_intros(self, site: Site, md: MarkdownIt) -> tuple[Mapping[tuple[str, str], RenderedIntro], list[Problem]]:
        """Return every intro page rendered for its reader."""
        return render_intros(site, md)

    def load_templates(self, config: Config) -> tuple[jinja2.Environment, list[Problem]]:
        """Return the Jinja environment and the templates' syntax errors."""
        environment = create_environment(config.templates_dir, config)
        return environment, check_templates(environment, config)

    def read_static(self, config: Config) -> tuple[dict[str, bytes], list[Problem]]:
        """Return the static files, keyed by output path, and the files not copied."""
        return read_static(config)

    def render_outputs(self, renderer: Renderer, outputs: Mapping[str, Output]) -> tuple[dict[str, bytes], list[Problem]]:
        """Return the bytes of every output and the template errors met."""
        return render_outputs(renderer, outputs)


def unused_intros(site: Site, intros: list[Intro]) -> list[Problem]:
    """Return a warning for each class intro whose class has no code: no page shows it."""
    classes = {f"{code // 100}xx" for code in site.codes}
    return [
        Problem(intro.source.path, None, f"no {intro.key} code has a page: this intro is not shown", "warning")
        for intro in intros
        if intro.key != "index" and intro.key not in classes
    ]


def build_site(config: Config, stages: Stages | None = None) -> BuildResult:
    """Run every stage but the write; return the files and the problems."""
    stages = stages or Stages()
    problems: list[Problem] = []
    pages, found = stages.load_pages(config)
    problems += found
    pages, found = validate_pages(pages)
    problems += found
    intros, found = stages.load_intros(config)
    problems += found
    glossaries, found = load_glossaries(config)
    problems += found
    sources = [(page.language, page.source) for page in pages] + [(intro.language, intro.source) for intro in intros]
    problems += check_typography(sources, config.french_typography)
    problems += check_glossaries(sources, glossaries)
    problems += load_constants()[1]
    comparisons, found = load_comparisons(config)
    problems += found
    unreadable = {problem.path for problem in problems if problem.severity == "error"}
    problems += check_facts(pages, comparisons, config, unreadable)
    guides, found = load_guides(config)
    problems += found
    # drafts are checked like every page, then left out of the site (kept with --drafts)
    pages = [page for page in pages if config.drafts or not page.draft]
    intros = [intro for intro in intros if config.drafts or not intro.draft]
    site, found = resolve_site(pages, config, outdated_pages(pages, config, git_changed_since(config)), intros, comparisons, guides)
    problems += found
    problems += unused_intros(site, intros)
    problems += check_leaves(guides, site.codes, config.source_language)
    translations, found = stages.load_translations(config)
    problems += found
    md = create_markdown()
    rendered, found = stages.render_markdown(site, md)
    problems += found
    rendered_intros, found = stages.render_intros(site, md)
    problems += found
    problems += check_anchors(site, rendered)
    links = {
        key: [*site.entries[key].see_also, *(reference.code for reference in body.references)] for key, body in rendered.bodies.items()
    }
    site = with_backlinks(site, links)

    environment, found = stages.load_templates(config)
    problems += found
    problems += check_catalogs(translations, {**template_messages(environment, config), **PYTHON_MESSAGES}, config)
    if found:
        return BuildResult({}, sorted_problems(problems), site)
    static_files, found = stages.read_static(config)
    problems += found
    if STYLESHEET not in static_files:
        problems.append(Problem(config.shown(config.static_dir / "style.css"), None, "stylesheet missing: pages link to it", "warning"))
    outputs = plan_outputs(site)
    aliases, found = plan_aliases(site, outputs.keys() | static_files.keys())
    problems += found
    outputs.update(aliases)
    hosting = hosting_files(config, outputs, static_files)
    renderer = Renderer(site, rendered, environment, translations, static_files, rendered_intros)
    files, found = stages.render_outputs(renderer, outputs)
    problems += found
    files.update(hosting)
    for path, data in static_files.items():
        if path in files:
            problems.append(
                Problem(
                    f"{config.static_dir.name}/{path.removeprefix('static/')}", None, f"static file would overwrite the generated {path}"
                )
            )
        files[path] = data
    return BuildResult(files, sorted_problems(problems), site, renderer)
