"""``make i18n``: bring every language's UI catalog in line with ``locales/messages.pot``.

``pybabel extract`` writes the template; this creates the catalog of a newly configured
language and updates the others (new strings added, removed ones made obsolete).
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from sitegen.config import load_config
from sitegen.render.i18n import catalog_path, locale_name


def update_catalogs(root: Path) -> list[Path]:
    """Create or update the ``.po`` file of every non-source language, draft languages
    included (a language is added as a draft, then translated); return them."""
    config, problems = load_config(root, drafts=True)
    if config is None:
        raise SystemExit("\n".join(problem.format() for problem in problems))
    with (config.locales_dir / "messages.pot").open("rb") as file:
        template = read_po(file)
    written = []
    for language in config.languages:
        if language.tag == config.source_language:
            continue
        path = catalog_path(config, language)
        if path.exists():
            with path.open("rb") as file:
                catalog = read_po(file, locale=locale_name(language))
        else:
            catalog = Catalog(locale=locale_name(language), project=config.title)
        catalog.update(template)
        buffer = io.BytesIO()
        write_po(buffer, catalog, omit_header=False, no_location=True, sort_output=True, ignore_obsolete=True, width=100)
        if path.exists() and _without_stamps(path.read_bytes()) == _without_stamps(buffer.getvalue()):
            continue  # no string changed: the file stays byte for byte as it is
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buffer.getvalue())
        written.append(path)
    return written


_STAMPS = re.compile(rb'^"(?:POT-Creation-Date|Generated-By): [^"]*\\n"\n', re.MULTILINE)


def _without_stamps(data: bytes) -> bytes:
    """Return a catalog without the header lines that change on every run (the date, Babel's version)."""
    return _STAMPS.sub(b"", data)


if __name__ == "__main__":
    changed = update_catalogs(Path.cwd())
    for path in changed:
        sys.stdout.write(f"updated {path}\n")
    if not changed:
        sys.stdout.write("catalogs unchanged: no UI string was added, changed or removed\n")
