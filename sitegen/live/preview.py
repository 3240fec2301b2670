"""``sitegen serve``: build, serve from memory, rebuild on every save, tell the browser.

Wires the pipeline (:func:`sitegen.engine.build.build_site` with stages that keep their
results in memory and in the project's cache), the watcher and the server together:
events -> filter -> debounce -> classify (:mod:`sitegen.live.watch`) -> narrowest rebuild ->
publish -> notify (:mod:`sitegen.live.serve`). After a save of a code page, the open pages
that show it are made from the last build and sent before the site is built
(:mod:`sitegen.engine.quick`); the open pages are then made first in the output stage, and
each is sent to its page as soon as it is made (if its bytes are not those sent), when
nothing of the build failed so far: the page the author looks at does not wait for the rest
of the site. A failed build never stops the server: the last good site stays served, its
errors show over every open page and in the terminal, and the next good build clears them.
Warnings show the same way over the new pages.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sitegen.config import CONFIG_FILE, PYPROJECT, load_config
from sitegen.engine.build import build_site, open_stages
from sitegen.engine.quick import LastBuild, quick_pages
from sitegen.engine.stages import EarlyPages
from sitegen.live.serve import LiveSite, PreviewServer
from sitegen.live.watch import SETTLE_SECONDS, Changes, Classifier, Watcher
from sitegen.render.policy import security_headers
from sitegen.site import urls

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
    from pathlib import Path

    from sitegen.engine.result import BuildResult
    from sitegen.site.model import Config, Problem

log = logging.getLogger(__name__)

OVERLAY_LIMIT = 50
"""Problems shown over a page at most; the terminal lists them all."""

SAVE_AFTER_SECONDS = 2.0
"""How long the preview waits without a rebuild before it writes the cache to disk: at
9,000 pages, writing what an edit changed (the table of what every view read) took ~0.3 s,
during which the next save would wait."""

WAKE_SECONDS = 0.25
"""How often :meth:`Preview.wait` wakes to run a Ctrl+C that arrived as it went to sleep."""


def watch_targets(config: Config) -> Classifier:
    """Return what the preview watches: the project's folders and its configuration."""
    return Classifier(
        {config.content_dir: "content", config.templates_dir: "templates", config.static_dir: "static", config.locales_dir: "locales"},
        {config.root / CONFIG_FILE: "config", config.root / PYPROJECT: "config"},
        ignore=[config.output_dir],
    )


def changed_paths(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[str]:
    """Return the output paths added, removed or changed between two builds."""
    return sorted(path for path in old.keys() | new.keys() if old.get(path) != new.get(path))


def overlay_lines(problems: Sequence[Problem]) -> list[str]:
    """Return the lines shown over the pages: every problem as ``path:line: message``, errors first."""
    ordered = sorted(problems, key=lambda problem: problem.severity != "error")
    lines = [problem.format() for problem in ordered[:OVERLAY_LIMIT]]
    if len(ordered) > OVERLAY_LIMIT:
        lines.append(f"... and {len(ordered) - OVERLAY_LIMIT} more: run 'sitegen check' for all of them")
    return lines


def freeze_heap() -> None:
    """Collect garbage, then leave every live object out of later collections.

    The stages remember a large heap of long-lived objects; a full collection walks all
    of it (30 ms on a 75-code site) and would fall in the middle of an edit's rebuild.
    Called after the builds that replace most of that heap (the first, a template,
    catalog or configuration change), so that garbage from before is collected first.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


@contextmanager
def collector_paused(pause: bool) -> Iterator[None]:
    """Run the block without garbage collection if ``pause`` (and the collector was on).

    For a rebuild after an edit of content, until its pages are told: at 9,000 pages the
    collector's passes over what the rebuild makes were a third of it (0.7 of 2.2 s). Not
    for a build that makes every page: without the collector, a cold build of those 9,000
    pages took 862 MB instead of ~360 (markdown and templates leave cycles behind).
    """
    paused = pause and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


class Preview:
    """A live preview of one project: call :meth:`start`, then :meth:`close`."""

    def __init__(
        self,
        config: Config,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        strict: bool = False,
        search: bool = False,
        delay: float = SETTLE_SECONDS,
        save_after: float = SAVE_AFTER_SECONDS,
        report: Callable[[Sequence[Problem]], None] = lambda problems: None,
        say: Callable[[str], None] = lambda text: None,
    ) -> None:
        self.config = config
        self.strict = strict
        self.search = search
        """Whether to make the search index after every build (``--search``): it costs about a second."""
        self.site = LiveSite(urls.base_path(config))
        self.builds = 0
        """How many builds have run, the first included."""
        self._report = report
        self._say = say
        self._stages = open_stages(config, keep_in_memory=True)
        self._lock = threading.Lock()
        self._reported: list[Problem] = []
        self._config_failed = False
        """Whether the configuration could not be read last time: read it again on any change."""
        self._last: LastBuild | None = None
        """The last build published: quick pages are made from it (:meth:`_push_quick`)."""
        self._stopped = threading.Event()
        self._save_after = save_after
        self._save_due: float | None = None
        """When to write the cache (:func:`time.monotonic`), if a rebuild left it unwritten."""
        self._save_wake = threading.Condition()
        self._saver = threading.Thread(target=self._save_when_idle, name="sitegen-cache-writer", daemon=True)
        """Writes the cache once no rebuild came for :data:`SAVE_AFTER_SECONDS`."""
        self._closed = False
        # binds now: a port in use fails here; the policy is the built site's: live reload needs no more
        self._server = PreviewServer(self.site, host, port, dict(security_headers()))
        self._watcher = Watcher(watch_targets(config), self.rebuild, delay)

    @property
    def url(self) -> str:
        """Return the URL of the site's home page."""
        return self._server.url

    def start(self) -> None:
        """Watch, build once, and start serving (the errors page if that build failed)."""
        self._watcher.start()  # first, so that no save during the first build is missed
        self._saver.start()
        self.rebuild(None)
        self._server.start()

    def wait(self) -> None:
        """Block until :meth:`close` (or Ctrl+C)."""
        # In slices: CPython runs a signal's handler between bytecodes. A Ctrl+C that lands
        # as this thread goes to sleep (its GIL released, the lock's wait not begun) is
        # seen only when the thread wakes; an untimed wait would never wake.
        while not self._stopped.wait(WAKE_SECONDS):
            pass

    def close(self) -> None:
        """Stop watching and serving."""
        self._watcher.close()
        self._server.close()
        with self._save_wake:
            self._closed = True
            self._save_wake.notify()
        with self._lock:
            self._stages.cache.close()  # writes what is not written yet
        self._stopped.set()

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def rebuild(self, changes: Changes | None) -> None:
        """Build again after ``changes`` (or from scratch), then publish or show the errors."""
        with self._lock:
            started = time.perf_counter()
            try:
                self._rebuild(changes, started)
            except Exception as error:  # a bug must not stop the preview: show it, start afresh
                log.debug("rebuild failed", exc_info=True)
                self._stages.cache.close()
                self._stages = open_stages(self.config, keep_in_memory=True)
                self._last = None
                line = f"sitegen: internal error: {type(error).__name__}: {error} (run with --debug for details)"
                self._say(line)
                self.site.retract_early()
                self.site.show_problems([line], failed=True)
            finally:
                self.builds += 1

    def _rebuild(self, changes: Changes | None, started: float) -> None:
        swapped: list[str] = []
        if changes is not None:
            if ("config" in changes.kinds or self._config_failed) and not self._reload_config():
                return
            swapped = self._swap_stylesheets(changes)
        built = False
        try:
            with collector_paused(changes is not None and changes.kinds <= {"content"}):
                early = self._early(changes)
                if early is not None and changes is not None and changes.kinds == {"content"}:
                    self._push_quick(changes["content"], early)
                result = build_site(self.config, self._stages, search=self.search, early=early)
                built = True
                self._publish(result, changes, swapped, started)
        finally:
            if built:
                self._after_publish(changes)

    def _after_publish(self, changes: Changes | None) -> None:
        """Write the cache and collect garbage: what can wait until the pages are told."""
        if changes is None:
            self._stages.finish()  # the first build prunes what the cache holds from older builds
        else:
            # a rebuild only adds (pruning would cost every edit), and writes it once the edits pause
            self._stages.cache.forget_unused()
            self._save_later()
        if changes is None or changes.kinds & {"templates", "locales", "config"}:
            freeze_heap()
        else:
            gc.collect()  # the rebuild's garbage, in one pass over what is not frozen

    def _save_later(self) -> None:
        """Write the cache to disk once no rebuild has come for a while (or on :meth:`close`)."""
        with self._save_wake:
            self._save_due = time.monotonic() + self._save_after
            self._save_wake.notify()

    def _save_when_idle(self) -> None:
        """The cache writer's thread: one for the server's life, waiting for a save to be due."""
        while True:
            with self._save_wake:
                while not self._closed and (self._save_due is None or time.monotonic() < self._save_due):
                    self._save_wake.wait(None if self._save_due is None else self._save_due - time.monotonic())
                if self._closed:
                    return
                self._save_due = None
            self._save_idle()

    def _save_idle(self) -> None:
        """Write the cache now, unless a rebuild is under way (then later)."""
        if not self._lock.acquire(blocking=False):
            self._save_later()
            return
        try:
            if not self._closed:
                self._stages.cache.save()
        except Exception as error:  # the next save, or close(), tries again
            log.warning("the cache could not be written: %s: %s", type(error).__name__, error)
        finally:
            self._lock.release()

    def _early(self, changes: Changes | None) -> EarlyPages | None:
        """Return the open pages to make first and send at once, after an edit of content,
        templates or catalogs (a static file may reload every page; the configuration may
        move the site)."""
        if changes is None or changes.kinds & {"static", "config"}:
            return None

        def ready(problems: list[Problem]) -> bool:
            return not any(problem.severity == "error" for problem in problems) and not (self.strict and problems)

        return EarlyPages(self.site.open_pages, self.site.push_early, ready)

    def _push_quick(self, files: Collection[Path], early: EarlyPages) -> None:
        """Send the open pages of the edited page files before the site is built
        (:mod:`sitegen.engine.quick`), if the last build was published."""
        last = self._last
        wanted = early.pages()
        if last is None or not wanted or self.site.snapshot.failed:
            return
        try:
            pages = quick_pages(self._stages, self.config, last, files, wanted, early.ready)
        except Exception as error:  # a bug: the page waits for the build
            log.warning("the open page could not be made before the site: %s: %s", type(error).__name__, error)
            log.debug("quick pages failed", exc_info=True)
            return
        for path, data in pages.items():
            early.push(path, data)

    def _publish(self, result: BuildResult, changes: Changes | None, swapped: list[str], started: float) -> None:
        """Serve a build's files and tell the open pages, or show why it failed."""
        work = self._stages.take_work()
        if result.problems != self._reported:
            self._report(result.problems)
            if not result.problems:
                self._say("No problems left.")
            self._reported = result.problems
        lines = overlay_lines(result.problems)
        if result.failed(self.strict):
            self._last = None
            self.site.retract_early()  # a page sent before a later stage failed
            self.site.show_problems(lines, failed=True)
            self._say("Build failed: still serving the last good build. Fix and save to try again.")
            return
        self._last = LastBuild.of(result)
        changed = changed_paths(self.site.snapshot.files, result.files)
        if swapped:
            self.site.replace(result.files)  # the pages differ only in the stylesheet's ?v=
        else:
            static = [path for path in changed if path.startswith("static/")]
            self.site.publish(result.files, changed, reload_all=any(not path.endswith(".css") for path in static))
        if lines:
            self.site.show_problems(lines, failed=False)
        else:
            self.site.clear_problems()
        elapsed = (time.perf_counter() - started) * 1000
        if changes is None:
            self._say(f"Built {result.summary()}, in {elapsed:.0f} ms.")
            return
        if swapped:
            changed = [f"{', '.join(swapped)} swapped in, and the links to it in {len(changed)} pages"]
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        self._say(f"Rebuilt in {elapsed:.0f} ms: {shown or 'no file changed'}.")
        log.debug("rebuilt: loaded %s, rendered %d entries and %d outputs", work.loaded, len(work.entries), len(work.outputs))

    def _reload_config(self) -> bool:
        """Read the configuration again; return whether it can be built with."""
        config, problems = load_config(self.config.root, drafts=self.config.drafts)
        if problems:
            self._report(problems)
        usable = not any(problem.severity == "error" for problem in problems) and not (self.strict and problems)
        if config is None or not usable:
            self._config_failed = True
            self.site.show_problems(overlay_lines(problems), failed=True)
            return False
        self._config_failed = False
        if watch_targets(config).folders != watch_targets(self.config).folders:
            self._say("The folders in the configuration changed: restart 'sitegen serve' to watch the new ones.")
        self.config = config
        return True

    def _swap_stylesheets(self, changes: Changes) -> list[str]:
        """Serve changed stylesheets before the pages are rendered again; return them.

        Only a change of CSS files alone qualifies: open pages swap their stylesheet
        without reloading, and the pages rendered next differ only in its ``?v=``.
        """
        snapshot = self.site.snapshot
        if changes.kinds != {"static"} or not snapshot.built or snapshot.failed:
            return []
        static, problems = self._stages.read_static(self.config)
        if problems:
            return []  # a file refused: take the usual way, which reports it
        if set(static) != {path for path in snapshot.files if path.startswith("static/")}:
            return []  # a file added or removed: pages may change, take the usual way
        changed = [path for path, data in static.items() if snapshot.files[path] != data]
        if not changed or not all(path.endswith(".css") for path in changed):
            return []
        files = {**snapshot.files, **static}
        version = hashlib.sha256(b"".join(static[path] for path in changed)).hexdigest()[:10]
        self.site.publish_stylesheets(files, [self.site.mount + path for path in changed], version)
        return changed
