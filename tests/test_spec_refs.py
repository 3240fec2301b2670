"""Spec references: every form authors write, and the "RFC 9110 §15.4.8" round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.content.spec_refs import SpecRef, parse_spec
from sitegen.site.registry import section_for_status

SECTION_LINK = "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.4.8"


@pytest.mark.parametrize(
    "text",
    [
        "RFC 9110 §15.4.8",
        "RFC9110 §15.4.8",
        "RFC 9110, Section 15.4.8",
        "[RFC9110, Section 15.4.8]",
        "rfc 9110 section 15.4.8",
        "https://httpwg.org/specs/rfc9110.html#status.307",
        "https://httpwg.org/specs/rfc9110.html#section.15.4.8",
        "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.4.8",
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8",
        "https://datatracker.ietf.org/doc/html/rfc9110#section-15.4.8",
        "https://tools.ietf.org/html/rfc9110#section-15.4.8",
        "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.4.8-2",
    ],
)
def test_every_form_of_307_is_rfc_9110_section_15_4_8(text: str) -> None:
    spec = parse_spec(text, section_for_status)
    assert spec is not None
    assert (spec.label, spec.url) == ("RFC 9110 §15.4.8", SECTION_LINK)


def test_a_whole_rfc_and_a_draft() -> None:
    assert parse_spec("[RFC2518]") == SpecRef("RFC 2518")
    assert parse_spec("https://www.rfc-editor.org/rfc/rfc7538") == SpecRef("RFC 7538")
    draft = parse_spec("https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-resumable-upload")
    assert draft is not None
    assert draft.url == "https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-resumable-upload"


def test_appendix_links_to_the_appendix_anchor() -> None:
    spec = parse_spec("RFC 9110 §B.1")
    assert spec is not None
    assert spec.url.endswith("#appendix-B.1")


def test_appendix_letters_are_upper_case_and_round_trip() -> None:
    spec = parse_spec("RFC 9110 §b.1")
    assert spec == SpecRef("RFC 9110", "B.1")
    assert parse_spec(spec.url) == spec


@pytest.mark.parametrize("text", ["", "see the RFC", "https://example.com/rfc9110", "https://evil-ietf.org/rfc/rfc9110", "RFC", "§15.4.8"])
def test_what_is_not_a_spec_reference(text: str) -> None:
    assert parse_spec(text) is None


SECTIONS = st.one_of(
    st.none(),
    st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=4).map(lambda parts: ".".join(map(str, parts))),
    st.tuples(st.sampled_from("ABCDEFG"), st.lists(st.integers(min_value=1, max_value=9), max_size=2)).map(
        lambda parts: ".".join([parts[0], *map(str, parts[1])])
    ),
)
DOCUMENTS = st.one_of(
    st.integers(min_value=1, max_value=99999).map(lambda number: f"RFC {number}"),
    st.from_regex(r"draft-[a-z0-9]+(-[a-z0-9]+){1,4}", fullmatch=True),
)


@given(document=DOCUMENTS, section=SECTIONS)
def test_label_round_trips(document: str, section: str | None) -> None:
    spec = SpecRef(document, section)
    assert parse_spec(spec.label) == spec
    assert parse_spec(spec.url) == spec
