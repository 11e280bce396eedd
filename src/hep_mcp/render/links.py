"""Link syntax in HEP fields is text, never a link, in every format.

``[Click here](http://x)`` and ``![logo](http://x)`` become ``Click here (http://x)``
and ``logo (http://x)``, and ``<http://x>`` becomes ``http://x``, before any template
sees a field: a web address can then never hide behind friendly words, in plain-text
formats a portal might render as Markdown too. (Whether the address may be there at all
is rule LK001's call, on the field as the therapist wrote it.) Linear: bounded runs of
disjoint character classes.

:func:`html_links` lists every ``href``/``src``-like attribute of a rendered page, so
``generate_hep`` can refuse any the clinic config did not name.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from pydantic import BaseModel

_MD_LINK = re.compile(r"!?\[([^\[\]\n]{0,500})\]\(([^()\[\]\s]{0,2000})(?:[ \t]{1,20}\"[^\"\n]{0,200}\")?\)")
_AUTOLINK = re.compile(r"<((?:[a-zA-Z][a-zA-Z0-9+.-]{1,31}:|www\.)[^<>\s]{1,2000})>")
_URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "poster", "data", "background", "cite", "xlink:href", "ping"}


def inert_links(text: str) -> str:
    """Markdown link, image and autolink syntax as plain words and a visible address."""
    if "](" in text:
        text = _MD_LINK.sub(lambda m: f"{m.group(1).strip() or 'link'} ({m.group(2)})", text)
        # whatever is left (nested or odd links): "] (" is never Markdown link syntax
        text = text.replace("](", "] (")
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
    return text


def _inert(value):
    if isinstance(value, str):
        return inert_links(value)
    if isinstance(value, BaseModel):
        return inert_model(value)
    if isinstance(value, list):
        return [_inert(v) for v in value]
    return value


def inert_model(model: BaseModel) -> BaseModel:
    """A copy of a HEP (or any of its parts) with link syntax made inert in every text
    field; unchanged fields, and which fields were set, stay as they were."""
    changed = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        safe = _inert(value)
        if safe != value:
            changed[name] = safe
    return model.model_copy(update=changed) if changed else model


class _Attrs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower() in _URL_ATTRS and value is not None:
                self.found.append(value.strip())

    handle_startendtag = handle_starttag


def html_links(html: str) -> list[str]:
    """Every URL-carrying attribute value of the page, in order."""
    parser = _Attrs()
    parser.feed(html)
    parser.close()
    return parser.found


def named_by_clinic(url: str, clinic) -> bool:
    """An href/src the clinic config names: its portal, a page on its domains, its
    e-mail address (mailto:) or one of its numbers (tel:/sms:), or a link inside the page."""
    from hep_mcp.rules.contacts import allowed, foreign

    if url.startswith("#") and len(url) > 1:
        return True
    low = url.lower()
    if not low.startswith(("http://", "https://", "mailto:", "tel:", "sms:")):
        return False
    if low.startswith(("tel:", "sms:")):
        from hep_mcp.rules.contacts import phone_digits

        return allowed(clinic).phone(phone_digits(url.split(":", 1)[1]))
    return not list(foreign(url, clinic))
