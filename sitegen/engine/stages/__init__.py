"""The costly stages of a build, each result cached under the key of what it was made from.

:func:`sitegen.engine.build.build_site` runs the pipeline through a :class:`Stages`; every
build, cold or warm, command line or dev server, goes through the same code. What each
stage keys its results by (all keys also hold :func:`~sitegen.engine.keys.environment_key`:
the sitegen code, the Python version and the libraries' versions):

==============  ==============================================================================
stage           key
==============  ==============================================================================
``load``        a file's kind (page, intro, glossary), path, language and bytes -> its
                :class:`Page` (or :class:`Intro`, or :class:`Glossary`) and problems
``catalog``     the ``.po`` file's path and bytes, the language -> the compiled catalog
``markdown``    the entry's page, language and specs, and for a translation the headings
                of the source page (whose ids it takes) -> its rendered body, takeaways,
                overview, FAQ...; valid while every code it linked to is linked the same way
                (the name and URL of those pages, which the entry records as it renders);
                intros the same way
``highlight``   a fenced block's code and language -> its highlighted HTML
``templates``   every template file's name and bytes -> syntax errors and UI strings
``jinja``       a template's name and source -> its compiled code
``wording``     a page file's text, its language's glossary, whether French typography
                applies -> the typography and glossary warnings
``locale``      a language and a reader, a list and a language, a date and a language, a
                language tag -> the language's name in the reader's language, the list
                joined the language's way, the date as the reader's locale writes it, the
                tag as Open Graph writes a locale (Babel's data)
``minify``      a stylesheet's bytes -> the stylesheet without comments and spaces
``history``     not cached: one ``git log`` per build (the dev server asks once) -> the date of
                each content file's last commit ("Last updated"); the ``build`` key holds
                the commit checked out instead
``build``       everything the build reads (:mod:`sitegen.engine.inputs`) -> every output's
                key and the build's problems: a build whose inputs are the last one's
                changes nothing, and runs none of the stages below
``output``      the templates, the language's catalog, the output and its *view* (every value
                its template is given) -> the file; kept by the sink, not in the cache
                (:mod:`sitegen.output.write`: the previous ``_site/`` is the cache of outputs)
``reads``       what every view read (:mod:`sitegen.render.reads`), under the hash of the
                inputs all views share (templates, catalogs, configuration, codes...) ->
                per output, the list of entries and renderer calls its view read, the hash
                of what they gave and the view's ``output`` key: an output whose reads give
                the same is kept without making its view (counted as ``views`` kept)
``search``      a language, the path and ``output`` key of each of its HTML outputs (which fix
                their bytes) -> that language's Pagefind bundle (``pagefind/...``); fed to
                Pagefind while the pages are made, from the first page of the language made
                in the build (:mod:`sitegen.engine.search`); the bundles are merged
==============  ==============================================================================

A change therefore redoes exactly what depends on it: an edited body renders that entry's
markdown, then the outputs whose views now differ (its page; the pages that show its name
or overview only if those changed).

Each group of stages is a class in a module of its own, over what they all share
(:mod:`~sitegen.engine.stages.base`: the cache, the progress, the build's life, a build
remembered whole); :class:`Stages` is made of them:

- :mod:`~sitegen.engine.stages.load`: ``load`` (pages, intros, glossaries), ``data``, ``wording``;
- :mod:`~sitegen.engine.stages.markdown`: ``markdown``, ``highlight``;
- :mod:`~sitegen.engine.stages.templates`: ``catalog``, ``templates``, ``jinja``, ``minify``,
  ``history``, ``locale``;
- :mod:`~sitegen.engine.stages.output`: ``output``, ``reads``, ``search``.

Adding to the engine:

- *A new kind of output* (a JSON API file, a hosting file, a new page kind): plan it in
  :func:`sitegen.render.plan.plan_outputs` and give it a view and a rendering in
  :class:`sitegen.render.views.Renderer`. It is cached like every output: rendered again
  exactly when its view changes. Put everything the file depends on in its view.
- *A new stage* (diagrams, a search index...): write it as a pure function, then call it
  from a method of its group's class (or of a new one, among :class:`Stages`'s bases)
  through the cache: ``value = self.cache.get(stage, key)``; if that is :data:`MISSING`,
  compute and ``self.cache.put(stage, key, value)``, with ``key = fingerprint(
  environment_key(), stage, <every input>)``. Values are plain picklable data. Add the
  stage to :attr:`Stages.ran` when every input went through it, so that its unused
  entries are pruned. A stage that reads other results (all pages' HTML, say) keys by
  their keys or digests, not by re-reading them.
"""

from __future__ import annotations

import logging

from sitegen.engine.stages.base import Work
from sitegen.engine.stages.load import LoadStage
from sitegen.engine.stages.markdown import MarkdownResult, MarkdownStage
from sitegen.engine.stages.output import EarlyPages, KeptView, OutputStage
from sitegen.engine.stages.templates import Catalogs, Templates, TemplateStage

__all__ = ["Catalogs", "EarlyPages", "KeptView", "MarkdownResult", "Stages", "Templates", "Work"]

log = logging.getLogger(__name__)


class Stages(LoadStage, MarkdownStage, TemplateStage, OutputStage):
    """The stages of a build, each remembering its results in :attr:`cache`."""
