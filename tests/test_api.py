"""The versioned JSON API: every file the build writes under ``/api/v1/`` follows the
schema it publishes, and programs find what the README promises."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from sitegen.config import load_config
from sitegen.engine.build import build_site
from sitegen.render.api import SCHEMA_VERSION
from tests.conftest import REPO, SITES
from tests.golden import build_fixture, fixture_sites


@pytest.fixture(scope="module")
def real_site() -> dict[str, bytes]:
    config, problems = load_config(REPO)
    assert config is not None, problems
    return build_site(config).files


def api_files(files: dict[str, bytes]) -> dict[str, object]:
    return {path: json.loads(data) for path, data in files.items() if path.startswith("api/v1/") and path != "api/v1/schema.json"}


def check_against_schema(files: dict[str, bytes]) -> int:
    schema = json.loads(files["api/v1/schema.json"])
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    written = api_files(files)
    for path, data in written.items():
        errors = sorted(validator.iter_errors(data), key=lambda error: list(error.path))
        assert not errors, f"{path}: {errors[0].message} at {list(errors[0].path)}"
    return len(written)


@pytest.mark.parametrize("site", fixture_sites(), ids=lambda path: path.name)
def test_every_api_file_of_a_fixture_site_follows_the_schema(site) -> None:
    files, _report = build_fixture(site)
    assert check_against_schema(files) > 1


def test_every_api_file_of_the_real_site_follows_the_schema(real_site: dict[str, bytes]) -> None:
    codes = json.loads(real_site["api/v1/codes.json"])
    # codes.json, then one file per code and language
    assert check_against_schema(real_site) == 1 + len(codes["codes"]) * len(codes["languages"])


def test_the_schema_rejects_what_it_should(real_site: dict[str, bytes]) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(real_site["api/v1/schema.json"]))
    page = json.loads(real_site["api/v1/fr/307.json"])
    assert validator.is_valid(page)
    assert not validator.is_valid({**page, "facts": {"permanent": "maybe"}})
    assert not validator.is_valid({**page, "schema_version": "2.0.0"})
    assert not validator.is_valid({**page, "surprise": 1})
    assert not validator.is_valid({key: value for key, value in page.items() if key != "name"})


def test_a_page_holds_its_facts_constants_body_and_see_also(real_site: dict[str, bytes]) -> None:
    page = json.loads(real_site["api/v1/pt-br/307.json"])
    assert (page["code"], page["class"], page["status"], page["language"]) == (307, "3xx", "standard", "pt-BR")
    assert page["facts"] == {"permanent": False, "method_preserved": True, "cacheable": False}
    assert page["constants"]["go"] == "http.StatusTemporaryRedirect"
    assert page["constants"]["java-net"] is None
    assert page["spec"] == [{"label": "RFC 9110 §15.4.8", "url": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.4.8"}]
    assert page["url"] == "https://http-status.example.org/pt-br/307/"
    assert '<code class="language-http">' in page["body_html"]
    assert [item["code"] for item in page["see_also"]] == [302, 303, 308]
    assert page["see_also"][0]["api"] == "https://http-status.example.org/api/v1/pt-br/302.json"


def test_codes_json_lists_every_code_in_every_language(real_site: dict[str, bytes]) -> None:
    codes = json.loads(real_site["api/v1/codes.json"])
    assert codes["schema_version"] == SCHEMA_VERSION
    assert codes["languages"] == ["en", "fr", "pt-BR"]
    by_code = {item["code"]: item for item in codes["codes"]}
    assert by_code[499]["status"] == "unofficial"
    assert by_code[103]["status"] == "experimental"
    assert set(by_code[404]["pages"]) == {"en", "fr", "pt-BR"}
    assert by_code[404]["pages"]["fr"]["takeaways"], "takeaways are plain text sentences"
    assert "<" not in by_code[404]["pages"]["fr"]["takeaways"][0]
    assert codes["libraries"]["rust"]["source"].startswith("https://github.com/hyperium/http/blob/v")


def test_the_unversioned_file_keeps_its_shape(real_site: dict[str, bytes]) -> None:
    old = json.loads(real_site["api/codes.json"])
    assert set(old) == {"codes"}
    assert set(old["codes"][0]) == {"code", "class", "spec", "pages"}


def test_schema_version_is_semver_and_in_the_readme_changelog() -> None:
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", SCHEMA_VERSION)
    readme = (REPO / "README.md").read_text("utf-8")
    assert f"| `{SCHEMA_VERSION}` |" in readme, "add the version to the API changelog in the README"
    assert "curl" in readme


def test_fixture_site_page_file_exists_for_each_language() -> None:
    files, _report = build_fixture(SITES / "multilingual")
    assert {path for path in files if path.startswith("api/v1/") and path.endswith("/307.json")} == {
        "api/v1/en/307.json",
        "api/v1/fr/307.json",
        "api/v1/pt-br/307.json",
    }
