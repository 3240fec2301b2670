"""Run a build: the pipeline (:mod:`sitegen.engine.pipeline`) on cached stages, unless the
last build read exactly the same inputs (:mod:`sitegen.engine.inputs`).

A full build is a rebuild from an empty cache: ``sitegen build``, ``check``, the dev server
and the tests all run :func:`build_site`, with a cache that is persistent
(:func:`open_stages`), kept in memory (the dev server) or empty (``--no-cache``, tests).
The outputs go to a *sink* as they are made (:mod:`sitegen.output.write`): the command line
writes them into the new ``_site/`` at once, the dev server and the tests keep them in memory.

This module imports little: a build that finds its inputs unchanged loads no parser, no
template engine and no view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitegen.engine.cache import Cache
from sitegen.engine.keys import fingerprint
from sitegen.engine.result import BuildResult, sorted_problems
from sitegen.engine.stages import Stages
from sitegen.output.write import WrittenFile

if TYPE_CHECKING:
    from pathlib import Path

    from sitegen.engine.progress import Progress
    from sitegen.engine.stages import EarlyPages
    from sitegen.output.write import Manifest, Sink
    from sitegen.site.model import Config

__all__ = ["BuildResult", "build_site", "load_manifest", "open_stages", "save_manifest", "sorted_problems"]


def build_site(
    config: Config, stages: Stages | None = None, sink: Sink | None = None, *, search: bool = False, early: EarlyPages | None = None
) -> BuildResult:
    """Run every stage, giving the outputs to ``sink`` (kept in memory if ``None``);
    return the files and the problems. Nothing is written to the cache's disk until the
    caller's :meth:`Stages.finish`.

    ``search`` also makes the search index, if the site has search, once every page is
    made (the index is read from them): ``sitegen build`` asks for it, ``check`` and
    ``serve`` (without ``--search``) do not.

    ``early``: pages to make before the other outputs, each pushed as soon as it is made
    (the dev server's open pages), if nothing of the build failed so far.
    """
    stages = stages or Stages()
    memory = stages.memory_sink() if sink is None else None
    sink = sink if sink is not None else memory
    assert sink is not None
    stages.start()
    search = search and config.features.search
    inputs = stages.inputs_key(config, search) if memory is None else None
    if inputs is not None:
        recalled = stages.recall_build(inputs, sink)
        if recalled is not None:
            return recalled
    from sitegen.engine.pipeline import run_pipeline

    result, asked_git = run_pipeline(config, stages, sink, memory, search=search, early=early)
    if inputs is not None and not asked_git and not result.errors and result.site is not None:
        stages.remember_build(inputs, result)
    return result


def open_stages(config: Config, *, persistent: bool = True, keep_in_memory: bool = False, progress: Progress | None = None) -> Stages:
    """Return stages on the project's persistent cache (or on none: a cold build)."""
    from sitegen.engine.store import Store

    store = Store(config.cache_folder) if persistent else None
    return Stages(Cache(store, keep_in_memory=keep_in_memory), progress)


def manifest_key(output_dir: Path) -> str:
    """Return the cache key of the manifest of an output folder."""
    return fingerprint("manifest", str(output_dir.resolve()))


def load_manifest(stages: Stages, output_dir: Path) -> Manifest:
    """Return what the last build wrote into ``output_dir`` (empty if unknown)."""
    manifest = stages.cache.get("manifest", manifest_key(output_dir))
    if not isinstance(manifest, dict) or not all(isinstance(value, WrittenFile) for value in manifest.values()):
        return {}
    return manifest


def save_manifest(stages: Stages, output_dir: Path, manifest: Manifest) -> None:
    """Remember what this build wrote into ``output_dir``."""
    stages.cache.put("manifest", manifest_key(output_dir), manifest)
