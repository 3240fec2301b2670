"""Sharing and search engines: Open Graph and Twitter card tags, and JSON-LD (schema.org).

Code pages are a ``TechArticle`` (``inLanguage``, ``isPartOf`` the site, ``citation`` its
specification) with a ``BreadcrumbList``, and a ``FAQPage`` where the page has a FAQ;
index and class pages are a ``CollectionPage``, the root the ``WebSite``. The values are
plain text (the templates escape them; ``|tojson`` keeps ``</script>`` out of JSON-LD).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sitegen.site import urls

if TYPE_CHECKING:
    from sitegen.site.model import Config, Language

SCHEMA = "https://schema.org"
_TAGS = re.compile(r"<[^>]+>")
_BREAKS = re.compile(
    r"</?(?:p|br|hr|li|ul|ol|dl|dt|dd|div|h[1-6]|pre|blockquote|table|thead|tbody|tr|td|th|figure|figcaption|section|aside)\b[^>]*>",
    re.IGNORECASE,
)
"""The tags that end a line of text or a block: a space in the text, where other tags
(``code``, ``em``, ``a``...) are inside a sentence and leave nothing."""


LocaleOf = Callable[[str], str]
"""Returns a language tag as Open Graph writes locales (:func:`og_locale`; the engine's
remembers the answers, so that a build rendering nothing never loads Babel)."""


def og_locale(tag: str) -> str:
    """Return a BCP 47 tag as Open Graph writes locales: ``pt-BR`` -> ``pt_BR``, ``fr`` -> ``fr_FR``."""
    language, _, region = tag.partition("-")
    if region:
        return f"{language.lower()}_{region.upper()}"
    import babel.core

    likely = babel.core.get_global("likely_subtags").get(language.lower(), "")
    parts = [part for part in str(likely).split("_") if len(part) == 2 and part.isupper()]
    return f"{language.lower()}_{parts[0]}" if parts else language.lower()


def plain(fragment: str) -> str:
    """Return the text of an HTML fragment, on one line: "with <code>max-age</code>, or"
    gives "with max-age, or", and two paragraphs are two sentences with a space between."""
    return " ".join(html.unescape(_TAGS.sub("", _BREAKS.sub(" ", fragment))).split())


def open_graph(
    *,
    kind: str,
    title: str,
    description: str,
    url: str,
    site_name: str,
    tag: str,
    alternates: list[str],
    image: str | None,
    locale_of: LocaleOf = og_locale,
) -> dict[str, Any]:
    """Return what the Open Graph and Twitter card tags of a page say."""
    return {
        "type": kind,
        "title": title,
        "description": description,
        "url": url,
        "site_name": site_name,
        "locale": locale_of(tag),
        "alternate_locales": [locale_of(other) for other in alternates if other != tag],
        "image": image,
    }


def website(name: str, url: str) -> dict[str, Any]:
    """Return the ``WebSite`` a page is part of."""
    return {"@type": "WebSite", "name": name, "url": url}


def part_of(url: str) -> dict[str, Any]:
    """Return the ``WebSite`` a code page is part of, by its URL alone (its name is the root's)."""
    return {"@type": "WebSite", "url": url}


def breadcrumbs(trail: list[tuple[str, str]]) -> dict[str, Any]:
    """Return a ``BreadcrumbList`` of (name, absolute URL) pairs, the page itself last (its URL
    left out: it is the page's own, as schema.org and search engines allow)."""
    items = []
    for position, (name, url) in enumerate(trail, start=1):
        item: dict[str, Any] = {"@type": "ListItem", "position": position, "name": name}
        if position < len(trail):
            item["item"] = url
        items.append(item)
    return {"@type": "BreadcrumbList", "itemListElement": items}


def tech_article(
    *,
    headline: str,
    tag: str,
    url: str,
    site: dict[str, Any],
    specs: list[dict[str, str]],
    image: str | None,
    modified: str | None,
) -> dict[str, Any]:
    """Return the ``TechArticle`` of a code's page (its description is the page's meta description)."""
    article: dict[str, Any] = {
        "@type": "TechArticle",
        "headline": headline,
        "inLanguage": tag,
        "url": url,
        "isPartOf": site,
        "citation": [spec["url"] for spec in specs],
    }
    if modified:
        article["dateModified"] = modified
    return article


def faq_page(questions: list[tuple[str, str]]) -> dict[str, Any]:
    """Return the ``FAQPage`` of (question HTML, answer HTML) pairs, as plain text."""
    return {
        "@type": "FAQPage",
        "mainEntity": [
            {"@type": "Question", "name": plain(question), "acceptedAnswer": {"@type": "Answer", "text": plain(answer)}}
            for question, answer in questions
        ],
    }


def graph(*items: dict[str, Any] | None) -> dict[str, Any]:
    """Return the JSON-LD of a page: its items in one ``@graph``."""
    return {"@context": SCHEMA, "@graph": [item for item in items if item]}


def sharing_view(
    config: Config,
    language: Language,
    locale_of: LocaleOf,
    kind: str,
    title: str,
    description: str,
    url: str,
    translated: list[str],
    image: str | None = None,
    json_ld: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return what a page says to social networks and search engines (each part if turned on)."""
    features = config.features
    site_name = language.title or config.title
    og = open_graph(
        kind=kind,
        title=title,
        description=description,
        url=url,
        site_name=site_name,
        tag=language.tag,
        alternates=translated,
        image=image,
        locale_of=locale_of,
    )
    return {"og": og if features.open_graph else None, "json_ld": json_ld if features.json_ld else None}


def code_sharing(
    config: Config,
    language: Language,
    gettext: Callable[[str], str],
    locale_of: LocaleOf,
    context: dict[str, Any],
    translated: list[str],
    faq: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """Return the Open Graph tags and the JSON-LD of a code's page, from its template context."""
    code = int(context["code"])
    url = str(context["canonical"])
    image = urls.absolute(config, urls.card_url(config, language, code)) if config.features.social_cards else None
    site = website(str(context["site"]["title"]), urls.absolute(config, urls.language_url(config, language)))
    trail = [
        (gettext("All codes"), site["url"]),
        (str(context["class"]["label"]), urls.absolute(config, str(context["class"]["url"]))),
        (f"{code} {context['name']}", url),
    ]
    updated = context.get("updated")
    json_ld = graph(
        tech_article(
            headline=str(context["title"]),
            tag=context["content_lang"] or language.tag,
            url=url,
            site=part_of(site["url"]),
            specs=context["specs"],
            image=image,
            modified=updated["iso"] if updated else None,
        ),
        breadcrumbs(trail),
        faq_page(list(faq)) if faq else None,
    )
    return sharing_view(
        config, language, locale_of, "article", str(context["title"]), str(context["overview"]), url, translated, image, json_ld
    )


def index_sharing(
    config: Config, language: Language, gettext: Callable[[str], str], locale_of: LocaleOf, context: dict[str, Any], is_class: bool
) -> dict[str, Any]:
    """Return the Open Graph tags and the JSON-LD (a ``CollectionPage``) of an index or class page."""
    intro = context["intro"]
    title = str(intro["title"]) if intro and intro["title"] else str(context["class_label"] or context["site"]["title"])
    description = str(intro["overview"]) if intro else ""
    url = str(context["canonical"])
    site = website(str(context["site"]["title"]), urls.absolute(config, urls.language_url(config, language)))
    page = {"@type": "CollectionPage", "name": title, "inLanguage": language.tag, "url": url, "isPartOf": site}
    trail = breadcrumbs([(gettext("All codes"), site["url"]), (title, url)]) if is_class else None
    languages = [other.tag for other in config.languages]
    return sharing_view(config, language, locale_of, "website", title, description, url, languages, None, graph(page, trail))


def page_sharing(
    config: Config,
    language: Language,
    gettext: Callable[[str], str],
    locale_of: LocaleOf,
    context: dict[str, Any],
    *,
    kind: str,
    schema_type: str,
    title: str,
    description: str,
    trail: list[tuple[str, str]],
    translated: list[str],
) -> dict[str, Any]:
    """Return the Open Graph tags and the JSON-LD of a page that is neither a code's nor an
    index: the guide, a comparison table, the list of tables. ``trail``: the breadcrumbs after
    "All codes", as (name, absolute URL), the page itself last; ``translated``: the languages
    the page exists in."""
    url = str(context["canonical"])
    site = website(str(context["site"]["title"]), urls.absolute(config, urls.language_url(config, language)))
    page = {"@type": schema_type, "name": title, "inLanguage": context.get("content_lang") or language.tag, "url": url, "isPartOf": site}
    crumbs = breadcrumbs([(gettext("All codes"), site["url"]), *trail])
    return sharing_view(config, language, locale_of, kind, title, description, url, translated, None, graph(page, crumbs))


def home_sharing(config: Config, locale_of: LocaleOf, url: str) -> dict[str, Any]:
    """Return the Open Graph tags and the JSON-LD (the ``WebSite``) of the root page."""
    title = config.source.title or config.title
    json_ld = graph({**website(title, url), "inLanguage": [language.tag for language in config.languages]})
    return sharing_view(config, config.source, locale_of, "website", title, "", url, [], None, json_ld)
