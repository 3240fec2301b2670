"""The IANA HTTP Status Code Registry: which codes exist, their names and specs."""

from __future__ import annotations

import csv
import functools
import io
import re
from importlib import resources
from typing import TYPE_CHECKING

from sitegen.content.spec_refs import SpecRef, parse_spec
from sitegen.site.model import RegistryEntry

if TYPE_CHECKING:
    from collections.abc import Mapping


def N_(message: str) -> str:
    """Mark a UI string for extraction; it is translated where it is shown."""
    return message


CLASS_NAMES = {
    1: N_("Informational"),
    2: N_("Successful"),
    3: N_("Redirection"),
    4: N_("Client Error"),
    5: N_("Server Error"),
}
"""The five classes of RFC 9110 §15, keyed by first digit."""


@functools.cache
def load_registry() -> Mapping[int, RegistryEntry]:
    """Return the registered codes (unassigned ranges left out), keyed by code."""
    text = resources.files("sitegen").joinpath("data/iana-http-status-codes.csv").read_text("utf-8")
    entries: dict[int, RegistryEntry] = {}
    for row in csv.DictReader(io.StringIO(text)):
        value, name = row["Value"].strip(), row["Description"].strip()
        if not value.isdigit() or name == "Unassigned":
            continue
        entries[int(value)] = RegistryEntry(int(value), name, row["Reference"].strip())
    return entries


def registry_spec(entry: RegistryEntry) -> SpecRef | None:
    """Return the registry's reference for a code as a :class:`SpecRef`."""
    first = re.match(r"\[[^\]]*\]", entry.reference)
    return parse_spec(first.group(0)) if first else None


def section_for_status(rfc: int, code: int) -> str | None:
    """Return the section of RFC ``rfc`` that defines ``code``, per the registry."""
    entry = load_registry().get(code)
    if entry is None:
        return None
    spec = registry_spec(entry)
    if spec is None or spec.document != f"RFC {rfc}":
        return None
    return spec.section


def status_class(code: int) -> str:
    """Return the class key of a code: ``3xx``."""
    return f"{code // 100}xx"
