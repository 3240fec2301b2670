"""The loader: every format users bring, exact lines, and never an exception."""

from __future__ import annotations

import textwrap

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sitegen.content.front_matter import decode
from sitegen.content.load import KNOWN_FIELDS, load_text, take_takeaways


def load(text: str, language: str = "en", stem: str = "307"):
    return load_text(textwrap.dedent(text), f"content/{language}/{stem}.md", language, stem)


SEED_STYLE = """\
---
code: 307
name: Temporary Redirect
title: 307 Temporary Redirect
spec: https://httpwg.org/specs/rfc9110.html#status.307
overview: What you're looking for has moved, but only temporarily.
more:
- title: Location header field
  from: MDN web docs
  url: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Location
seeAlso: [302, 303, 301]
---

## Takeaways

1. The first takeaway.
1. The second one,
   on two lines.

## Information

The target resource resides temporarily under a different URI.
"""


def test_seed_format_fields_and_takeaways_section() -> None:
    page, problems = load(SEED_STYLE)
    assert problems == []
    assert page is not None
    assert (page.code, page.name, page.title) == (307, "Temporary Redirect", "307 Temporary Redirect")
    assert [reference.code for reference in page.see_also] == [302, 303, 301]
    assert page.takeaways == ("The first takeaway.", "The second one, on two lines.")
    assert "Takeaways" not in page.body
    assert "## Information" in page.body
    assert page.more[0].origin == "MDN web docs"
    # the Takeaways section is blanked, not removed: later lines keep their numbers
    assert page.body.split("\n").index("## Information") + page.source.body_line == SEED_STYLE.split("\n").index("## Information") + 1


def test_see_also_as_one_number_empty_or_absent() -> None:
    one, _ = load("---\ncode: 307\nname: T\nseeAlso: 308\n---\n")
    empty, _ = load("---\ncode: 307\nname: T\nseeAlso:\n---\n")
    absent, _ = load("---\ncode: 307\nname: T\n---\n")
    assert one is not None and empty is not None and absent is not None
    assert [reference.code for reference in one.see_also] == [308]
    assert empty.see_also == absent.see_also == ()


def test_see_also_items_carry_their_own_lines() -> None:
    page, _ = load("---\ncode: 307\nname: T\nseeAlso:\n  - 302\n  - 308\n---\n")
    assert page is not None
    assert [(reference.code, reference.line) for reference in page.see_also] == [(302, 5), (308, 6)]


def test_mdn_format_code_and_name_from_title_and_slug() -> None:
    page, problems = load(
        """\
        ---
        title: 307 Redirecionamento Temporário
        slug: Web/HTTP/Reference/Status/307
        original_slug: Web/HTTP/Status/307
        l10n:
          sourceCommit: 0123456789abcdef0123456789abcdef01234567
        spec-urls: https://httpwg.org/specs/rfc9110.html#status.307
        page-type: http-status-code
        ---

        {{HTTPSidebar}}
        """,
        language="pt-BR",
    )
    assert problems == []
    assert page is not None
    assert (page.code, page.name, page.format) == (307, "Redirecionamento Temporário", "mdn")
    assert page.aliases == ("docs/Web/HTTP/Status/307",)
    assert page.source_version == "0123456789abcdef0123456789abcdef01234567"
    assert page.specs == ("https://httpwg.org/specs/rfc9110.html#status.307",)


def test_mdn_code_from_slug_when_the_title_has_none() -> None:
    page, problems = load("---\ntitle: Redirection temporaire\nslug: Web/HTTP/Status/307\n---\n")
    assert page is not None, problems
    assert page.code == 307


def test_yaml_error_points_at_the_line_in_the_file() -> None:
    page, problems = load("---\ncode: 307\nname: T\noverview: a: b\n---\n")
    assert page is None
    assert [(problem.line, problem.severity) for problem in problems] == [(4, "error")]


def test_a_quoted_value_over_several_lines_is_valid_and_not_blamed_for_a_later_error() -> None:
    page, problems = load('---\ncode: 307\nname: "Temporary\n  Redirect"\noverview: a\n---\n')
    assert page is not None, problems
    assert page.name == "Temporary Redirect"
    # the error is on line 5; the quote that spans lines 3-4 is closed where it should be
    page, problems = load('---\ncode: 307\nname: "Temporary\n  Redirect"\noverview: a: b\n---\n')
    assert [(problem.line, problem.message.split(" (")[0]) for problem in problems] == [
        (5, "the value of 'overview' holds ': ', which YAML reads as the start of another 'key: value'")
    ]


def test_bom_and_crlf_are_accepted() -> None:
    text, problems = decode(b"\xef\xbb\xbf---\r\ncode: 307\r\nname: T\r\n---\r\nBody\r\n", "x.md")
    assert problems == [] and text is not None
    page, problems = load(text)
    assert page is not None and problems == []
    assert page.body == "Body\n"


def test_not_utf8_names_the_line() -> None:
    text, problems = decode(b"---\ncode: 307\n---\ncaf\xe9\n", "x.md")
    assert text is None
    assert [(problem.line, "not UTF-8" in problem.message) for problem in problems] == [(4, True)]


def test_takeaways_in_a_fence_are_not_a_section() -> None:
    body = "```\n## Takeaways\n- no\n```\n"
    assert take_takeaways(body) == (body, (), ())


def test_front_matter_wins_over_takeaways_section_with_a_warning() -> None:
    page, problems = load("---\ncode: 307\nname: T\ntakeaways: [A]\n---\n## Takeaways\n- B\n")
    assert page is not None
    assert page.takeaways == ("A",)
    assert [problem.severity for problem in problems] == ["warning"]


@settings(max_examples=300)
@given(st.text())
@example("---\n")
@example("---\n---\n")
@example("---\n- a\n---\n")
@example("---\ncode: !!python/object:os.system x\n---\n")
@example("---\ncode: 2001-01-01\nname: [\n---\n")
@example("---\n&a [*a]\n---\n")
@example("---\ncode: '²'\nname: x\nseeAlso: ['³']\n---\n")
@example("---\ncode: 307\nname: T\nseeAlso: {a: 1}\nmore: 3\n---\n{{HTTPStatus(\n")
def test_loader_never_raises_and_lines_stay_in_the_file(text: str) -> None:
    _page, problems = load_text(text, "content/en/307.md", "en", "307")
    line_count = text.count("\n") + 1
    for problem in problems:
        assert problem.line is None or 1 <= problem.line <= line_count, problem


# one-line values: YAML folds line breaks (\n, \x85, \u2028 ...) inside plain scalars
SINGLE_LINE = st.text(st.characters(blacklist_categories=("Cs", "Zl", "Zp", "Cc")))


@given(
    st.fixed_dictionaries(
        {
            "code": st.integers(min_value=100, max_value=599),
            "name": SINGLE_LINE.filter(lambda text: text.strip() == text and text.strip()),
            "overview": SINGLE_LINE.map(str.strip),
            "seeAlso": st.lists(st.integers(min_value=100, max_value=599), max_size=4),
            "takeaways": st.lists(SINGLE_LINE.map(str.strip).filter(bool), max_size=3),
        }
    )
)
def test_front_matter_round_trips(fields: dict[str, object]) -> None:
    text = "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n"
    page, problems = load_text(text, f"content/en/{fields['code']}.md", "en", str(fields["code"]))
    assert page is not None, problems
    assert page.code == fields["code"]
    assert page.name == fields["name"]
    assert page.overview == fields["overview"]
    assert [reference.code for reference in page.see_also] == fields["seeAlso"]
    assert list(page.takeaways) == fields["takeaways"]


def test_takeaways_know_their_lines() -> None:
    block, _ = load("---\ncode: 307\nname: T\ntakeaways:\n  - A\n  - B\n---\n")
    flow, _ = load("---\ncode: 307\nname: T\ntakeaways: [A, B]\n---\n")
    section, _ = load("---\ncode: 307\nname: T\n---\n\n## Takeaways\n\n- A\n- B,\n  continued\n")
    assert block is not None and flow is not None and section is not None
    assert block.takeaway_lines == (5, 6)
    assert flow.takeaway_lines == (4, 4)
    assert section.takeaway_lines == (8, 9)
    assert section.takeaways == ("A", "B, continued")


def test_a_key_given_twice_is_reported_at_its_second_line() -> None:
    _, problems = load("---\ncode: 307\nname: T\nname: U\n---\n")
    assert [problem.format() for problem in problems] == [
        "content/en/307.md:4: warning: 'name' is given twice (first on line 3); the last one is used"
    ]


# any value YAML can hold: the types an author gets by mistake (a date, a float, a nested list)
YAML_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(["307", "1e3", "javascript:alert(1)", "https://example.test/", "/old/307/", "RFC 9110 §15.4.8", "~", "null"]),
        st.dates(),
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["title", "url", "from", "q", "a", "x"]), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from(sorted(KNOWN_FIELDS)), YAML_VALUE, max_size=6), st.booleans())
@example({"code": 2.5, "name": ["a"], "more": {"url": None}}, True)
@example({"seeAlso": [[307]], "aliases": {"x": 1}, "faq": "text", "spec": [{"title": 3}]}, True)
def test_any_value_in_any_field_is_read_or_refused_never_an_exception(fields: dict[str, object], with_code: bool) -> None:
    if with_code:
        fields = {"code": 418, "name": "N", **fields}
    text = "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---\n\nBody.\n"
    page, problems = load_text(text, "content/en/418.md", "en", "418")
    line_count = text.count("\n") + 1
    for problem in problems:
        assert problem.line is None or 1 <= problem.line <= line_count, problem
    if page is None:
        assert any(problem.severity == "error" for problem in problems)
        return
    # what the page holds has the types the later stages format: no value reaches them unchecked
    assert isinstance(page.code, int) and isinstance(page.name, str) and isinstance(page.title, str)
    assert isinstance(page.overview, str) and isinstance(page.body, str)
    assert all(isinstance(item, str) for group in (page.specs, page.takeaways, page.aliases, page.sent_by) for item in group)
    assert all(isinstance(link.url, str) and isinstance(link.title, str) and isinstance(link.origin, str | None) for link in page.more)
    assert all(isinstance(question.question, str) and isinstance(question.answer, str) for question in page.faq)
    assert all(isinstance(link.title, str) and isinstance(link.url, str) for link in page.spec_links)
    assert all(isinstance(value, (bool, int, str)) for value in page.facts.values()), page.facts
    assert page.alternative is None or isinstance(page.alternative, str)
    assert page.source_version is None or isinstance(page.source_version, str)
