"""Social cards: one image per code and language, for ``og:image``: the code, its name in
that language and the site's title.

SVG, not PNG. Rasterising text needs a font that has the letters of every language:
Pillow's built-in font has no accented letters ("temporário" loses its "á"), and resvg or
CairoSVG read the fonts installed on the system, a system dependency the build cannot
install. Shipping a font would add about 700 KB to the repository. The SVG is about 1 KB,
made in microseconds, and names a font stack, so it renders with the reader's own fonts.
"""

from __future__ import annotations

import textwrap


def escape(text: str, quote: bool = False) -> str:
    """Return ``text`` with ``&``, ``<`` and ``>`` escaped for XML (and ``"`` with ``quote``),
    as ``xml.sax.saxutils.escape`` does: importing it loads ``urllib.request`` and its
    ``http``, ``email`` and ``ssl`` modules, 20 ms of every build."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


WIDTH, HEIGHT = 1200, 630
LINE = 30
"""Characters per line of the name (at 64 px in 1,040 px); longer names wrap, three lines at most."""
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"


def card_svg(code: int, name: str, site_title: str, tag: str) -> bytes:
    """Return the social card of a code in one language."""
    lines = textwrap.wrap(name, LINE)[:3] or [""]
    names = "".join(
        f'<text x="80" y="{400 + index * 76}" font-size="64" fill="#1b1b1f">{escape(line)}</text>' for index, line in enumerate(lines)
    )
    label = escape(f"{code} {name} – {site_title}", quote=True)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' lang="{escape(tag)}" font-family="{FONT}" role="img" aria-label="{label}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/><rect width="{WIDTH}" height="16" fill="#0b57d0"/>'
        f'<text x="80" y="290" font-size="220" font-weight="700" fill="#0b57d0">{code}</text>{names}'
        f'<text x="80" y="{HEIGHT - 56}" font-size="36" fill="#50505a">{escape(site_title)}</text></svg>\n'
    )
    return svg.encode("utf-8")
