"""Translation status: per language, which pages are translated, missing or outdated.

A translation records the version of the source page it was made from: the git blob id
that ``sitegen new --lang`` writes as ``source_version`` (or the SHA-256 prefix recorded
before), or MDN's ``l10n.sourceCommit``, which only a git history can compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitegen.content.versions import git_output, is_version_of, looks_like_git_id, object_type
from sitegen.site.model import Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from sitegen.site.model import Config, Intro, Page


@dataclass(frozen=True, slots=True)
class LanguageStatus:
    """How far one language is translated."""

    tag: str
    total: int
    """Codes with a source page."""
    translated: tuple[int, ...]
    """Up to date, outdated or without a recorded version."""
    missing: tuple[int, ...]
    outdated: Mapping[int, str]
    """Outdated codes, each with the source version to record once updated."""
    untracked: tuple[int, ...]
    """Translated, but recording no source version: cannot tell if outdated."""
    orphans: tuple[int, ...]
    """Pages in this language whose source page does not exist."""
    drafts: tuple[int, ...] = ()
    """Missing codes whose translation is under way (``draft: true``)."""
    intros: IntroStatus | None = None
    """The intro pages (``index.md``, ``4xx.md``) of this language."""

    def only(self, code: int) -> LanguageStatus:
        """Return the status of one code alone (``sitegen translations CODE``): no intro pages."""
        return LanguageStatus(
            tag=self.tag,
            total=1 if code in self.translated or code in self.missing else 0,
            translated=tuple(item for item in self.translated if item == code),
            missing=tuple(item for item in self.missing if item == code),
            outdated={item: version for item, version in self.outdated.items() if item == code},
            untracked=tuple(item for item in self.untracked if item == code),
            orphans=tuple(item for item in self.orphans if item == code),
            drafts=tuple(item for item in self.drafts if item == code),
        )


@dataclass(frozen=True, slots=True)
class IntroStatus:
    """How far the intro pages of one language are translated, keyed ``index``, ``4xx``..."""

    missing: tuple[str, ...]
    outdated: Mapping[str, str]
    """Outdated intros, each with the source version to record once updated."""
    untracked: tuple[str, ...]


def git_changed_since(config: Config) -> Callable[[str, str], bool | None]:
    """Return a function telling whether a file changed in git after a commit (MDN's
    ``sourceCommit``), or whether a blob id names another version of it.

    It answers ``None`` when git cannot tell (no repository, unknown object).
    """

    def changed(path: str, commit: str) -> bool | None:
        if object_type(config.root, commit) == "blob":
            return True  # the text of another version of the file: it changed
        output = git_output(config.root, "log", "--format=%H", f"{commit}..HEAD", "--", path, timeout=10)
        return None if output is None else bool(output.strip())

    return changed


def is_outdated(translation: Page | Intro, source: Page | Intro, changed_since: Callable[[str, str], bool | None] | None) -> bool | None:
    """Return whether a translation is behind its source; ``None`` if it cannot be told."""
    version = translation.source_version
    if version is None:
        return None
    if version == source.source.digest or is_version_of(version, source.source.text):
        return False
    if looks_like_git_id(version):
        # MDN's l10n.sourceCommit is a commit: ask git whether the file changed since;
        # anything else (a blob id of an older text) is simply another version
        since = changed_since(source.source.path, version) if changed_since else None
        if since is not None:
            return since
        # git cannot tell: a recorded blob id that is not the current one is another version;
        # a commit of MDN's cannot be compared without its history
        return None if getattr(translation, "format", "native") == "mdn" else True
    return True


def outdated_pages(pages: Sequence[Page], config: Config, changed_since: Callable[[str, str], bool | None] | None) -> set[tuple[str, int]]:
    """Return the (language, code) of every translation behind its source page."""
    sources = {page.code: page for page in pages if page.language == config.source_language}
    return {
        (page.language, page.code)
        for page in pages
        if page.language != config.source_language and page.code in sources and is_outdated(page, sources[page.code], changed_since)
    }


def outdated_intros(
    intros: Sequence[Intro], config: Config, changed_since: Callable[[str, str], bool | None] | None
) -> set[tuple[str, str]]:
    """Return the (language, key) of every intro translation behind its source intro."""
    sources = {intro.key: intro for intro in intros if intro.language == config.source_language}
    return {
        (intro.language, intro.key)
        for intro in intros
        if intro.language != config.source_language and intro.key in sources and is_outdated(intro, sources[intro.key], changed_since)
    }


def intro_status(
    intros: Sequence[Intro], config: Config, language: str, changed_since: Callable[[str, str], bool | None] | None
) -> IntroStatus:
    """Return the status of one language's intro pages."""
    sources = {intro.key: intro for intro in intros if intro.language == config.source_language and not intro.draft}
    own = {intro.key: intro for intro in intros if intro.language == language and not intro.draft}
    state = {key: is_outdated(own[key], source, changed_since) for key, source in sources.items() if key in own}
    return IntroStatus(
        missing=tuple(sorted(set(sources) - set(own))),
        outdated={key: sources[key].source.digest for key in sorted(state) if state[key]},
        untracked=tuple(sorted(key for key, outdated in state.items() if outdated is None)),
    )


def translation_status(
    pages: Sequence[Page],
    config: Config,
    changed_since: Callable[[str, str], bool | None] | None,
    intros: Sequence[Intro] = (),
) -> list[LanguageStatus]:
    """Return the status of every language other than the source language."""
    sources = {page.code: page for page in pages if page.language == config.source_language and not page.draft}
    statuses = []
    for language in config.languages:
        if language.tag == config.source_language:
            continue
        own = {page.code: page for page in pages if page.language == language.tag and not page.draft}
        drafts = {page.code for page in pages if page.language == language.tag and page.draft}
        state = {code: is_outdated(own[code], source, changed_since) for code, source in sources.items() if code in own}
        statuses.append(
            LanguageStatus(
                tag=language.tag,
                total=len(sources),
                translated=tuple(sorted(state)),
                missing=tuple(sorted(set(sources) - set(own))),
                outdated={code: sources[code].source.digest for code in sorted(state) if state[code]},
                untracked=tuple(sorted(code for code, outdated in state.items() if outdated is None)),
                orphans=tuple(sorted(set(own) - set(sources))),
                drafts=tuple(sorted(drafts & (set(sources) - set(own)))),
                intros=intro_status(intros, config, language.tag, changed_since),
            )
        )
    return statuses


def untranslated_pages(pages: Sequence[Page], config: Config) -> list[Problem]:
    """Return a warning for each translation published with its source page's body word for
    word: a skeleton from ``sitegen new`` whose ``draft: true`` was taken out untranslated
    would show readers the source language's text under their own language's tag."""
    sources = {page.code: page for page in pages if page.language == config.source_language and not page.draft}
    bodies = {code: page.body.strip() for code, page in sources.items()}
    problems: list[Problem] = []
    for page in pages:
        if page.language == config.source_language or page.draft or page.code not in sources:
            continue
        body = page.body.strip()
        if body and body == bodies[page.code]:
            problems.append(
                Problem(
                    page.source.path,
                    page.source.body_line,
                    f"the body is {sources[page.code].source.path}'s, word for word: this page is not translated",
                    "warning",
                    "translate it, or put back 'draft: true' until it is: readers then see the source page, marked untranslated",
                )
            )
    return problems
