"""Load ``content/<lang>/*.md`` into :class:`Page` records, whatever format they use.

Three formats are read as they are: the native one, the httpstatuses.io one (the same
fields plus ``## Takeaways`` / ``## Information`` sections) and MDN's (``title``,
``slug``, ``l10n.sourceCommit``, macros in the body). Every spelling is mapped here, so
later stages see one vocabulary. Nothing in this module raises on bad input: every
problem is collected with its line.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from sitegen.model import Config, MoreLink, Page, Problem, Reference, Source, is_number

if TYPE_CHECKING:
    from pathlib import Path

NATIVE_FIELDS = {
    "code",
    "name",
    "title",
    "spec",
    "overview",
    "takeaways",
    "seeAlso",
    "see_also",
    "more",
    "aliases",
    "source_version",
}
FACT_FIELDS = {"permanent", "method_preserved", "cacheable", "status"}
STATUS_VALUES = ("standard", "unofficial", "obsolete", "unused")
MDN_FIELDS = {
    "slug",
    "original_slug",
    "page-type",
    "l10n",
    "spec-urls",
    "browser-compat",
    "sidebar",
    "short-title",
    "tags",
}
KNOWN_FIELDS = NATIVE_FIELDS | FACT_FIELDS | MDN_FIELDS
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_H2 = re.compile(r"^ {0,3}##[ \t]+(.*?)[ \t#]*$")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|[0-9]{1,9}[.)])[ \t]+(.*)$")
_TITLE_CODE = re.compile(r"^\s*([0-9]{3})\b[\s:.-]*(.*)$")
_SLUG_CODE = re.compile(r"(?:^|/)([0-9]{3})/?$")
TAKEAWAY_HEADINGS = {"takeaways", "key takeaways"}
# libyaml's loader, where PyYAML was built with it, parses front matter about 10x faster
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True)
class _Fields:
    """Front matter of one file, with the line of every key."""

    path: str
    data: dict[str, Any]
    lines: dict[str, int]
    nodes: dict[str, yaml.Node]
    problems: list[Problem] = field(default_factory=list)

    def error(self, key: str | None, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, self.lines.get(key or "", self.lines.get("", 1)), message, "error", hint))

    def warn(self, key: str | None, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, self.lines.get(key or "", self.lines.get("", 1)), message, "warning", hint))

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            self.error(key, f"'{key}' must be text, not a {type(value).__name__}")
            return None
        return str(value).strip()

    def item_lines(self, key: str) -> tuple[int, ...]:
        """Return the line of each item of a list field (the key's line for one value)."""
        node = self.nodes.get(key)
        if isinstance(node, yaml.SequenceNode):
            return tuple(item.start_mark.line + 2 for item in node.value)
        return (self.lines.get(key, 1),)

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        result = []
        for item in items:
            if isinstance(item, (dict, list)) or item is None:
                self.error(key, f"'{key}' must be text or a list of text")
                continue
            result.append(str(item).strip())
        return tuple(result)


def decode(raw: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Return the text of a file (BOM and CRLF accepted), or a problem if it is not UTF-8."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return None, [Problem(path, line, f"not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded", hint="save the file as UTF-8")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def split_front_matter(text: str, path: str) -> tuple[str, str, int, list[Problem]]:
    """Return (front matter, body, body start line) of a page."""
    lines = text.split("\n")
    if not text.strip():
        return "", "", 1, [Problem(path, None, "empty file", hint="a page starts with '---', its front matter, '---', then markdown")]
    if lines[0].rstrip() != "---":
        return (
            "",
            "",
            1,
            [
                Problem(
                    path,
                    1,
                    "no front matter: the file must start with a '---' line",
                    hint="did you forget the '---' lines around the YAML?",
                )
            ],
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2, []
    return "", "", 1, [Problem(path, 1, "front matter is never closed", hint="add a '---' line after the YAML")]


def _compose(front_matter: str, loader_class: type[yaml.SafeLoader]) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(front_matter)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def parse_yaml(front_matter: str, path: str) -> tuple[_Fields | None, list[Problem]]:
    """Return the front matter as data with the line of each key (file line = YAML line + 1)."""
    try:
        try:
            node, data = _compose(front_matter, _LOADER)
        except yaml.MarkedYAMLError:
            # the pure-Python parser words its errors better and marks the exact line
            node, data = _compose(front_matter, yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark else 1
        what = error.problem or error.context or "invalid YAML"
        return None, [Problem(path, line, f"invalid YAML in front matter: {what}", hint=_yaml_hint(what))]
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as error:
        return None, [Problem(path, 1, f"invalid YAML in front matter: {error}")]
    if data is None:
        return None, [Problem(path, 1, "front matter is empty", hint="add at least 'code' and 'name'")]
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return None, [Problem(path, 2, "front matter must be a mapping of 'key: value' lines")]
    fields = _Fields(path, {str(key): value for key, value in data.items()}, {"": 1}, {})
    for key_node, value_node in node.value:
        key = str(key_node.value)
        fields.lines[key], first = key_node.start_mark.line + 2, fields.lines.get(key)
        if first is not None:
            fields.warn(key, f"'{key}' is given twice (first on line {first}); the last one is used")
        fields.nodes[key] = value_node
    return fields, fields.problems


def _yaml_hint(what: str) -> str | None:
    if "mapping values are not allowed" in what:
        return "quote a value that contains ': '"
    if "found character '\\t'" in what:
        return "indent with spaces, not tabs"
    return None


def take_takeaways(body: str) -> tuple[str, tuple[str, ...], tuple[int, ...]]:
    """Return the body without its ``## Takeaways`` section, and that section's items.

    The section's lines are blanked rather than removed so that later line numbers
    stay true to the file.
    """
    lines = body.split("\n")
    fence: str | None = None
    start = end = None
    for index, line in enumerate(lines):
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker[0] * len(marker)
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is not None:
            continue
        heading = _H2.match(line)
        if heading and start is None and heading.group(1).strip().lower() in TAKEAWAY_HEADINGS:
            start = index
        elif (heading or line.startswith("# ")) and start is not None:
            end = index
            break
    if start is None:
        return body, (), ()
    end = len(lines) if end is None else end
    items: list[tuple[str, int]] = []
    current: list[str] = []
    current_line = 0
    for offset, line in enumerate(lines[start + 1 : end], start + 1):
        item = _LIST_ITEM.match(line)
        if item or not line.strip():
            if current:
                items.append((" ".join(current), current_line))
            current = [item.group(1).strip()] if item else []
            current_line = offset
        else:
            current_line = current_line if current else offset
            current.append(line.strip())
    if current:
        items.append((" ".join(current), current_line))
    lines[start:end] = [""] * (end - start)
    kept = [(text, line) for text, line in items if text]
    return "\n".join(lines), tuple(text for text, _ in kept), tuple(line for _, line in kept)


def _code(fields: _Fields, file_stem: str) -> int | None:
    """Return the page's code from ``code``, or MDN's ``title`` / ``slug``."""
    raw = fields.data.get("code")
    code: int | None = None
    if raw is not None:
        if isinstance(raw, bool) or not (isinstance(raw, int) or (isinstance(raw, str) and is_number(raw))):
            fields.error("code", f"'code' must be an integer such as 307, not {raw!r}")
            return None
        code = int(raw)
    else:
        title = fields.data.get("title")
        match = _TITLE_CODE.match(str(title)) if title is not None else None
        slug_match = _SLUG_CODE.search(str(fields.data.get("slug") or ""))
        if match:
            code = int(match.group(1))
        elif slug_match:
            code = int(slug_match.group(1))
        else:
            fields.error(None, "missing 'code'", "add 'code: 307' to the front matter")
            return None
    if not 100 <= code <= 599:
        fields.error("code" if raw is not None else "title", f"code {code} is outside 100-599")
        return None
    if is_number(file_stem) and int(file_stem) != code:
        fields.error(
            "code" if raw is not None else "title",
            f"code {code} does not match the file name '{file_stem}'",
            f"rename the file to {code}.md or fix the code",
        )
    return code


def _references(fields: _Fields, key: str) -> tuple[Reference, ...]:
    """Return the codes of ``seeAlso``: a list, one number, empty or absent."""
    value = fields.data.get(key)
    if value in (None, "", []):
        return ()
    node = fields.nodes.get(key)
    items = value if isinstance(value, list) else [value]
    item_nodes = node.value if isinstance(node, yaml.SequenceNode) else [node] * len(items)
    references = []
    for item, item_node in zip(items, item_nodes, strict=False):
        line = item_node.start_mark.line + 2 if item_node is not None else fields.lines.get(key, 1)
        text = str(item).strip()
        if isinstance(item, bool) or not (isinstance(item, int) or is_number(text)):
            fields.problems.append(Problem(fields.path, line, f"{key}: expected a status code such as 308, not {item!r}"))
            continue
        references.append(Reference(int(text), line))
    return tuple(references)


def _more(fields: _Fields) -> tuple[MoreLink, ...]:
    value = fields.data.get("more")
    if value in (None, []):
        return ()
    if not isinstance(value, list):
        fields.error("more", "'more' must be a list of {title, from, url}")
        return ()
    links = []
    for item in value:
        if not isinstance(item, dict) or not item.get("url") or not item.get("title"):
            fields.error("more", "each 'more' entry needs a 'title' and a 'url'")
            continue
        origin = item.get("from")
        links.append(MoreLink(str(item["title"]), str(item["url"]), str(origin) if origin else None))
    return tuple(links)


def _facts(fields: _Fields) -> dict[str, object]:
    facts: dict[str, object] = {}
    for key in sorted(FACT_FIELDS & fields.data.keys()):
        value = fields.data[key]
        if key == "status":
            if isinstance(value, list):
                continue  # MDN's status is a list of flags such as [experimental]
            if value not in STATUS_VALUES:
                fields.error(key, f"status must be one of {', '.join(STATUS_VALUES)}, not {value!r}")
                continue
        elif not isinstance(value, bool):
            fields.error(key, f"'{key}' must be true or false, not {value!r}")
            continue
        facts[key] = value
    return facts


def content_digest(text: str) -> str:
    """Return the version of a page's text: the start of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def load_text(text: str, path: str, language: str, file_stem: str) -> tuple[Page | None, list[Problem]]:
    """Return the page written in ``text`` and the problems found in it."""
    front_matter, body, body_line, problems = split_front_matter(text, path)
    if problems:
        return None, problems
    fields, problems = parse_yaml(front_matter, path)
    if fields is None:
        return None, problems
    for key in fields.data:
        if key not in KNOWN_FIELDS:
            close = difflib.get_close_matches(key, sorted(KNOWN_FIELDS), n=1)
            fields.warn(key, f"unknown field '{key}'", f"did you mean '{close[0]}'?" if close else None)

    is_mdn = "code" not in fields.data and ("slug" in fields.data or "title" in fields.data)
    code = _code(fields, file_stem)
    name = fields.text("name")
    title = fields.text("title")
    if is_mdn and title:
        match = _TITLE_CODE.match(title)
        name = name or (match.group(2).strip() if match else title)
    if not name and code is not None:
        fields.error("name" if "name" in fields.data else None, "missing 'name'", "add the reason phrase, e.g. 'name: Temporary Redirect'")
    body, body_takeaways, body_takeaway_offsets = take_takeaways(body)
    takeaways = fields.text_list("takeaways")
    takeaway_lines = fields.item_lines("takeaways") if takeaways else tuple(body_line + offset for offset in body_takeaway_offsets)
    if takeaways and body_takeaways:
        fields.warn("takeaways", "takeaways are given both in the front matter and in a '## Takeaways' section; the front matter wins")
    see_also_key = "seeAlso" if "seeAlso" in fields.data else "see_also"
    specs = fields.text_list("spec") + fields.text_list("spec-urls")
    aliases = list(fields.text_list("aliases"))
    if fields.data.get("original_slug"):
        # relative: under the page's language segment, where MDN served it
        aliases.append(f"docs/{fields.text('original_slug')}")
    l10n = fields.data.get("l10n")
    source_version = fields.text("source_version")
    if isinstance(l10n, dict) and l10n.get("sourceCommit"):
        source_version = str(l10n["sourceCommit"])
    see_also = _references(fields, see_also_key)
    more = _more(fields)
    facts = _facts(fields)
    overview = fields.text("overview") or ""
    if code is None or not name or any(problem.severity == "error" for problem in fields.problems):
        return None, fields.problems
    page = Page(
        source=Source(path, 1, body_line, dict(fields.lines), content_digest(text)),
        language=language,
        code=code,
        name=name,
        title=title if title and not is_mdn else f"{code} {name}",
        specs=specs,
        overview=overview,
        takeaways=takeaways or body_takeaways,
        takeaway_lines=takeaway_lines,
        see_also=see_also,
        more=more,
        body=body,
        facts=facts,
        aliases=tuple(aliases),
        source_version=source_version,
        format="mdn" if is_mdn else "native",
    )
    return page, fields.problems


def load_file(file: Path, config: Config, language: str) -> tuple[Page | None, list[Problem]]:
    """Return the page in one file."""
    path = config.shown(file)
    try:
        raw = file.read_bytes()
    except OSError as error:
        return None, [Problem(path, None, f"cannot read the file: {error.strerror or error}")]
    text, problems = decode(raw, path)
    if text is None:
        return None, problems
    return load_text(text, path, language, file.stem)


def language_folders(config: Config) -> tuple[dict[str, Path], list[Problem]]:
    """Return the content folder of each language tag, and folders that are not languages."""
    folders: dict[str, Path] = {}
    problems: list[Problem] = []
    by_segment = {language.segment.lower(): language for language in config.languages}
    if not config.content_dir.is_dir():
        return folders, [Problem(config.shown(config.content_dir), None, "content folder not found")]
    for entry in sorted(config.content_dir.iterdir()):
        if entry.name.startswith("."):
            continue
        language = by_segment.get(entry.name.lower())
        if entry.is_dir() and language is not None:
            folders[language.tag] = entry
        elif entry.is_dir():
            known = ", ".join(language.segment for language in config.languages)
            close = difflib.get_close_matches(entry.name.lower(), list(by_segment), n=1)
            problems.append(
                Problem(
                    config.shown(entry),
                    None,
                    f"'{entry.name}' is not a configured language (configured: {known})",
                    hint=f"did you mean '{close[0]}'?" if close else "add it to [tool.sitegen] languages",
                )
            )
        elif entry.suffix == ".md":
            problems.append(
                Problem(config.shown(entry), None, "pages belong in a language folder", hint=f"move it to content/{config.source.segment}/")
            )
    return folders, problems


def content_files(config: Config) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """Return every (language tag, markdown file) under ``content/``, in a stable order."""
    folders, problems = language_folders(config)
    files = [
        (tag, file)
        for tag, folder in folders.items()
        for file in sorted(folder.rglob("*.md"))
        if not any(part.startswith(".") for part in file.relative_to(folder).parts) and not file.is_dir()
    ]
    return files, problems


def load_pages(config: Config) -> tuple[list[Page], list[Problem]]:
    """Return every page under ``content/`` and every problem met reading them."""
    files, problems = content_files(config)
    pages: list[Page] = []
    for tag, file in files:
        page, file_problems = load_file(file, config, tag)
        problems.extend(file_problems)
        if page is not None:
            pages.append(page)
    return pages, problems
