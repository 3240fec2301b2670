"""Markdown bodies: macros, template tags and links, as fixture cases, plus properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it.utils import read_fixture_file

from sitegen.content.markdown import BodyContext, CodeLink, create_markdown, render_body
from sitegen.content.spec_refs import SpecRef
from sitegen.render.bodies import PLAIN_TEXT, Markdown, render_inline

FIXTURES = Path(__file__).parent / "fixtures"
MD = create_markdown()
NAMES = {302: ("302 Trouvé", None), 303: ("303 See Other", "en")}
REGISTRY = {404: "Not Found", 302: "Found", 303: "See Other"}


def context(path: str = "content/fr/307.md", body_line: int = 5) -> BodyContext:
    return BodyContext(
        path=path,
        body_line=body_line,
        mdn_locale="fr",
        link_for=lambda code: CodeLink(f"/fr/{code}/", *NAMES[code]) if code in NAMES else None,
        plain_name=REGISTRY.get,
        specs=(SpecRef("RFC 9110", "15.4.8"),),
        own_code=307,
    )


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"),
    read_fixture_file(FIXTURES / "macros.md"),
    ids=[f"{case[0]}-{case[1]}" for case in read_fixture_file(FIXTURES / "macros.md")],
)
def test_fixture(line: int, title: str, source: str, expected: str) -> None:
    assert render_body(MD, source, context()).html == expected


def test_problems_carry_the_line_in_the_file() -> None:
    body = "First.\n\nSecond {{Nope}} and\n{{HTTPStatus(404)}}.\n\n<div>\nx {{Nope2}}\n</div>\n\na\n[l](404.md) {{ oops\n"
    rendered = render_body(MD, body, context(body_line=10))
    assert sorted(problem.line for problem in rendered.problems if problem.line) == [12, 13, 16, 20, 20]
    assert {problem.severity for problem in rendered.problems} == {"warning"}
    assert all(problem.path == "content/fr/307.md" for problem in rendered.problems)


def test_references_are_collected_for_backlinks() -> None:
    rendered = render_body(MD, "{{HTTPStatus(302)}} [x](303.md) {{HTTPStatus(307)}}", context())
    assert sorted(reference.code for reference in rendered.references) == [302, 303]


def test_first_paragraph_is_plain_text() -> None:
    rendered = render_body(MD, "{{HTTPSidebar}}\n\nThe **code** {{HTTPStatus(302)}}.\n", context())
    assert rendered.first_paragraph == "The code 302 Trouvé."


MACRO_NAMES = st.sampled_from(["HTTPStatus", "httpheader", "Glossary", "RFC", "Specifications", "Compat", "Unknown", "x"])
ARGUMENT = st.one_of(st.text(max_size=8), st.integers(min_value=0, max_value=999).map(str))


@given(
    name=MACRO_NAMES,
    arguments=st.lists(ARGUMENT, max_size=4),
    quote=st.sampled_from(['"', "'", ""]),
    before=st.text(max_size=10),
)
@example(name="HTTPStatus", arguments=["3{{"], quote='"', before="")
@example(name="HTTPStatus", arguments=["²"], quote='"', before="")
@example(name="RFC", arguments=["²"], quote='"', before="")
def test_no_macro_ever_leaves_braces_in_the_output(name: str, arguments: list[str], quote: str, before: str) -> None:
    """A macro, known or not, with any arguments, never shows up raw in the HTML."""
    arguments = [argument.replace(quote or ",", "").replace("{", "").replace("}", "").replace("`", "") for argument in arguments]
    # a line break may end the paragraph (a blank line, a list marker, a heading): the text is
    # then two blocks, not one macro, which the warning for a '{{' without its '}}' is about
    arguments = [" ".join(argument.splitlines()) for argument in arguments]
    if quote == "":
        arguments = [argument.replace(",", "").replace(")", "").replace('"', "").replace("'", "") for argument in arguments]
    # leading spaces would make an indented code block, where macros are shown as written
    before = before.replace("{", "").replace("}", "").replace("`", "").replace("\\", "").lstrip()
    call = f"{{{{{name}({', '.join(quote + argument + quote for argument in arguments)})}}}}"
    html = render_body(MD, f"{before}{call}\n", context()).html
    assert "{{" not in html and "}}" not in html


@given(
    st.text(alphabet=st.sampled_from("aZéçßжあ .,;:'\u2019()/?%-"), min_size=1, max_size=80).filter(
        lambda text: PLAIN_TEXT.fullmatch(" ".join(text.split())) is not None
    )
)
@example("Cache by payload a the with upstream body method.")
@example("Type: it is (mostly) safe; isn't it? 100% - or not/maybe.")
def test_a_plain_line_is_given_back_as_the_parser_makes_it(text: str) -> None:
    # takeaways and overviews that are plain text skip the parser: the same HTML, text and
    # problems as a parse
    markdown = Markdown()
    parsed = render_body(markdown.front_matter, " ".join(text.split()), context())
    html = parsed.html.strip().removeprefix("<p>").removesuffix("</p>")
    assert render_inline(markdown.front_matter, text, context()) == (html, parsed.first_paragraph, list(parsed.problems))


@pytest.mark.parametrize("text", ["1. First", "- item", "*a*", "a_b_", "Tom & Jerry", 'say "hi"', "a {{Macro}}", "# Title", "x\\y"])
def test_a_line_with_markup_or_digits_is_parsed(text: str) -> None:
    assert PLAIN_TEXT.fullmatch(text) is None
