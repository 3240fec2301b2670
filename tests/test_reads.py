"""What a view reads (sitegen/render/reads.py): an edit makes again only the views that read
what it changed, and a read the recorder missed cannot go unseen."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.engine.build import build_site, open_stages
from sitegen.render import reads
from sitegen.render.reads import EVERY_ENTRY, Recorder, Watched, watched
from tests.test_cache import build, content, made, project

__all__ = ["content", "project"]  # the fixtures of tests/test_cache.py: a part of the real project

Capture = pytest.CaptureFixture[str]
LANGUAGES = ("en", "fr", "pt-BR")


def test_a_watched_mapping_notes_the_keys_read_and_a_walk_as_every_entry() -> None:
    recorder = Recorder()
    entries = Watched({("en", 200): "ok", ("en", 404): "missing"}, recorder)
    with recorder.watching() as reads:
        assert entries[("en", 200)] == "ok"
        assert entries.get(("fr", 200)) is None
        assert ("en", 404) in entries
    assert list(reads) == [("entry", ("en", 200)), ("entry", ("fr", 200)), ("entry", ("en", 404))]
    with recorder.watching() as reads:
        assert sorted(entries.values()) == ["missing", "ok"]
    assert EVERY_ENTRY in reads
    entries[("en", 200)]  # outside a view: nothing is noted
    assert recorder.reads is None


class Reader:
    def __init__(self, names: dict[tuple[str, int], str], recorder: Recorder) -> None:
        self.names = Watched(names, recorder)
        self.recorder = recorder

    @watched
    def name(self, code: int) -> str:
        return self.names[("en", code)].upper()


def test_a_watched_method_is_one_read_whose_result_counts() -> None:
    recorder = Recorder()
    reader = Reader({("en", 200): "ok", ("en", 404): "not found"}, recorder)
    recorder.attach(reader)
    with recorder.watching() as reads:
        assert reader.name(404) == "NOT FOUND"
    assert list(reads) == [("name", 404)]  # not the entry the method read
    before = recorder.dependencies_key("shared", reads)
    # a new build: the same result gives the same key, another result another key
    for names, same in (({("en", 200): "ok!", ("en", 404): "not found"}, True), ({("en", 404): "gone"}, False)):
        recorder = Recorder()
        reader = Reader(names, recorder)
        recorder.attach(reader)
        assert (recorder.dependencies_key("shared", reads) == before) is same
    assert recorder.dependencies_key("other shared inputs", reads) != before


def test_an_edited_body_makes_few_views_again(project: Path, capsys: Capture) -> None:
    build(project, capsys)
    page = project / "content/en/404.md"
    page.write_text(page.read_text("utf-8") + "\nOne more paragraph about missing pages.\n", "utf-8")
    out = build(project, capsys, "--timings")[0]
    views = next(line.split() for line in out.splitlines() if line.startswith("views "))
    kept, made_again = int(views[3]), int(views[4])
    # the page, its card and API file; its translations (now out of date) and what lists
    # them (the language indexes, codes.json); the files that list every page: 20 of 109
    assert 0 < made_again <= 20 and kept >= 4 * made_again, out
    assert made(out)["output"] <= made_again


def test_a_read_the_recorder_missed_fails_the_checked_build(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, _ = load_config(project)
    assert config is not None
    # a recorder blind to what entries hold, as if a view read them behind its back
    original = Recorder.digest
    monkeypatch.setattr(Recorder, "digest", lambda self, what: "blind" if what[0] == "entry" else original(self, what))
    stages = open_stages(config, keep_in_memory=True)
    assert not build_site(config, stages).errors
    page = project / "content/en/404.md"
    page.write_text(page.read_text("utf-8") + "\nOne more paragraph about missing pages.\n", "utf-8")
    monkeypatch.setenv("SITEGEN_CHECK_VIEWS", "1")
    with pytest.raises(AssertionError, match="the view changed, but not what it read"):
        build_site(config, stages)


def test_the_dev_server_hashes_again_only_what_an_edit_changed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, _ = load_config(project)
    assert config is not None
    stages = open_stages(config, persistent=False, keep_in_memory=True)
    hashed: list[object] = []
    from sitegen.engine.keys import fingerprint as original

    def hashing(*parts: object) -> str:
        hashed.append(parts[0] if parts[0] != "entry" else parts[1])
        return original(*parts)

    monkeypatch.setattr(reads, "fingerprint", hashing)
    assert not build_site(config, stages).errors
    assert not build_site(config, stages).errors  # the first build's views were made by a forked child: hashed here
    assert sum(isinstance(what, tuple) and what[0] in LANGUAGES for what in hashed) > 20  # every entry
    page = project / "content/en/404.md"
    page.write_text(page.read_text("utf-8") + "\nOne more paragraph about missing pages.\n", "utf-8")
    hashed.clear()
    edited = build_site(config, stages)
    # the entries the edit changed (the page, and its translations now out of date), and the
    # calls that read them (a code's summary in the lists): nothing else is hashed again
    keys = [what for what in hashed if isinstance(what, tuple)]
    assert keys and {what[0] if what[0] in LANGUAGES else what[-1] for what in keys} <= {*LANGUAGES, 404}
    assert {what[1] for what in hashed if isinstance(what, tuple) and what[0] in LANGUAGES} == {404}
    assert [what for what in hashed if isinstance(what, tuple) and what[0] == "code_summary"]
    assert edited.files == build_site(config).files


def test_a_call_read_is_run_again_when_what_it_read_changed(project: Path) -> None:
    config, _ = load_config(project)
    assert config is not None
    stages = open_stages(config, persistent=False, keep_in_memory=True)
    assert not build_site(config, stages).errors
    # 308's summary (shown in the lists of 307 and 301...) reads 308's entry: a new name shows
    page = project / "content/en/308.md"
    page.write_text(page.read_text("utf-8").replace("name: Permanent Redirect", "name: Permanent Redirect (edited)", 1), "utf-8")
    edited = build_site(config, stages)
    assert b"Permanent Redirect (edited)" in edited.files["en/307/index.html"]
    assert edited.files == build_site(config).files
    page.write_text(page.read_text("utf-8").replace("name: Permanent Redirect (edited)", "name: Permanent Redirect", 1), "utf-8")
    back = build_site(config, stages)  # and back again
    assert b"Permanent Redirect (edited)" not in back.files["en/307/index.html"]
    assert back.files == build_site(config).files
