"""What the rules read for each format.

The rules read what the patient reads. For Markdown and plain text that is the
rendered text itself. For HTML it is the page's text with the markup turned
into the Markdown the parser knows (``<h2>`` -> ``##``, ``<li>`` -> ``-``,
table rows -> ``| a | b |``), line for line, so a finding's line number is the
line of the HTML file. The handout template keeps one element per line for that.
"""

from __future__ import annotations

import html
import re

_HEADING = re.compile(r"<h([1-6])\b[^>]*>", re.IGNORECASE)
_LI = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_CELL_OPEN = re.compile(r"<t[dh]\b[^>]*>", re.IGNORECASE)
_CELL_CLOSE = re.compile(r"</t[dh]>", re.IGNORECASE)
_ROW_OPEN = re.compile(r"<tr\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def html_to_text(page: str) -> str:
    """The visible text of a rendered handout, one output line per HTML line."""
    out: list[str] = []
    in_body = False
    for line in page.split("\n"):
        if not in_body:
            in_body = bool(re.search(r"<body\b", line, re.IGNORECASE))
            out.append("")
            continue
        t = _HEADING.sub(lambda m: "#" * int(m.group(1)) + " ", line)
        t = _LI.sub("- ", t)
        t = _ROW_OPEN.sub("|", t)
        t = _CELL_OPEN.sub(" ", t)
        t = _CELL_CLOSE.sub(" |", t)
        t = _TAG.sub("", t)
        # entities last: escaped input ("&lt;script&gt;") stays text, never markup
        out.append(html.unescape(t).rstrip())
    return "\n".join(out)
