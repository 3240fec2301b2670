"""The preview server without a browser: paths, types, 404, HEAD, the event stream."""

from __future__ import annotations

import json
import select
import threading
from collections.abc import Iterator

import pytest

from sitegen.live.serve import EVENTS_PATH, LiveSite, PreviewServer, inject
from tests.live import Client, EventStream, without_script

PAGE = (
    b'<!DOCTYPE html>\n<html lang="en">\n<head><link rel="stylesheet" href="/static/style.css?v=1"></head>\n'
    b"<body>\n<h1>%s</h1>\n</body>\n</html>\n"
)
FILES = {
    "index.html": PAGE % b"Home",
    "404.html": PAGE % b"This page does not exist",
    "en/307/index.html": PAGE % b"307 Temporary Redirect",
    "static/style.css": b"body { color: #123456; }\n",
    "static/favicon.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "static/font.woff2": b"wOF2",
    "sitemap.xml": b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset/>\n',
    "api/codes.json": b'{"codes": []}\n',
    "robots.txt": b"User-agent: *\n",
}


@pytest.fixture
def site() -> LiveSite:
    live = LiveSite()
    live.publish(FILES, FILES)
    return live


@pytest.fixture
def server(site: LiveSite) -> Iterator[PreviewServer]:
    running = PreviewServer(site, "127.0.0.1", 0)
    running.start()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def client(server: PreviewServer) -> Client:
    return Client(server.url)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/en/307/", "text/html; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/favicon.svg", "image/svg+xml"),
        ("/static/font.woff2", "font/woff2"),
        ("/sitemap.xml", "application/xml"),
        ("/api/codes.json", "application/json"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ],
)
def test_files_are_served_with_their_type(client: Client, path: str, content_type: str) -> None:
    response = client.request(path)
    assert response.status == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-length"] == str(len(response.body))
    key = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
    if key.endswith(".html"):
        assert without_script(response.body) == FILES[key]
        assert response.body.index(b"<script data-sitegen=") < response.body.index(b"</body>")
    else:
        assert response.body == FILES[key]


def test_head_gives_the_headers_of_get_and_no_body(client: Client) -> None:
    get = client.request("/en/307/")
    head = client.request("/en/307/", "HEAD")
    assert (head.status, head.body) == (200, b"")
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.body))


def test_a_missing_path_gets_the_404_page_with_status_404(client: Client) -> None:
    for method in ("GET", "HEAD"):
        response = client.request("/en/309/", method)
        assert response.status == 404
        assert response.headers["content-type"] == "text/html; charset=utf-8"
    response = client.request("/en/309/")
    assert without_script(response.body) == FILES["404.html"]


@pytest.mark.parametrize("path", ["/static/", "/en/", "/api/"])
def test_folders_are_never_listed(client: Client, path: str) -> None:
    response = client.request(path)
    assert response.status == 404
    assert without_script(response.body) == FILES["404.html"]


def test_a_page_without_its_slash_is_redirected(client: Client) -> None:
    response = client.request("/en/307?lang=en")
    assert response.status == 302
    assert response.headers["location"] == "/en/307/?lang=en"


@pytest.mark.parametrize(
    "target",
    [
        "/../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/en/..%2f..%2f..%2fetc/passwd",
        "/static/..%5c..%5cpyproject.toml",
        "/static\\..\\pyproject.toml",
        "/index.html%00.css",
        "/%ff%fe",
    ],
)
def test_paths_cannot_climb_out_of_the_site(client: Client, target: str) -> None:
    response = client.request(target)
    assert response.status == 400
    assert b"tool.sitegen" not in response.body
    assert b"root:" not in response.body


def test_a_doubly_encoded_dot_dot_is_only_a_name(client: Client) -> None:
    assert client.request("/%252e%252e/pyproject.toml").status == 404


def test_a_double_slash_is_a_path_not_a_host(client: Client) -> None:
    assert client.request("//en/307/").status == 200
    redirect = client.request("//en/307")
    assert (redirect.status, redirect.headers["location"]) == (302, "/en/307/")  # never to a host "en"
    assert client.request("http://127.0.0.1/en/307/").status == 200  # the absolute form


def test_a_site_under_a_sub_path_is_served_there() -> None:
    live = LiveSite("/docs/")
    live.publish(FILES, FILES)
    server = PreviewServer(live, "127.0.0.1", 0)
    server.start()
    try:
        client = Client(server.url)
        assert server.url.endswith("/docs/")
        assert client.request("/docs/en/307/").status == 200
        redirect = client.request("/docs")
        assert (redirect.status, redirect.headers["location"]) == (302, "/docs/")
        assert client.request("/en/307/").status == 404
    finally:
        server.close()


def test_before_a_first_good_build_the_errors_are_served() -> None:
    live = LiveSite()
    live.show_problems(["content/en/307.md:3: invalid YAML in front matter: <b>not bold</b>"], failed=True)
    server = PreviewServer(live, "127.0.0.1", 0)
    server.start()
    try:
        response = Client(server.url).request("/en/307/")
    finally:
        server.close()
    assert response.status == 503
    assert b"content/en/307.md:3: invalid YAML in front matter: &lt;b&gt;not bold&lt;/b&gt;" in response.body
    assert b"<b>not bold</b>" not in response.body


def test_the_script_goes_before_the_last_closing_body() -> None:
    assert inject(b"<p>&lt;/body&gt;</p></BODY></html>", b"<s>") == b"<p>&lt;/body&gt;</p><s></BODY></html>"
    assert inject(b"<p>no body</p>", b"<s>") == b"<p>no body</p><s>"


@pytest.fixture
def events(client: Client) -> Iterator[EventStream]:
    stream = EventStream(client)
    try:
        yield stream
    finally:
        stream.close()


@pytest.fixture
def own(client: Client) -> Iterator[EventStream]:
    """The events of an open /en/307/ that says which page it is (it is sent its new HTML),
    its hello read."""
    stream = EventStream(client, page="en/307/index.html")
    try:
        assert stream.next()[0] == "hello"
        yield stream
    finally:
        stream.close()


def test_pages_are_told_what_changed(site: LiveSite, events: EventStream) -> None:
    assert events.next() == ("hello", {"boot": site.boot, "generation": 1})
    site.publish(FILES, ["en/307/index.html"])
    assert events.next() == ("reload", {"paths": ["en/307/index.html"], "all": False, "generation": 2})
    site.publish_stylesheets(FILES, ["/static/style.css"], "abc")
    assert events.next() == ("css", {"paths": ["/static/style.css"], "version": "abc", "generation": 3})
    site.show_problems(["templates/code.html:12: template syntax error: unexpected '}'"], failed=True)
    assert events.next() == ("problems", {"lines": ["templates/code.html:12: template syntax error: unexpected '}'"], "failed": True})
    site.show_problems(["templates/code.html:12: template syntax error: unexpected '}'"], failed=True)  # no news: no event
    site.show_problems(["content/en/307.md:9: warning: unknown macro {{Nope}}"], failed=False)
    assert events.next() == ("problems", {"lines": ["content/en/307.md:9: warning: unknown macro {{Nope}}"], "failed": False})
    site.clear_problems()
    assert events.next() == ("ok", {})
    site.replace(FILES)  # quiet: the pages are up to date
    site.publish(FILES, [], reload_all=True)
    assert events.next() == ("reload", {"paths": [], "all": True, "generation": 4})


def test_a_page_that_says_which_it_is_gets_its_new_html_with_the_event(site: LiveSite, client: Client) -> None:
    own, other = EventStream(client, page="en/307/index.html"), EventStream(client, page="index.html")
    try:
        assert own.next()[0] == other.next()[0] == "hello"
        site.publish({**FILES, "en/307/index.html": PAGE % b"307 Edited"}, ["en/307/index.html"])
        name, data = own.next()
        # what a request for the page now gets, live-reload script included: no need to fetch it
        assert (name, data.pop("html").encode()) == ("reload", client.request("/en/307/").body)
        assert data == {"paths": ["en/307/index.html"], "all": False, "generation": 2}
        assert other.next() == ("reload", {"paths": ["en/307/index.html"], "all": False, "generation": 2})
    finally:
        own.close()
        other.close()


def test_a_page_pushed_early_is_the_page_published_and_is_not_told_twice(site: LiveSite, client: Client) -> None:
    own, other = EventStream(client, page="en/307/index.html"), EventStream(client, page="index.html")
    edited = {**FILES, "en/307/index.html": PAGE % b"307 Edited"}
    try:
        assert own.next()[0] == other.next()[0] == "hello"
        assert site.open_pages() == {"en/307/index.html", "index.html"}
        site.push_early("en/307/index.html", edited["en/307/index.html"])
        name, data = own.next()
        pushed = data.pop("html").encode()
        assert (name, data) == ("reload", {"paths": ["en/307/index.html"], "all": False, "generation": 2})
        assert without_script(client.request("/en/307/").body) == FILES["en/307/index.html"]  # not served before the build is over
        site.publish(edited, ["en/307/index.html"])
        assert pushed == client.request("/en/307/").body  # what the build serves, script and generation included
        assert other.next() == ("reload", {"paths": ["en/307/index.html"], "all": False, "generation": 2})
        site.show_problems(["content/en/307.md:9: warning: unknown macro {{Nope}}"], failed=False)
        assert own.next()[0] == "problems"  # no second reload for the same page
    finally:
        own.close()
        other.close()


def test_the_same_page_pushed_twice_is_sent_once_and_other_bytes_again(site: LiveSite, own: EventStream) -> None:
    # the dev server pushes a quick page, then the build makes it again: the same bytes
    site.push_early("en/307/index.html", PAGE % b"307 Edited")
    site.push_early("en/307/index.html", PAGE % b"307 Edited")
    site.push_early("en/307/index.html", PAGE % b"307 Edited, by the build")
    assert b"307 Edited" in own.next()[1]["html"].encode()
    assert b"307 Edited, by the build" in own.next()[1]["html"].encode()
    site.publish({**FILES, "en/307/index.html": PAGE % b"307 Edited, by the build"}, ["en/307/index.html"])
    site.show_problems(["content/en/307.md:9: warning: unknown macro {{Nope}}"], failed=False)
    assert own.next()[0] == "problems"  # the publish did not send it again either


def test_a_page_pushed_early_gets_the_served_page_back_if_the_build_keeps_it(site: LiveSite, client: Client, own: EventStream) -> None:
    site.push_early("en/307/index.html", PAGE % b"307 Edited")  # a quick page the build does not make
    assert b"307 Edited" in own.next()[1]["html"].encode()
    site.publish(dict(FILES), ["index.html"])  # the page is not among the changed ones
    name, data = own.next()
    assert (name, data.pop("html").encode()) == ("reload", client.request("/en/307/").body)
    assert data == {"paths": ["en/307/index.html"], "all": False, "generation": 2}


def test_the_page_served_is_not_pushed_early(site: LiveSite, own: EventStream) -> None:
    site.push_early("en/307/index.html", FILES["en/307/index.html"])  # a save that changed nothing
    site.show_problems(["content/en/307.md:9: warning: unknown macro {{Nope}}"], failed=False)
    assert own.next()[0] == "problems"


def test_a_page_pushed_early_is_written_before_the_push_returns(site: LiveSite, own: EventStream) -> None:
    site.push_early("en/307/index.html", PAGE % b"307 Edited")
    # the build goes on at once, holding the interpreter: the event is already on its way
    assert select.select([own.socket], [], [], 0)[0] == [own.socket]
    assert b"307 Edited" in own.next()[1]["html"].encode()


def test_a_page_pushed_early_is_sent_again_if_the_build_publishes_other_bytes(site: LiveSite, client: Client, own: EventStream) -> None:
    site.push_early("en/307/index.html", PAGE % b"307 Edited")
    assert own.next()[1]["generation"] == 2
    site.publish({**FILES, "en/307/index.html": PAGE % b"307 Edited again"}, ["en/307/index.html"])
    name, data = own.next()
    assert (name, data["html"].encode()) == ("reload", client.request("/en/307/").body)
    assert b"307 Edited again" in data["html"].encode()


def test_a_page_pushed_early_gets_the_served_page_back_if_its_build_fails(site: LiveSite, client: Client, own: EventStream) -> None:
    site.push_early("en/307/index.html", PAGE % b"307 Edited")
    assert b"307 Edited" in own.next()[1]["html"].encode()
    site.retract_early()
    name, data = own.next()
    assert (name, data.pop("html").encode()) == ("reload", client.request("/en/307/").body)
    assert data == {"paths": ["en/307/index.html"], "all": False, "generation": 1}
    site.retract_early()  # told once
    site.clear_problems()
    site.show_problems(["content/en/307.md:2: missing 'name'"], failed=True)
    assert own.next()[0] == "problems"


def test_a_page_with_another_head_is_not_pushed_early(site: LiveSite, own: EventStream) -> None:
    # the page would load itself again for a new head, and get the old page: it waits for the build
    site.push_early("en/307/index.html", (PAGE % b"307").replace(b"<head>", b"<head><title>New</title>"))
    site.push_early("index.html", PAGE % b"Home, edited")  # no page open there
    site.show_problems(["content/en/307.md:2: missing 'name'"], failed=True)
    assert own.next()[0] == "problems"


def test_a_page_that_connects_during_an_error_is_shown_it(site: LiveSite, client: Client) -> None:
    site.show_problems(["content/en/307.md:2: missing 'name'"], failed=True)
    stream = EventStream(client)
    try:
        assert stream.next()[0] == "hello"
        assert stream.next() == ("problems", {"lines": ["content/en/307.md:2: missing 'name'"], "failed": True})
    finally:
        stream.close()


def test_the_page_tells_the_script_which_build_it_is(site: LiveSite, client: Client) -> None:
    body = client.request("/en/307/").body
    start = body.index(b'data-sitegen="') + len(b'data-sitegen="')
    settings = json.loads(body[start : body.index(b'"', start)].decode().replace("&quot;", '"'))
    assert settings == {"events": EVENTS_PATH, "boot": site.boot, "generation": 1, "keys": ["en/307/index.html"]}


def test_closing_the_server_ends_the_streams(server: PreviewServer, events: EventStream) -> None:
    assert events.next()[0] == "hello"
    server.close()
    with pytest.raises(EOFError):
        events.next()


def test_requests_during_publishing_get_one_whole_version(site: LiveSite, client: Client) -> None:
    versions = [{**FILES, "en/307/index.html": PAGE % (b"version %d " % index + b"x" * 50_000)} for index in range(2)]
    stop = threading.Event()

    def publish() -> None:
        index = 0
        while not stop.is_set():
            site.publish(versions[index % 2], ["en/307/index.html"])
            index += 1

    publisher = threading.Thread(target=publish)
    publisher.start()
    try:
        bodies = [without_script(client.request("/en/307/").body) for _ in range(60)]
    finally:
        stop.set()
        publisher.join()
    assert set(bodies) <= {version["en/307/index.html"] for version in versions}
