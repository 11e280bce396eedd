"""Links, e-mail addresses and phone numbers: the clinic's own or nothing (LK001-LK003).

A patient acts on what a handout tells them to tap, write to or call. So every web
address, e-mail address and phone number in a draft or in a structured HEP's fields
must be one the clinic config names (``clinic:`` phone, after_hours_phone, text_line,
portal_url, email, domains); emergency numbers (911, 988, ...) are always allowed.

Linear by construction: the text is cut into tokens by one possessive character-class
run, each token is classified with string operations, and the phone shapes have bounded
repeats only (data: ``rules/data/contacts.yaml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from hep_mcp.config import load_data
from hep_mcp.errors import excerpt
from hep_mcp.rules.engine import Context, hit, rule

RULES = {"link": "LK001", "email": "LK002", "phone": "LK003"}
WRAP_CONTEXT = 80  # characters of the line above read with a wrapped line's number
MAX_PER_RULE = 10  # findings per rule and draft: enough to act on, never a flood
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TRIM = ".:-_~'\u2019"
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class _Data:
    token: re.Pattern
    phone: re.Pattern
    tlds: frozenset[str]
    schemes: frozenset[str]
    emergency: frozenset[str]
    own_gap: re.Pattern
    own_named: re.Pattern


@lru_cache(maxsize=1)
def _data() -> _Data:
    d = load_data("contacts.yaml")
    return _Data(
        token=re.compile(d["patterns"]["token"]),
        # one scan: the shapes in order, so a local number inside a full one is never new
        # (a cheap look-ahead first: most positions are not a digit, "(" or "+")
        phone=re.compile("(?=[(+\\d])(?:" + "|".join(f"(?:{p})" for p in d["patterns"]["phone"]) + ")"),
        tlds=frozenset(d["link_tlds"]),
        schemes=frozenset(d["schemes"]),
        emergency=frozenset(d["emergency_numbers"]),
        own_gap=re.compile(d["patterns"]["own_label_gap"], re.I),
        own_named=re.compile(d["patterns"]["own_label_named"]),
    )


def phone_digits(text: str) -> str:
    """A phone number as its digits, without the North American leading 1."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def _host(text: str) -> str:
    """The host of a URL or bare domain: no scheme, user, port, path, or leading www."""
    text = text.lower().strip()
    if "://" in text:
        text = text.split("://", 1)[1]
    for sep in "/?#":
        text = text.split(sep, 1)[0]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    return text[4:] if text.startswith("www.") else text


def _is_domain(host: str, tlds: frozenset[str] | None) -> bool:
    if len(host) > 253 or "." not in host:  # the longest a domain name can be
        return False
    tld = host.rsplit(".", 1)[1]
    if not (tld.isalpha() and (tld in tlds if tlds is not None else len(tld) >= 2)):
        return False
    return all(_LABEL.fullmatch(label) for label in host.split("."))


@dataclass(frozen=True)
class Allowed:
    """What the clinic config names: its hosts, e-mail address and phone numbers."""

    hosts: frozenset[str]
    email: str | None
    phones: frozenset[str]

    def host(self, host: str) -> bool:
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def phone(self, digits: str) -> bool:
        if digits in self.phones or digits in _data().emergency:
            return True
        return len(digits) == 7 and any(p.endswith(digits) for p in self.phones)


@lru_cache(maxsize=64)
def allowed(clinic) -> Allowed:
    hosts = {_host(d) for d in clinic.domains if d and d.strip()}
    if clinic.portal_url:
        hosts.add(_host(clinic.portal_url))
    email = clinic.email.strip().lower() if clinic.email and clinic.email.strip() else None
    if email and "@" in email:
        hosts.add(_host(email.rsplit("@", 1)[1]))
    phones = {phone_digits(p) for p in (clinic.phone, clinic.after_hours_phone, clinic.text_line) if p}
    return Allowed(frozenset(h for h in hosts if h), email, frozenset(p for p in phones if p))


def _classify(token: str, data: _Data) -> tuple[str, str] | None:
    """("link", host), ("email", address) or ("phone", digits) for a token that is one."""
    low = token.lower()
    scheme, sep, rest = low.partition(":")
    if sep and scheme in data.schemes:
        if scheme == "mailto":
            return "email", rest.split("?", 1)[0]
        if scheme in ("tel", "sms"):
            return "phone", phone_digits(rest)
        if scheme in ("http", "https", "ftp"):
            return "link", _host(rest.lstrip("/"))
        return "link", ""  # javascript:, data:, file: -- never the clinic's
    if "@" in low:
        local, _, domain = low.rpartition("@")
        return ("email", low) if local and _is_domain(domain.strip("."), None) else None
    if low.startswith("www."):
        return "link", _host(low)
    host = _host(low)
    return ("link", host) if _is_domain(host, data.tlds) else None


def foreign(text: str, clinic, limit: int = MAX_PER_RULE) -> Iterator[tuple[int, str, str]]:
    """(offset, kind, quote) for each link, e-mail address or phone number in the text
    that the clinic config does not name, in order; at most ``limit`` of each kind."""
    return _foreign(text, _data(), allowed(clinic), limit)


def _foreign(text: str, data: _Data, ok: Allowed, limit: int = MAX_PER_RULE) -> Iterator[tuple[int, str, str]]:
    found: list[tuple[int, str, str]] = []
    counts = {"link": 0, "email": 0, "phone": 0}
    # a token is classified only when it holds ".", ":" or "@": a line with none of them has none
    tokens = data.token.finditer(text) if ("." in text or ":" in text or "@" in text) else ()
    for m in tokens:
        token = m.group().strip(_TRIM)
        if len(token) < 4 or not ("." in token or ":" in token or "@" in token):
            continue
        kind = _classify(token, data)
        if kind is None:
            continue
        what, value = kind
        fine = (
            (what == "link" and value and ok.host(value))
            or (what == "email" and (value == ok.email or ok.host(value.rsplit("@", 1)[-1])))
            or (what == "phone" and ok.phone(value))
        )
        if not fine and counts[what] < limit:
            counts[what] += 1
            found.append((m.start(), what, excerpt(token, 60)))
            if counts["link"] >= limit and counts["email"] >= limit:
                break
    if _DIGIT.search(text):
        for m in data.phone.finditer(text):
            if counts["phone"] >= limit:
                break
            if not ok.phone(phone_digits(m.group())):
                counts["phone"] += 1
                found.append((m.start(), "phone", excerpt(m.group(), 60)))
    found.sort()
    return iter(found)


def _presented_as_clinic(text: str, offset: int, channel: re.Pattern, data: _Data) -> bool:
    """The line names the clinic's channel right before the number or link ("Front desk:
    555-0199", "call the clinic at 555-0140", "Portal: my.clinic.example")."""
    last = None
    for m in channel.finditer(text, 0, offset):
        last = m
    if last is not None and data.own_gap.fullmatch(text, last.end(), offset) is not None:
        return True
    return data.own_named.search(text, max(0, offset - 80), offset) is not None


def _line_contacts(ctx: Context) -> list[tuple[int, str, str]]:
    """(line number, kind, quote) for every foreign contact of every line: one scan per
    draft, shared by the three rules (each keeps its own kind). With no clinic numbers in the config,
    the checker cannot know the clinic's own: a number the draft presents as the clinic's
    channel is taken as the clinic's. A link never is: only the config's sites pass."""
    found = ctx.extra.get("_contacts")
    if found is None:
        data, ok = _data(), allowed(ctx.config.clinic)
        # phones only: a link is where a phishing page hides behind "Portal:", and a site cannot
        # be taken on the draft's word (the clinic config's sites decide)
        unknown = {"phone": not ok.phones}
        found = []
        personal = None
        prev = ""
        for ln in ctx.draft.lines:
            # a wrapped line (a pocket card's "text DONE to the clinic text" / " line, 555-0186"):
            # the words before the number may end the line above, when that line runs on
            lead = prev[-WRAP_CONTEXT:] + " " if prev and not prev.endswith((".", "!", "?")) else ""
            for offset, what, quote in _foreign(ln.text, data, ok):
                if unknown.get(what):
                    if personal is None:
                        personal = ctx.rx("personal_contact")
                    joined = lead + ln.text.lstrip()
                    at = offset - (len(ln.text) - len(ln.text.lstrip())) + len(lead)
                    if not personal.search(joined) and (
                        _presented_as_clinic(ln.text, offset, ctx.channel_pattern, data) or lead and _presented_as_clinic(joined, at, ctx.channel_pattern, data)
                    ):
                        continue
                found.append((ln.no, what, quote))
            prev = ln.text.strip()
        ctx.extra["_contacts"] = found
    return found


def _lines_check(kind: str):
    def check(ctx: Context):
        n = 0
        # a number the line itself calls personal ("text me on my cell, 555-...") is that one
        # defect, reported once, as the personal channel it is (FB003)
        personal = {ln.no for ln, _ in ctx.matches("personal_contact", ctx.draft.lines)} if kind == "phone" and "FB003" not in ctx.config.disable else set()
        for no, what, quote in _line_contacts(ctx):
            if what == kind and no not in personal and n < MAX_PER_RULE:
                n += 1
                yield hit(no, field="", text=quote)

    return check


for _kind, _rid in RULES.items():
    rule(_rid)(_lines_check(_kind))


def _strings(node, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{path}.{i}")


def field_findings(data: dict, config) -> list:
    """LK findings for the text fields of a structured HEP (a mapping), naming the field."""
    from hep_mcp.rules.engine import _finding, catalog

    specs = catalog()
    counts: dict[str, int] = {}
    out = []
    for path, value in _strings(data):
        for _, what, quote in foreign(value, config.clinic):
            rid = RULES[what]
            if rid in config.disable or counts.get(rid, 0) >= MAX_PER_RULE:
                continue
            counts[rid] = counts.get(rid, 0) + 1
            found = _finding(specs[rid], hit(None, field=f" in {path}", text=quote), config)
            out.append(found.model_copy(update={"field": re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", path)}))
    return out
