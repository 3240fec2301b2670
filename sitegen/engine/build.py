"""The pipeline: load -> validate -> resolve -> markdown -> templates -> outputs, every
problem collected, every costly stage cached (:mod:`sitegen.engine.stages`).

A full build is a rebuild from an empty cache: ``sitegen build``, ``check``, the dev server
and the tests all run :func:`build_site`, with a cache that is persistent
(:func:`open_stages`), kept in memory (the dev server) or empty (``--no-cache``, tests).
The outputs go to a *sink* as they are made (:mod:`sitegen.output.write`): the command line
writes them into the new ``_site/`` at once, the dev server and the tests keep them in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sitegen.content.comparisons import COMPARE_FILE, load_comparisons
from sitegen.content.guide import GUIDE_FILE, check_leaves, load_guides
from sitegen.engine.cache import Cache
from sitegen.engine.keys import fingerprint
from sitegen.engine.stages import Stages
from sitegen.output.hosting import hosting_files
from sitegen.output.write import WrittenFile
from sitegen.render.bodies import check_anchors
from sitegen.render.comparisons import COLUMNS, VALUES
from sitegen.render.exchange import EXCHANGE_CAPTION, EXCHANGE_WORDS, LANES
from sitegen.render.guide import OVERVIEW_DESC, OVERVIEW_TITLE
from sitegen.render.i18n import check_catalogs
from sitegen.render.plan import STYLESHEET, plan_aliases, plan_outputs
from sitegen.render.views import Renderer
from sitegen.site.constants import load_constants
from sitegen.site.facts_check import check_facts
from sitegen.site.model import Problem
from sitegen.site.registry import CLASS_NAMES
from sitegen.site.resolve import Site, resolve_site, with_backlinks
from sitegen.site.translations import git_changed_since, outdated_pages
from sitegen.site.validate import validate_pages

if TYPE_CHECKING:
    from pathlib import Path

    from sitegen.output.write import Manifest, Sink
    from sitegen.site.model import Config, Intro


PYTHON_MESSAGES = {
    **dict.fromkeys(CLASS_NAMES.values(), "sitegen/site/registry.py"),
    **dict.fromkeys([*COLUMNS.values(), *VALUES.values()], "sitegen/render/comparisons.py"),
    **dict.fromkeys([*LANES.values(), *EXCHANGE_WORDS, EXCHANGE_CAPTION], "sitegen/render/exchange.py"),
    **dict.fromkeys([OVERVIEW_TITLE, OVERVIEW_DESC], "sitegen/render/guide.py"),
}
"""UI strings marked in Python rather than in templates."""


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
        codes = len(self.site.entries) if self.site else 0
        languages = len(self.site.config.languages) if self.site else 0
        return f"{pages} pages ({codes} code pages) in {languages} language{'' if languages == 1 else 's'}"

    def failed(self, strict: bool = False) -> bool:
        """Return whether the build must not be written."""
        return bool(self.errors or (strict and self.warnings))


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Return the problems once each, ordered by path and line."""
    return sorted(dict.fromkeys(problems), key=Problem.sort_key)


def unused_intros(site: Site, intros: list[Intro]) -> list[Problem]:
    """Return a warning for each class intro whose class has no code: no page shows it."""
    classes = {f"{code // 100}xx" for code in site.codes}
    return [
        Problem(intro.source.path, None, f"no {intro.key} code has a page: this intro is not shown", "warning")
        for intro in intros
        if intro.key != "index" and intro.key not in classes
    ]


def build_site(config: Config, stages: Stages | None = None, sink: Sink | None = None) -> BuildResult:
    """Run every stage, giving the outputs to ``sink`` (kept in memory if ``None``);
    return the files and the problems. Nothing is written to the cache's disk until the
    caller's :meth:`Stages.finish`."""
    stages = stages or Stages()
    memory = stages.memory_sink() if sink is None else None
    sink = sink if sink is not None else memory
    assert sink is not None
    stages.start()
    problems: list[Problem] = []
    with stages.timed("load"):
        pages, found = stages.load_pages(config)
        problems += found
        pages, found = validate_pages(pages)
        problems += found
        intros, found = stages.load_intros(config)
        problems += found
        glossaries, found = stages.load_glossaries(config)
        problems += found
        sources = [(page.language, page.source) for page in pages] + [(intro.language, intro.source) for intro in intros]
        problems += stages.check_wording(sources, config.french_typography, glossaries)
        problems += load_constants()[1]
        comparisons, found = stages.load_data(config, COMPARE_FILE, load_comparisons)
        problems += found
        unreadable = {problem.path for problem in problems if problem.severity == "error"}
        problems += check_facts(pages, comparisons, config, unreadable)
        guides, found = stages.load_data(config, GUIDE_FILE, load_guides)
        problems += found
        # drafts are checked like every page, then left out of the site (kept with --drafts)
        pages = [page for page in pages if config.drafts or not page.draft]
        intros = [intro for intro in intros if config.drafts or not intro.draft]
    with stages.timed("resolve"):
        site, found = resolve_site(pages, config, outdated_pages(pages, config, git_changed_since(config)), intros, comparisons, guides)
        problems += found
        problems += unused_intros(site, intros)
        problems += check_leaves(guides, site.codes, config.source_language)
    with stages.timed("catalog"):
        catalogs, found = stages.load_catalogs(config)
        problems += found
    with stages.timed("markdown"):
        rendered, found = stages.render_markdown(site)
        problems += found
        rendered_intros, found = stages.render_intros(site)
        problems += found
        problems += check_anchors(site, rendered)
        links = {
            key: [*site.entries[key].see_also, *(reference.code for reference in body.references)] for key, body in rendered.bodies.items()
        }
        site = with_backlinks(site, links)

    with stages.timed("templates"):
        templates, found, messages = stages.load_templates(config)
        problems += found
        problems += check_catalogs(catalogs.translations, {**messages, **PYTHON_MESSAGES}, config)
    if found:
        return BuildResult({}, sorted_problems(problems), site)
    with stages.timed("output"):
        static_files, found = stages.read_static(config)
        problems += found
        if STYLESHEET not in static_files:
            problems.append(Problem(config.shown(config.static_dir / "style.css"), None, "stylesheet missing: pages link to it", "warning"))
        outputs = plan_outputs(site)
        aliases, found = plan_aliases(site, outputs.keys() | static_files.keys())
        problems += found
        outputs.update(aliases)
        for path in static_files:
            if path in outputs:
                problems.append(
                    Problem(
                        f"{config.static_dir.name}/{path.removeprefix('static/')}",
                        None,
                        f"static file would overwrite the generated {path}",
                    )
                )
                del outputs[path]
        locale_text = stages.locale_text()
        renderer = Renderer(site, rendered, templates.environment, catalogs.translations, static_files, rendered_intros, locale_text)
        problems += stages.render_outputs(renderer, outputs, sink, templates, catalogs)
        hosting = hosting_files(config, outputs, static_files)
        stages.put_files(hosting, sink)
        stages.put_files(static_files, sink)
    if memory is not None:
        stages.keep_sink(memory)
    paths = tuple(sorted(outputs.keys() | hosting.keys() | static_files.keys()))
    files = dict(sorted(memory.files.items())) if memory is not None else {}
    return BuildResult(files, sorted_problems(problems), site, renderer, paths)


def open_stages(config: Config, *, persistent: bool = True, keep_in_memory: bool = False) -> Stages:
    """Return stages on the project's persistent cache (or on none: a cold build)."""
    from sitegen.engine.store import Store

    store = Store(config.cache_folder) if persistent else None
    return Stages(Cache(store, keep_in_memory=keep_in_memory))


def manifest_key(output_dir: Path) -> str:
    """Return the cache key of the manifest of an output folder."""
    return fingerprint("manifest", str(output_dir.resolve()))


def load_manifest(stages: Stages, output_dir: Path) -> Manifest:
    """Return what the last build wrote into ``output_dir`` (empty if unknown)."""
    manifest = stages.cache.get("manifest", manifest_key(output_dir))
    if not isinstance(manifest, dict) or not all(isinstance(value, WrittenFile) for value in manifest.values()):
        return {}
    return manifest


def save_manifest(stages: Stages, output_dir: Path, manifest: Manifest) -> None:
    """Remember what this build wrote into ``output_dir``."""
    stages.cache.put("manifest", manifest_key(output_dir), manifest)
