"""Language constants: the data file, checked against what can be checked here, and the
table a reader sees on a code page."""

from __future__ import annotations

import http
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from sitegen.site.constants import CONSTANTS_PATH, load_constants, read_constants
from sitegen.site.model import Problem
from tests.conftest import SITES
from tests.golden import build_fixture


def libraries() -> dict[str, object]:
    found, problems = load_constants()
    assert problems == ()
    return {library.key: library for library in found}


def test_python_constants_match_the_running_interpreter() -> None:
    python = load_constants()[0][0]
    assert python.key == "python"
    written = {code: constant.name for code, constant in python.constants.items()}
    assert {code: http.HTTPStatus[name].value for code, name in written.items()} == {code: code for code in written}
    # every code the interpreter names has its entry: nothing was left out
    assert {status.value for status in http.HTTPStatus} <= set(written)


def test_every_library_cites_its_version_and_source_file() -> None:
    found = load_constants()[0]
    assert [library.key for library in found] == [
        "python", "go", "java-spring", "java-net", "dotnet", "rust", "node", "php-symfony", "rails"
    ]  # fmt: skip
    for library in found:
        assert library.version and library.library
        source = urlsplit(library.source)
        assert source.scheme == "https" and source.path.count("/") >= 4, library.source
        # the source names a file at a fixed version (a tag or a commit), not a moving branch
        assert "/blob/" in source.path and source.path.split("/")[4] not in ("main", "master"), library.source
        assert len(library.constants) >= 30, library.key


def test_expressions_are_written_the_way_each_language_does() -> None:
    found = {library.key: library for library in load_constants()[0]}
    assert {key: library.expression(307) for key, library in found.items()} == {
        "python": "http.HTTPStatus.TEMPORARY_REDIRECT",
        "go": "http.StatusTemporaryRedirect",
        "java-spring": "HttpStatus.TEMPORARY_REDIRECT",
        "java-net": None,
        "dotnet": "HttpStatusCode.TemporaryRedirect",
        "rust": "http::StatusCode::TEMPORARY_REDIRECT",
        "node": "http.STATUS_CODES[307]",
        "php-symfony": "Response::HTTP_TEMPORARY_REDIRECT",
        "rails": ":temporary_redirect",
    }
    assert found["node"].constants[418].name == "I'm a Teapot"
    assert found["java-net"].expression(500) == "HttpURLConnection.HTTP_INTERNAL_ERROR"


GOOD = """\
[libraries.go]
label = "Go"
library = "net/http"
version = "1.19.8"
source = "https://example.test/status.go"
usage = "http.{name}"

[libraries.go.constants]
200 = "StatusOK"
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD + '99 = "StatusOops"\n', Problem(CONSTANTS_PATH, 10, "'99' is not a status code (100-599)")),
        (GOOD + '201 = "Status Created"\n', Problem(CONSTANTS_PATH, 10, "'Status Created' is not a name a program can write")),
        (
            GOOD + '202 = { name = "StatusAccepted", old = 1 }\n',
            Problem(CONSTANTS_PATH, 10, 'a constant is a name, or { name = "...", deprecated = true }'),
        ),
        (
            GOOD.replace('usage = "http.{name}"', 'usage = "http.Status"'),
            Problem(CONSTANTS_PATH, 6, "'usage' must contain {name} or {code}"),
        ),
        (GOOD.replace('version = "1.19.8"\n', ""), Problem(CONSTANTS_PATH, 1, "[libraries.go] needs version (text)")),
        (GOOD + "203 = \n", Problem(CONSTANTS_PATH, 10, "invalid TOML: Invalid value (at line 10, column 7)")),
    ],
    ids=["not-a-code", "not-a-name", "unknown-key", "usage", "no-version", "toml"],
)
def test_mistakes_in_the_data_file_are_reported_at_their_line(text: str, expected: Problem) -> None:
    assert read_constants(text)[1] == [expected]


def test_a_well_formed_file_has_no_problem() -> None:
    libraries, problems = read_constants(GOOD + '308 = { name = "StatusPermanentRedirect", deprecated = true }\n')
    assert problems == []
    assert libraries[0].constants[308].deprecated


@pytest.fixture(scope="module")
def site() -> dict[str, bytes]:
    return build_fixture(SITES / "multilingual")[0]


def test_code_page_shows_a_constant_per_language_and_says_where_there_is_none(site: dict[str, bytes]) -> None:
    page = BeautifulSoup(site["fr/307/index.html"].decode(), "html.parser")
    table = page.select_one("#page-constants ~ table.constants")
    assert table is not None
    rows = {
        row.th.get_text(strip=True): row.td.get_text(strip=True)
        for row in table.select("tbody tr")
        if row.th is not None and row.td is not None
    }
    assert rows["Python"] == "http.HTTPStatus.TEMPORARY_REDIRECT"
    assert rows["Java (HttpURLConnection)"] == "aucune constante"
    assert table["data-copy"] == "Copier"  # the copy button's label, for static/constants.js
    assert page.select_one("script[src='/static/constants.js'][defer]") is not None
    code = "script:not([src]):not([type='application/json']):not([type='application/ld+json'])"  # data blocks run nothing
    assert not page.select(code), "no inline script: the coming CSP forbids them"
