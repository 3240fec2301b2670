"""Exchange diagrams: an ``http`` example read into messages and drawn as a sequence."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from sitegen.render.exchange import exchange_svg, plan_arrows, read_messages
from tests.conftest import SITES
from tests.golden import build_fixture

POST_307 = """\
POST /api/orders HTTP/1.1
Host: example.com
Content-Type: application/json

{"item": 42}

HTTP/1.1 307 Temporary Redirect
Location: https://eu.example.com/api/orders?x=1
Content-Length: 0
"""


def arrows(text: str, **facts: object) -> list[tuple[str, str, str, str]]:
    planned, _proxy = plan_arrows(read_messages(text), facts)
    return [(arrow.sender, arrow.receiver, arrow.start, arrow.kind) for arrow in planned]


def test_messages_are_read_with_their_headers_and_bodies_skipped() -> None:
    messages = read_messages(POST_307)
    assert [(message.start, message.status) for message in messages] == [
        ("POST /api/orders HTTP/1.1", None),
        ("HTTP/1.1 307 Temporary Redirect", 307),
    ]
    assert messages[0].headers == (("Host", "example.com"), ("Content-Type", "application/json"))


@pytest.mark.parametrize(
    ("code", "method_preserved", "follow"),
    [(307, True, "POST"), (308, True, "POST"), (303, False, "GET"), (302, "not-guaranteed", "GET"), (301, "not-guaranteed", "GET")],
)
def test_a_redirect_shows_the_request_that_follows(code: int, method_preserved: object, follow: str) -> None:
    text = POST_307.replace("307 Temporary Redirect", f"{code} Redirect")
    assert arrows(text, method_preserved=method_preserved)[-1] == ("client", "server", f"{follow} /api/orders?x=1 HTTP/1.1", "follow")


def test_a_get_stays_a_get_after_a_301() -> None:
    text = "GET /old HTTP/1.1\nHost: a\n\nHTTP/1.1 301 Moved Permanently\nLocation: /new\n"
    assert arrows(text, method_preserved="not-guaranteed")[-1][2] == "GET /new HTTP/1.1"


def test_only_a_post_may_become_a_get_after_a_301_or_302() -> None:
    # RFC 9110 §15.4.2-3: "a user agent MAY change the request method from POST to GET"; a PUT stays a PUT
    text = POST_307.replace("POST", "PUT").replace("307 Temporary Redirect", "302 Found")
    assert arrows(text, method_preserved="not-guaranteed")[-1][2] == "PUT /api/orders?x=1 HTTP/1.1"
    head = "HEAD /a HTTP/1.1\n\nHTTP/1.1 303 See Other\nLocation: /b\n"
    assert arrows(head, method_preserved=False)[-1][2] == "HEAD /b HTTP/1.1"


def test_the_content_follows_the_100_that_expect_waited_for() -> None:
    text = "PUT /v HTTP/1.1\nExpect: 100-continue\n\nHTTP/1.1 100 Continue\n\nHTTP/1.1 201 Created\n"
    assert arrows(text) == [
        ("client", "server", "PUT /v HTTP/1.1", "message"),
        ("server", "client", "HTTP/1.1 100 Continue", "interim"),
        ("client", "server", "the request's content", "content"),
        ("server", "client", "HTTP/1.1 201 Created", "message"),
    ]


def test_an_interim_response_comes_before_the_final_one() -> None:
    text = "GET / HTTP/1.1\n\nHTTP/1.1 103 Early Hints\nLink: </a.css>; rel=preload\n\nHTTP/1.1 200 OK\n"
    assert arrows(text) == [
        ("client", "server", "GET / HTTP/1.1", "message"),
        ("server", "client", "HTTP/1.1 103 Early Hints", "interim"),
        ("server", "client", "HTTP/1.1 200 OK", "message"),
    ]


def test_a_gateway_error_shows_the_proxy_and_what_failed_behind_it() -> None:
    text = "GET /r HTTP/1.1\n\nHTTP/1.1 504 Gateway Timeout\nVia: 1.1 edge\n"
    assert arrows(text) == [
        ("client", "proxy", "GET /r HTTP/1.1", "message"),
        ("proxy", "server", "GET /r HTTP/1.1", "message"),
        ("server", "proxy", "no response in time", "failure"),
        ("proxy", "client", "HTTP/1.1 504 Gateway Timeout", "message"),
    ]


@pytest.mark.parametrize(
    ("code", "behind"),
    [
        (524, [("proxy", "server", "POST /r HTTP/2", "message"), ("server", "proxy", "no response in time", "failure")]),
        (520, [("proxy", "server", "POST /r HTTP/2", "message"), ("server", "proxy", "no valid response", "failure")]),
        # the request never reaches the server: what the gateway tried, and what failed
        (521, [("proxy", "server", "connection attempt", "attempt"), ("server", "proxy", "connection refused", "failure")]),
        (526, [("proxy", "server", "TLS handshake", "attempt"), ("server", "proxy", "certificate not valid", "failure")]),
        (530, [("proxy", "server", "host name not resolved (DNS)", "failure")]),
    ],
)
def test_a_cloudflare_error_shows_what_failed_behind_it(code: int, behind: list[tuple[str, str, str, str]]) -> None:
    text = f"POST /r HTTP/2\n\nHTTP/2 {code}\nserver: cloudflare\n"
    assert arrows(text) == [("client", "proxy", "POST /r HTTP/2", "message"), *behind, ("proxy", "client", f"HTTP/2 {code}", "message")]


def test_a_proxy_that_asks_for_credentials_answers_itself() -> None:
    text = "GET http://a/ HTTP/1.1\n\nHTTP/1.1 407 Proxy Authentication Required\nProxy-Authenticate: Basic\n"
    assert arrows(text, answered_by="intermediary") == [
        ("client", "proxy", "GET http://a/ HTTP/1.1", "message"),
        ("proxy", "client", "HTTP/1.1 407 Proxy Authentication Required", "message"),
    ]


def test_no_diagram_without_a_request_and_a_response() -> None:
    assert exchange_svg("```http\nHTTP/1.1 200 OK\n```\n", {}, str, "t") is None
    assert exchange_svg("No example.", {}, str, "t") is None


@pytest.fixture(scope="module")
def site() -> dict[str, bytes]:
    return build_fixture(SITES / "knowledge")[0]


def test_the_diagram_sits_before_the_http_text_in_the_readers_language(site: dict[str, bytes]) -> None:
    page = BeautifulSoup(site["fr/307/index.html"].decode(), "html.parser")
    svg = page.select_one("div.exchange svg[role=img]")
    assert svg is not None
    assert svg.title is not None and svg.title.get_text() == "L’exemple ci-dessous en diagramme de séquence"
    desc = svg.find("desc")
    assert desc is not None and "2. Serveur → Client\u00a0: HTTP/1.1 307 Temporary Redirect" in desc.get_text()
    # the text is text: selectable and copyable, the status line highlighted
    texts = [(text.get("class"), text.get_text()) for text in svg.select("text")]
    assert (["s"], "HTTP/1.1 307 Temporary Redirect") in texts
    assert (["h"], "Host: eu.example.com") in texts
    # the http example itself stays, right after the diagram
    following = page.select_one("div.exchange + pre code.language-http")
    assert following is not None and "Location: https://eu.example.com/api/orders" in following.get_text()


def test_an_untranslated_page_marks_the_diagram_with_the_readers_language(site: dict[str, bytes]) -> None:
    page = BeautifulSoup(site["fr/103/index.html"].decode(), "html.parser")
    box = page.select_one("div.exchange")
    assert box is not None and box["lang"] == "fr"
    assert len(box.select("path.d")) == 1  # the 103, dashed
