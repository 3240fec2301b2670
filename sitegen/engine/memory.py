"""Hand the memory a large build has let go back to the system.

CPython gives the memory of large objects (the text of a page, a rendered body) back to
the C allocator when they are freed, but glibc's ``malloc`` keeps the pages they lived on
for the process, scattered among the objects still alive: a 9,000-page build held about
twice the memory it used. :func:`release` asks glibc to return those pages
(``malloc_trim``) at the points where a stage has just let go of much: the end of a stage,
and each language whose search index is taken. Elsewhere (another C library, another
system) it does nothing.
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return trim


LARGE = 2000
"""Pages from which a build holds enough to be worth trimming (each trim walks the heap:
about a millisecond, which the dev server's rebuild of a small site need not pay)."""


def release(pages: int) -> None:
    """Return the free pages of the C allocator to the system (glibc only), in a build of
    ``pages`` pages if it is large."""
    if pages < LARGE:
        return
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
