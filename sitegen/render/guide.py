"""The guide's page (``/<lang>/guide/``): the decision tree as nested ``<details>`` that work
without JavaScript, and an overview of every path drawn as SVG at build time."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from sitegen.render.sharing import page_sharing
from sitegen.site import urls
from sitegen.site.registry import N_

if TYPE_CHECKING:
    from sitegen.content.guide import Guide, Step
    from sitegen.render.view_base import PageRenderer
    from sitegen.site.model import Language

OVERVIEW_TITLE = N_("Every question and answer of the guide at a glance")
OVERVIEW_DESC = N_("A tree: each line is an answer and what it leads to, the next question or a status code.")
ROW = 20
WIDTH = 720
CHAR_WIDTH = 7.0


def guide_link(renderer: PageRenderer, language: Language) -> dict[str, Any] | None:
    """Return the link to the guide shown on the home and index pages, if there is a guide."""
    guide = renderer.site.guides.get(language.tag)
    if guide is None:
        return None
    return {"url": urls.guide_url(renderer.config, language), "title": guide.title, "lang": None if guide.translated else guide.language}


def _tree(renderer: PageRenderer, language: Language, guide: Guide, step: Step) -> dict[str, Any]:
    answers = []
    for answer in step.answers:
        leaf = None
        if answer.code is not None:
            leaf = {**renderer.code_summary(language, answer.code), "why": answer.why}
        following = None
        if answer.next is not None and answer.next in guide.steps:
            following = _tree(renderer, language, guide, guide.steps[answer.next])
        answers.append({"text": answer.text, "leaf": leaf, "next": following})
    return {"question": step.question, "answers": answers}


def overview_svg(tree: dict[str, Any], title: str, description: str) -> str:
    """Return the whole tree as an SVG outline: one line per answer, indented by depth."""
    rows: list[str] = []
    links: list[str] = []
    count = 0

    def line(depth: int, text: str, css: str, href: str | None = None) -> int:
        nonlocal count
        y = 24 + count * ROW
        x = 12 + depth * 22
        limit = int((WIDTH - x - 8) / CHAR_WIDTH)
        shown = text if len(text) <= limit else text[: limit - 1] + "…"
        item = f'<text x="{x}" y="{y}" class="{css}">{escape(shown)}</text>'
        rows.append(f'<a href="{escape(href)}">{item}</a>' if href else item)
        count += 1
        return y

    def walk(node: dict[str, Any], depth: int, parent_y: int) -> None:
        for answer in node["answers"]:
            leaf = answer["leaf"]
            if leaf is not None:
                y = line(depth, f"{answer['text']} → {leaf['code']} {leaf['name']}", "g-leaf", leaf["url"])
            else:
                y = line(depth, f"{answer['text']} → {answer['next']['question'] if answer['next'] else ''}", "g-step")
            x = 12 + depth * 22
            links.append(f'<path d="M{x - 14} {parent_y + 5} V{y - 4} H{x - 4}"/>')
            if answer["next"] is not None:
                walk(answer["next"], depth + 1, y)

    root_y = line(0, tree["question"], "g-root")
    walk(tree, 1, root_y)
    height = 24 + count * ROW - 8
    # a group, not an img: its leaves are links, which an img would hide from assistive technologies
    return (
        f'<svg width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="group" '
        'aria-labelledby="guide-title" aria-describedby="guide-desc">'
        f'<title id="guide-title">{escape(title)}</title><desc id="guide-desc">{escape(description)}</desc>'
        f"{''.join(links)}{''.join(rows)}</svg>"
    )


def guide_context(renderer: PageRenderer, language: Language) -> dict[str, Any]:
    """Return the template context of the guide's page."""
    config = renderer.config
    guide = renderer.site.guides[language.tag]
    gettext = renderer.translations[language.tag].gettext
    translated = [other for other in config.languages if renderer.site.guides[other.tag].translated]
    context = renderer._common(
        language,
        canonical=urls.absolute(config, urls.guide_url(config, language if guide.translated else config.source)),
        alternates=renderer._alternates(translated, lambda other: urls.guide_url(config, other)) if guide.translated else [],
        switcher=renderer._switcher(language, lambda other: urls.guide_url(config, other)),
    )
    tree = _tree(renderer, language, guide, guide.root)
    content_language = config.language(guide.language)
    context.update(
        {
            "guide": {"title": guide.title, "overview": guide.overview, "intro": list(guide.intro)},
            "tree": tree,
            "overview_svg": overview_svg(tree, gettext(OVERVIEW_TITLE), gettext(OVERVIEW_DESC)),
            "guide_stylesheet": f"{urls.base_path(config)}static/guide.css",
            "translated": guide.translated,
            "outdated": guide.outdated,
            "content_lang": guide.language if not guide.translated else None,
            "language_name": renderer.language_name(language, language),
            "content_language_name": renderer.language_name(content_language, language),
            "reader_is_source": language.tag == config.source_language,
            "content_is_original": content_language.tag == config.source_language,
            "original_url": urls.guide_url(config, config.source),
        }
    )
    context["sharing"] = page_sharing(
        renderer.config,
        language,
        gettext,
        renderer.og_locale,
        context,
        kind="article",
        schema_type="WebPage",
        title=guide.title,
        description=guide.overview,
        trail=[(guide.title, str(context["canonical"]))],
        translated=[other.tag for other in translated],
    )
    return context
