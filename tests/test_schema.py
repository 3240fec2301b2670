"""``sitegen schema``: the JSON Schema of the front matter accepts every real page and
rejects what ``check`` rejects."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from sitegen.cli import main
from sitegen.content.schema import SCHEMA_FILE, front_matter_schema, schema_text
from tests.conftest import REPO, SITES

Capture = pytest.CaptureFixture[str]


def front_matters() -> list[Path]:
    pages = [*REPO.glob("content/*/*.md"), *SITES.glob("*/content/*/*.md")]
    return sorted(path for path in pages if path.stem.isdigit())


def test_every_page_of_the_site_and_the_fixtures_is_valid() -> None:
    validator = jsonschema.Draft202012Validator(front_matter_schema())
    for path in front_matters():
        data = yaml.safe_load(path.read_text("utf-8").split("---\n")[1])
        errors = [error.message for error in validator.iter_errors(data)]
        assert errors == [], path


@pytest.mark.parametrize(
    "data",
    [
        {"code": 307, "name": "Temporary Redirect", "stauts": "standard"},
        {"code": 307, "name": "Temporary Redirect", "status": "official"},
        {"code": 307, "name": "Temporary Redirect", "cacheable": "sometimes"},
        {"code": 700, "name": "Seven hundred"},
        {"code": 307, "name": "T", "takeaways": [{"The method": "must not change."}]},
    ],
)
def test_what_check_rejects_the_schema_rejects(data: dict[str, object]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, front_matter_schema())


def test_the_committed_schema_is_up_to_date(capsys: Capture) -> None:
    assert (REPO / SCHEMA_FILE).read_text("utf-8") == schema_text(), "run 'sitegen schema' and commit the file"
    assert main(["schema", "--out", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == front_matter_schema()


def test_schema_writes_the_file_in_the_project_root(tmp_path: Path, capsys: Capture) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.sitegen]\n[[tool.sitegen.languages]]\ntag = "en"\n', "utf-8")
    (tmp_path / "content").mkdir()
    assert main(["schema", "--root", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"Wrote {SCHEMA_FILE}\n"
    assert (tmp_path / SCHEMA_FILE).read_text("utf-8") == schema_text()
