"""The Content-Security-Policy: every page carries it, and every page satisfies it.

The policy allows scripts, styles and fonts from the site only, so a built page must hold
no inline script, no ``<style>``, no ``style=`` or ``on*=`` attribute and no
``javascript:`` URL. Each HTML file of the real site and of every fixture site is read
element by element; the browser tests (``tests/test_browser.py``) load pages under the
policy and record every violation.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from sitegen.config import load_config
from sitegen.engine.build import build_site
from sitegen.live.serve import LiveSite, PreviewServer
from sitegen.render.policy import content_security_policy, security_headers
from tests.conftest import REPO, SITES
from tests.live import Client

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset"}


class PolicyScan(HTMLParser):
    """Everything in a page the policy would block, and the policy the page declares."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.policies: list[str] = []
        self.blocked: list[str] = []
        self.first_elements: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if len(self.first_elements) < 4:
            kind = "charset" if "charset" in values else (values.get("http-equiv") or values.get("name") or "").lower()
            self.first_elements.append(tag if tag != "meta" else f"meta {kind}")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.policies.append(values.get("content") or "")
        if tag == "script" and not values.get("src") and values.get("type") not in ("application/json", "application/ld+json"):
            self.blocked.append("an inline <script>")  # a JSON data block runs nothing: the policy lets it be
        if tag == "script" and (values.get("src") or "").startswith(("http:", "https:", "//")):
            self.blocked.append(f"a script from another site: {values['src']}")
        if tag in ("style", "iframe", "object", "embed", "frame"):
            self.blocked.append(f"a <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.blocked.append(f"an event attribute {name}=")
            if name == "style":
                self.blocked.append("a style= attribute")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.blocked.append(f"a {name}={value!r}")


def scan(html: bytes) -> PolicyScan:
    parser = PolicyScan()
    parser.feed(html.decode("utf-8"))
    parser.close()
    return parser


def assert_satisfies_the_policy(path: str, html: bytes) -> None:
    found = scan(html)
    assert found.policies == [content_security_policy(header=False)], path
    # right after <meta charset>: the policy covers everything the page loads
    assert found.first_elements == ["html", "head", "meta charset", "meta content-security-policy"], path
    assert found.blocked == [], path


@pytest.fixture(scope="module")
def real_site() -> dict[str, bytes]:
    config, problems = load_config(REPO)
    assert config is not None, problems
    result = build_site(config)
    assert not result.errors
    return result.files


def test_every_page_of_the_real_site_carries_and_satisfies_the_policy(real_site: dict[str, bytes]) -> None:
    pages = {path: data for path, data in real_site.items() if path.endswith(".html")}
    assert len(pages) > 100
    for path, data in pages.items():
        assert_satisfies_the_policy(path, data)
        assert data.index(b'http-equiv="Content-Security-Policy"') < data.index(b"<title>"), path


@pytest.mark.parametrize("site", sorted(path.name for path in SITES.iterdir() if (path / "expected").is_dir()))
def test_every_page_of_the_fixture_sites_satisfies_the_policy(site: str) -> None:
    pages = sorted((SITES / site / "expected").rglob("*.html"))
    assert pages
    for page in pages:
        assert_satisfies_the_policy(page.as_posix(), page.read_bytes())


def test_the_scan_finds_what_the_policy_blocks() -> None:
    page = (
        b'<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="x"></head><body>'
        b'<script>alert(1)</script><p style="color:red" onclick="x()">a</p><a href=" JavaScript:alert(1)">b</a>'
        b'<iframe src="https://example.test/"></iframe><script src="https://cdn.example.test/x.js"></script></body></html>'
    )
    assert scan(page).blocked == [
        "an inline <script>",
        "a style= attribute",
        "an event attribute onclick=",
        "a href=' JavaScript:alert(1)'",
        "a <iframe>",
        "a script from another site: https://cdn.example.test/x.js",
    ]


def test_the_hosting_files_send_the_policy_as_a_header(real_site: dict[str, bytes]) -> None:
    policy = content_security_policy()
    assert "frame-ancestors 'none'" in policy and "frame-ancestors" not in content_security_policy(header=False)
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy  # 'wasm-unsafe-eval' (Pagefind) allows WebAssembly only
    headers = real_site["_headers"].decode()
    rules = headers.count("\n  Cache-Control: ")
    assert rules > 3 and headers.count(f"\n  Content-Security-Policy: {policy}\n") == rules  # on every path pattern
    nginx = real_site["_nginx.conf"].decode()
    locations = nginx.count("add_header Cache-Control ")
    assert locations > 3 and nginx.count(f'add_header Content-Security-Policy "{policy}" always;') == locations
    for name, value in security_headers()[1:]:
        assert f"\n  {name}: {value}\n" in headers


def test_the_dev_server_sends_the_policy_and_its_script_is_a_file() -> None:
    site = LiveSite()
    page = b'<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n</head><body><p>x</p></body></html>\n'
    site.publish({"index.html": page, "404.html": page}, ["index.html"])
    server = PreviewServer(site, "127.0.0.1", 0, dict(security_headers()))
    server.start()
    try:
        client = Client(server.url)
        for target, status in (("/", 200), ("/missing/", 404), ("/__sitegen/live.js", 200)):
            response = client.request(target)
            assert response.status == status
            assert response.headers["content-security-policy"] == content_security_policy()
        served = client.request("/").body
        assert scan(served).blocked == []  # the live-reload script comes with src=, not inline
        assert b'src="/__sitegen/live.js"' in served
        assert client.request("/__sitegen/live.js").headers["content-type"] == "text/javascript; charset=utf-8"
    finally:
        server.close()


def test_aligned_table_cells_get_a_class_not_a_style() -> None:
    from sitegen.content.markdown import render_body
    from tests.test_limits import MD, context

    html = render_body(MD, "| a | b | c |\n|:-|:-:|-:|\n| 1 | 2 | 3 |\n", context()).html
    assert "style=" not in html
    assert '<th class="align-left">a</th>' in html and '<td class="align-right">3</td>' in html
    assert ".align-right { text-align: right; }" in (REPO / "static" / "style.css").read_text("utf-8")
