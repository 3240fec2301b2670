"""What the views are made with: the UI catalogs (stage ``catalog``), the templates
(``templates``, ``jinja``), the static files (``minify``), the dates of "Last updated"
(``history``), git's answers about translations, and Babel's texts (``locale``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sitegen.engine.cache import MISSING, Cache
from sitegen.engine.keys import digest, environment_key, fingerprint
from sitegen.engine.stages.base import StagesBase
from sitegen.output.write import read_static
from sitegen.render.i18n import catalog_path, read_catalog, read_catalog_file, translations_of

if TYPE_CHECKING:
    from collections.abc import Callable
    from gettext import NullTranslations

    import jinja2

    from sitegen.render.views import LocaleText
    from sitegen.site.model import Config, Language, Problem


@dataclass(frozen=True)
class TemplateCheck:
    """What the ``templates`` stage keeps: the templates' problems and UI strings."""

    problems: tuple[Problem, ...]
    messages: Mapping[str, str]
    """Every UI string the templates translate, with where it is first used."""
    compiled: tuple[str, ...]
    """The keys of the compiled templates, kept alive with it."""


@dataclass(frozen=True)
class Templates:
    """The templates of a build: their key, and the Jinja environment made on demand."""

    key: str
    environment: Any
    """Returns the :class:`jinja2.Environment` (made, and Jinja imported, at the first call)."""

    def load_all(self) -> None:
        """Load every template now (compiled, or read from the cache's ``jinja`` stage)."""
        environment = self.environment()
        for name in environment.list_templates():
            environment.get_template(name)


@dataclass(frozen=True)
class Catalogs:
    """The UI catalogs of a build: the key of each language's, and its translations."""

    keys: Mapping[str, str]
    translations: Mapping[str, NullTranslations]


class _Translations(Mapping[str, "NullTranslations"]):
    """Each language's gettext translations, made from its compiled catalog when first asked."""

    def __init__(self, compiled: Mapping[str, bytes | None]) -> None:
        self._compiled = compiled
        self._made: dict[str, NullTranslations] = {}

    def __getitem__(self, tag: str) -> NullTranslations:
        if tag not in self._made:
            self._made[tag] = translations_of(self._compiled[tag])
        return self._made[tag]

    def __iter__(self) -> Iterator[str]:
        return iter(self._compiled)

    def __len__(self) -> int:
        return len(self._compiled)


def _bytecode_cache(cache: Cache, keys: list[str]) -> jinja2.BytecodeCache:
    """Return a Jinja bytecode cache that keeps compiled templates in ``cache`` (stage
    ``jinja``) and appends the key of each template it is asked for to ``keys``."""
    import jinja2

    class Bytecode(jinja2.BytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            key = fingerprint(environment_key(), "jinja", bucket.key, bucket.checksum)
            keys.append(key)
            data = cache.get("jinja", key)
            if data is not MISSING:
                bucket.bytecode_from_string(data)  # checks Jinja's magic and the source's checksum

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            key = fingerprint(environment_key(), "jinja", bucket.key, bucket.checksum)
            keys.append(key)
            cache.put("jinja", key, bucket.bytecode_to_string())

    return Bytecode()


def _cached_locale_text(cache: Cache) -> LocaleText:
    """Return names of languages and joined lists remembered in the cache (stage ``locale``)."""
    from sitegen.render.views import LocaleText, display_name, format_list

    class CachedLocaleText(LocaleText):
        def __init__(self) -> None:
            self._known: dict[str, str] = {}

        def _remembered(self, key: str, make: Callable[[], str]) -> str:
            if key not in self._known:
                text = cache.get("locale", key)
                if text is MISSING:
                    text = make()
                    cache.put("locale", key, text)
                self._known[key] = str(text)
            return self._known[key]

        def display_name(self, language: Language, reader: Language) -> str:
            key = fingerprint(environment_key(), "display_name", language, reader)
            return self._remembered(key, lambda: display_name(language, reader))

        def format_list(self, items: tuple[str, ...], language: Language) -> str:
            key = fingerprint(environment_key(), "format_list", items, language)
            return self._remembered(key, lambda: format_list(items, language))

        def format_date(self, day: datetime.date, language: Language) -> str:
            from sitegen.render.navigation import format_day

            key = fingerprint(environment_key(), "format_date", day.isoformat(), language)
            return self._remembered(key, lambda: format_day(day, language))

        def og_locale(self, tag: str) -> str:
            from sitegen.render.sharing import og_locale

            key = fingerprint(environment_key(), "og_locale", tag)
            return self._remembered(key, lambda: og_locale(tag))

    return CachedLocaleText()


class TemplateStage(StagesBase):
    """The ``catalog``, ``templates``, ``jinja``, ``minify`` and ``locale`` stages, and the
    answers of git."""

    def load_catalogs(self, config: Config) -> tuple[Catalogs, list[Problem]]:
        """Return the UI catalogs of every language, compiling only the changed ones."""
        keys: dict[str, str] = {}
        compiled: dict[str, bytes | None] = {}
        problems: list[Problem] = []
        for language in config.languages:
            path = catalog_path(config, language)
            raw, unread = read_catalog_file(config, path)
            source = language.tag == config.source_language
            content = digest(raw) if raw is not None else None
            key = fingerprint(environment_key(), "catalog", config.shown(path), language, source, content, unread)
            value = self.cache.get("catalog", key)
            if value is MISSING:
                mo, found = read_catalog(config, language, raw, unread)
                value = (mo, tuple(found))
                self.cache.put("catalog", key, value)
            keys[language.tag], compiled[language.tag] = key, value[0]
            problems.extend(value[1])
        self.ran.add("catalog")
        return Catalogs(keys, _Translations(compiled)), problems

    def load_templates(self, config: Config) -> tuple[Templates, list[Problem], Mapping[str, str]]:
        """Return the templates, their syntax errors and their UI strings; Jinja reads the
        templates only when one changed (or when an output must be rendered)."""
        from sitegen.content.sources import list_folder, read_source

        folder = config.templates_dir
        listing = list_folder(folder, config)
        files = []
        for path in listing.files:
            data, unread = read_source(path, config.shown(path))
            files.append((path.relative_to(folder).as_posix(), digest(data) if data is not None else unread))
        # what cannot be read (a link out of the project, a pipe) is a problem the templates stage reports
        key = fingerprint(environment_key(), "templates", config.root, folder, files, listing.problems)
        check = self.cache.get("templates", key)
        if check is MISSING:
            from sitegen.render.templating import check_templates, template_messages

            environment = self._environment(config, key)
            problems = check_templates(environment, config)  # compiles every template
            messages = template_messages(environment, config)
            check = TemplateCheck(tuple(problems), messages, tuple(dict.fromkeys(self._compiled)))
            self.cache.put("templates", key, check)
        else:
            self.cache.touch("jinja", check.compiled)
        self.ran.update({"templates", "jinja"})
        return Templates(key, lambda: self._environment(config, key)), list(check.problems), check.messages

    def _environment(self, config: Config, key: str) -> jinja2.Environment:
        """Return the Jinja environment of the templates ``key``, made once per process."""
        if key not in self._environments:
            from sitegen.render.templating import create_environment

            self._compiled = []
            bytecode = _bytecode_cache(self.cache, self._compiled)
            self._environments = {key: create_environment(config.templates_dir, config, bytecode)}
        return self._environments[key]

    def read_static(self, config: Config) -> tuple[dict[str, bytes], list[Problem]]:
        """Return the static files, keyed by output path (stylesheets minified: stage
        ``minify``), and the files not copied."""
        files, problems = read_static(config)
        for path, data in files.items():
            if path.endswith(".css"):
                key = fingerprint(environment_key(), "minify", digest(data))
                minified = self.cache.get("minify", key)
                if minified is MISSING:
                    from sitegen.output.minify import minify_css

                    minified = minify_css(data.decode("utf-8")).encode("utf-8")
                    self.cache.put("minify", key, minified)
                files[path] = minified
        self.ran.add("minify")
        return files, problems

    def load_history(self, config: Config) -> Mapping[str, datetime.date]:
        """Return the date of each content file's last commit ("Last updated"), if the site
        shows it. One ``git log`` (~60 ms on the real site) per build; the dev server asks
        once (a save does not commit; a commit shows after a restart)."""
        if not config.features.last_updated:
            return {}
        asked = (config.root, config.content_dir)
        if self._history is not None and self._history[0] == asked:
            return self._history[1]
        from sitegen.content.history import last_commit_dates

        dates = last_commit_dates(config)
        if self.cache.keep_in_memory:
            self._history = (asked, dates)
        return dates

    def git_changed_since(self, config: Config) -> Callable[[str, str], bool | None]:
        """Return whether a file changed in git since a commit, or whether a blob id names
        another version of it (:func:`sitegen.site.translations.git_changed_since`). Two ``git``
        runs per outdated translation; the dev server asks once per file and version, as it
        asks ``load_history`` once (a save does not commit; a commit shows after a restart)."""
        from sitegen.site.translations import git_changed_since

        ask = git_changed_since(config)
        if not self.cache.keep_in_memory:
            return ask
        answers = self._git_answers

        def changed(path: str, version: str) -> bool | None:
            key = (config.root, path, version)
            if key not in answers:
                answers[key] = ask(path, version)
            return answers[key]

        return changed

    def locale_text(self) -> LocaleText:
        """Return the texts made from Babel's locale data, remembered in the cache (stage
        ``locale``): Babel is loaded only for a language or list never seen."""
        self.ran.add("locale")
        return _cached_locale_text(self.cache)
