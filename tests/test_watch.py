"""The watcher: editor droppings filtered, a save's events debounced into one batch, classified."""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sitegen.live.watch import Changes, Classifier, Debouncer, Watcher, is_ignored

DELAY = 0.2
"""Longer than the preview's: a loaded machine may pause between an editor's steps."""


@pytest.mark.parametrize(
    "name",
    [".307.md.swp", "307.md.swp", "307.md.swx", "307.md~", "4913", "#307.md#", ".#307.md", "307.md.tmp", ".git",
     "307.md___jb_tmp___", "307.md___jb_old___", ".goutputstream-AB12CD"],
)  # fmt: skip
def test_editor_droppings_are_ignored(name: str) -> None:
    assert is_ignored(name)


@pytest.mark.parametrize("name", ["307.md", "style.css", "code.html", "messages.po", "pyproject.toml", "4913.md"])
def test_sources_are_not_ignored(name: str) -> None:
    assert not is_ignored(name)


def test_paths_are_classified_by_folder(tmp_path: Path) -> None:
    root = tmp_path
    classifier = Classifier(
        {root / "content": "content", root / "templates": "templates", root / "static": "static", root / "content" / "assets": "static"},
        {root / "pyproject.toml": "config"},
        ignore=[root / "content" / "_site"],
    )
    assert classifier.classify(root / "content/en/307.md") == "content"
    assert classifier.classify(root / "content/assets/logo.svg") == "static"
    assert classifier.classify(root / "templates/code.html") == "templates"
    assert classifier.classify(root / "static/style.css") == "static"
    assert classifier.classify(root / "pyproject.toml") == "config"
    assert classifier.classify(root / "README.md") is None
    assert classifier.classify(root / "content/_site/en/307/index.html") is None
    assert classifier.classify(root / "content/en/.307.md.swp") is None
    assert classifier.classify(root / "content/.git/index") is None


class Batches:
    """Collects the batches a debouncer or watcher calls back with."""

    def __init__(self) -> None:
        self.queue: queue.Queue[Changes] = queue.Queue()

    def __call__(self, changes: Changes) -> None:
        self.queue.put(changes)

    def next(self, timeout: float = 20.0) -> dict[str, set[Path]]:
        changes = self.queue.get(timeout=timeout)
        return {kind: set(paths) for kind, paths in changes.paths.items()}


@pytest.fixture
def batches() -> Batches:
    return Batches()


def test_a_burst_of_changes_is_one_batch(batches: Batches, tmp_path: Path) -> None:
    debouncer = Debouncer(batches, delay=DELAY)
    try:
        for index in range(50):
            debouncer.add("content", tmp_path / f"{index % 5}.md")
        debouncer.add("templates", tmp_path / "code.html")
        assert batches.next() == {"content": {tmp_path / f"{index}.md" for index in range(5)}, "templates": {tmp_path / "code.html"}}
        debouncer.add("static", tmp_path / "style.css")
        assert batches.next() == {"static": {tmp_path / "style.css"}}
    finally:
        debouncer.close()


def test_a_file_still_being_written_is_waited_for(batches: Batches, tmp_path: Path) -> None:
    debouncer = Debouncer(batches, delay=0.01)
    try:
        debouncer.add("content", tmp_path / "307.md", pending=60)
        debouncer.add("content", tmp_path / "308.md")
        with pytest.raises(queue.Empty):  # due after 10 ms, were 307.md closed (a slow machine cannot fail this)
            batches.queue.get(timeout=0.3)
        debouncer.add("content", tmp_path / "307.md")
        assert batches.next() == {"content": {tmp_path / "307.md", tmp_path / "308.md"}}
    finally:
        debouncer.close()


def test_a_file_never_closed_is_not_waited_for_long(batches: Batches, tmp_path: Path) -> None:
    debouncer = Debouncer(batches, delay=0.01)
    try:
        debouncer.add("content", tmp_path / "307.md", pending=0.2)
        assert batches.next() == {"content": {tmp_path / "307.md"}}
    finally:
        debouncer.close()


def test_a_failing_callback_does_not_stop_the_batches(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    received = Batches()

    def callback(changes: Changes) -> None:
        received(changes)
        if received.queue.qsize() == 1:
            raise RuntimeError("boom")

    debouncer = Debouncer(callback, delay=0.01)
    try:
        debouncer.add("content", tmp_path / "a.md")
        assert received.next() == {"content": {tmp_path / "a.md"}}
        debouncer.add("content", tmp_path / "b.md")
        assert received.next() == {"content": {tmp_path / "b.md"}}
    finally:
        debouncer.close()
    assert "boom" in caplog.text


# -- editors' save patterns, through a real watchdog observer ------------------------------

Save = Callable[[Path, str], None]


def write_in_place(path: Path, text: str) -> None:
    path.write_text(text, "utf-8")


def write_temporary_then_rename(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, "utf-8")
    temporary.replace(path)


def save_like_jetbrains(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + "___jb_tmp___")
    old = path.with_name(path.name + "___jb_old___")
    temporary.write_text(text, "utf-8")
    path.rename(old)
    temporary.rename(path)
    old.unlink()


def save_like_vim(path: Path, text: str) -> None:
    swap = path.with_name(f".{path.name}.swp")
    swap.write_bytes(b"b0VIM 9.0")
    probe = path.with_name("4913")
    probe.write_bytes(b"")
    probe.unlink()
    backup = path.with_name(path.name + "~")
    path.rename(backup)
    path.write_text(text, "utf-8")
    backup.unlink()
    swap.unlink()


def save_like_emacs(path: Path, text: str) -> None:
    autosave = path.with_name(f"#{path.name}#")
    autosave.write_text(text, "utf-8")
    lock = path.with_name(f".#{path.name}")
    lock.symlink_to("user@host.1234:1700000000")
    path.rename(path.with_name(path.name + "~"))
    path.write_text(text, "utf-8")
    autosave.unlink()
    lock.unlink()


def save_in_a_burst(path: Path, text: str) -> None:
    for index in range(10):
        path.write_text(f"{text}\n{index}\n", "utf-8")


@pytest.fixture
def watched(tmp_path: Path, batches: Batches) -> Iterator[Path]:
    """Return a content folder being watched into ``batches``."""
    content = tmp_path / "content"
    (content / "en").mkdir(parents=True)
    (content / "en" / "307.md").write_text("first\n", "utf-8")
    watcher = Watcher(Classifier({content: "content"}), batches, delay=DELAY)
    watcher.start()
    try:
        yield content
    finally:
        watcher.close()


def assert_nothing_else_pending(content: Path, batches: Batches) -> None:
    """Fail if a batch other than a sentinel's comes next: the save caused a second one."""
    sentinel = content / "en" / "sentinel.md"
    sentinel.write_text("sentinel\n", "utf-8")
    assert batches.next() == {"content": {sentinel}}


@pytest.mark.parametrize(
    "save",
    [write_in_place, write_temporary_then_rename, save_like_jetbrains, save_like_vim, save_like_emacs],
    ids=lambda save: save.__name__,
)
def test_one_save_is_one_batch_of_its_file(watched: Path, batches: Batches, save: Save) -> None:
    page = watched / "en" / "307.md"
    save(page, "second")
    assert batches.next() == {"content": {page}}
    assert page.read_text("utf-8").startswith("second")
    assert_nothing_else_pending(watched, batches)


def test_a_burst_of_saves_ends_with_a_batch_that_reads_its_last_text(tmp_path: Path) -> None:
    # the first finished write is built at once; the writes that follow while it is built
    # make one more batch: the page ends up as last written, never half-written
    content = tmp_path / "content"
    (content / "en").mkdir(parents=True)
    page = content / "en" / "307.md"
    page.write_text("first\n", "utf-8")
    read: queue.Queue[tuple[dict[str, set[Path]], str]] = queue.Queue()

    def callback(changes: Changes) -> None:
        read.put(({kind: set(paths) for kind, paths in changes.paths.items()}, page.read_text("utf-8")))

    # a settle of a second: a pause of DELAY between two writes of the burst (a loaded
    # machine, the other tests' workers) made it three batches once in a full run
    watcher = Watcher(Classifier({content: "content"}), callback, delay=1.0)
    watcher.start()
    try:
        save_in_a_burst(page, "second")
        seen = [read.get(timeout=20)]
        while seen[-1][1] != "second\n9\n":
            seen.append(read.get(timeout=20))
        sentinel = content / "en" / "sentinel.md"
        sentinel.write_text("sentinel\n", "utf-8")
        assert read.get(timeout=20)[0] == {"content": {sentinel}}  # nothing else was pending
    finally:
        watcher.close()
    assert len(seen) <= 2
    assert all(changes == {"content": {page}} for changes, _text in seen)


@pytest.mark.parametrize("save", [write_in_place, write_temporary_then_rename, save_like_vim], ids=lambda save: save.__name__)
def test_a_finished_save_is_built_without_waiting_for_the_settle(tmp_path: Path, batches: Batches, save: Save) -> None:
    # inotify says when a write is finished (close-write, moved-to): no need to wait for more
    content = tmp_path / "content"
    (content / "en").mkdir(parents=True)
    page = content / "en" / "307.md"
    page.write_text("first\n", "utf-8")
    watcher = Watcher(Classifier({content: "content"}), batches, delay=3600)
    watcher.start()
    try:
        save(page, "second")
        assert batches.next() == {"content": {page}}
    finally:
        watcher.close()


def test_a_complete_change_still_waits_for_a_pending_path(batches: Batches, tmp_path: Path) -> None:
    debouncer = Debouncer(batches, delay=3600)
    try:
        debouncer.add("content", tmp_path / "307.md", pending=60)
        debouncer.add("content", tmp_path / "308.md", complete=True)
        with pytest.raises(queue.Empty):  # 307.md may come back: a slow machine cannot fail this
            batches.queue.get(timeout=0.3)
        debouncer.add("content", tmp_path / "307.md", complete=True)
        assert batches.next() == {"content": {tmp_path / "307.md", tmp_path / "308.md"}}
    finally:
        debouncer.close()


def test_droppings_alone_cause_no_batch(watched: Path, batches: Batches) -> None:
    for name in (".307.md.swp", "307.md~", "4913", "#307.md#", "307.md.tmp"):
        (watched / "en" / name).write_text("x", "utf-8")
    assert_nothing_else_pending(watched, batches)


def test_reading_a_file_causes_no_batch(watched: Path, batches: Batches) -> None:
    (watched / "en" / "307.md").read_bytes()
    assert_nothing_else_pending(watched, batches)


def test_pages_added_deleted_and_renamed_are_seen(watched: Path, batches: Batches) -> None:
    added = watched / "en" / "308.md"
    added.write_text("new\n", "utf-8")
    assert batches.next() == {"content": {added}}
    renamed = watched / "en" / "permanent-redirect.md"
    added.rename(renamed)
    assert batches.next() == {"content": {added, renamed}}
    renamed.unlink()
    assert batches.next() == {"content": {renamed}}
    folder = watched / "fr"
    folder.mkdir()
    (folder / "307.md").write_text("fr\n", "utf-8")
    assert batches.next() == {"content": {folder, folder / "307.md"}}
