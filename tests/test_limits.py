"""Hostile input: every page under the size limit is built or refused in time and memory
linear in its size, and nothing is lost in silence.

Each class of input is checked by its growth, never by a fixed time: the cost at 4n is
compared with the cost at n (linear: about 4x; quadratic: about 16x). Time is the best of
a few runs of CPU time; memory is the peak traced by tracemalloc, which does not depend
on the machine's load.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.content.front_matter import MAX_VALUES, parse_yaml
from sitegen.content.limits import MAX_PAGE_BYTES, MAX_TOKENS
from sitegen.content.load import read_page_bytes
from sitegen.content.markdown import BodyContext, CodeLink, create_markdown, render_body
from sitegen.site.model import Problem

MD = create_markdown()
REPO = Path(__file__).resolve().parent.parent


def context() -> BodyContext:
    return BodyContext(
        path="content/en/200.md",
        body_line=5,
        mdn_locale="en-US",
        link_for=lambda code: CodeLink(f"/en/{code}/", f"{code} OK"),
        plain_name=lambda code: None,
        specs=(),
        own_code=201,
    )


def cpu_seconds(run: Callable[[], object], rounds: int = 3) -> float:
    """Return the least CPU time of ``rounds`` runs, the garbage collector off: a full
    collection walks every object of the test process (of the other tests too, under
    xdist), and one falling in a timed run made it 8.3x for 4x the input in a CI run."""
    best = float("inf")
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            start = time.process_time()
            run()
            best = min(best, time.process_time() - start)
    finally:
        if collecting:
            gc.enable()
    return best


def peak_bytes(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def growth(make: Callable[[int], str], n: int, render: Callable[[str], object] | None = None) -> tuple[float, float]:
    """Return how time and peak memory grow from input ``make(n)`` to ``make(4 * n)``."""
    run = render or (lambda text: render_body(MD, text, context()))
    small, large = make(n), make(4 * n)
    times = cpu_seconds(lambda: run(small)), cpu_seconds(lambda: run(large))
    memory = peak_bytes(lambda: run(small)), peak_bytes(lambda: run(large))
    return times[1] / max(times[0], 1e-4), memory[1] / max(memory[0], 1)


LINEAR = 8.0
"""Above this ratio at 4x the input, the cost grows faster than linearly (4x)."""

LINEAR_CASES = {
    "unclosed template tags in an HTML block": (lambda n: "<div>\n" + "{% a " * n + "\n</div>\n", 2000),
    "unclosed macros in an HTML block": (lambda n: "<div>\n" + "{{a( " * n + "\n</div>\n", 2000),
    "macros in an HTML attribute": (lambda n: '<p title="' + '{{HTTPStatus("200")}} ' * n + '">x</p>\n', 500),
    "many macros on one line": (lambda n: '{{HTTPStatus("200")}}' * n + "\n", 4000),
    "many macros in one paragraph, one per line": (lambda n: '{{HTTPStatus("200")}}\n' * n, 2400),
    "unclosed openers in a paragraph": (lambda n: "a {{ b( " * n + "\n", 2000),
    "many equal headings": (lambda n: "## Same\n\n" * n, 500),
}


@pytest.mark.parametrize("case", LINEAR_CASES, ids=list(LINEAR_CASES))
def test_cost_grows_linearly(case: str) -> None:
    make, n = LINEAR_CASES[case]
    assert render_body(MD, make(4 * n), context()).html  # built, not refused
    time_ratio, memory_ratio = growth(make, n)
    assert time_ratio < LINEAR, f"time grew {time_ratio:.1f}x for 4x the input"
    assert memory_ratio < LINEAR, f"memory grew {memory_ratio:.1f}x for 4x the input"


REFUSED_CASES = {
    "a huge table": lambda n: "|" + "a|" * 50 + "\n|" + "-|" * 50 + "\n" + ("|" + "a|" * 50 + "\n") * n,
    "a huge list": lambda n: "- item\n" * (50 * n),
    "a huge blockquote of lists": lambda n: "> - a\n" * (50 * n),
    "a paragraph of emphasis": lambda n: "*a* " * (50 * n) + "\n",
    "a paragraph of links": lambda n: "[a](b) " * (50 * n) + "\n",
    "macros on one line": lambda n: '{{HTTPStatus("200")}}' * (50 * n) + "\n",
}


@pytest.mark.parametrize("case", REFUSED_CASES, ids=list(REFUSED_CASES))
def test_a_page_past_the_budget_is_refused_at_linear_cost(case: str) -> None:
    make = REFUSED_CASES[case]
    body = make(2000)
    rendered = render_body(MD, body, context())
    assert rendered.html == ""
    [problem] = rendered.problems
    assert problem.severity == "error"
    assert f"more than {MAX_TOKENS:,} markdown elements" in problem.message
    assert problem.line is not None and 5 <= problem.line <= 5 + body.count("\n")
    time_ratio, memory_ratio = growth(make, 200)
    assert time_ratio < LINEAR, f"time grew {time_ratio:.1f}x for 4x the input"
    assert memory_ratio < LINEAR, f"memory grew {memory_ratio:.1f}x for 4x the input"
    # the largest page accepted, made of this, is refused within 200 MB (the whole process)
    assert peak_rss_of_refusing(case) < 200 * 2**20


def peak_rss_of_refusing(case: str) -> int:
    """Return the peak RSS, in bytes, of a process that renders the largest page of ``case``."""
    script = (
        "import resource, sys\n"
        "from sitegen.content.limits import MAX_PAGE_BYTES\n"
        "from tests.test_limits import MD, REFUSED_CASES, context, render_body\n"
        "make = REFUSED_CASES[sys.argv[1]]\n"
        "body = make(MAX_PAGE_BYTES // len(make(1)))\n"
        "assert len(body) <= MAX_PAGE_BYTES and render_body(MD, body, context()).html == ''\n"
        # VmHWM is this process's own peak: ru_maxrss may carry the parent's, whose memory
        # a vfork()ed child shares until it runs Python (the peak of the test run itself)
        "status = dict(line.split(':', 1) for line in open('/proc/self/status'))\n"
        "print(int(status['VmHWM'].split()[0]) if 'VmHWM' in status else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, case], capture_output=True, text=True, check=True, cwd=REPO)
    return int(result.stdout) * 1024  # both are in KiB on Linux


def test_the_budget_is_far_above_a_real_page() -> None:
    real = max(Path("content").rglob("*.md"), key=lambda path: path.stat().st_size)
    body = real.read_text("utf-8").split("\n---\n", 1)[1]
    rendered = render_body(MD, body * 10, context())
    assert not [problem for problem in rendered.problems if problem.severity == "error"]


def test_text_nested_too_deep_is_a_warning_with_its_line() -> None:
    body = "Intro.\n\n" + "> " * 30 + "deep text\n"
    rendered = render_body(MD, body, context())
    assert "deep text" not in rendered.html
    [problem] = [problem for problem in rendered.problems if "nested" in problem.message]
    assert (problem.line, problem.severity) == (5 + 2, "warning")
    assert not render_body(MD, "> " * 10 + "shallow\n", context()).problems


def bomb(levels: int, key: str = "seeAlso") -> str:
    lines = ["x0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9]"]
    lines += [f"x{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]" for level in range(1, levels + 1)]
    return "code: 200\nname: OK\n" + "\n".join(lines) + f"\n{key}: *a{levels}\n"


@pytest.mark.parametrize("key", ["seeAlso", "permanent", "draft", "takeaways", "more", "code"])
def test_a_yaml_alias_bomb_is_refused_at_the_line_where_it_explodes(key: str) -> None:
    fields, problems = parse_yaml(bomb(9, key), "content/en/200.md")
    assert fields is None
    [problem] = problems
    # x0 is on file line 4 (after '---', code, name); x4 is the first past the limit
    assert problem.line == 8
    assert f"more than {MAX_VALUES:,} values" in problem.message


def test_an_alias_bomb_costs_its_text_not_its_expansion() -> None:
    def parse(text: str) -> object:
        return parse_yaml(text, "content/en/200.md")

    # each level multiplies the expansion by 9; the text grows by one line
    time_ratio, memory_ratio = growth(lambda levels: bomb(levels), 3, render=parse)
    assert time_ratio < LINEAR
    assert memory_ratio < LINEAR


def test_a_recursive_alias_is_refused() -> None:
    fields, problems = parse_yaml("code: 200\nname: OK\nseeAlso: &a [1, *a]\n", "content/en/200.md")
    assert fields is None
    assert problems[0].line == 4


def test_plain_front_matter_with_aliases_still_loads() -> None:
    fields, problems = parse_yaml("code: 200\nname: &n OK\ntitle: *n\n", "content/en/200.md")
    assert fields is not None and not problems
    assert fields.data["title"] == "OK"


def test_a_page_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    page = tmp_path / "200.md"
    page.write_bytes(b"---\ncode: 200\nname: OK\n---\n" + b"a" * MAX_PAGE_BYTES)
    data, problems = read_page_bytes(page, "content/en/200.md")
    assert data is None
    assert problems[0].message == f"page is {page.stat().st_size:,} bytes, the limit is {MAX_PAGE_BYTES:,} bytes (2 MiB)"


def test_a_page_at_the_size_limit_is_read(tmp_path: Path) -> None:
    page = tmp_path / "200.md"
    page.write_bytes(b"a" * MAX_PAGE_BYTES)
    data, problems = read_page_bytes(page, "content/en/200.md")
    assert data is not None and len(data) == MAX_PAGE_BYTES and not problems


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_reported_not_waited_on(tmp_path: Path) -> None:
    pipe = tmp_path / "994.md"
    os.mkfifo(pipe)
    result: list[tuple[bytes | None, list[Problem]]] = []
    reader = threading.Thread(target=lambda: result.append(read_page_bytes(pipe, "content/en/994.md")), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert result, "reading a named pipe hung"
    data, problems = result[0]
    assert data is None
    assert problems[0].message == "not a regular file (a named pipe): it is not read"
