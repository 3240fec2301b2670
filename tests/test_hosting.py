"""What static hosts read: ``_redirects``, ``_headers``, the nginx snippet, and the
pre-compressed copies of ``precompress = true``."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import brotli
import pytest

from sitegen.cli import main
from tests.conftest import SCRATCH_CONFIG, SITES, ScratchSite, page
from tests.golden import build_fixture


def header_rules(text: str) -> dict[str, dict[str, str]]:
    """Return ``{pattern: {header: value}}`` of a ``_headers`` file."""
    rules: dict[str, dict[str, str]] = {}
    pattern = ""
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if not line.startswith(" "):
            pattern = line
            rules[pattern] = {}
        else:
            name, value = line.strip().split(": ", 1)
            rules[pattern][name] = value
    return rules


def matches(pattern: str, url: str) -> bool:
    return url.startswith(pattern[:-1]) if pattern.endswith("*") else url == pattern


@pytest.mark.parametrize("name", ["formats", "multilingual"])
def test_every_file_gets_exactly_one_cache_rule(name: str) -> None:
    files, _report = build_fixture(SITES / name, with_static=True)
    rules = header_rules(files["_headers"].decode("utf-8"))
    for path in files:
        if path.startswith("_") or "/docs/" in path:
            continue  # the hosting files themselves; old URLs are redirected
        url = "/" + path.removesuffix("index.html")
        matching = [pattern for pattern in rules if matches(pattern, url)]
        assert len(matching) == 1, (url, matching)
    assert rules["/static/style.css"]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert rules["/en/*"]["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_redirects_of_aliases_and_original_slugs_are_301() -> None:
    files, _report = build_fixture(SITES / "formats")
    lines = [line for line in files["_redirects"].decode("utf-8").splitlines() if not line.startswith("#")]
    assert lines == ["/fr/docs/Web/HTTP/Status/307/ /fr/307/ 301", "/pt-br/docs/Web/HTTP/Status/307/ /pt-br/307/ 301"]
    # the same pages still exist as HTML redirects for hosts that read neither file
    assert "fr/docs/Web/HTTP/Status/307/index.html" in files
    nginx = files["_nginx.conf"].decode("utf-8")
    assert "location = /fr/docs/Web/HTTP/Status/307/ {\n    return 301 /fr/307/;\n}" in nginx
    assert "location ~ ^/_(redirects|headers|nginx\\.conf)$ {\n    return 404;\n}" in nginx
    assert "gzip_static" not in nginx


def test_precompress_writes_gzip_and_brotli_copies(scratch_site: ScratchSite) -> None:
    config = SCRATCH_CONFIG.replace('base_url = "https://example.test/"', 'base_url = "https://example.test/"\nprecompress = true')
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")}, config)
    assert main(["build", "--root", str(root)]) == 0
    site = root / "_site"
    html = (site / "en" / "307" / "index.html").read_bytes()
    assert gzip.decompress((site / "en" / "307" / "index.html.gz").read_bytes()) == html
    assert brotli.decompress((site / "en" / "307" / "index.html.br").read_bytes()) == html
    for path in ("static/style.css", "sitemap.xml", "api/codes.json"):
        assert (site / f"{path}.gz").is_file() and (site / f"{path}.br").is_file(), path
    assert not (site / "static" / "favicon.svg.br").exists() or (site / "static" / "favicon.svg").stat().st_size >= 256
    first = {path: path.read_bytes() for path in sorted(site.rglob("*.gz"))}
    assert main(["build", "--root", str(root)]) == 0
    assert {path: path.read_bytes() for path in sorted(site.rglob("*.gz"))} == first
    assert "gzip_static on;" in (site / "_nginx.conf").read_text("utf-8")


def test_without_precompress_there_are_no_copies(scratch_site: ScratchSite, tmp_path: Path) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect")})
    assert main(["build", "--root", str(root)]) == 0
    assert list((root / "_site").rglob("*.gz")) == [] and list((root / "_site").rglob("*.br")) == []


def test_the_publish_workflow_builds_with_make_and_deploys_the_site() -> None:
    import yaml

    from tests.conftest import REPO

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "publish.yml").read_text("utf-8"))
    build = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run") for step in build if "run" in step]
    assert runs == ["make check", "make build"]
    upload = next(step for step in build if str(step.get("uses", "")).startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_site"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


ODD_ALIASES = '["/vieux chemin/307/", "/réponse/307/", "/caf%C3%A9/", "/old/%3F/", "/100%25/", "/x;y{z}/", "/q\\"uote/", "/:x/*/"]'
"""Old URLs that are paths, with what a hosting file would read as syntax: a space, accents
(as they are and percent-encoded), an encoded '?' and '%', nginx's ';' '{' '"', Netlify's ':' '*'."""


def test_old_urls_with_spaces_accents_or_nginx_syntax_are_encoded_and_quoted(scratch_site: ScratchSite) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect", aliases=ODD_ALIASES)})
    assert main(["build", "--root", str(root)]) == 0
    site = root / "_site"
    lines = [line for line in (site / "_redirects").read_text("utf-8").splitlines() if not line.startswith("#")]
    # Netlify: "special characters in paths must be url-encoded"; a space would split the line
    assert lines == [
        "/100%25/ /en/307/ 301",
        "/%3Ax/%2A/ /en/307/ 301",
        "/caf%C3%A9/ /en/307/ 301",
        "/old/%3F/ /en/307/ 301",
        "/q%22uote/ /en/307/ 301",
        "/r%C3%A9ponse/307/ /en/307/ 301",
        "/vieux%20chemin/307/ /en/307/ 301",
        "/x;y%7Bz%7D/ /en/307/ 301",
    ]
    # the redirect pages, for hosts that read neither file, are where a request's decoded path leads
    for folder in ("vieux chemin/307", "réponse/307", "café", "old/?", "100%", "x;y{z}", 'q"uote', ":x/*"):
        assert (site / folder / "index.html").is_file()
    # nginx matches the decoded path; a space, ';', '{' or '"' outside quotes broke the whole config
    nginx = (site / "_nginx.conf").read_text("utf-8")
    locations = ('"/vieux chemin/307/"', '"/réponse/307/"', '"/café/"', '"/old/?/"', "/100%/", '"/x;y{z}/"', '"/q\\"uote/"', "/:x/*/")
    for location in locations:
        assert f"location = {location} {{\n    return 301 /en/307/;\n}}" in nginx


def test_nginx_gives_the_home_page_its_headers() -> None:
    # "/" is served through an internal redirect to /index.html: a "location = /" never applies
    files, _report = build_fixture(SITES / "formats")
    nginx = files["_nginx.conf"].decode("utf-8")
    assert "location = /index.html {\n    add_header Cache-Control" in nginx
    assert "location = / {" not in nginx
    assert header_rules(files["_headers"].decode("utf-8"))["/"]["Cache-Control"] == "public, max-age=0, must-revalidate"


NGINX = Path("/usr/sbin/nginx")
ODD_BASE = "https://example.test/état%20civil;x/"
"""A base path with what nginx reads as syntax (';', a space) and a non-ASCII letter."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(not NGINX.exists(), reason="needs nginx at /usr/sbin/nginx (apt-get install nginx-light)")
@pytest.mark.parametrize("base_url", ["https://example.test/", ODD_BASE])
def test_nginx_serves_the_snippets_redirects_and_headers(scratch_site: ScratchSite, tmp_path: Path, base_url: str) -> None:
    config = SCRATCH_CONFIG.replace('base_url = "https://example.test/"', f'base_url = "{base_url}"\nprecompress = true')
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect", aliases=ODD_ALIASES)}, config)
    assert main(["build", "--root", str(root)]) == 0
    base = quote(unquote(urlsplit(base_url).path), safe="/;")  # as a browser sends it
    # the site where its URLs lead: root/<decoded base path>
    www = tmp_path / "www"
    served = www / unquote(base).strip("/")
    served.parent.mkdir(parents=True, exist_ok=True)
    served.symlink_to(root / "_site")
    port = free_port()
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\nmaster_process off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  server {{\n    listen 127.0.0.1:{port};\n    root {www};\n"
        f'    include "{root}/_site/_nginx.conf";\n  }}\n}}\n',
        "utf-8",
    )
    checked = subprocess.run(
        [str(NGINX), "-t", "-q", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([str(NGINX), "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)], stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.05)

        def get(path: str) -> tuple[int, dict[str, str], bytes]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
            finally:
                connection.close()

        for old in ("vieux%20chemin/307/", "r%C3%A9ponse/307/", "caf%C3%A9/", "old/%3F/", "100%25/", "x;y%7Bz%7D/", "q%22uote/", ":x/*/"):
            status, headers, _body = get(base + old)
            assert (status, urlsplit(headers.get("location", "")).path) == (301, f"{base}en/307/"), old
        status, headers, body = get(base)
        assert status == 200 and headers["cache-control"] == "public, max-age=0, must-revalidate"
        assert "content-security-policy" in headers
        status, headers, _body = get(base + "static/style.css")
        assert (status, headers["cache-control"]) == (200, "public, max-age=31536000, immutable")
        assert get(base + "_redirects")[0] == 404
        status, _headers, body = get(base + "no/such/page/")
        assert status == 404 and b"<html" in body
    finally:
        server.terminate()
        server.wait(timeout=10)
