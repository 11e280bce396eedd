"""Free-text progress notes (SOAP headings, Markdown headings, "Label:" lines, or none) into sections.

Never fails. A section opens at a Markdown heading, a bold label or a ``Label:``
line whose label names a section (``note_cues.yaml``, ``sections:``); text after
the label on the same line belongs to the section. Line numbers are the draft's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from hep_mcp.config import load_data
from hep_mcp.rules.parse import Draft, Line

MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]++(.*)$")
BOLD_LABEL = re.compile(r"^[ \t]*(?:\*\*|__)([^*_\n]{1,60})(?:\*\*|__)[ \t]*+:?(.*)$")
LABEL = re.compile(r"^[ \t]*([A-Za-z][A-Za-z /&'()\-]{0,50}):(.*)$")
ORDER = ("period", "skilled_need", "adherence", "subjective", "objective", "assessment", "goals", "plan", "signature")


@dataclass
class NoteDoc:
    lines: list[Line]
    sections: dict[str, list[Line]] = field(default_factory=dict)
    heading_lines: set[int] = field(default_factory=set)

    def has(self, key: str) -> bool:
        return any(ln.text.strip() for ln in self.sections.get(key, []))

    def section(self, key: str) -> list[Line]:
        return self.sections.get(key, [])


@lru_cache(maxsize=1)
def _patterns() -> dict[str, list[re.Pattern]]:
    cues = load_data("note_cues.yaml")["sections"]
    return {k: [re.compile(p, re.I) for p in cues[k]] for k in ORDER}


def _clean(label: str) -> str:
    label = re.sub(r"[*_`]", "", label).strip().rstrip(":").strip()
    return re.sub(r"^\d{1,2}[.)]\s*", "", label)


def classify(label: str, loose: bool = False) -> str | None:
    """The section a heading or label names: a full match, or (loose) a contained multi-letter cue."""
    text = _clean(label)
    pats = _patterns()
    for key in ORDER:
        if any(p.fullmatch(text) for p in pats[key]):
            return key
    if loose:
        for key in ORDER:
            for p in pats[key]:
                if len(p.pattern) > 2 and re.search(r"\b(?:" + p.pattern + r")\b", text, re.I):
                    return key
    return None


def parse_note(draft: Draft) -> NoteDoc:
    doc = NoteDoc(lines=draft.lines)
    current: str | None = None
    for ln in draft.lines:
        key, rest, is_heading = _heading(ln.text)
        if is_heading:
            doc.heading_lines.add(ln.no)
            current = key
            if key and rest.strip():
                doc.sections.setdefault(key, []).append(Line(ln.no, rest))
            elif key:
                doc.sections.setdefault(key, [])
            continue
        if current:
            doc.sections.setdefault(current, []).append(ln)
    return doc


def _heading(text: str) -> tuple[str | None, str, bool]:
    """(section, text after the label, whether the line is a heading)."""
    m = MD_HEADING.match(text)
    if m and m.group(1).strip().rstrip("#").strip():
        return classify(m.group(1).strip().rstrip("#").strip(), loose=True), "", True
    m = BOLD_LABEL.match(text)
    if m:
        key = classify(m.group(1), loose=not m.group(2).strip())
        if key:
            return key, m.group(2).strip(), True
        return None, "", False
    m = LABEL.match(text)
    if m:
        key = classify(m.group(1).strip())
        if key:
            return key, m.group(2).strip(), True
    return None, "", False
