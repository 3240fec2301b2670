"""Load ``content/<lang>/*.md`` into :class:`Page` records, whatever format they use.

Three formats are read as they are: the native one, the httpstatuses.io one (the same
fields plus ``## Takeaways`` / ``## Information`` sections) and MDN's (``title``,
``slug``, ``l10n.sourceCommit``, macros in the body). Every spelling is mapped here, so
later stages see one vocabulary. Nothing in this module raises on bad input: every
problem is collected with its line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitegen.content.facts import FACT_FIELDS, UNOFFICIAL_FIELDS, read_facts, read_faq, read_more, read_specs, read_unofficial
from sitegen.content.front_matter import Fields, decode, parse_yaml, split_front_matter
from sitegen.content.limits import MAX_PAGE_BYTES
from sitegen.content.placeholders import body_placeholders, front_matter_placeholders
from sitegen.content.sources import list_folder, read_source
from sitegen.content.versions import source_version_of
from sitegen.site.model import INTRO_KEYS, Config, Page, Problem, Reference, Source, is_number, must_be

if TYPE_CHECKING:
    from collections.abc import Mapping
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
    "draft",
    "faq",
    *UNOFFICIAL_FIELDS,
}
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


def _code(fields: Fields, file_stem: str) -> int | None:
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
    if not is_number(file_stem):
        # only code pages come here (intro pages, glossaries and data files are read apart)
        fields.error(
            "code" if raw is not None else "title",
            f"code {code} does not match the file name '{file_stem}'",
            f"rename the file to {code}.md",
        )
    elif int(file_stem) != code:
        fields.error(
            "code" if raw is not None else "title",
            f"code {code} does not match the file name '{file_stem}'",
            f"rename the file to {code}.md or fix the code",
        )
    return code


def page_name(file: Path) -> str:
    """Return what a page file is named after, its code: ``307`` for ``307.md``, and for
    MDN's layout (``307/index.md``, below a language folder) the name of its folder."""
    return file.parent.name if file.stem == "index" else file.stem


def _references(fields: Fields, key: str) -> tuple[Reference, ...]:
    """Return the codes of ``seeAlso``: a list, one number, empty or absent."""
    import yaml

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
    written_body = body
    body, body_takeaways, body_takeaway_offsets = take_takeaways(body)
    takeaways = fields.text_list("takeaways")
    takeaway_lines = fields.item_lines("takeaways") if takeaways else tuple(body_line + offset for offset in body_takeaway_offsets)
    if takeaways and body_takeaways:
        fields.warn("takeaways", "takeaways are given both in the front matter and in a '## Takeaways' section; the front matter wins")
    see_also_key = "seeAlso" if "seeAlso" in fields.data else "see_also"
    specs, spec_links = read_specs(fields, "spec")
    specs += fields.text_list("spec-urls")
    aliases = list(fields.text_list("aliases"))
    if fields.data.get("original_slug"):
        # relative: under the page's language segment, where MDN served it
        aliases.append(f"docs/{fields.text('original_slug')}")
    l10n = fields.data.get("l10n")
    source_version = fields.text("source_version")
    if isinstance(l10n, dict) and l10n.get("sourceCommit"):
        source_version = str(l10n["sourceCommit"])
    see_also = _references(fields, see_also_key)
    more = read_more(fields)
    facts = read_facts(fields)
    faq = read_faq(fields)
    sent_by, alternative = read_unofficial(fields, facts.get("status"))
    draft = fields.data.get("draft", False)
    if not isinstance(draft, bool):
        fields.error("draft", must_be("'draft'", "true or false", draft))
    overview = fields.text("overview") or ""
    if code is None or not name or any(problem.severity == "error" for problem in fields.problems):
        return None, fields.problems
    # a draft is unfinished by definition; anything else must not show "TODO" to readers
    placeholders = []
    if draft is not True:
        placeholders = [*front_matter_placeholders(path, fields.nodes), *body_placeholders(path, written_body, body_line)]
    page = Page(
        source=Source(path, 1, body_line, dict(fields.lines), source_version_of(text), text),
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
        draft=bool(draft),
        source_version=source_version,
        format="mdn" if is_mdn else "native",
        spec_links=spec_links,
        faq=faq,
        sent_by=sent_by,
        alternative=alternative,
    )
    return page, [*fields.problems, *placeholders]


def read_page_bytes(file: Path, path: str) -> tuple[bytes | None, list[Problem]]:
    """Return the bytes of a page file, or why it is not read.

    Only regular files are read: opening a FIFO would wait for a writer for ever, and a
    device or socket is no page. A file over :data:`MAX_PAGE_BYTES` is refused unread.
    """
    return read_source(file, path, MAX_PAGE_BYTES)


def load_file(file: Path, config: Config, language: str) -> tuple[Page | None, list[Problem]]:
    """Return the page in one file."""
    path = config.shown(file)
    raw, problems = read_page_bytes(file, path)
    if raw is None:
        return None, problems
    return load_bytes(raw, path, language, page_name(file))


def load_bytes(raw: bytes, path: str, language: str, file_stem: str) -> tuple[Page | None, list[Problem]]:
    """Return the page in the bytes of a file, and the problems found in it."""
    text, problems = decode(raw, path)
    if text is None:
        return None, problems
    return load_text(text, path, language, file_stem)


def language_folders(config: Config) -> tuple[dict[str, Path], list[Problem]]:
    """Return the content folder of each language tag, and folders that are not languages.

    A language's folder is named exactly as its segment: ``content/pt-BR/`` beside (or
    instead of) ``content/pt-br/`` is reported, not read, rather than one of them being
    left out in silence (and ``sitegen new`` writes into ``content/pt-br/``).
    """
    folders: dict[str, Path] = {}
    by_segment = {language.segment.lower(): language for language in config.languages}
    if not config.content_dir.is_dir():
        return folders, [Problem(config.shown(config.content_dir), None, "content folder not found")]
    listing = list_folder(config.content_dir, config, recursive=False)
    problems = list(listing.problems)
    for entry in listing.folders:
        if entry.name.lower() in config.hidden_segments:
            continue
        language = by_segment.get(entry.name.lower())
        if language is not None and entry.name == language.segment:
            folders[language.tag] = entry
            continue
        if language is not None:
            exact = config.content_dir / language.segment
            problems.append(
                Problem(
                    config.shown(entry),
                    None,
                    f"the folder of {language.tag} is '{language.segment}', not '{entry.name}' (folder names are case-sensitive): "
                    "its files are not read",
                    hint=f"move its files into {config.shown(exact)}/"
                    if any(folder.name == language.segment for folder in listing.folders)
                    else f"rename it to {config.shown(exact)}/",
                )
            )
            continue
        known = ", ".join(language.segment for language in config.languages)
        close = difflib.get_close_matches(entry.name.lower(), list(by_segment), n=1)
        problems.append(
            Problem(
                config.shown(entry),
                None,
                f"'{entry.name}' is not a configured language (configured: {known})",
                hint=f"did you mean '{close[0]}'?" if close else _add_language_hint(config, entry.name),
            )
        )
    for entry in listing.files:
        if entry.suffix.lower() in MARKDOWN_SUFFIXES:
            problems.append(
                Problem(config.shown(entry), None, "pages belong in a language folder", hint=f"move it to content/{config.source.segment}/")
            )
    return folders, problems


def _add_language_hint(config: Config, folder: str) -> str:
    """Return how to configure the language of ``folder``, in this project's configuration file."""
    from sitegen.config import PYPROJECT, config_file

    first, *rest = folder.split("-")
    # BCP 47 spelling: pt-br -> pt-BR, zh-hant -> zh-Hant
    tag = "-".join([first.lower(), *(part.upper() if len(part) == 2 else part.title() if len(part) == 4 else part for part in rest)])
    table = "[[tool.sitegen.languages]]" if config_file(config.root) == PYPROJECT else "[[languages]]"
    return f'add a {table} entry with tag = "{tag}" to {config_file(config.root)}, with draft = true until it is ready'


MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".mkdn"}
"""Extensions of markdown files: only ``.md`` pages are read, the others are reported."""


@dataclass(frozen=True)
class ContentListing:
    """Every file under each language's folder of ``content/``, listed once for a build."""

    folders: Mapping[str, Path]
    """The folder of each language tag."""
    files: Mapping[str, tuple[Path, ...]]
    """The files that may be read under each language's folder, at any depth, in a stable order."""
    problems: tuple[Problem, ...]
    """What is not a language folder, and what cannot be read (links out, pipes...)."""

    def top(self, tag: str) -> tuple[Path, ...]:
        """Return the files right in a language's folder (intros, the glossary...)."""
        folder = self.folders[tag]
        return tuple(file for file in self.files[tag] if file.parent == folder)


def top_files(config: Config, listing: ContentListing | None = None) -> dict[str, tuple[Path, ...]]:
    """Return the files right in each language's folder (intros, the glossary...): from
    ``listing``, the build's listing of ``content/``, if given, else listed now."""
    if listing is not None:
        return {tag: listing.top(tag) for tag in listing.folders}
    folders, _problems = language_folders(config)  # content_files reports these
    return {tag: list_folder(folder, config, recursive=False).files for tag, folder in folders.items()}


def list_content(config: Config) -> ContentListing:
    """Return the files of every language folder of ``content/``."""
    folders, problems = language_folders(config)
    files: dict[str, tuple[Path, ...]] = {}
    for tag, folder in folders.items():
        listing = list_folder(folder, config)
        problems.extend(listing.problems)
        files[tag] = listing.files
    return ContentListing(folders, files, tuple(problems))


def content_files(config: Config, listing: ContentListing | None = None) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """Return every (language tag, markdown file) under ``content/``, in a stable order
    (from ``listing`` if given).

    A markdown file with another extension (``418.MD``, ``418.markdown``) is reported:
    it would otherwise be left out of the site in silence.
    """
    listing = listing or list_content(config)
    problems = list(listing.problems)
    files: list[tuple[str, Path]] = []
    for tag, folder in listing.folders.items():
        for file in listing.files[tag]:
            if file.suffix == ".md":
                if not is_intro_file(file, folder):
                    files.append((tag, file))
            elif file.suffix.lower() in MARKDOWN_SUFFIXES:
                problems.append(
                    Problem(
                        config.shown(file),
                        None,
                        f"a page must end in '.md', not '{file.suffix}': it is not read",
                        "warning",
                        f"rename it to {file.stem}.md",
                    )
                )
    return files, problems


def is_intro_file(file: Path, folder: Path) -> bool:
    """Return whether ``file`` is an intro page (``index.md``, ``4xx.md``) of a language folder."""
    return file.suffix == ".md" and file.stem in INTRO_KEYS and file.parent == folder


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
