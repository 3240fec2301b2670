"""``sitegen schema``: a JSON Schema of a page's front matter, for editors.

Editors that read JSON Schema (VS Code's YAML extension, JetBrains IDEs) then complete
field names and check values while the author types; ``sitegen check`` stays the judge.
The schema is made from the same lists the loader reads, so it cannot fall behind.
"""

from __future__ import annotations

import json
from typing import Any

from sitegen.content.facts import FACT_CHOICES, FACT_WORDS, HEADER_FACTS, STATUS_VALUES
from sitegen.content.load import MDN_FIELDS

SCHEMA_FILE = "front-matter.schema.json"
"""Where ``sitegen schema`` writes it, in the project root."""
SCHEMA_ID = "https://sitegen.invalid/front-matter.schema.json"

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_TEXT_LIST: dict[str, Any] = {"oneOf": [_TEXT, {"type": "array", "items": _TEXT}]}
_CODE: dict[str, Any] = {"type": "integer", "minimum": 100, "maximum": 599}


def _fact(key: str, description: str) -> dict[str, Any]:
    word = FACT_WORDS.get(key)
    values: list[object] = [True, False, word] if word else [True, False]
    return {"description": description, "enum": values}


def front_matter_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a code page's front matter."""
    spec_item = {
        "oneOf": [
            {"type": "string", "description": "RFC 9110 §15.4.8, or a URL on httpwg.org, rfc-editor.org or datatracker"},
            {
                "type": "object",
                "description": "any other source, such as the documentation of the software that sends an unofficial code",
                "properties": {"title": _TEXT, "url": {"type": "string", "pattern": "^https://"}},
                "required": ["title", "url"],
                "additionalProperties": False,
            },
        ]
    }
    properties: dict[str, Any] = {
        "code": {**_CODE, "description": "the status code; must match the file name"},
        "name": {**_TEXT, "description": "the reason phrase in the page's language"},
        "title": {**_TEXT, "description": "defaults to 'code name'"},
        "spec": {"description": "where the code is defined", "oneOf": [spec_item, {"type": "array", "items": spec_item}]},
        "overview": {**_TEXT, "description": "one sentence for indexes and the meta description"},
        "takeaways": {**_TEXT_LIST, "description": "short statements, shown first; quote an item that contains ': '"},
        "seeAlso": {
            "description": "related codes",
            "oneOf": [_CODE, {"type": "array", "items": _CODE}, {"type": "null"}, {"const": ""}],
        },
        "more": {
            "description": "further reading",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"title": _TEXT, "from": _TEXT, "url": _TEXT},
                "required": ["title", "url"],
                "additionalProperties": False,
            },
        },
        "aliases": {**_TEXT_LIST, "description": "old URLs that redirect to this page (/old/307/)"},
        "source_version": {"type": "string", "description": "in a translation: the version of the English page it follows"},
        "draft": {"type": "boolean", "description": "true while the page is written or translated: not published"},
        "status": {"enum": list(STATUS_VALUES), "description": "how the code is defined"},
        "permanent": _fact("permanent", "whether the redirect is permanent"),
        "method_preserved": _fact("method_preserved", "whether the request method survives the redirect"),
        "cacheable": _fact("cacheable", "true: heuristically cacheable; false: only with explicit freshness; never: must not be stored"),
        "faq": {
            "description": "questions readers ask, with short markdown answers",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"q": _TEXT, "a": _TEXT},
                "required": ["q", "a"],
                "additionalProperties": False,
            },
        },
        "sent_by": {**_TEXT_LIST, "description": "for an unofficial code: the software that sends it"},
        "alternative": {**_TEXT, "description": "for an unofficial code: the standard code to use instead, or why there is none"},
    }
    for key, choices in FACT_CHOICES.items():
        properties[key] = {"enum": list(choices), "description": "a fact the comparison tables show"}
    for key in HEADER_FACTS:
        properties[key] = {"type": "string", "description": "a header field name (WWW-Authenticate), or none"}
    properties["see_also"] = {**properties["seeAlso"], "description": "same as seeAlso"}
    for key, value in properties.items():
        if key not in ("code", "name", "seeAlso", "see_also"):
            # an empty field ("overview:") is read as absent
            properties[key] = {"description": value.pop("description", ""), "anyOf": [value, {"type": "null"}]}
    for key in sorted(MDN_FIELDS):
        properties.setdefault(key, {"description": "MDN's front matter, read as it is"})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "sitegen page front matter",
        "description": "The YAML between the --- lines of content/<lang>/<code>.md",
        "type": "object",
        "properties": dict(sorted(properties.items())),
        "additionalProperties": False,
    }


def schema_text() -> str:
    """Return the schema as the file ``sitegen schema`` writes."""
    return json.dumps(front_matter_schema(), indent=2, ensure_ascii=False) + "\n"
