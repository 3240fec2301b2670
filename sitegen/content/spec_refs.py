"""Spec references: "RFC 9110 §15.4.8" and the URLs people write for it.

Every form is reduced to a :class:`SpecRef` (document and section) that renders as
"RFC 9110 §15.4.8" and links to that section on rfc-editor.org.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

RFC_BASE = "https://www.rfc-editor.org/rfc/"
DRAFT_BASE = "https://datatracker.ietf.org/doc/html/"

SectionLookup = Callable[[int, int], "str | None"]
"""(rfc number, status code) -> section, for anchors like ``#status.307``."""

_SECTION = r"(?P<section>[0-9]+(?:\.[0-9]+)*|[A-Za-z](?:\.[0-9]+)*)"
_TEXT = re.compile(
    r"^\[?\s*RFC\s*-?\s*(?P<rfc>[0-9]{1,5})\s*"
    r"(?:,?\s*(?:§|sections?|sec\.?)\s*" + _SECTION + r")?\s*\]?"
    r"(?:\s*\[[^\]]*\])*\s*$",
    re.IGNORECASE,
)
_DRAFT_TEXT = re.compile(
    r"^\[?\s*(?P<draft>draft-[a-z0-9-]+?)\s*(?:,?\s*(?:§|sections?|sec\.?)\s*" + _SECTION + r")?\s*\]?$", re.IGNORECASE
)
_URL = re.compile(
    r"^https?://(?P<host>[^/]+)/(?P<path>[^#?]*)(?:\?[^#]*)?(?:#(?P<fragment>.*))?$",
    re.IGNORECASE,
)
_RFC_IN_PATH = re.compile(r"(?:^|/)rfc(?P<rfc>[0-9]{1,5})(?:\.html|\.txt|\.pdf|/)?$", re.IGNORECASE)
_DRAFT_IN_PATH = re.compile(r"(?:^|/)(?P<draft>draft-[a-z0-9-]+?)(?:\.html|\.txt|/)?$", re.IGNORECASE)
# rfc-editor.org also anchors paragraphs: #section-15.4.8-2 is in section 15.4.8
_SECTION_FRAGMENT = re.compile(r"^(?:rfc\.)?(?:section|appendix)[-.]" + _SECTION + r"(?:-[0-9]+)?$", re.IGNORECASE)
_STATUS_FRAGMENT = re.compile(r"^status\.(?P<code>[0-9]{3})$", re.IGNORECASE)
_SPEC_HOSTS = ("rfc-editor.org", "ietf.org", "httpwg.org")


def _is_spec_host(host: str) -> bool:
    """Return whether ``host`` is one of the spec sites or a subdomain (not evil-ietf.org)."""
    host = host.lower()
    return any(host == known or host.endswith("." + known) for known in _SPEC_HOSTS)


@dataclass(frozen=True, slots=True)
class SpecRef:
    """A reference to a specification, optionally to one of its sections."""

    document: str
    """``RFC 9110`` or a draft name such as ``draft-ietf-httpbis-resumable-upload``."""
    section: str | None = None

    def __post_init__(self) -> None:
        # appendix letters are upper case in the anchors (#appendix-B.1), which are case-sensitive
        if self.section and self.section[0].isalpha():
            object.__setattr__(self, "section", self.section[0].upper() + self.section[1:])

    @property
    def label(self) -> str:
        """Return the human form: ``RFC 9110 §15.4.8``."""
        return f"{self.document} §{self.section}" if self.section else self.document

    @property
    def url(self) -> str:
        """Return the URL of the section on rfc-editor.org (datatracker for drafts)."""
        if self.document.startswith("RFC "):
            url = f"{RFC_BASE}rfc{self.document[4:]}.html"
        else:
            url = DRAFT_BASE + self.document
        if self.section:
            # rfc-editor.org anchors appendices as #appendix-A, sections as #section-1.2
            kind = "appendix" if self.section[0].isalpha() else "section"
            url += f"#{kind}-{self.section}"
        return url


def parse_spec(text: str, section_for_status: SectionLookup | None = None) -> SpecRef | None:
    """Return the reference written as ``text``, or ``None`` if it is not one we know."""
    text = text.strip()
    match = _TEXT.match(text)
    if match:
        return SpecRef(f"RFC {int(match['rfc'])}", match["section"])
    match = _DRAFT_TEXT.match(text)
    if match:
        return SpecRef(match["draft"].lower(), match["section"])
    match = _URL.match(text)
    if not match or not _is_spec_host(match["host"]):
        return None
    path, fragment = match["path"], match["fragment"] or ""
    document: str
    rfc_match = _RFC_IN_PATH.search(path)
    if rfc_match:
        number = int(rfc_match["rfc"])
        document = f"RFC {number}"
    else:
        draft_match = _DRAFT_IN_PATH.search(path)
        if not draft_match:
            return None
        number = 0
        document = draft_match["draft"].lower()
    section_match = _SECTION_FRAGMENT.match(fragment)
    if section_match:
        return SpecRef(document, section_match["section"])
    status_match = _STATUS_FRAGMENT.match(fragment)
    if status_match and number and section_for_status:
        return SpecRef(document, section_for_status(number, int(status_match["code"])))
    return SpecRef(document)
