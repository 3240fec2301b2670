"""The optional fields of a code page: facts, spec items, the FAQ and what an unofficial
code needs (who sends it, what to use instead). Each reader returns clean values and
records every problem, with its line, on the :class:`Fields` it was given."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sitegen.content.front_matter import Fields
from sitegen.site.model import MoreLink, Question, SpecLink, must_be
from sitegen.site.urls import url_problem

if TYPE_CHECKING:
    import yaml

# PyYAML is imported where its nodes are looked at: a build whose pages all come from the
# cache never pays for it

FACT_WORDS = {"method_preserved": "not-guaranteed", "cacheable": "never"}
"""The value each fact accepts besides true and false."""
FACT_CHOICES = {
    "retry": ("later", "with-credentials", "with-proxy-credentials", "other-credentials", "changed", "not-useful"),
    "retry_after": ("must", "should", "may", "none"),
    "answered_by": ("origin", "intermediary", "any"),
    "rejects": ("content-size", "uri-length", "media-type", "content-semantics", "header-size"),
}
"""Facts that take one word of a list (the comparison tables need them; see README)."""
HEADER_FACTS = ("required_header",)
"""Facts that name a header field (``WWW-Authenticate``), or say ``none``."""
FACT_FIELDS = {"permanent", "method_preserved", "cacheable", "status", *FACT_CHOICES, *HEADER_FACTS}
STATUS_VALUES = ("standard", "provisional", "experimental", "unofficial", "obsolete", "unused")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
UNOFFICIAL_FIELDS = ("sent_by", "alternative")


def _line(node: yaml.Node | None, fallback: int) -> int:
    return node.start_mark.line + 2 if node is not None else fallback


def _items(fields: Fields, key: str) -> list[tuple[Any, int, yaml.Node | None]]:
    """Return each item of a list field (or the one value) with its line and node."""
    import yaml

    value = fields.data.get(key)
    node = fields.nodes.get(key)
    fallback = fields.lines.get(key, 1)
    if isinstance(value, list) and isinstance(node, yaml.SequenceNode) and len(node.value) == len(value):
        return [(item, _line(item_node, fallback), item_node) for item, item_node in zip(value, node.value, strict=True)]
    if isinstance(value, list):
        return [(item, fallback, None) for item in value]
    return [(value, fallback, node)]


def _value_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """Return the value node of ``key`` in a mapping node."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for key_node, value in node.value if str(key_node.value) == key), None)


def read_facts(fields: Fields) -> dict[str, object]:
    """Return the facts: ``status``, ``permanent``, ``method_preserved``, ``cacheable`` (shown in "At a
    glance") and those of the comparison tables (:data:`FACT_CHOICES`, :data:`HEADER_FACTS`)."""
    facts: dict[str, object] = {}
    for key in sorted(FACT_FIELDS & fields.data.keys()):
        value = fields.data[key]
        if key == "status":
            if isinstance(value, list):
                continue  # MDN's status is a list of flags such as [experimental]
            if value not in STATUS_VALUES:
                fields.error(key, f"status must be one of {', '.join(STATUS_VALUES)}, not {value!r}")
                continue
        elif key in FACT_CHOICES:
            if value not in FACT_CHOICES[key]:
                fields.error(key, f"'{key}' must be one of {', '.join(FACT_CHOICES[key])}, not {value!r}")
                continue
        elif key in HEADER_FACTS:
            if not isinstance(value, str) or not _HEADER_NAME.match(value):
                fields.error(key, f"'{key}' must name a header field (WWW-Authenticate) or say none, not {value!r}")
                continue
        elif key in FACT_WORDS and value == FACT_WORDS[key]:
            pass
        elif not isinstance(value, bool):
            extra = f", or {FACT_WORDS[key]}" if key in FACT_WORDS else ""
            fields.error(key, must_be(f"'{key}'", f"true or false{extra}", value))
            continue
        facts[key] = value
    return facts


def read_specs(fields: Fields, key: str) -> tuple[tuple[str, ...], tuple[SpecLink, ...]]:
    """Return the spec items written as text ("RFC 9110 §15.4.8", a URL) and as ``{title, url}``."""
    if fields.data.get(key) in (None, "", []):
        return (), ()
    texts: list[str] = []
    links: list[SpecLink] = []
    for item, line, node in _items(fields, key):
        if isinstance(item, dict):
            link = _spec_link(fields, key, item, line, node)
            if link is not None:
                links.append(link)
        elif isinstance(item, list) or item is None:
            fields.problems.append(
                fields.problem(line, f"'{key}' items must be text such as 'RFC 9110 §15.4.8' or a mapping {{title, url}}")
            )
        else:
            texts.append(str(item).strip())
    return tuple(texts), tuple(links)


def _spec_link(fields: Fields, key: str, item: dict[Any, Any], line: int, node: yaml.Node | None) -> SpecLink | None:
    for extra in sorted(str(name) for name in item if name not in ("title", "url")):
        fields.problems.append(
            fields.problem(_line(_value_node(node, extra), line), f"{key}: unknown key '{extra}' in a {{title, url}} item", "warning")
        )
    title, url = item.get("title"), item.get("url")
    if not isinstance(title, (str, int, float)) or not str(title).strip():
        fields.problems.append(
            fields.problem(line, f"{key}: a {{title, url}} item needs a 'title' (text)", hint='title: "nginx: ngx_http_core_module"')
        )
        return None
    if url is None:
        fields.problems.append(fields.problem(line, f"{key}: a {{title, url}} item needs a 'url' (https://...)"))
        return None
    if not isinstance(url, str) or url_problem(url.strip(), schemes=("https",)) is not None:
        url_line = _line(_value_node(node, "url"), line)
        fields.problems.append(fields.problem(url_line, f"{key}: 'url' must be an https:// address, not {url!r}"))
        return None
    return SpecLink(str(title).strip(), url.strip(), line)


def read_more(fields: Fields) -> tuple[MoreLink, ...]:
    """Return the ``more`` links: ``[{title, from, url}]``, each ``url`` http(s) or relative."""
    value = fields.data.get("more")
    if value in (None, []):
        return ()
    if not isinstance(value, list):
        fields.error("more", "'more' must be a list of {title, from, url}")
        return ()
    links = []
    for item, line, node in _items(fields, "more"):
        if not isinstance(item, dict) or not item.get("url") or not item.get("title"):
            fields.problems.append(fields.problem(line, "each 'more' entry needs a 'title' and a 'url'"))
            continue
        url = item["url"]
        why = url_problem(url.strip(), relative=True) if isinstance(url, str) else "must be text"
        if why is not None:
            # a javascript: or data: link would run whatever the field holds on the reader's click
            fields.problems.append(fields.problem(_line(_value_node(node, "url"), line), f"more: 'url' {why}: {url!r}"))
            continue
        origin = item.get("from")
        links.append(MoreLink(str(item["title"]), url.strip(), str(origin) if origin else None))
    return tuple(links)


def read_faq(fields: Fields) -> tuple[Question, ...]:
    """Return the ``faq`` entries: ``[{q: question, a: answer}]``."""
    import yaml

    value = fields.data.get("faq")
    if value in (None, []):
        return ()
    if not isinstance(value, list):
        fields.error("faq", "'faq' must be a list of {q, a} entries", "start each entry with '- q: ' and put its 'a: ' on the next line")
        return ()
    questions = []
    for item, line, node in _items(fields, "faq"):
        if not isinstance(item, dict):
            fields.problems.append(
                fields.problem(line, "faq: each entry is a mapping {q: question, a: answer}", hint="start it with '- q: '")
            )
            continue
        for extra in sorted(str(name) for name in item if name not in ("q", "a")):
            fields.problems.append(
                fields.problem(_line(_value_node(node, extra), line), f"faq: unknown key '{extra}' (an entry has 'q' and 'a')", "warning")
            )
        texts = {}
        for name, what in (("q", "the question"), ("a", "the answer")):
            text = item.get(name)
            if isinstance(text, (dict, list)):
                where = _line(_value_node(node, name), line)
                fields.problems.append(
                    fields.problem(
                        where,
                        f"faq: '{name}' ({what}) must be text, not a {type(text).__name__}",
                        hint="quote a text that contains ': ' or starts with '[' or '{'",
                    )
                )
            elif text is None or isinstance(text, bool) or not str(text).strip():
                fields.problems.append(fields.problem(line, f"faq: this entry has no '{name}' ({what})"))
            else:
                texts[name] = str(text).strip()
        if len(texts) == 2:
            answer_node = _value_node(node, "a")
            answer_line = _line(answer_node, line)
            style = answer_node.style if isinstance(answer_node, yaml.ScalarNode) else None
            if style in ("|", ">"):
                answer_line += 1  # a block scalar's text starts on the line after its '>-'
            answer = texts["a"]
            if style != "|":
                # YAML folds lines and keeps a blank line as one newline: that newline
                # separated two paragraphs, and markdown needs a blank line for it
                answer = answer.replace("\n", "\n\n")
            questions.append(Question(texts["q"], answer, line, answer_line))
    return tuple(questions)


def read_unofficial(fields: Fields, status: object) -> tuple[tuple[str, ...], str | None]:
    """Return ``sent_by`` (the software that sends an unofficial code) and ``alternative``."""
    sent_by: list[str] = []
    if fields.data.get("sent_by") not in (None, []):
        for item, line, _node in _items(fields, "sent_by"):
            if isinstance(item, (dict, list, bool)) or item is None or not str(item).strip():
                fields.problems.append(
                    fields.problem(line, f"'sent_by' names software: text such as nginx, not {item!r}", hint="sent_by: [nginx]")
                )
            else:
                sent_by.append(str(item).strip())
    alternative = fields.text("alternative")
    if status != "unofficial":
        for key in UNOFFICIAL_FIELDS:
            if key in fields.data:
                fields.warn(key, f"'{key}' is only for unofficial codes", "add 'status: unofficial', or remove it")
    elif "sent_by" not in fields.data:
        fields.warn("status", "an unofficial code names the software that sends it", "add 'sent_by: [nginx]'")
    return tuple(sent_by), alternative or None
