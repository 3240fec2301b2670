"""Random sequences of edits: after each one, a cached build and the dev server's rebuild
give the bytes and problems of a build from nothing.

A small project (five codes in English, some translated, intro pages, a comparison table,
a guide, a glossary; the real templates, stylesheets and catalogs) is edited the way
authors edit: a page's body, name, overview, takeaways, seeAlso, spec, aliases, FAQ, a
link to another code (macro or markdown, with an anchor or not), a page added, deleted,
renumbered, moved to MDN's layout, made a draft, broken and fixed, a translation added or
brought up to date, an intro page, a data file, the glossary, a template (broken too), a
catalog (broken too), a static file, the configuration; sometimes two edits are built at
once (a checkout, a search-and-replace). Each machine below applies one random edit per
step and compares:

- :class:`CommandLineEdits`: ``sitegen build`` (on-disk cache, ``_site/`` written over the
  last one) with ``sitegen build --no-cache`` into another folder: the same tree, the same
  problems, the same exit code;
- :class:`PreviewEdits`: the dev server's rebuild after the edit's :class:`Changes`
  (in-memory stages, views kept by what they read, quick pages of the open pages) with a
  build from nothing: the files served, the problems reported, and every page sent to an
  open page before the build was published.

``SITEGEN_EDIT_SEQUENCES=300`` runs 300 sequences of each (the default is a few, for
``make test``), ``SITEGEN_EDIT_STEPS`` sets their length, ``SITEGEN_EDIT_RECORD=file``
appends each sequence run to ``file``.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
import shutil
import tempfile
import unittest.mock
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sitegen.cli import main
from sitegen.config import load_config
from sitegen.content.versions import source_version_of
from sitegen.engine.build import build_site
from sitegen.live.preview import Preview
from sitegen.live.watch import Changes
from tests.conftest import REPO
from tests.live import without_script

SEQUENCES = int(os.environ.get("SITEGEN_EDIT_SEQUENCES", "3"))
STEPS = int(os.environ.get("SITEGEN_EDIT_STEPS", "8"))
EDITS = settings(
    max_examples=SEQUENCES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

LANGUAGES = ("en", "fr", "pt-br")
CODES = (301, 302, 307, 308, 401, 404, 599)
"""The codes a page may be written for (302 and the unofficial 599 have none at first)."""
NAMES = {
    "en": {
        301: "Moved Permanently",
        302: "Found",
        307: "Temporary Redirect",
        308: "Permanent Redirect",
        401: "Unauthorized",
        404: "Not Found",
        599: "Network Timeout",
    },
    "fr": {
        301: "Déplacé",
        302: "Trouvé",
        307: "Redirection temporaire",
        308: "Redirection permanente",
        401: "Non autorisé",
        404: "Introuvable",
        599: "Délai réseau",
    },
    "pt-br": {
        301: "Movido",
        302: "Encontrado",
        307: "Redirecionamento",
        308: "Redirecionamento permanente",
        401: "Não autorizado",
        404: "Não encontrado",
        599: "Tempo de rede",
    },
}
FACTS = {
    301: {"permanent": "true", "method_preserved": "not-guaranteed", "cacheable": "true"},
    302: {"permanent": "false", "method_preserved": "not-guaranteed", "cacheable": "false"},
    307: {"permanent": "false", "method_preserved": "true", "cacheable": "false"},
    308: {"permanent": "true", "method_preserved": "true", "cacheable": "true"},
    401: {"answered_by": "origin", "required_header": "WWW-Authenticate", "retry": "with-credentials"},
    404: {},
    599: {"status": "unofficial", "sent_by": "[some proxies]", "alternative": "'{{HTTPStatus(504)}}'"},
}
WORDS = {
    "en": ["The client follows it.", "Caches may keep it.", "Servers send it rarely.", "A browser shows the page."],
    "fr": ["Le client la suit.", "Les caches peuvent la garder.", "Les serveurs l'envoient peu.", "Un endpoint répond."],
    "pt-br": ["O cliente a segue.", "Os caches podem guardá-la.", "Poucos servidores a enviam.", "O navegador mostra a página."],
}
"""Sentences of body text (the French ``endpoint`` is a term the glossary may forbid)."""
HEADINGS = {"en": "Details", "fr": "Détails", "pt-br": "Detalhes"}


@dataclass(frozen=True)
class PageText:
    """A code page, as its file says it."""

    name: str
    overview: str | None = None
    takeaways: tuple[str, ...] = ()
    see_also: tuple[int, ...] | None = None
    body: tuple[str, ...] = ()
    draft: bool = False
    broken: bool = False
    folder: bool = False
    """In MDN's layout: ``<code>/index.md``."""
    source_version: str | None = None
    spec: str | None = None
    aliases: tuple[str, ...] = ()
    faq: tuple[tuple[str, str], ...] = ()


def page_path(language: str, code: int, page: PageText) -> str:
    return f"content/{language}/{code}/index.md" if page.folder else f"content/{language}/{code}.md"


def page_file(code: int, page: PageText) -> str:
    lines = ["---", f"code: {code}", f"name: {page.name}"]
    if page.overview is not None:
        lines.append(f"overview: {json.dumps(page.overview, ensure_ascii=False)}")
    if page.takeaways:
        lines += ["takeaways:", *(f"  - {json.dumps(line, ensure_ascii=False)}" for line in page.takeaways)]
    if page.see_also is not None:
        lines.append(f"seeAlso: [{', '.join(map(str, page.see_also))}]")
    lines += [f"{fact}: {value}" for fact, value in FACTS[code].items()]
    if page.spec is not None:
        lines.append(f"spec: {page.spec}")
    if page.aliases:
        lines.append(f"aliases: [{', '.join(page.aliases)}]")
    if page.faq:
        lines += ["faq:", *(f"  - q: {json.dumps(q, ensure_ascii=False)}\n    a: {json.dumps(a, ensure_ascii=False)}" for q, a in page.faq)]
    if page.draft:
        lines.append("draft: true")
    if page.source_version is not None:
        lines.append(f"source_version: {page.source_version}")
    lines.append("---")
    text = "\n".join(lines) + "\n\n" + "\n\n".join(page.body) + "\n"
    if page.broken:
        text = text.replace("---\n", "---\nbroken: [unclosed\nnext: line\n", 1)
    return text


def initial_pages() -> dict[tuple[str, int], PageText]:
    pages = {
        ("en", code): PageText(
            NAMES["en"][code],
            f"What {code} means.",
            (f"{code} in one line.",),
            (307,) if code != 307 else (308, 301),
            (WORDS["en"][0], f'Compare with {{{{HTTPStatus("{308 if code != 308 else 307}")}}}}.'),
        )
        for code in (301, 307, 308, 401, 404)
    }
    for language, code in (("fr", 307), ("fr", 401), ("pt-br", 308)):
        source = page_file(code, pages["en", code])
        pages[language, code] = PageText(
            NAMES[language][code], body=(WORDS[language][0],), see_also=(301,), source_version=source_version_of(source)
        )
    return pages


INTROS = {
    "content/en/index.md": '---\noverview: Every status code, by class.\n---\n\nStart with {{HTTPStatus("404")}}.\n',
    "content/en/3xx.md": '---\noverview: Redirects.\n---\n\nSee {{HTTPStatus("307")}} and [the permanent one](308.md).\n',
    "content/fr/3xx.md": '---\noverview: Les redirections.\n---\n\nVoir {{HTTPStatus("307")}}.\n',
}
COMPARE = """\
comparisons:
  - name: redirects
    title: "Redirects compared"
    summary: {summary}
    intro: Three redirects.
    codes: [{codes}]
    facts: [permanent, method_preserved, cacheable]
"""
COMPARE_FR = """\
source_version: 1b7eaaaf8d25
comparisons:
  - name: redirects
    title: "Les redirections comparées"
    summary: Laquelle garde la méthode.
    intro: Trois redirections.
"""
GUIDE = """\
title: Which status code should I return?
overview: A small decision tree.
intro: Open the answer that fits.
steps:
  - id: start
    question: Did it work?
    answers:
      - answer: It moved
        next: moved
      - answer: The client must log in
        code: 401
        why: {why}
  - id: moved
    question: For good?
    answers:
      - answer: Yes
        code: 308
        why: Permanent, the method is kept.
      - answer: No
        code: {temporary}
        why: Temporary.
"""
GLOSSARY = '- use: "point de terminaison"\n  avoid: ["endpoint"]\n'
CONFIG = (REPO / "sitegen.toml").read_text("utf-8")

TEMPLATE_EDITS = {
    "heading class": ("templates/code.html", "<h1 ", '<h1 class="edited" '),
    "base text": ("templates/base.html", "</body>", "<!-- edited --></body>"),
    "class page": ("templates/class.html", "{% block", "{# edited #}{% block"),
    "broken": ("templates/code.html", "{% endif %}", "{% endfi %}"),
}
CATALOG = "locales/fr/LC_MESSAGES/messages.po"
CATALOG_LINE = 'msgid "Class"\nmsgstr "Classe"'
CATALOG_EDITS = {
    "fr class": 'msgid "Class"\nmsgstr "Catégorie"',
    "fr untranslated": 'msgid "Class"\nmsgstr ""',
    "fr broken": 'msgid "Class"\nmsgstr "Classe" oops',
}
CONFIG_EDITS = {
    "title": ('title = "HTTP status codes"', 'title = "Status codes"'),
    "no toc": ("\n[[languages]]", "\n[features]\ntoc = false\nsidebar = false\n\n[[languages]]"),
    "no prev_next": ("\n[[languages]]", "\n[features]\nprev_next = false\nsocial_cards = false\n\n[[languages]]"),
    "no typography": ('source_language = "en"', 'source_language = "en"\nfrench_typography = []'),
    "French title": ('title = "Codes de statut HTTP"', 'title = "Codes HTTP"'),
    "Portuguese draft": ('segment = "pt-br"', 'segment = "pt-br"\ndraft = true'),
    "base URL": ('base_url = "https://http-status.example.org/"', 'base_url = "https://example.org/docs/"'),
}
STATIC_EDITS = {
    "stylesheet": ("static/style.css", lambda text: text + "\n.edited { color: red; }\n"),
    "script": ("static/site.js", lambda text: text + "\n// edited\n"),
}

sentences = st.sampled_from(sorted({sentence for words in WORDS.values() for sentence in words}))
codes = st.sampled_from(CODES)
languages = st.sampled_from(LANGUAGES)


def link_to(code: int, how: int) -> str:
    """Return a reference to ``code`` in one of the forms authors write."""
    return (
        f'{{{{HTTPStatus("{code}")}}}}',
        f'{{{{HTTPStatus("{code}", "code {code}")}}}}',
        f"[the {code} page]({code}.md)",
        f"[the {code} page](../{code}/)",
        f"[its details]({code}.md#details)",
    )[how]


@dataclass
class Sources:
    """The project's sources as a model: what each edit changes, written under ``root``."""

    root: Path
    pages: dict[tuple[str, int], PageText] = field(default_factory=initial_pages)
    files: dict[str, str | None] = field(default_factory=dict)
    """Every other file the edits touch (intros, data files, templates...), by relative path."""
    changed: dict[str, set[Path]] = field(default_factory=dict)
    """The paths written since the last build, by kind (what the watcher would report)."""

    def setup(self) -> None:
        for part in ("templates", "static", "locales"):
            shutil.copytree(REPO / part, self.root / part)
        (self.root / "content").mkdir()
        self.write("sitegen.toml", CONFIG)
        for path, text in INTROS.items():
            self.write(path, text)
        self.write("content/en/compare.yaml", COMPARE.format(summary="Which is permanent.", codes="301, 307, 308"))
        self.write("content/fr/compare.yaml", COMPARE_FR)
        self.write("content/en/guide.yaml", GUIDE.format(why="Send WWW-Authenticate.", temporary=307))
        self.write("content/fr/glossary.yaml", GLOSSARY)
        for (language, code), page in self.pages.items():
            self.write(page_path(language, code, page), page_file(code, page))
        self.changed.clear()

    def kind(self, relative: str) -> str:
        return "config" if relative == "sitegen.toml" else relative.split("/")[0]

    def read(self, relative: str) -> str | None:
        if relative not in self.files:
            path = self.root / relative
            self.files[relative] = path.read_text("utf-8") if path.is_file() else None
        return self.files[relative]

    def write(self, relative: str, text: str | None) -> None:
        """Write (or delete, if ``None``) a file."""
        self.files[relative] = text
        path = self.root / relative
        if text is None:
            path.unlink(missing_ok=True)
            if path.parent.name.isdigit() and not any(path.parent.iterdir()):
                path.parent.rmdir()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        self.changed.setdefault(self.kind(relative), set()).add(path)

    def set_page(self, language: str, code: int, page: PageText | None) -> None:
        old = self.pages.get((language, code))
        if old is not None and (page is None or page_path(language, code, page) != page_path(language, code, old)):
            self.write(page_path(language, code, old), None)
        if page is None:
            del self.pages[language, code]
        else:
            self.pages[language, code] = page
            self.write(page_path(language, code, page), page_file(code, page))

    def take_changes(self) -> Changes:
        """Return the paths changed since the last call, by kind, as the watcher reports them."""
        changes = Changes({kind: frozenset(paths) for kind, paths in self.changed.items()})
        self.changed.clear()
        return changes


class Edits(RuleBasedStateMachine):
    """The edits; a subclass builds after each and compares (:meth:`check`)."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="sitegen-edits-"))
        self.root = self.folder / "project"
        self.root.mkdir()
        self.sources = Sources(self.root)
        self.log: list[str] = []
        self.hold = ""
        """``asked``, then ``armed``: the next edit waits for the one after it to be built."""

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        record = os.environ.get("SITEGEN_EDIT_RECORD")
        if record:  # the sequences run, one per line: for the figures of a long hunt
            with Path(record).open("a", encoding="utf-8") as file:
                file.write(json.dumps([type(self).__name__, self.log]) + "\n")

    def step(self, name: str) -> None:
        self.log.append(name)

    def held(self) -> bool:
        """Return whether to leave out the build after this step: after the step that holds
        it (nothing changed) and after the edit that follows (built with the next one)."""
        if self.hold == "asked":
            self.hold = "armed"
            return True
        held, self.hold = self.hold == "armed", ""
        return held

    # -- code pages ------------------------------------------------------------------
    def _pick(self, data: st.DataObject) -> tuple[str, int, PageText]:
        key = data.draw(st.sampled_from(sorted(self.sources.pages)), label="page")
        return key[0], key[1], self.sources.pages[key]

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data(), sentence=sentences, where=st.integers(0, 3))
    def body_edited(self, data: st.DataObject, sentence: str, where: int) -> None:
        language, code, page = self._pick(data)
        body = list(page.body)
        if where == 0 and body:
            body.pop()
        elif where == 1 and body:
            body[0] = sentence
        elif where == 2:
            body.append(f"## {HEADINGS[language]}\n\n" + sentence)
        else:
            body.append(sentence)
        self.step(f"body of {language}/{code}")
        self.sources.set_page(language, code, replace(page, body=tuple(body)))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data(), target_code=codes, how=st.integers(0, 4), remove=st.booleans())
    def link_edited(self, data: st.DataObject, target_code: int, how: int, remove: bool) -> None:
        language, code, page = self._pick(data)
        body = [paragraph for paragraph in page.body if "HTTPStatus" not in paragraph and "page](" not in paragraph]
        if not remove:
            body = [*page.body, f"See {link_to(target_code, how)} too."]
        self.step(f"link in {language}/{code} to {target_code} ({how}, remove={remove})")
        self.sources.set_page(language, code, replace(page, body=tuple(body)))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data(), number=st.integers(0, 3))
    def name_edited(self, data: st.DataObject, number: int) -> None:
        language, code, page = self._pick(data)
        name = NAMES[language][code] + ("" if number == 0 else f" {'I' * number}")
        self.step(f"name of {language}/{code}: {name}")
        self.sources.set_page(language, code, replace(page, name=name))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data(), overview=st.none() | sentences)
    def overview_edited(self, data: st.DataObject, overview: str | None) -> None:
        language, code, page = self._pick(data)
        self.step(f"overview of {language}/{code}: {overview}")
        self.sources.set_page(language, code, replace(page, overview=overview))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data(), takeaways=st.lists(sentences, max_size=2).map(tuple), linked=st.none() | codes)
    def takeaways_edited(self, data: st.DataObject, takeaways: tuple[str, ...], linked: int | None) -> None:
        language, code, page = self._pick(data)
        if linked is not None:
            takeaways = (*takeaways, f'Unlike {{{{HTTPStatus("{linked}")}}}}.')
        self.step(f"takeaways of {language}/{code}: {takeaways}")
        self.sources.set_page(language, code, replace(page, takeaways=takeaways))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data(), see_also=st.none() | st.lists(codes, max_size=3, unique=True).map(tuple))
    def see_also_edited(self, data: st.DataObject, see_also: tuple[int, ...] | None) -> None:
        language, code, page = self._pick(data)
        self.step(f"seeAlso of {language}/{code}: {see_also}")
        self.sources.set_page(language, code, replace(page, see_also=see_also))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data())
    def draft_toggled(self, data: st.DataObject) -> None:
        language, code, page = self._pick(data)
        self.step(f"draft of {language}/{code}: {not page.draft}")
        self.sources.set_page(language, code, replace(page, draft=not page.draft))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data())
    def page_broken_or_fixed(self, data: st.DataObject) -> None:
        language, code, page = self._pick(data)
        self.step(f"front matter of {language}/{code} {'fixed' if page.broken else 'broken'}")
        self.sources.set_page(language, code, replace(page, broken=not page.broken))

    @precondition(lambda self: any(page.broken for page in self.sources.pages.values()))
    @rule(data=st.data())
    def broken_page_fixed(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(key for key, page in self.sources.pages.items() if page.broken)), label="broken")
        self.step(f"front matter of {key[0]}/{key[1]} fixed")
        self.sources.set_page(*key, replace(self.sources.pages[key], broken=False))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data())
    def page_moved(self, data: st.DataObject) -> None:
        language, code, page = self._pick(data)
        self.step(f"{language}/{code} moved to {'the flat' if page.folder else 'MDN'} layout")
        self.sources.set_page(language, code, replace(page, folder=not page.folder))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data())
    def page_deleted(self, data: st.DataObject) -> None:
        language, code, _ = self._pick(data)
        self.step(f"{language}/{code} deleted")
        self.sources.set_page(language, code, None)

    @rule(language=languages, code=codes, up_to_date=st.booleans(), sentence=sentences)
    def page_added(self, language: str, code: int, up_to_date: bool, sentence: str) -> None:
        version = None
        if language != "en":
            source = self.sources.pages.get(("en", code))
            version = source_version_of(page_file(code, source)) if source is not None and up_to_date else "0" * 40
        page = PageText(NAMES[language][code], f"About {code}.", body=(sentence,), see_also=(307,), source_version=version)
        self.step(f"{language}/{code} written anew (up to date: {up_to_date})")
        self.sources.set_page(language, code, page)

    @precondition(lambda self: any(language != "en" for language, _ in self.sources.pages))
    @rule(data=st.data())
    def translation_brought_up_to_date(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(key for key in self.sources.pages if key[0] != "en")), label="translation")
        source = self.sources.pages.get(("en", key[1]))
        version = source_version_of(page_file(key[1], source)) if source is not None else None
        self.step(f"{key[0]}/{key[1]} brought up to date")
        self.sources.set_page(*key, replace(self.sources.pages[key], source_version=version))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data(), spec=st.sampled_from([None, "RFC 9110 §15.4.8", "RFC 9110 §15.5.2", "RFC 9110"]))
    def spec_edited(self, data: st.DataObject, spec: str | None) -> None:
        language, code, page = self._pick(data)
        self.step(f"spec of {language}/{code}: {spec}")
        self.sources.set_page(language, code, replace(page, spec=spec))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data(), alias=st.sampled_from(["/old/", "/older/", "/docs/moved/"]))
    def alias_toggled(self, data: st.DataObject, alias: str) -> None:
        language, code, page = self._pick(data)
        aliases = tuple(other for other in page.aliases if other != alias) if alias in page.aliases else (*page.aliases, alias)
        self.step(f"aliases of {language}/{code}: {aliases}")
        self.sources.set_page(language, code, replace(page, aliases=aliases))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data(), linked=st.none() | codes)
    def faq_edited(self, data: st.DataObject, linked: int | None) -> None:
        language, code, page = self._pick(data)
        faq = () if linked is None else ((f"Why {code}?", f'Because of {{{{HTTPStatus("{linked}")}}}}.'),)
        self.step(f"faq of {language}/{code}: {faq}")
        self.sources.set_page(language, code, replace(page, faq=faq))

    @precondition(lambda self: self.sources.pages)
    @rule(data=st.data(), new_code=codes)
    def page_renumbered(self, data: st.DataObject, new_code: int) -> None:
        language, code, page = self._pick(data)
        if (language, new_code) in self.sources.pages:
            return
        self.step(f"{language}/{code} renumbered {new_code}")
        self.sources.set_page(language, code, None)
        self.sources.set_page(language, new_code, replace(page, name=NAMES[language][new_code]))

    @rule()
    def edited_again_before_the_build(self) -> None:
        """The next edit comes before a build: one rebuild sees both (a checkout, a save of several files)."""
        self.step("(the next two edits built at once)")
        self.hold = "asked"

    # -- other content ---------------------------------------------------------------
    @rule(path=st.sampled_from(sorted({*INTROS, "content/fr/index.md", "content/pt-br/3xx.md"})), change=st.integers(0, 4))
    def intro_edited(self, path: str, change: int) -> None:
        text = self.sources.read(path)
        if change == 0 or text is None:
            text = None if text is not None else '---\noverview: Une introduction.\n---\n\nVoir {{HTTPStatus("401")}}.\n'
        elif change == 1:
            text = text.replace("overview: ", "overview: Edited. ", 1)
        elif change == 2:
            text += '\nMore about {{HTTPStatus("302")}}.\n'
        elif change == 3:
            text = text.replace("---\n", "---\ntitle: A title of its own\n", 1)
        elif "[unclosed" in text:
            text = text.replace("broken: [unclosed\n", "", 1)
        else:
            text = text.replace("---\n", "---\nbroken: [unclosed\n", 1)
        self.step(f"intro {path}: {'deleted' if text is None else change}")
        self.sources.write(path, text)

    @rule(
        summary=st.sampled_from(["Which is permanent.", "Which keeps the method."]),
        table=st.sampled_from(["301, 307, 308", "307, 308", "301, 302, 307"]),
    )
    def comparison_edited(self, summary: str, table: str) -> None:
        self.step(f"comparison: {summary} [{table}]")
        self.sources.write("content/en/compare.yaml", COMPARE.format(summary=summary, codes=table))

    @rule()
    def comparison_translation_toggled(self) -> None:
        present = self.sources.read("content/fr/compare.yaml") is not None
        self.step(f"French comparison {'deleted' if present else 'added'}")
        self.sources.write("content/fr/compare.yaml", None if present else COMPARE_FR)

    @rule(why=st.sampled_from(["Send WWW-Authenticate.", "Ask for credentials."]), temporary=st.sampled_from([307, 302]))
    def guide_edited(self, why: str, temporary: int) -> None:
        self.step(f"guide: {why} {temporary}")
        self.sources.write("content/en/guide.yaml", GUIDE.format(why=why, temporary=temporary))

    @rule()
    def glossary_toggled(self) -> None:
        present = self.sources.read("content/fr/glossary.yaml") is not None
        self.step(f"glossary {'deleted' if present else 'added'}")
        self.sources.write("content/fr/glossary.yaml", None if present else GLOSSARY)

    # -- templates, catalogs, static files, configuration ----------------------------
    def _toggle(self, relative: str, old: str, new: str) -> None:
        text = self.sources.read(relative)
        assert text is not None
        self.sources.write(relative, text.replace(new, old, 1) if new in text else text.replace(old, new, 1))

    @rule(edit=st.sampled_from(sorted(TEMPLATE_EDITS)))
    def template_edited(self, edit: str) -> None:
        self.step(f"template: {edit}")
        self._toggle(*TEMPLATE_EDITS[edit])

    @rule(edit=st.sampled_from(sorted(CATALOG_EDITS)))
    def catalog_edited(self, edit: str) -> None:
        text = self.sources.read(CATALOG)
        assert text is not None
        now = next((line for line in CATALOG_EDITS.values() if line in text), CATALOG_LINE)
        new = CATALOG_LINE if now == CATALOG_EDITS[edit] else CATALOG_EDITS[edit]
        self.step(f"catalog: {new!r}")
        self.sources.write(CATALOG, text.replace(now, new, 1))

    @rule(edit=st.sampled_from(sorted(CONFIG_EDITS)))
    def config_edited(self, edit: str) -> None:
        self.step(f"configuration: {edit}")
        old, new = CONFIG_EDITS[edit]
        text = self.sources.read("sitegen.toml")
        assert text is not None
        if new in text:
            self.sources.write("sitegen.toml", text.replace(new, old, 1))
        elif "[features]" in new and "[features]" in text:
            return  # one [features] table at a time
        else:
            self.sources.write("sitegen.toml", text.replace(old, new, 1))

    @rule(edit=st.sampled_from(sorted(STATIC_EDITS)))
    def static_edited(self, edit: str) -> None:
        relative, change = STATIC_EDITS[edit]
        text = self.sources.read(relative)
        assert text is not None
        self.step(f"static: {edit}")
        self.sources.write(relative, change(text))

    @rule()
    def static_file_toggled(self) -> None:
        present = self.sources.read("static/extra.svg") is not None
        self.step(f"static/extra.svg {'deleted' if present else 'added'}")
        self.sources.write("static/extra.svg", None if present else "<svg xmlns='http://www.w3.org/2000/svg'/>")

    @rule()
    def nothing_changed(self) -> None:
        self.step("a file saved unchanged")
        self.sources.write("content/en/index.md", self.sources.read("content/en/index.md"))


def run_cli(*arguments: str) -> tuple[int, str, str]:
    """Run ``sitegen build`` in this process; return its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["build", "--quiet", *arguments])
    return code, out.getvalue(), err.getvalue()


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def first_difference(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """Return a short account of how two trees differ ('' if they do not)."""
    if sorted(expected) != sorted(actual):
        missing, extra = sorted(expected.keys() - actual.keys()), sorted(actual.keys() - expected.keys())
        return f"only in the cold build: {missing}; only in the other: {extra}"
    different = [path for path in expected if expected[path] != actual[path]]
    if not different:
        return ""
    path = different[0]
    diff = difflib.unified_diff(
        expected[path].decode("utf-8", "replace").splitlines(),
        actual[path].decode("utf-8", "replace").splitlines(),
        "cold",
        "other",
        lineterm="",
        n=1,
    )
    return f"{len(different)} files differ, first {path}:\n" + "\n".join(list(diff)[:40])


class CommandLineEdits(Edits):
    """``sitegen build`` after each edit, with its cache, against ``--no-cache``."""

    @initialize()
    def built(self) -> None:
        self.sources.setup()
        self.check()

    @invariant()
    def check(self) -> None:
        if not (self.root / "content").is_dir() or self.held():
            return  # before setup, or an edit before the build
        cached = run_cli("--root", str(self.root))
        code, out, err = run_cli("--root", str(self.root), "--no-cache", "--out", str(self.folder / "cold"))
        cold = code, out, err.replace(f"{self.folder / 'cold'}/", "_site/")  # "Nothing written: _site/ is unchanged."
        assert cached == cold, f"after {self.log}"
        difference = first_difference(tree(self.folder / "cold"), tree(self.root / "_site"))
        assert not difference, f"after {self.log}: {difference}"


class _NoWatcher:
    """The preview's watcher, replaced: the machine tells it what changed (a real one would
    rebuild on its own, and hold an inotify instance per preview)."""

    def __init__(self, *arguments: object) -> None:
        pass

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass


OPEN = ("en/307/index.html", "fr/307/index.html", "pt-br/308/index.html", "en/301/index.html", "fr/401/index.html", "en/index.html")
"""The pages open in a browser: the preview makes them first and sends them early."""


class PreviewEdits(Edits):
    """The dev server's rebuild after each edit against a build from nothing."""

    @initialize()
    def started(self) -> None:
        self.sources.setup()
        config, problems = load_config(self.root)
        assert config is not None, problems
        self.reported: list[list[str]] = []
        self.said: list[str] = []
        with unittest.mock.patch("sitegen.live.preview.Watcher", _NoWatcher):
            self.preview = Preview(
                config,
                port=0,
                save_after=3600,
                report=lambda problems: self.reported.append([p.format() for p in problems]),
                say=self.said.append,
            )
        self.preview.start()
        self.events = {page: self.preview.site.subscribe(page) for page in OPEN}
        self.last_good: dict[str, bytes] = {}
        self.compare()

    def teardown(self) -> None:
        if hasattr(self, "preview"):
            self.preview.close()
        super().teardown()

    @invariant()
    def check(self) -> None:
        if not hasattr(self, "preview") or self.held():
            return
        self.preview.rebuild(self.sources.take_changes())
        self.compare()

    def compare(self) -> None:
        """Compare what the preview serves, reported and sent with a build from nothing."""
        config, problems = load_config(self.root)
        assert config is not None and not problems, problems
        cold = build_site(config)
        internal = [line for line in self.said if "internal error" in line]
        assert not internal, f"after {self.log}: {internal}"
        snapshot = self.preview.site.snapshot
        problems_now = self.reported[-1] if self.reported else []
        assert problems_now == [problem.format() for problem in cold.problems], f"after {self.log}"
        failed = cold.failed()
        assert snapshot.failed == failed, f"after {self.log}"
        if not failed:
            self.last_good = dict(cold.files)
        difference = first_difference(self.last_good, dict(snapshot.files))
        assert not difference, f"after {self.log}: {difference}"
        for page, events in self.events.items():
            sent = []
            while not events.empty():
                message = events.get_nowait()
                if message and "event: reload" in message:
                    data = json.loads(message.split("data: ", 1)[1].splitlines()[0])
                    if "html" in data:
                        sent.append(without_script(data["html"].encode()))
            if not failed:
                for html in sent:
                    assert html == cold.files[page], f"after {self.log}: a page sent to {page} is not the page built\n" + first_difference(
                        {page: cold.files[page]}, {page: html}
                    )
            elif sent:
                assert sent[-1] == self.last_good[page], f"after {self.log}: {page} was not given the served page back"


# a few sequences in make test (~10 s each machine, alone); a loaded machine may take much longer
TestCommandLineEdits = pytest.mark.timeout(600)(CommandLineEdits.TestCase)
TestCommandLineEdits.settings = EDITS
TestPreviewEdits = pytest.mark.timeout(600)(PreviewEdits.TestCase)
TestPreviewEdits.settings = EDITS
