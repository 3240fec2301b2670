"""The Jinja environment, and template errors as problems at the template's line."""

from __future__ import annotations

import html
import json
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from jinja2.ext import GETTEXT_FUNCTIONS, extract_from_ast
from jinja2.loaders import split_template_path

from sitegen.content.sources import link_problem, list_folder
from sitegen.site.model import Config, Problem

ROOT_TEMPLATES = (
    "code.html",
    "language.html",
    "class.html",
    "home.html",
    "404.html",
    "alias.html",
    "sitemap.xml",
    "compare.html",
    "guide.html",
)
"""The templates the renderer asks for by name."""


class SourceLoader(jinja2.FileSystemLoader):
    """Templates from one folder, read as every source is (:mod:`sitegen.content.sources`):
    a template that is a link out of the project (``templates/x.html -> /etc/passwd``)
    or a named pipe is never read, nor included by another."""

    def __init__(self, folder: Path, config: Config | None) -> None:
        super().__init__(folder)
        self.folder = folder
        self.config = config

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if self.config is not None:
            file = Path(self.folder, *split_template_path(template))
            if file.resolve() != file.absolute() and (why := link_problem(file, self.config)) is not None:
                raise jinja2.TemplateNotFound(template, f"{template}: {why}: it is not read")
        return super().get_source(environment, template)

    def list_templates(self) -> list[str]:
        if self.config is None:
            return super().list_templates()
        listing = list_folder(self.folder, self.config)
        return sorted(file.relative_to(self.folder).as_posix() for file in listing.files)


Found = list[tuple[int, str, "str | tuple[str | None, ...] | None"]]
"""The translated strings of a template: line, function and message(s), as Babel lists them."""


class Environment(jinja2.Environment):
    """A Jinja environment that notes the translated strings of each template it
    compiles, from the tree it parses to compile it: :func:`template_messages` then does
    not parse every template a second time (~40 ms of a cold build)."""

    def __init__(self, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.found: dict[str, tuple[str, Found]] = {}
        """By template name: the source compiled, and the strings found in it."""

    def compile(self, source: Any, name: str | None = None, filename: str | None = None, raw: Any = False, defer_init: bool = False) -> Any:
        """Compile ``source`` as Jinja does, noting the translated strings of a named template."""
        if isinstance(source, str) and name is not None:
            tree = self.parse(source, name, filename)
            # taken before the compiler, whose constant folding may change the tree
            self.found[name] = (source, list(extract_from_ast(tree, GETTEXT_FUNCTIONS)))
            source = tree
        return super().compile(source, name, filename, raw, defer_init)


def create_environment(
    templates_dir: Path, config: Config | None = None, bytecode_cache: jinja2.BytecodeCache | None = None
) -> jinja2.Environment:
    """Return the Jinja environment: strict undefined, autoescape, i18n; with ``config``,
    templates are read only from regular files inside the project. ``bytecode_cache``
    keeps the compiled templates between processes (the engine's)."""
    environment = Environment(
        loader=SourceLoader(templates_dir, config),
        bytecode_cache=bytecode_cache,
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.policies["ext.i18n.trimmed"] = True
    # |tojson (data for the page's script, JSON-LD): compact and readable; <, >, & and ' are
    # still escaped by Jinja, so the JSON cannot close its <script> element
    environment.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
    environment.filters["script_json"] = script_json
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return environment


def script_json(data: object) -> markupsafe.Markup:
    """Return data as JSON for a ``<script type="application/json">`` or JSON-LD element.

    Inside a script element only ``<`` (``</script>``, ``<!--``) and ``&`` can do harm, so
    they are escaped and nothing else: ``|tojson`` also escapes every apostrophe, 5 bytes
    more each in French text.
    """
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return markupsafe.Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def template_problem(error: Exception, config: Config) -> Problem:
    """Return a template error as a problem at the template's path and line."""
    templates = config.templates_dir
    if isinstance(error, jinja2.TemplateSyntaxError):
        name = error.filename or error.name or "?"
        return Problem(_template_path(name, config), error.lineno, f"template syntax error: {error.message}")
    location: tuple[str, int] | None = None
    traceback = error.__traceback__
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.startswith(str(templates)):
            location = (filename, traceback.tb_lineno)
        traceback = traceback.tb_next
    message = html.unescape(str(error))
    if isinstance(error, jinja2.UndefinedError):
        message = f"undefined template variable: {message}"
    else:
        message = f"template error: {type(error).__name__}: {message}"
    if location:
        return Problem(_template_path(location[0], config), location[1], message)
    return Problem(_template_path(str(templates), config), None, message)


def _template_path(name: str, config: Config) -> str:
    """Return a template's file as problems show it (``templates/code.html``)."""
    path = Path(name)
    return config.shown(path if path.is_absolute() else config.templates_dir / name)


def check_templates(environment: jinja2.Environment, config: Config) -> list[Problem]:
    """Return the syntax errors of every template, found before any page is rendered."""
    problems = list(list_folder(config.templates_dir, config).problems)
    for name in sorted(environment.list_templates(extensions=["html", "xml"])):
        try:
            environment.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            problems.append(template_problem(error, config))
        except jinja2.TemplateNotFound as error:
            problems.append(Problem(_template_path(str(config.templates_dir), config), None, f"template not found: {error}"))
    listed = set(environment.list_templates())
    for name in ROOT_TEMPLATES:
        if name not in listed and not (config.templates_dir / name).is_symlink():
            problems.append(Problem(_template_path(name, config), None, "template missing"))
    return problems


def in_template(error: BaseException, config: Config) -> bool:
    """Return whether a template's code is in the traceback of ``error``."""
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename.startswith(str(config.templates_dir)):
            return True
        traceback = traceback.tb_next
    return False


_MESSAGES: weakref.WeakKeyDictionary[jinja2.Environment, dict[str, str]] = weakref.WeakKeyDictionary()


def template_messages(environment: jinja2.Environment, config: Config) -> dict[str, str]:
    """Return every UI string the templates translate, with where it is first used.

    Remembered per environment: the dev server keeps one until a template changes, and
    reading the templates again would cost ~15 ms of every rebuild.
    """
    if environment in _MESSAGES:
        return _MESSAGES[environment]
    messages: dict[str, str] = {}
    for name in sorted(environment.list_templates(extensions=["html", "xml"])):
        try:
            source = environment.loader.get_source(environment, name)[0] if environment.loader else ""
            compiled = environment.found.get(name) if isinstance(environment, Environment) else None
            if compiled is not None and compiled[0] == source:
                found = compiled[1]
            else:
                found = list(environment.extract_translations(source))  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        except jinja2.TemplateError:
            continue  # a syntax error is reported by check_templates
        for line, _function, message in found:
            for text in message if isinstance(message, tuple) else (message,):
                if isinstance(text, str) and text:
                    messages.setdefault(text, f"{_template_path(name, config)}:{line}")
    _MESSAGES[environment] = messages
    return messages
