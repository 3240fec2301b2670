"""The live preview without a browser: the real watcher, builds and server on a project copy."""

from __future__ import annotations

import gc
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.config import load_config
from sitegen.engine.build import build_site
from sitegen.output.swap import MARKER
from tests.live import BROKEN_FRONT_MATTER, BROKEN_FRONT_MATTER_ERROR, Client, EventStream, Running, running, without_script
from tests.polling import wait_for


@pytest.fixture
def project(whole_project: Path) -> Path:
    """The whole real project: the preview shows a build's warnings over the page, and a
    trimmed copy has some (its links to the pages it leaves out)."""
    return whole_project


@pytest.fixture
def live(project: Path) -> Iterator[Running]:
    with running(project) as preview:
        yield preview


@pytest.fixture
def events(live: Running) -> Iterator[EventStream]:
    stream = EventStream(live.client)
    try:
        assert stream.next()[0] == "hello"
        yield stream
    finally:
        stream.close()


def test_an_edit_is_announced_and_served(live: Running, events: EventStream) -> None:
    live.edit("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when")
    reload = events.wait("reload")
    assert "en/307/index.html" in reload["paths"]
    pages = [path for path in reload["paths"] if not path.startswith("api/")]
    assert {path.split("/")[1] for path in pages} == {"307"}  # and its translations, if they follow it
    # the JSON API has a file per page (/api/v1/<lang>/307.json): only 307's change
    assert {path.rsplit("/", 1)[1] for path in reload["paths"] if path.startswith("api/v1/")} <= {"307.json"}
    assert b"Use a 307 (edited) when" in live.page("/en/307/")
    # the pages are told first, the terminal just after
    wait_for(lambda: live.said[-1].startswith("Rebuilt in "), "the rebuild's line")


@pytest.fixture
def page_events(live: Running) -> Iterator[EventStream]:
    """The events of an open /en/307/, which says which page it is (as the live-reload script does)."""
    stream = EventStream(live.client, page="en/307/index.html")
    try:
        assert stream.next()[0] == "hello"
        wait_for(lambda: "en/307/index.html" in live.preview.site.open_pages(), "the page's stream to be known")
        yield stream
    finally:
        stream.close()


def test_the_open_page_is_sent_as_soon_as_it_is_made_and_is_the_page_published(
    live: Running, page_events: EventStream, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = live.preview.site
    generation = site.snapshot.generation
    served_when_pushed: list[int] = []
    push_early = site.push_early

    def pushing(path: str, data: bytes) -> None:
        served_when_pushed.append(site.snapshot.generation)
        push_early(path, data)

    monkeypatch.setattr(site, "push_early", pushing)
    live.edit("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when")
    reload = page_events.wait("reload")
    wait_for(lambda: live.said[-1].startswith("Rebuilt in "), "the rebuild's line")
    # sent before the build was published: made quick, then by the build (the same bytes, not sent again)
    assert served_when_pushed == [generation, generation]
    # the page sent is the page served now, with the edit, its script and generation included
    assert reload.pop("html").encode() == live.client.request("/en/307/").body
    assert b"Use a 307 (edited) when" in live.page("/en/307/")
    assert reload == {"paths": ["en/307/index.html"], "all": False, "generation": generation + 1}
    assert site.snapshot.generation == generation + 1
    site.show_problems(["a sentinel"], failed=False)
    assert page_events.next()[0] == "problems"  # the publish did not send the same page again


def test_the_open_page_of_an_edited_file_is_sent_before_the_site_is_built(
    live: Running, page_events: EventStream, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sitegen.live import preview

    site = live.preview.site
    pushed: list[str] = []
    sent_before: list[int] = []
    push_early = site.push_early

    def pushing(path: str, data: bytes) -> None:
        pushed.append(path)
        push_early(path, data)

    def building(*arguments: object, **options: object) -> object:
        sent_before.append(len(pushed))
        return build_site(*arguments, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(site, "push_early", pushing)
    monkeypatch.setattr(preview, "build_site", building)
    live.edit("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when")
    wait_for(lambda: live.said[-1].startswith("Rebuilt in "), "the rebuild's line")
    reload = page_events.wait("reload")
    assert b"Use a 307 (edited) when" in reload.pop("html").encode()
    assert sent_before == [1]  # sent (written to its stream) before the build of the site began
    after_first = len(pushed)  # and by the build, the same bytes: not sent again
    live.edit("content/en/307.md", "Use a 307 (edited) when", "Use a 307 (edited twice) when")
    wait_for(lambda: sum(line.startswith("Rebuilt in ") for line in live.said) == 2, "the second rebuild's line")
    assert b"(edited twice)" in page_events.wait("reload")["html"].encode()
    assert sent_before == [1, after_first + 1]  # made quick from the build of the first edit
    assert b"(edited twice)" in live.page("/en/307/")


def test_a_build_that_fails_before_the_outputs_sends_the_open_page_nothing(live: Running, page_events: EventStream) -> None:
    before = live.page("/en/307/")
    live.edit("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when")
    live.edit("content/en/307.md", *BROKEN_FRONT_MATTER)  # maybe one build, maybe two: the last fails
    # a build may read the file as the second edit rewrites it (empty): its failure comes first
    expected = f"content/en/307.md:{BROKEN_FRONT_MATTER_ERROR}"
    page_events.wait("problems", lambda data: data["failed"] and data["lines"][0] == expected)
    shown = [without_script(data["html"].encode()) for name, data in page_events.seen if name == "reload"]
    for number, html in enumerate(shown):
        if b"Use a 307 (edited) when" in html:
            continue  # the edit's own build, if it ran alone, published; or its page was sent early
        # else the page served, given back: a build sent the edited page early (it read the file
        # after the first edit), then read the second edit and failed
        assert html == before, "a reload that is neither the edited page nor the page served"
        assert number > 0 and b"Use a 307 (edited) when" in shown[number - 1], "a page given back that was not sent early"
    live.edit("content/en/307.md", BROKEN_FRONT_MATTER[1], BROKEN_FRONT_MATTER[0])
    page_events.wait("ok")
    assert live.page("/en/307/") != before


def test_a_page_sent_before_a_later_output_failed_is_given_the_served_page_back(
    live: Running, page_events: EventStream, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sitegen.render import views
    from sitegen.site.model import Problem

    render_output = views.render_output

    def failing(renderer: object, output: object, view: object) -> object:
        made = render_output(renderer, output, view)  # type: ignore[arg-type]
        page = (getattr(output, "kind", None), getattr(output, "language", None), getattr(output, "code", None)) == ("code", "en", 307)
        return made if page else Problem("templates/x.html", 1, "a later output failed")

    before = live.client.request("/en/307/").body
    monkeypatch.setattr(views, "render_output", failing)
    live.edit("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when")
    early = page_events.wait("reload")
    assert b"Use a 307 (edited) when" in early["html"].encode()
    back = page_events.wait("reload")
    assert back.pop("html").encode() == before == live.client.request("/en/307/").body
    assert back == {"paths": ["en/307/index.html"], "all": False, "generation": live.preview.site.snapshot.generation}
    assert page_events.wait("problems")["lines"] == ["templates/x.html:1: a later output failed"]


def stored_markdown(root: Path) -> int:
    """Return how many entries of the markdown stage the project's cache holds on disk."""
    from sitegen.engine.store import Store

    config, _ = load_config(root)
    assert config is not None
    store = Store(config.cache_folder)
    try:
        return store.stages().get("markdown", 0)
    finally:
        store.close()


def test_the_cache_of_an_edit_is_written_when_the_server_stops_not_at_every_edit(project: Path) -> None:
    with running(project, save_after=3600) as live:
        before = stored_markdown(project)
        live.edit("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when")
        wait_for(lambda: live.said[-1].startswith("Rebuilt in "), "the rebuild's line")
        assert stored_markdown(project) == before  # kept in memory while the edits go on
    assert stored_markdown(project) == before + 1  # the edited page's markdown, for the next run


def test_the_cache_of_an_edit_is_written_once_the_edits_pause(project: Path) -> None:
    with running(project, save_after=0.1) as live:
        before = stored_markdown(project)
        live.edit("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when")
        wait_for(lambda: stored_markdown(project) == before + 1, "the edit's markdown written to the cache")
        assert live.said[-1].startswith("Rebuilt in ")


def test_a_broken_front_matter_shows_its_line_and_keeps_the_last_good_page(live: Running, events: EventStream) -> None:
    before = live.page("/en/307/")
    live.edit("content/en/307.md", *BROKEN_FRONT_MATTER)
    problems = events.wait("problems")
    assert problems["failed"] is True
    # with 307 unreadable, the redirects comparison also lacks one of its codes
    assert problems["lines"][0] == f"content/en/307.md:{BROKEN_FRONT_MATTER_ERROR}"
    assert live.reported_lines() == problems["lines"]
    assert live.page("/en/307/") == before
    live.edit("content/en/307.md", BROKEN_FRONT_MATTER[1], BROKEN_FRONT_MATTER[0])
    events.wait("ok")
    assert live.page("/en/307/") == before


def test_a_bad_macro_shows_its_warning_over_the_new_page(live: Running, events: EventStream) -> None:
    before = live.page("/en/307/")
    live.edit("content/en/307.md", "Use a 307 when", 'Use a 307 {{Nope("x")}} when')
    assert "en/307/index.html" in events.wait("reload")["paths"]
    problems = events.wait("problems")
    line = live.line("content/en/307.md", "Use a 307 {{Nope")
    warning = f"content/en/307.md:{line}: warning: unknown macro {{{{Nope(\"x\")}}}} (its text 'x' is kept as plain text)"
    assert problems["lines"] == [warning]
    assert problems["failed"] is False
    assert live.reported_lines() == problems["lines"]
    updated = live.page("/en/307/")
    assert updated != before
    assert b"{{Nope" not in updated  # the page was updated, without the macro
    live.edit("content/en/307.md", '{{Nope("x")}}', "(fixed)")
    events.wait("ok")
    assert b"Use a 307 (fixed) when" in live.page("/en/307/")


def test_a_template_error_shows_the_template_and_line(live: Running, events: EventStream) -> None:
    live.edit("templates/code.html", '{% include "_translation_notice.html" %}', '{% include "_translation_notice.html" %}{{ broken }')
    problems = events.wait("problems")
    assert len(problems["lines"]) == 1
    line = live.line("templates/code.html", "{{ broken }")
    assert problems["lines"][0].startswith(f"templates/code.html:{line}: template syntax error: ")
    assert live.page("/en/307/")  # the last good page is still served
    live.edit("templates/code.html", "{{ broken }", "")
    events.wait("ok")


def test_an_undefined_template_variable_shows_the_template_and_line(live: Running, events: EventStream) -> None:
    live.edit("templates/code.html", "<h1 ", "<h1 {{ misspelt }} ")
    problems = events.wait("problems")
    line = live.line("templates/code.html", "{{ misspelt }}")
    assert problems["lines"] == [f"templates/code.html:{line}: undefined template variable: 'misspelt' is undefined"]


def test_a_first_build_that_fails_serves_the_errors_then_recovers(project: Path) -> None:
    page = project / "content/en/307.md"
    good = page.read_text("utf-8")
    page.write_text(good.replace(*BROKEN_FRONT_MATTER, 1), "utf-8")
    with running(project) as live:
        response = live.client.request("/en/307/")
        assert response.status == 503
        assert f"content/en/307.md:{BROKEN_FRONT_MATTER_ERROR}".replace("'", "&#x27;").encode() in response.body
        page.write_text(good, "utf-8")
        wait_for(lambda: live.client.request("/en/307/").status == 200, "the fixed build to be served")


def test_a_deleted_page_disappears_and_links_to_it_become_warnings(live: Running, events: EventStream) -> None:
    # 410 is in no comparison table (a table's code without a page is an error)
    for language in ("en", "fr", "pt-br"):
        (live.root / "content" / language / "410.md").unlink()
    events.wait("reload", lambda data: "en/410/index.html" in data["paths"])
    assert live.client.request("/en/410/").status == 404
    line = live.line("content/en/404.md", "seeAlso:")
    assert f"content/en/404.md:{line}: warning: seeAlso: 410 has no page yet (it is shown as plain text)" in live.reported_lines()


def test_an_added_page_appears(live: Running, events: EventStream) -> None:
    text = (live.root / "content/en/307.md").read_text("utf-8")
    (live.root / "content/en/304.md").write_text(text.replace("code: 307", "code: 304").replace("Temporary Redirect", "Not Modified"))
    events.wait("reload", lambda data: "en/304/index.html" in data["paths"])
    assert b"Not Modified" in live.page("/en/304/")
    assert b"Not Modified" in live.page("/fr/304/")  # the English page, under French navigation


def test_a_stylesheet_change_swaps_it_without_a_reload(live: Running, events: EventStream) -> None:
    live.edit("static/style.css", "--bg: light-dark(#fff,", "--bg: light-dark(#fefefe,")
    css = events.wait("css")
    assert css["paths"] == ["/static/style.css"]
    assert b"--bg:light-dark(#fefefe," in live.client.request("/static/style.css").body
    config, _ = load_config(live.root)
    assert config is not None
    expected = build_site(config).files["en/307/index.html"]  # with the stylesheet's new ?v=
    wait_for(lambda: live.page("/en/307/") == expected, "the pages with the new stylesheet version")
    assert [name for name, _ in events.seen] == ["hello", "css"]


def test_a_configuration_change_rebuilds_everything(live: Running, events: EventStream) -> None:
    live.edit("sitegen.toml", 'title = "Codes de statut HTTP"', 'title = "Codes HTTP"')
    reload = events.wait("reload")
    assert {"index.html", "fr/index.html", "fr/307/index.html"} <= set(reload["paths"])
    assert b"<title>Codes HTTP</title>" in live.page("/fr/")


def test_a_broken_configuration_shows_its_error(live: Running, events: EventStream) -> None:
    live.edit("sitegen.toml", 'source_language = "en"', "source_language = ")
    problems = events.wait("problems")
    assert problems["lines"][0].startswith("sitegen.toml:")
    builds = live.preview.builds
    live.edit("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when")
    wait_for(lambda: live.preview.builds > builds, "a rebuild after the content edit")
    assert live.preview.site.snapshot.problems == tuple(problems["lines"])  # still broken: still shown
    live.edit("sitegen.toml", "source_language = ", 'source_language = "en"')
    events.wait("ok")
    assert b"Use a 307 (edited) when" in live.page("/en/307/")


def test_an_internal_error_is_shown_and_the_preview_goes_on(live: Running, events: EventStream, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_build(*arguments: object, **options: object) -> object:
        monkeypatch.setattr("sitegen.live.preview.build_site", build_site)
        raise RuntimeError("a bug")

    monkeypatch.setattr("sitegen.live.preview.build_site", failing_build)
    live.edit("content/en/307.md", "Use a 307 when", "Use a 307 (first) when")
    problems = events.wait("problems")
    assert problems["lines"] == ["sitegen: internal error: RuntimeError: a bug (run with --debug for details)"]
    wait_for(gc.isenabled, "the garbage collector, back on after the failed rebuild")  # off while a rebuild runs
    live.edit("content/en/307.md", "(first)", "(second)")
    events.wait("ok")
    assert b"Use a 307 (second) when" in live.page("/en/307/")
    wait_for(gc.isenabled, "the garbage collector, back on after the rebuild")  # on once the pages are told


@pytest.mark.parametrize("save", ["vim", "jetbrains"])
def test_an_editor_save_is_one_rebuild_without_error(live: Running, events: EventStream, save: str) -> None:
    page = live.root / "content/en/307.md"
    text = page.read_text("utf-8").replace("Use a 307 when", "Use a 307 (saved) when")
    builds = live.preview.builds
    if save == "vim":
        (page.parent / "4913").write_bytes(b"")
        (page.parent / "4913").unlink()
        page.rename(page.parent / "307.md~")
        page.write_text(text, "utf-8")
        (page.parent / "307.md~").unlink()
    else:
        temporary, old = page.parent / "307.md___jb_tmp___", page.parent / "307.md___jb_old___"
        temporary.write_text(text, "utf-8")
        page.rename(old)
        temporary.rename(page)
        old.unlink()
    assert "en/307/index.html" in events.wait("reload")["paths"]
    live.edit("content/en/308.md", "overview: ", "overview: Sentinel. ")  # flushes any second rebuild
    events.wait("reload", lambda data: "en/308/index.html" in data["paths"])
    # the count goes up once the rebuild has returned, a moment after its event went out
    wait_for(lambda: live.preview.builds >= builds + 2, "the second rebuild to finish")
    assert live.preview.builds == builds + 2
    assert [name for name, _ in events.seen] == ["hello", "reload", "reload"]


def test_requests_during_rebuilds_get_whole_pages(live: Running, events: EventStream) -> None:
    stop = threading.Event()
    bodies: list[bytes] = []

    def fetch() -> None:
        client = Client(live.preview.url)
        while not stop.is_set():
            bodies.append(client.request("/en/307/").body)

    fetchers = [threading.Thread(target=fetch) for _ in range(3)]
    for fetcher in fetchers:
        fetcher.start()
    try:
        for index in range(8):
            live.edit("content/en/307.md", "Use a 307", f"Use a 307 [{index}]")
            events.wait("reload")
    finally:
        stop.set()
        for fetcher in fetchers:
            fetcher.join()
    assert len(bodies) > 8
    for body in bodies:
        assert body.endswith(b"</html>\n")
        assert body.count(b"<script data-sitegen=") == 1
        assert body.count(b"Use a 307") == 1


def test_a_served_page_is_the_built_page_plus_the_script(live: Running, tmp_path: Path) -> None:
    assert main(["build", "--root", str(live.root), "--out", str(tmp_path / "out")]) == 0
    built = {path.relative_to(tmp_path / "out").as_posix(): path.read_bytes() for path in (tmp_path / "out").rglob("*") if path.is_file()}
    del built[MARKER]  # marks the folder as the build's own: not a file of the site
    for path, data in built.items():
        if path.startswith("pagefind/"):
            continue  # the search index is served only with --search (tests/test_search.py)
        assert b"data-sitegen" not in data, path  # the live-reload script is never built
        assert b"__sitegen" not in data, path
        assert b"EventSource" not in data, path
        url = "/" + path.removesuffix("index.html")
        response = live.client.request(url)
        assert response.status == 200, url
        assert (without_script(response.body) if path.endswith(".html") else response.body) == data, url


# -- through the command line --------------------------------------------------------------


def test_sitegen_serve_prints_the_url_serves_and_stops_on_ctrl_c(project: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--root", str(project), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None

    def read() -> None:
        for line in process.stdout or ():
            lines.put(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        printed = [lines.get(timeout=60), lines.get(timeout=60)]
        assert re.match(r"Built \d+ pages \(\d+ code pages\) in 3 languages, in \d+ ms\.$", printed[0]), printed
        assert printed[1].startswith("Serving http://127.0.0.1:") and printed[1].endswith("/ (Ctrl+C to stop)\n"), printed
        url = printed[1].split()[1]
        response = Client(url).request("/en/307/")
        assert response.status == 200
        assert b"<script data-sitegen=" in response.body
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        reader.join(timeout=60)
        assert lines.get(timeout=1) == "Stopped.\n"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stderr is not None
        stderr = process.stderr.read()
        process.stdout.close()
        process.stderr.close()
    assert stderr == ""


CTRL_C_AS_IT_SLEEPS = """
import _thread, sys, threading, time
from pathlib import Path
from sitegen.config import load_config
from sitegen.live.preview import Preview

config, problems = load_config(Path(sys.argv[1]), {})
assert config is not None, problems
preview = Preview(config, port=0)
preview.start()
# what a Ctrl+C that lands as the main thread goes to sleep leaves: the handler's flag set,
# and nothing to wake the thread (interrupt_main sends no signal)
threading.Timer(0.5, _thread.interrupt_main).start()
started = time.monotonic()
try:
    preview.wait()
except KeyboardInterrupt:
    print(f"stopped after {time.monotonic() - started:.1f} s")
finally:
    preview.close()
"""


def test_a_ctrl_c_that_lands_as_serve_goes_to_sleep_still_stops_it(project: Path) -> None:
    command = [sys.executable, "-c", CTRL_C_AS_IT_SLEEPS, str(project)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"stopped after \d+\.\d s\n", done.stdout), done.stdout
    assert float(done.stdout.split()[2]) < 5


def test_sitegen_serve_reports_a_port_in_use(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--root", str(project), "--port", str(port)]) == 1
    assert f"sitegen serve: cannot listen on 127.0.0.1:{port}: Address already in use (try --port)" in capsys.readouterr().err
