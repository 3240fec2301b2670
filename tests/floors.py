"""``python -m tests.floors``: what the tools sitegen is built on take alone, beside Zola.

Issue 12 asks for sitegen's builds to take a fraction of ``zola-full``'s time (Zola with
highlighting and a search index). sitegen's search index is made by Pagefind, its markdown by
markdown-it-py, and both run under CPython. This script measures those tools alone, on
peer-bench's synthetic pages, in one run. Each round alternates with a ``zola build`` of the
same pages, configured as peer-bench configures ``zola-full``.

What is measured:

- ``zola-full``: Zola's build, wall time and peak RSS.
- ``python -c pass``: an interpreter started and stopped.
- ``python + imports``: the same, importing the three libraries any build that renders a
  page needs (``yaml``, ``markdown_it``, ``jinja2``).
- ``pagefind, one language``: every page of the edited page's language, as sitegen built
  them, given to ``pagefind --service`` as sitegen gives them, then the bundle asked for:
  the time from the first page given to the bundle received (the service is started
  before). An edit's build does this once its page is made.
- ``pagefind, all languages``: the same for every language, one after the other, as a cold
  build does. This row also gives the CPU time and the peak RSS of Pagefind's process.
- ``markdown-it-py``: CommonMark with tables, rendering every page's body in this process
  (CPU time). sitegen's markdown does more than this (its own rules, headings, links).

From these come the floors: what a build cannot go below while it uses these tools.

- An edit cannot take much less than an interpreter with its imports, plus Pagefind's
  re-index of the edited page's language (which needs the page: Pagefind's bundle depends
  on the order of its pages, checked here, and peer-bench edits the first page of its
  language). It leaves out what the page needs beyond the imports (its file read, its
  markdown and view) and counts Pagefind from its first page: an estimate of the least an
  edit takes, not a proof.
- A cold build's CPU time is at least Pagefind's plus markdown-it-py's. Spread over every
  core, that gives its least wall time.
- A cold build's peak memory is at least Pagefind's own peak.

Each floor is then given as a ratio to zola-full, next to the issue's target. ``--large``
measures 500 codes in 18 languages (9,000 pages; one round; about 5 minutes, most of it
sitegen's own build of the pages that Pagefind is given).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.peer import REPO, TOOL, patch

PYTHON = str(REPO / ".venv" / "bin" / "python")


def pagefind(site: Path, languages: Sequence[str]) -> tuple[float, float, int, int]:
    """Index the built pages of ``languages`` (each its own index, in the order of their
    paths, as the build does); return the wall time from the first page given to the last
    bundle received (the service started before, as a build can start it while it imports),
    Pagefind's CPU time, its peak RSS in kB and the number of pages given."""
    from sitegen.output.search import Service

    pages = built_pages(site, languages)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    service = Service()
    peak = 0
    try:
        indexes = service.new_indexes(len(languages))
        started = time.perf_counter()
        for language, index in zip(languages, indexes, strict=True):
            for path, data in pages.items():
                if path.split("/", 1)[0] == language:
                    service.add(index, path, data)
            bundle = service.files(service.ask_files(index))
            assert bundle, service.problem
            service.delete_index(index)
        wall = time.perf_counter() - started
        if service.pid is not None:
            peak = _peak_kb(service.pid)  # read before it stops
    finally:
        service.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak, len(pages)


def order_matters(site: Path, language: str) -> bool:
    """Return whether Pagefind makes another bundle of ``language``'s pages given in the
    reverse order (then no page can be given before the ones ahead of it are made)."""
    from sitegen.output.search import index_site

    pages = list(built_pages(site, [language]).items())
    return index_site(pages) != index_site(list(reversed(pages)))


def built_pages(site: Path, languages: Sequence[str]) -> dict[str, bytes]:
    """Return the built pages of ``languages`` that Pagefind indexes, by output path, in the
    order the build gives them."""
    from sitegen.output.search import indexed_pages

    found = [path for language in languages for path in sorted((site / language).glob("**/index.html"))]
    return indexed_pages({path.relative_to(site).as_posix(): path.read_bytes() for path in found})


def _peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text("utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def markdown_cpu(bodies: Sequence[str]) -> float:
    """Return the CPU time markdown-it-py takes to render ``bodies`` (CommonMark, tables)."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable("table")
    started = time.process_time()
    for body in bodies:
        parser.render(body)
    return time.process_time() - started


def wall_of(command: Sequence[str], cwd: Path) -> float:
    """Return the wall time of ``command``, which must succeed."""
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.floors", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, help="rounds (default: 3; 1 with --large)")
    parser.add_argument("--large", action="store_true", help="500 codes x 18 languages (9,000 pages) instead of 64 x 3")
    arguments = parser.parse_args(argv)
    if not (TOOL / "compare.py").is_file():
        print(f"peer-bench is not installed ({TOOL}): nothing to compare with (see its README to set it up)")
        return 0
    sys.path.insert(0, str(TOOL))
    import compare  # type: ignore[import-not-found]
    import corpus  # type: ignore[import-not-found]

    patch(compare, corpus)
    zola = str(Path(compare.STATE) / "bin" / "zola")
    if not os.access(zola, os.X_OK):
        print(f"no Zola at {zola}: run peer-bench's setup.sh first")
        return 0
    codes, count = (500, 18) if arguments.large else (64, 3)
    rounds = arguments.rounds or (1 if arguments.large else 3)
    langs = corpus.parse_langs(str(count))
    pages = corpus.build_corpus(codes, langs)
    source = next((lang for lang in langs if lang.tag == "en"), langs[0])
    segments = [lang.segment for lang in langs]
    print(f"{len(pages)} pages ({codes} codes x {count} languages), {rounds} round(s); the edited page's language: {source.segment}")

    with tempfile.TemporaryDirectory(prefix="sitegen-floors-") as folder:
        work = Path(folder)
        site = work / "zola-full"
        search = compare.search_languages(zola, langs, source, str(work))
        compare.write_zola_site(str(site), pages, langs, source, compare.zola_config(langs, source, True, search))
        project = work / "sitegen"
        compare.copy_project(str(REPO), str(project))
        corpus.write_corpus(pages, str(project / "content"))
        print("building the pages with sitegen once (Pagefind is given what it built) ...", flush=True)
        built = subprocess.run([PYTHON, "-m", "sitegen", "build", "--quiet"], cwd=project, capture_output=True, text=True, check=False)
        if built.returncode != 0:
            print(built.stderr[-2000:])
            return 1
        output = project / "_site"
        bodies = [page.body for page in pages]

        figures: dict[str, list[float]] = {}

        def note(name: str, value: float) -> None:
            figures.setdefault(name, []).append(value)

        print(f"Pagefind's bundle depends on the order of the pages: {'yes' if order_matters(output, source.segment) else 'no'}")
        for number in range(rounds):
            print(f"  round {number + 1}/{rounds} ...", end="", flush=True)
            shutil.rmtree(site / "public", ignore_errors=True)
            wall, _cpu, rss, poller = compare.timed([zola, "build"], str(site), dict(os.environ), str(work / "zola.log"), "zola-full")
            note("zola-full", wall)
            note("zola-full rss", max(rss, poller.peak_kb))
            note("python", wall_of([PYTHON, "-c", "pass"], work))
            note("imports", wall_of([PYTHON, "-c", "import yaml, markdown_it, jinja2"], work))
            one = pagefind(output, [source.segment])
            note("pagefind one", one[0])
            every = pagefind(output, segments)
            note("pagefind all", every[0])
            note("pagefind all cpu", every[1])
            note("pagefind peak", every[2])
            note("markdown cpu", markdown_cpu(bodies))
            print(f" zola-full {wall:.2f} s, pagefind {one[0]:.2f} s ({one[3]} pages), {every[0]:.2f} s ({every[3]} pages)")

    zola_full = median(figures["zola-full"])
    cores = len(os.sched_getaffinity(0))
    rows: list[tuple[str, str]] = [
        ("zola-full build", f"{zola_full:.3f} s wall, peak {median(figures['zola-full rss']) / 1024:.0f} MB"),
        ("python -c pass", f"{median(figures['python']):.3f} s"),
        ("python + yaml, markdown_it, jinja2", f"{median(figures['imports']):.3f} s"),
        (f"pagefind, one language ({source.segment})", f"{median(figures['pagefind one']):.3f} s"),
        ("pagefind, all languages", f"{median(figures['pagefind all']):.3f} s wall, {median(figures['pagefind all cpu']):.3f} s CPU"),
        ("pagefind's peak RSS", f"{median(figures['pagefind peak']) / 1024:.0f} MB"),
        ("markdown-it-py, every body", f"{median(figures['markdown cpu']):.3f} s CPU"),
    ]
    print()
    for name, value in rows:
        print(f"{name:<40} {value}")
    edit = median(figures["imports"]) + median(figures["pagefind one"])
    cold = (median(figures["pagefind all cpu"]) + median(figures["markdown cpu"])) / cores
    memory = median(figures["pagefind peak"]) / median(figures["zola-full rss"])
    floors: list[tuple[str, float, float, str]] = [
        ("edit", edit / zola_full, 0.3, "interpreter and imports + Pagefind's index of one language"),
        ("cold", cold / zola_full, 1.0, f"(Pagefind's CPU + markdown-it-py's CPU) / {cores} cores"),
        ("memory", memory, 0.5, "Pagefind's peak RSS / zola-full's"),
    ]
    print()
    print("floors, as ratios to zola-full (medians): the least a build using these tools takes, by these measures:")
    for name, ratio, target, made in floors:
        verdict = "above the target: not within reach with these tools" if ratio > target else "under the target"
        print(f"  {name:<7} {ratio:5.2f}   target <= {target}: {verdict}   ({made})")
    shown: dict[str, Any] = {name: round(median(values), 4) for name, values in figures.items()}
    print(f"FLOORS pages={len(pages)} " + " ".join(f"{name.replace(' ', '-')}={value}" for name, value in shown.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
