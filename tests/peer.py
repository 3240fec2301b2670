"""sitegen against Zola: the figures of the engine issue, from the peer-bench tool.

``python -m tests.peer`` (run by ``make bench``) runs ``../shared/tools/peer-bench/compare.py``
on a copy of this project, at 192 pages (64 codes x 3 languages, several rounds) and at
9,000 pages (500 codes x 18 languages, one round, with ``--large``: 7-15 minutes), then prints
each figure of the issue's table as a ratio to ``zola-full`` (Zola with highlighting and
a search index, as sitegen does both): its median and its spread over the rounds.

The tool is found in ``$PEER_BENCH`` or ``../shared/tools/peer-bench``; where it is not
installed, this says so and exits 0. It was written when the site's configuration lived
in ``pyproject.toml``: the corpus languages are written into ``sitegen.toml`` here.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TOOL = Path(
    os.environ.get("PEER_BENCH")
    or next(
        (
            place
            for place in (REPO.parent / "shared" / "tools" / "peer-bench", REPO.parent.parent / "shared" / "tools" / "peer-bench")
            if place.is_dir()
        ),
        REPO.parent / "shared" / "tools" / "peer-bench",
    )
)
"""The tool: ``$PEER_BENCH``, or ``shared/tools/peer-bench`` beside the project (or beside its worktree folder)."""
TARGETS = {"cold/zola-full": 1.0, "no-change/zola-full": 0.3, "edit/zola-full": 0.3, "rss/zola-full": 0.5}
"""The issue's targets: at most this ratio to zola-full."""


def language_blocks(langs: Sequence[Any]) -> str:
    """Return the ``[[languages]]`` tables of ``sitegen.toml`` for the corpus languages."""
    blocks = []
    for lang in langs:
        fields = {"tag": lang.tag, "name": lang.name, "segment": lang.segment, "dir": lang.dir, "title": lang.title}
        blocks.append("[[languages]]\n" + "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in fields.items()))
    return "\n".join(blocks)


def patch(compare: ModuleType, corpus: ModuleType) -> None:
    """Make the tool write the corpus languages into ``sitegen.toml`` (and leave
    ``pyproject.toml``, which holds no site configuration any more, as it is)."""
    write_corpus = corpus.write_corpus
    rewrite_languages = compare.rewrite_languages

    def write_corpus_and_languages(pages: list[Any], outdir: str) -> None:
        write_corpus(pages, outdir)
        config = Path(outdir).parent / "sitegen.toml"
        if not config.is_file():
            return
        langs = list(dict.fromkeys(page.lang for page in pages))
        source = next((lang for lang in langs if lang.tag == "en"), langs[0])
        text = config.read_text("utf-8")
        head = text.split("[[languages]]", 1)[0]
        head = re.sub(r"(?m)^source_language\s*=.*$", f"source_language = {json.dumps(source.tag)}", head)
        config.write_text(head + language_blocks(langs), "utf-8")

    def rewrite_if_there(text: str, langs: list[Any], source: Any) -> str:
        return rewrite_languages(text, langs, source) if "tool.sitegen.languages" in text else text

    setattr(corpus, "write_corpus", write_corpus_and_languages)  # noqa: B010  # a module attribute the tool looks up
    setattr(compare, "rewrite_languages", rewrite_if_there)  # noqa: B010


def run(compare: ModuleType, codes: int, langs: int, rounds: int, warmup: int = 1) -> dict[str, Any] | None:
    """Run one comparison; return its JSON figures (``None`` if it failed)."""
    with tempfile.TemporaryDirectory(prefix="sitegen-peer-") as folder:
        result = Path(folder) / "figures.json"
        arguments = ["--codes", str(codes), "--langs", str(langs), "--rounds", str(rounds), "--warmup", str(warmup), "--json", str(result)]
        status = compare.main([str(REPO), *arguments])
        if status != 0 or not result.is_file():
            return None
        figures: dict[str, Any] = json.loads(result.read_text("utf-8"))
        return figures


def lines(figures: dict[str, Any], names: Sequence[str], label: str) -> list[str]:
    """Return one line per ratio: median, spread, target and whether it is met."""
    shown = []
    for name in names:
        ratio = figures["ratios"][name]
        target = TARGETS[name]
        met = "met" if ratio["median"] <= target else "NOT met"
        spread = f"{ratio['min']:.2f}-{ratio['max']:.2f}"
        rounds = len(ratio["per_round"])
        shown.append(f"{label:<18} {name:<20} {ratio['median']:5.2f}  ({spread} over {rounds} round(s))  target <= {target}: {met}")
    return shown


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.peer", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the 192-page comparison (default: 5)")
    parser.add_argument("--large", action="store_true", help="also the 9,000-page comparison (one round, 7-15 minutes)")
    arguments = parser.parse_args(argv)
    if not (TOOL / "compare.py").is_file():
        print(f"peer-bench is not installed ({TOOL}): no comparison with Zola (see its README to set it up)")
        return 0
    compileall.compile_dir(REPO / "sitegen", quiet=1)  # as 'make build' does: the copies get the bytecode
    sys.path.insert(0, str(TOOL))
    import compare  # type: ignore[import-not-found]
    import corpus  # type: ignore[import-not-found]

    patch(compare, corpus)
    summary = []
    small = run(compare, 64, 3, arguments.rounds)
    if small is None:
        return 1
    summary += lines(small, ["cold/zola-full", "no-change/zola-full", "edit/zola-full"], "192 pages")
    if arguments.large:
        large = run(compare, 500, 18, 1, warmup=0)  # a warm-up round would be a second 9,000-page build
        if large is None:
            return 1
        summary += lines(large, ["cold/zola-full", "rss/zola-full"], "9,000 pages")
    print()
    print("sitegen / zola-full (same run, same pages; medians of per-round ratios):")
    for line in summary:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
