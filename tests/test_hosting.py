"""What static hosts read: ``_redirects``, ``_headers``, the nginx snippet, and the
pre-compressed copies of ``precompress = true``."""

from __future__ import annotations

import gzip
from pathlib import Path

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
