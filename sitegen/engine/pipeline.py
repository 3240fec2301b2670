"""The pipeline: load -> validate -> resolve -> markdown -> templates -> outputs, every
problem collected, every costly stage cached (:mod:`sitegen.engine.stages`).

:func:`run_pipeline` is the order of the stages, and nothing else; :func:`sitegen.engine.build.build_site`
runs it (after checking that the last build's inputs have changed at all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitegen.content.callouts import PYTHON_MESSAGES as CALLOUT_MESSAGES
from sitegen.content.comparisons import COMPARE_FILE, load_comparisons
from sitegen.content.guide import GUIDE_FILE, check_leaves, load_guides
from sitegen.engine.memory import release
from sitegen.engine.result import BuildResult, sorted_problems
from sitegen.output.hosting import hosting_files
from sitegen.render.bodies import body_meta, check_anchors, without_markdown, without_texts
from sitegen.render.comparisons import COLUMNS, VALUES
from sitegen.render.exchange import EXCHANGE_CAPTION, EXCHANGE_WORDS, LANES
from sitegen.render.guide import OVERVIEW_DESC, OVERVIEW_TITLE
from sitegen.render.i18n import check_catalogs
from sitegen.render.navigation import PYTHON_MESSAGES as NAVIGATION_MESSAGES
from sitegen.render.plan import STYLESHEET, plan_aliases, plan_outputs
from sitegen.render.reads import Recorder
from sitegen.render.views import Renderer
from sitegen.site.constants import load_constants
from sitegen.site.facts_check import check_facts
from sitegen.site.model import Problem
from sitegen.site.registry import CLASS_NAMES
from sitegen.site.resolve import Site, resolve_site, with_backlinks
from sitegen.site.translations import outdated_intros, outdated_pages, untranslated_pages
from sitegen.site.validate import validate_pages

if TYPE_CHECKING:
    from sitegen.engine.stages import EarlyPages, Stages
    from sitegen.output.write import MemorySink, Sink
    from sitegen.site.model import Config, Intro


PYTHON_MESSAGES = {
    **dict.fromkeys(CLASS_NAMES.values(), "sitegen/site/registry.py"),
    **dict.fromkeys([*COLUMNS.values(), *VALUES.values()], "sitegen/render/comparisons.py"),
    **dict.fromkeys([*LANES.values(), *EXCHANGE_WORDS, EXCHANGE_CAPTION], "sitegen/render/exchange.py"),
    **dict.fromkeys([OVERVIEW_TITLE, OVERVIEW_DESC], "sitegen/render/guide.py"),
    **dict.fromkeys(NAVIGATION_MESSAGES, "sitegen/render/navigation.py"),
    **dict.fromkeys(CALLOUT_MESSAGES, "sitegen/content/callouts.py"),
}
"""UI strings marked in Python rather than in templates."""


def unused_intros(site: Site, intros: list[Intro]) -> list[Problem]:
    """Return a warning for each class intro whose class has no code: no page shows it."""
    classes = {f"{code // 100}xx" for code in site.codes}
    return [
        Problem(intro.source.path, None, f"no {intro.key} code has a page: this intro is not shown", "warning")
        for intro in intros
        if intro.key != "index" and intro.key not in classes
    ]


def run_pipeline(
    config: Config, stages: Stages, sink: Sink, memory: MemorySink | None, *, search: bool = False, early: EarlyPages | None = None
) -> tuple[BuildResult, bool]:
    """Run every stage, giving the outputs to ``sink``; return the result, and whether
    the build asked git (which is no file: such a build is not remembered whole; the dates
    of "Last updated" are the commit's, which the build's key holds). ``search``: make the
    search index once every page is made, if there is no error. ``early``: pages made
    first, and pushed as soon as made if nothing of the build failed before the outputs."""
    problems: list[Problem] = []
    asked_git: list[str] = []
    changed_since = stages.git_changed_since(config)

    def changed(path: str, commit: str) -> bool | None:
        asked_git.append(path)
        return changed_since(path, commit)

    with stages.timed("load"):
        pages, found = stages.load_pages(config)
        problems += found
        pages, found = validate_pages(pages)
        problems += found
        problems += untranslated_pages(pages, config)
        intros, found = stages.load_intros(config)
        problems += found
        glossaries, found = stages.load_glossaries(config)
        problems += found
        # the wording of a draft (a translation skeleton still in English...) is checked once it
        # is ready, or with --drafts: a page in the works never fails a strict build by it
        sources = [(page.language, page.source) for page in pages if config.drafts or not page.draft]
        sources += [(intro.language, intro.source) for intro in intros if config.drafts or not intro.draft]
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
        site, found = resolve_site(
            pages, config, outdated_pages(pages, config, changed), intros, comparisons, guides, outdated_intros(intros, config, changed)
        )
        problems += found
        problems += unused_intros(site, intros)
        problems += check_leaves(guides, site.codes, config.source_language)
        site = without_texts(site, stages.page_memo("texts"))  # checked: the pages' text is let go
        del pages, sources
        release(len(site.entries))
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
            key: [*site.entries[key].see_also, *(reference.code for reference in body_meta(rendered.bodies, key).references)]
            for key in rendered.bodies
        }
        # the pages' text and markdown are let go: the outputs need only what was rendered
        site = without_markdown(with_backlinks(site, links), stages.page_memo("markdown"))
        release(len(site.entries))

    with stages.timed("templates"):
        templates, found, messages = stages.load_templates(config)
        problems += found
        problems += check_catalogs(catalogs.translations, {**messages, **PYTHON_MESSAGES}, config)
    if found:
        return BuildResult({}, sorted_problems(problems), site), bool(asked_git)
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
        history = stages.load_history(config)
        # the renderer reads entries through mappings that note what each view reads
        recorder = Recorder(stages.read_memory())
        watched_site, watched_rendered = recorder.watch(site, rendered)
        renderer = Renderer(
            watched_site,
            watched_rendered,
            templates.environment,
            catalogs.translations,
            static_files,
            rendered_intros,
            locale_text,
            history,
        )
        recorder.attach(renderer)
        # the search index is fed while pages are made (Pagefind works on another core)
        feed = stages.search_feed(sink) if search and not any(problem.severity == "error" for problem in problems) else None
        first = early if early is not None and early.ready(sorted_problems(problems)) else None
        problems += stages.render_outputs(renderer, recorder, outputs, sink, templates, catalogs, feed, first)
        hosting = hosting_files(config, outputs, static_files)
        stages.put_files(hosting, sink)
        stages.put_files(static_files, sink)
    index: dict[str, bytes] = {}
    if feed is not None and any(problem.severity == "error" for problem in problems):
        feed.close()
    elif feed is not None:
        with stages.timed("search"):
            index, found = stages.index_search(feed)
            problems += found
            stages.put_files(index, sink)
    if memory is not None:
        stages.keep_sink(memory)
    paths = tuple(sorted(outputs.keys() | hosting.keys() | static_files.keys() | index.keys()))
    files = dict(sorted(memory.files.items())) if memory is not None else {}
    return BuildResult(files, sorted_problems(problems), site, renderer, paths, rendered=rendered), bool(asked_git)
