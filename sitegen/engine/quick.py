"""Quick pages: the open pages of an edited file, made from the last build before the rest.

After a save of a code page (``content/<lang>/<code>.md``), the dev server first makes the
pages open in a browser that show that file: the last build's site and markdown with
the edited entries replaced (a copy of the site's mappings of entries, ~4 ms at 9,000
pages), one entry's markdown and one view each. Hugo's "fast render" does the same for the
pages being viewed. It sends them at once; the build of the whole site runs just after,
and its publish corrects what this could not know: a page with other bytes is sent them,
the served page is sent back if the build fails or keeps it
(:meth:`sitegen.live.serve.LiveSite.publish`).

Only what one file decides is made here. Anything else gives up, and the page waits for
the whole build: several files saved at once (one may show on the page of another: the
names of the codes a page links to, the outdated notice of a translation whose source page
changed too); a page added, renumbered, made a draft or unreadable; a translation whose
``source_version`` changed (whether it is outdated needs the source page's text); an
open page that shows another file (a fallback of it is made, the pages that link to it
are not); any problem that ``ready`` refuses. The checks that read the whole site (facts,
wording, anchors) are left to the build: a page they fail is sent, then taken back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitegen.render.bodies import without_body, without_text
from sitegen.render.plan import Output
from sitegen.render.views import render_output
from sitegen.site import urls
from sitegen.site.resolve import make_entry, resolve_specs
from sitegen.site.validate import validate_pages

if TYPE_CHECKING:
    from collections.abc import Callable, Collection
    from pathlib import Path

    from sitegen.engine.result import BuildResult
    from sitegen.engine.stages import Stages
    from sitegen.render.bodies import Rendered, RenderedEntry
    from sitegen.render.views import Renderer
    from sitegen.site.model import Config, Page, Problem
    from sitegen.site.resolve import Site


@dataclass(frozen=True)
class LastBuild:
    """What quick pages are made from: a published build's site, markdown and renderer
    (not what its views were watched through: the dev server keeps this between builds)."""

    site: Site
    rendered: Rendered
    renderer: Renderer

    @classmethod
    def of(cls, result: BuildResult) -> LastBuild | None:
        """Return what quick pages need of a build, if it made its pages."""
        if result.site is None or result.rendered is None or result.renderer is None:
            return None
        return cls(result.site, result.rendered, result.renderer.with_site(result.site, result.rendered))


def code_page_key(config: Config, path: str) -> tuple[str, int] | None:
    """Return the entry whose code page is the output ``path`` (``fr/307/index.html``), if any."""
    parts = path.split("/")
    if len(parts) != 3 or parts[2] != "index.html" or not parts[1].isdigit():
        return None
    language = next((language for language in config.languages if language.segment == parts[0]), None)
    if language is None or urls.output_path(urls.page_url(config, language, int(parts[1])), config) != path:
        return None
    return language.tag, int(parts[1])


def quick_pages(
    stages: Stages,
    config: Config,
    last: LastBuild,
    files: Collection[Path],
    wanted: Collection[str],
    ready: Callable[[list[Problem]], bool],
) -> dict[str, bytes]:
    """Return the pages among ``wanted`` (output paths) that show the edited file (the
    one of ``files``), made from ``last`` (a build that did not fail) with that file loaded
    again; empty if several files changed, if the page cannot be told from its file alone
    or if ``ready`` refuses the problems met."""
    site, rendered, renderer = last.site, last.rendered, last.renderer
    if site.config != config or len(files) != 1:
        return {}
    (file,) = files
    source = config.shown(file)
    # the entries the file gives: its own, and the fallback copies of it in other languages
    keys: dict[str, tuple[str, int]] = {}
    for path in wanted:
        key = code_page_key(config, path)
        entry = site.entries.get(key) if key is not None else None
        if key is not None and entry is not None and entry.page.source.path == source:
            keys[path] = key
    if not keys:
        return {}
    old = site.entries[next(iter(keys.values()))].page
    page, found = stages.load_page(config, old.language, file)
    problems = list(found)
    if page is None or not _same_entry(page, old, config):
        return {}
    problems += validate_pages([page])[1]
    specs, found = resolve_specs(page)
    problems += found
    entries = {
        key: make_entry(site.entries[key].language, without_text(page), site.entries[key].translated, site.entries[key].outdated, specs)
        for key in keys.values()
    }
    with_text = dataclasses.replace(site, entries={**site.entries, **entries})
    markdown: dict[tuple[str, int], tuple[RenderedEntry, bytes]] = {}
    for key in entries:
        result = stages.render_entry(with_text, key, rendered.bodies)
        problems += result.problems
        markdown[key] = (result.rendered, result.html)
    if not ready(problems):
        return {}
    done = {key: dataclasses.replace(entry, page=without_body(entry.page)) for key, entry in entries.items()}
    quick = renderer.with_site(dataclasses.replace(site, entries={**site.entries, **done}), rendered.with_entries(markdown))
    made: dict[str, bytes] = {}
    for path, (tag, code) in sorted(keys.items()):
        output = Output("code", tag, code)
        data = render_output(quick, output, quick.view(output))
        if not isinstance(data, bytes):
            return {}
        made[path] = data
    return made


def _same_entry(page: Page, old: Page, config: Config) -> bool:
    """Return whether an edited page stays the entry it was, as its file alone can tell."""
    if (page.language, page.code) != (old.language, old.code) or (page.draft and not config.drafts):
        return False
    # a translation's outdated notice compares its source_version with the source page's text
    return page.language == config.source_language or page.source_version == old.source_version
