"""What the views of other modules (API, comparisons, guide) may ask of the
:class:`sitegen.render.views.Renderer`, as a protocol: they take a renderer without
importing :mod:`sitegen.render.views`, which imports them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from gettext import NullTranslations

    from sitegen.render.bodies import Rendered
    from sitegen.site.model import Config, Language
    from sitegen.site.resolve import Site


class PageRenderer(Protocol):
    """The renderer of one site, as the views outside ``views.py`` use it."""

    site: Site
    config: Config
    rendered: Rendered
    translations: Mapping[str, NullTranslations]

    def _common(
        self, language: Language, *, canonical: str, alternates: list[dict[str, str]], switcher: list[dict[str, Any]]
    ) -> dict[str, Any]: ...

    def _switcher(
        self, current: Language, url_of: Callable[[Language], str], translated: Callable[[Language], bool] = ...
    ) -> list[dict[str, Any]]: ...

    def _alternates(self, languages: list[Language], url_of: Callable[[Language], str]) -> list[dict[str, str]]: ...

    def code_summary(self, language: Language, code: int) -> dict[str, Any]: ...

    def language_name(self, language: Language, reader: Language) -> str: ...

    def og_locale(self, tag: str) -> str: ...
