"""``make bench``: how long a full build takes, and how soon an edit shows in the browser.

Runs on a temporary copy of the real project (``--synthetic N`` adds pages up to N codes
in every language, the size of the finished reference; ``--corpus 500x18`` puts peer-bench's
synthetic pages in its place instead, 500 codes in 18 languages, the issue's 9,000 pages). It
starts the real server (``python -m sitegen serve``) on a free port, edits one page again and
again (``content/en/307.md``; in a corpus, the first page of its source language), and
measures from the file write to:

- the ``reload`` event naming the page, read by a client of the event stream;
- the page fetched right after that event, with the new text in it;
- the new page shown in Chromium (its first frame after loading), if Chromium and
  Playwright are installed.

Each edit is measured alone: it is made once the server has built the site after the last
one (the open page is shown before that, at 9,000 pages long before) and ``--pause`` later.

The goal (issue 12, "The engine"): under 50 ms median and 100 ms p95 from the write; under
300 ms at 9,000 pages.
"""

from __future__ import annotations

import argparse
import math
import os
import queue
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.config import load_config
from sitegen.engine.build import build_site
from sitegen.engine.cache import Cache
from sitegen.engine.stages import Stages
from sitegen.output.search import index_site, indexed_pages
from tests.live import Client, EventStream
from tests.projects import copy_project, enlarge

PAGE = "content/en/307.md"
ANCHOR = "Use a 307 when"
GOAL_MEDIAN, GOAL_P95 = 50.0, 100.0
GOAL_LARGE = 300.0
"""The goal at 9,000 pages: the median under this (ms)."""
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOWN_AT = """
(() => {
  const stamp = () => requestAnimationFrame(() => {
    window.benchShownAt = performance.timeOrigin + performance.now();
  });
  addEventListener("DOMContentLoaded", () => {
    stamp();
    new MutationObserver(stamp).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  });
})();
"""
"""Records, in wall-clock milliseconds, the first frame after a document loaded or changed:
the new page is shown either way, reloaded or refreshed in place."""


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def summary(values: Sequence[float]) -> str:
    return f"median {statistics.median(values):6.1f} ms   p95 {percentile(values, 0.95):6.1f} ms   ({len(values)} edits)"


class Server:
    """``python -m sitegen serve`` on a free port, with what it prints."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "serve", "--root", str(root), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.said: list[str] = []
        """Every line the server printed."""
        threading.Thread(target=self._read, daemon=True).start()
        self.url = ""
        while not self.url:
            line = self.lines.get(timeout=1800)  # the first build of 9,000 pages: minutes
            if line.startswith("Serving "):
                self.url = line.split()[1]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.said.append(line)
            self.lines.put(line)

    def rebuild_times(self) -> list[float]:
        """Return the rebuild times the server printed ("Rebuilt in 12 ms: ...")."""
        return [float(match.group(1)) for line in self.said if (match := re.match(r"Rebuilt in (\d+) ms", line))]

    def wait_rebuilt(self, count: int, timeout: float = 600.0) -> None:
        """Wait until the server has printed ``count`` rebuilds: the build of an edit is over."""
        deadline = time.monotonic() + timeout
        while len(self.rebuild_times()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"fewer than {count} rebuilds within {timeout:.0f} s")
            time.sleep(0.005)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        if self.process.stdout is not None:
            self.process.stdout.close()


@dataclass(frozen=True)
class Edited:
    """The page the bench edits: its file, where it is served, and the words an edit
    replaces (``None``: an edit adds a paragraph at the end, as peer-bench's edit does)."""

    file: str
    url: str
    output: str
    anchor: str | None


REAL_PAGE = Edited(PAGE, "/en/307/", "en/307/index.html", ANCHOR)


class Edits:
    """Edits of the page; the page is put back as it was on exit."""

    def __init__(self, root: Path, pause: float, edited: Edited = REAL_PAGE) -> None:
        self.page = root / edited.file
        self.anchor = edited.anchor
        self.pause = pause
        self.original = self.page.read_text("utf-8")
        assert self.anchor is None or self.anchor in self.original

    def make(self, index: int) -> str:
        """Write edit number ``index``; return the text it adds to the page."""
        if self.anchor is None:
            marker = f"Bench edit {index} adds this paragraph"
            self.page.write_text(f"{self.original.rstrip()}\n\n{marker}.\n", "utf-8")
        else:
            marker = self.anchor.replace(" when", f" (bench edit {index}) when")
            self.page.write_text(self.original.replace(self.anchor, marker, 1), "utf-8")
        return marker

    def __enter__(self) -> Edits:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.page.write_text(self.original, "utf-8")
        time.sleep(self.pause)


def measure_build(root: Path, runs: int) -> tuple[float, float, list[float]]:
    """Return the median full build and incremental rebuild times in ms, in process."""
    config, problems = load_config(root)
    assert config is not None, problems
    builds = []
    for _ in range(runs):
        started = time.perf_counter()
        build_site(config)
        builds.append((time.perf_counter() - started) * 1000)
    stages = Stages(Cache(keep_in_memory=True))
    build_site(config, stages)
    page = root / PAGE
    original = page.read_text("utf-8")
    rebuilds = []
    for index in range(runs * 4):
        page.write_text(original.replace(ANCHOR, f"Use a 307 (rebuild {index}) when"), "utf-8")
        started = time.perf_counter()
        build_site(config, stages)
        rebuilds.append((time.perf_counter() - started) * 1000)
    page.write_text(original, "utf-8")
    return statistics.median(builds), statistics.median(rebuilds), builds


def measure_search(root: Path, runs: int) -> tuple[float, float, int, int] | str:
    """Return the median time of the search stage in ms (wall clock, and CPU time of the
    Pagefind process: the machine may be shared), the pages it indexed and the bytes of its
    bundle; or why it was not measured."""
    config, problems = load_config(root)
    assert config is not None, problems
    if not config.features.search:
        return "search is turned off ([features] search = false in sitegen.toml)"
    files = build_site(config).files
    times: list[float] = []
    cpu: list[float] = []
    bundle: dict[str, bytes] = {}
    for _ in range(runs):
        started, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        bundle, found = index_site(files)
        times.append((time.perf_counter() - started) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime) * 1000)
        if found:
            return "; ".join(problem.format() for problem in found)
    return statistics.median(times), statistics.median(cpu), len(indexed_pages(files)), sum(len(data) for data in bundle.values())


def measure_events(
    server: Server, root: Path, count: int, pause: float, edited: Edited = REAL_PAGE
) -> tuple[list[float], list[float], list[float]]:
    """Return, per edit, ms from the write to the reload event, to the fetched new page, and
    to the new page sent to the open page itself (a stream that says which page it is, as
    the live-reload script's does: it is sent the page as soon as it is made)."""
    stream = EventStream(Client(server.url))
    own = EventStream(Client(server.url), page=edited.output)
    received: queue.Queue[tuple[float, str, object]] = queue.Queue()
    sent: queue.Queue[tuple[float, str, object]] = queue.Queue()

    def listen(stream: EventStream, received: queue.Queue[tuple[float, str, object]]) -> None:
        try:
            while True:
                name, data = stream.next(timeout=3600)
                received.put((time.perf_counter(), name, data))
        except (EOFError, OSError, AssertionError, ValueError, AttributeError):  # closed by measure_events
            pass

    threading.Thread(target=listen, args=(stream, received), daemon=True).start()
    threading.Thread(target=listen, args=(own, sent), daemon=True).start()
    client = Client(server.url)
    to_event, to_page, to_sent = [], [], []
    with Edits(root, pause, edited) as edits:
        for index in range(count):
            time.sleep(pause)  # let the last edit settle, so that each is measured alone
            marker = edits.make(index)
            written = time.perf_counter()
            while True:
                at, name, data = received.get(timeout=600)
                if name == "reload" and edited.output in data["paths"]:  # type: ignore[index]
                    break
            body = client.request(edited.url).body
            fetched = time.perf_counter()
            if marker.encode() not in body:
                raise AssertionError(f"edit {index}: the page fetched after the reload event is not the new one")
            to_event.append((at - written) * 1000)
            to_page.append((fetched - written) * 1000)
            while True:
                at, name, data = sent.get(timeout=600)
                if name == "reload" and marker in data.get("html", ""):  # type: ignore[attr-defined]
                    break
            to_sent.append((at - written) * 1000)
    stream.close()
    own.close()
    return to_event, to_page, to_sent


def wait_in(page: Any, expression: str, timeout: float = 30.0) -> Any:
    """Return the value of ``expression`` in the page once it is truthy.

    Not ``page.wait_for_function``: when its first check fails, it polls a predicate built
    with ``eval``, which the pages' Content-Security-Policy forbids (no ``'unsafe-eval'``).
    """
    deadline = time.monotonic() + timeout
    while not (value := page.evaluate(expression)):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout:.0f} s: {expression}")
        time.sleep(0.001)
    return value


def measure_browser(server: Server, root: Path, count: int, pause: float, edited: Edited = REAL_PAGE) -> list[float] | str:
    """Return, per edit, ms from the write to Chromium showing the new page; or why not."""
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM}"
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        return "Playwright is not installed"
    shown = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.add_init_script(SHOWN_AT)
        page.goto(server.url + edited.url.lstrip("/"))
        wait_in(page, "window.sitegenLive && window.sitegenLive.connected")
        with Edits(root, pause, edited) as edits:
            for index in range(count):
                time.sleep(pause)  # let the last edit settle, so that each is measured alone
                page.evaluate("window.benchShownAt = 0")
                rebuilds = len(server.rebuild_times())
                marker = edits.make(index)
                written = time.time() * 1000
                expect(page.locator("article")).to_contain_text(marker, timeout=600_000)
                shown_at = wait_in(page, "window.benchShownAt")
                shown.append(float(shown_at) - written)
                wait_in(page, "window.sitegenLive.connected")
                # the page may be shown before the site is built: the next edit waits for the build
                server.wait_rebuilt(rebuilds + 1)
        browser.close()
    return shown


def corpus_project(root: Path, size: str) -> Edited | str:
    """Make at ``root`` a copy of the project whose content is peer-bench's synthetic pages,
    ``CODESxLANGS`` (``500x18``); return the page to edit, or why it could not be made."""
    import shutil

    from tests.peer import TOOL, patch

    codes, _, langs = size.partition("x")
    if not (codes.isdigit() and langs.isdigit()):
        return f"--corpus {size}: give CODESxLANGS, such as 500x18"
    if not (TOOL / "compare.py").is_file():
        return f"peer-bench is not installed ({TOOL}): it makes the pages of --corpus"
    sys.path.insert(0, str(TOOL))
    import compare  # type: ignore[import-not-found]
    import corpus  # type: ignore[import-not-found]

    patch(compare, corpus)
    compare.copy_project(str(Path(__file__).resolve().parent.parent), str(root))
    shutil.rmtree(root / "content", ignore_errors=True)
    languages = corpus.parse_langs(langs)
    pages = corpus.build_corpus(int(codes), languages)
    corpus.write_corpus(pages, str(root / "content"))  # and the languages into sitegen.toml
    source = next((language for language in languages if language.tag == "en"), languages[0])
    code = pages[0].code  # the page peer-bench's edit changes
    return Edited(f"content/{source.segment}/{code}.md", f"/{source.segment}/{code}/", f"{source.segment}/{code}/index.html", None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--synthetic", type=int, metavar="N", help="add pages up to N codes in every language")
    parser.add_argument("--corpus", metavar="CODESxLANGS", help="peer-bench's synthetic pages instead of the content (500x18: 9,000 pages)")
    parser.add_argument("--edits", type=int, default=30, help="edits to measure (default: 30)")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between edits (default: 0.3)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    arguments = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as folder:
        edited = REAL_PAGE
        if arguments.corpus:
            made = corpus_project(Path(folder) / "project", arguments.corpus)
            if isinstance(made, str):
                print(f"sitegen bench: {made}")
                return 0
            root, edited = Path(folder) / "project", made
            config, _ = load_config(root)
            assert config is not None
            pages = sum(1 for _ in (root / "content").glob("*/*.md"))
            languages = len(config.languages)
            print(f"sitegen bench: {pages} pages in {languages} languages (peer-bench's {arguments.corpus}), editing {edited.file}")
            print("full build, rebuild and search index: not measured at this size (make bench BENCH=--large compares the build with Zola)")
            search: tuple[float, float, int, int] | str = ""
        else:
            pages = 0
            root = copy_project(Path(folder) / "project")
            added = enlarge(root, arguments.synthetic) if arguments.synthetic else []
            config, _ = load_config(root)
            assert config is not None
            result = build_site(config)
            codes = len(result.site.codes) if result.site else 0
            kind = f"{len(added)} synthetic codes added" if added else "the real content"
            print(f"sitegen bench: {codes} codes x {len(config.languages)} languages, {len(result.files)} files ({kind})")
            build, rebuild, _ = measure_build(root, runs=5)
            print(f"full build (in process)         median {build:6.1f} ms")
            print(f"rebuild after one edit          median {rebuild:6.1f} ms   (in process, no server)")
            search = measure_search(root, runs=3)
        if isinstance(search, tuple):
            took, cpu, pages, size = search
            print(
                f"search index (Pagefind)         median {took:6.1f} ms   (Pagefind CPU {cpu:.0f} ms;"
                f" {pages} pages indexed, bundle {size / 1024:.0f} KB)"
            )
        elif search:
            print(f"search index (Pagefind)         not measured: {search}")

        server = Server(root)
        try:
            to_event, to_page, to_sent = measure_events(server, root, arguments.edits, arguments.pause, edited)
            print(f"edit -> reload event            {summary(to_event)}   (the build published)")
            print(f"edit -> new page fetched        {summary(to_page)}")
            print(f"edit -> new page sent           {summary(to_sent)}   (to the open page, as soon as made)")
            browser = None if arguments.no_browser else measure_browser(server, root, arguments.edits, arguments.pause, edited)
            if isinstance(browser, list):
                print(f"edit -> new page shown          {summary(browser)}   (Chromium)")
            elif browser:
                print(f"edit -> new page shown          not measured: {browser}")
            rebuilds = server.rebuild_times()
            if rebuilds:
                print(f"server rebuild, as it printed   median {statistics.median(rebuilds):6.1f} ms")
        finally:
            server.stop()

    figures = browser if isinstance(browser, list) else to_page
    if arguments.corpus:
        met = statistics.median(figures) < GOAL_LARGE
        shown = f"goal at 9,000 pages, edit visible in under {GOAL_LARGE:.0f} ms median (this corpus: {pages} pages)"
        print(f"{shown}: {'met' if met else 'NOT met'}")
        return 0
    met = statistics.median(figures) < GOAL_MEDIAN and percentile(figures, 0.95) < GOAL_P95
    print(f"goal: edit visible in under {GOAL_MEDIAN:.0f} ms median, {GOAL_P95:.0f} ms p95: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
