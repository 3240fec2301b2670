"""The versioned JSON API: ``/api/v1/codes.json``, ``/api/v1/<lang>/<code>.json`` and
``/api/v1/schema.json`` (the JSON Schema every file of the API follows).

``SCHEMA_VERSION`` follows semantic versioning: a new optional field is a minor version, a
removed or renamed field or a changed meaning a major one (and a new ``/api/v2/``). The
README keeps the changelog. ``/api/codes.json``, the first unversioned file, keeps its shape.
"""

from __future__ import annotations

import functools
import html
import json
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

from sitegen.render.plan import api_page_path
from sitegen.site import urls
from sitegen.site.constants import load_constants
from sitegen.site.registry import load_registry, status_class

if TYPE_CHECKING:
    from sitegen.render.plan import Output
    from sitegen.render.view_base import PageRenderer as Renderer
    from sitegen.site.model import Config, Language

SCHEMA_VERSION = "1.1.0"
API_KINDS = ("api-codes", "api-page", "api-schema")
_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
_TAG = re.compile(r"<[^>]+>")


def api_url(config: Config, path: str) -> str:
    """Return the absolute URL of an API file."""
    return urls.absolute(config, urls.base_path(config) + path)


@functools.cache
def schema() -> dict[str, Any]:
    """Return the JSON Schema of the API (``sitegen/data/api-v1.schema.json``)."""
    data: dict[str, Any] = json.loads(resources.files("sitegen").joinpath("data/api-v1.schema.json").read_text("utf-8"))
    return data


def _text(fragment: str) -> str:
    return html.unescape(" ".join(_TAG.sub("", fragment).split()))


def _code_data(renderer: Renderer, code: int) -> dict[str, Any]:
    """Return what every language shares about a code: class, status, specs, facts, constants."""
    site, config = renderer.site, renderer.config
    entry = site.entry(config.source, code)
    facts = dict(entry.page.facts)
    status = facts.pop("status", "standard" if code in load_registry() else "unofficial")
    libraries, _problems = load_constants()
    return {
        "code": code,
        "class": status_class(code),
        "status": status,
        "spec": [{"label": spec.label, "url": spec.url} for spec in entry.specs],
        "facts": facts,
        "constants": {library.key: library.expression(code) for library in libraries},
    }


def _language_data(renderer: Renderer, language: Language, code: int) -> dict[str, Any]:
    """Return a code as readers of one language see it."""
    site, config = renderer.site, renderer.config
    entry = site.entry(language, code)
    key = (language.tag, code)
    return {
        "name": entry.page.name,
        "overview": renderer.rendered.overview_text(key),
        "takeaways": [_text(item) for item in _ITEM.findall(renderer.rendered.takeaways.get(key, ""))],
        "url": urls.absolute(config, urls.page_url(config, language, code)),
        "api": api_url(config, api_page_path(language, code)),
        "translated": entry.translated,
        "content_language": entry.content_language,
    }


def libraries_data() -> dict[str, Any]:
    """Return where every library's constants were read from."""
    return {
        library.key: {"label": library.label, "library": library.library, "version": library.version, "source": library.source}
        for library in load_constants()[0]
    }


def api_view(renderer: Renderer, output: Output) -> dict[str, Any]:
    """Return the data of one API file."""
    config, site = renderer.config, renderer.site
    if output.kind == "api-schema":
        return schema()
    head = {"schema_version": SCHEMA_VERSION, "schema": api_url(config, "api/v1/schema.json")}
    if output.kind == "api-codes":
        codes = []
        for code in site.codes:
            data = _code_data(renderer, code)
            data["pages"] = {language.tag: _language_data(renderer, language, code) for language in config.languages}
            codes.append(data)
        return {**head, "languages": [language.tag for language in config.languages], "libraries": libraries_data(), "codes": codes}
    assert output.language is not None and output.code is not None
    language, code = config.language(output.language), output.code
    entry = site.entry(language, code)
    see_also = []
    for other in entry.see_also:
        if (language.tag, other) in site.entries:
            see_also.append(
                {"code": other, "name": site.entry(language, other).page.name, "api": api_url(config, api_page_path(language, other))}
            )
    return {
        **head,
        **_code_data(renderer, code),
        "language": language.tag,
        **_language_data(renderer, language, code),
        "body_html": renderer.rendered.bodies[(language.tag, code)].html,
        "see_also": see_also,
    }
