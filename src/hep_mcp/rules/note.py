"""Progress-note rules (catalog: ``data/note_rules.yaml``; cues: ``data/note_cues.yaml``).

Each check reads the note's sections (``note_parse``) and, for a structured note
rendered by ``hep_mcp.note``, the facts passed in ``ctx.extra["note"]`` (treatment
days, goals without a linked measure, computed adherence figures), so nothing is
guessed from text that the tool wrote itself.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hep_mcp.config import load_data
from hep_mcp.rules.engine import Context, hit, rule
from hep_mcp.rules.note_parse import NoteDoc, parse_note
from hep_mcp.rules.parse import Line, plain

PRIVACY = (
    ("date_of_birth", "Date of birth"),
    ("record_number", "A record or chart number"),
    ("insurance_id", "An insurance or member ID"),
    ("ssn", "A Social Security number"),
    ("street_address", "A home address"),
)


@lru_cache(maxsize=None)
def cue(name: str) -> re.Pattern:
    value = load_data("note_cues.yaml")[name]
    patterns = [value] if isinstance(value, str) else list(value)
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I | re.M)


def doc(ctx: Context) -> NoteDoc:
    if "_note_doc" not in ctx.extra:
        ctx.extra["_note_doc"] = parse_note(ctx.draft)
    return ctx.extra["_note_doc"]


def facts(ctx: Context) -> dict:
    return ctx.extra.get("note") or {}


def structured(ctx: Context) -> bool:
    return bool(facts(ctx).get("structured"))


def undated(text: str) -> str:
    """Text with dates blanked, so 3/10/2024 is not read as a 3/10 pain score."""
    return cue("date").sub(" ", plain(text))


def lines_matching(ctx: Context, name: str, lines: list[Line] | None = None, dates: bool = True):
    rx = cue(name)
    for ln in ctx.draft.lines if lines is None else lines:
        text = plain(ln.text) if dates else undated(ln.text)
        m = rx.search(text)
        if m:
            yield ln, m


def anywhere(ctx: Context, name: str, dates: bool = True) -> Line | None:
    return next((ln for ln, _ in lines_matching(ctx, name, dates=dates)), None)


def _quote(text: str, n: int = 60) -> str:
    text = " ".join(plain(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _heading_line(d: NoteDoc, key: str) -> int | None:
    sec = d.section(key)
    return sec[0].no if sec else None


# -- empty --------------------------------------------------------------------------------------


@rule("NF001")
def empty(ctx: Context):
    if not ctx.draft.text or ctx.draft.text.isspace():
        yield hit(None)


# -- period -------------------------------------------------------------------------------------


@rule("NP001")
def period_dates(ctx: Context):
    date = cue("date")
    d = doc(ctx)
    if any(len(date.findall(ln.text)) >= 2 for ln in ctx.draft.lines):
        return
    if sum(len(date.findall(ln.text)) for ln in d.section("period")) >= 2:
        return
    start = any(re.search(r"\bstart", ln.text, re.I) and date.search(ln.text) for ln in ctx.draft.lines)
    end = any(re.search(r"\bend", ln.text, re.I) and date.search(ln.text) for ln in ctx.draft.lines)
    if start and end:
        return
    yield hit(_heading_line(d, "period"))


@rule("NP002")
def date_written(ctx: Context):
    date = cue("date")
    for ln, _ in lines_matching(ctx, "written"):
        if date.search(ln.text):
            return
    yield hit(None)


def _treatment_days(ctx: Context) -> tuple[int | None, int | None]:
    f = facts(ctx)
    if structured(ctx):
        return f.get("treatment_days"), None
    best: tuple[int | None, int | None] = (None, None)
    for ln in ctx.draft.lines:
        text = plain(ln.text)
        found = []
        for m in cue("treatment_days").finditer(text):
            found.extend(int(g) for g in m.groups() if g)
        for m in cue("visit_range").finditer(text):
            a, b = int(m.group(1)), int(m.group(2))
            if b >= a:
                found.append(b - a + 1)
        for n in found:
            if best[0] is None or n > best[0]:
                best = (n, ln.no)
    return best


@rule("NP003")
def too_many_treatment_days(ctx: Context):
    days, line = _treatment_days(ctx)
    if days is not None and days > 10:
        yield hit(line, days=days)


# -- subjective, objective ------------------------------------------------------------------------


@rule("NP010")
def no_subjective(ctx: Context):
    if doc(ctx).has("subjective") or anywhere(ctx, "subjective_statement"):
        return
    yield hit(None)


@rule("NP020")
def no_objective_measure(ctx: Context):
    if anywhere(ctx, "measure", dates=False) is None:
        yield hit(_heading_line(doc(ctx), "objective"))


@rule("NP021")
def no_baseline(ctx: Context):
    first = anywhere(ctx, "measure", dates=False)
    if first is not None and anywhere(ctx, "baseline", dates=False) is None:
        yield hit(first.no)


_CLAUSE = re.compile(r"[;\n]|\.(?:\s|$)")
_WORD = re.compile(r"[A-Za-z0-9]+")


def _change_measure(prefix: str):
    """The catalog entry the words before a change name ("O: TUG improved from" -> TUG), or None."""
    from hep_mcp.rules.measures import identify

    filler = {str(w).lower() for w in load_data("note_cues.yaml")["change_filler"]}
    for part in dict.fromkeys((prefix.rsplit(":", 1)[-1], prefix)):  # after a "O:" label first
        words = [w for w in _WORD.findall(part) if w.lower() not in filler][-8:]
        for i in range(len(words)):  # the longest tail naming a measure: "pain-free walking distance" is none
            name = " ".join(words[i:])
            entry = identify(name)
            if entry is not None:
                return name, entry
    return None


@rule("NP022")
def change_word_against_direction(ctx: Context):
    from hep_mcp.rules.measures import DIRECTION_WORDS

    # Structured notes too: the tool's own rows never write "N to M", the therapist's assessment may
    pair, good, bad = cue("change_pair"), cue("change_improved"), cue("change_declined")
    for ln in ctx.draft.lines:
        for clause in _CLAUSE.split(undated(ln.text)):
            pairs = list(pair.finditer(clause))
            words = [("improved", m.group(0)) for m in good.finditer(clause)] + [("declined", m.group(0)) for m in bad.finditer(clause)]
            if len(pairs) != 1 or len(words) != 1:
                continue  # none, or more than one change or verdict in the clause: not ours to judge
            m = pairs[0]
            found = _change_measure(clause[: m.start()])
            if found is None or found[1].direction is None:
                continue
            name, entry = found
            before, after = float(m.group(1)), float(m.group(2))
            gain = {"higher": after - before, "lower": before - after}.get(entry.direction, abs(before) - abs(after))
            said, word = words[0]
            actual = "an improvement" if gain > 0 else ("a decline" if gain < 0 else "no change")
            if (said == "improved" and gain < 0) or (said == "declined" and gain > 0):
                yield hit(ln.no, measure=name, before=m.group(1), after=m.group(2), word=word, entry=entry.name,
                          direction=DIRECTION_WORDS[entry.direction], actual=actual)


# -- goals and assessment -----------------------------------------------------------------------

TABLE_SEPARATOR = re.compile(r"^[ \t]*\|[ \t:|\-]++$")
GOAL_LABEL = re.compile(r"^[ \t]*+(?:[-*+•][ \t]++|\d{1,2}[.)][ \t]++|\|[ \t]*+\d{1,2}[ \t]*+\|)?[ \t]*+(?:(?:STG|LTG|goal)[ \t]*+#?[ \t]*+\d*+[ \t]*+[:.)\-][ \t]*+)?", re.I)


def goal_items(ctx: Context) -> list[Line]:
    """Goal lines: items (bullets, numbers, table rows) of a goals section, and STG/LTG/Goal N lines."""
    if "_goal_items" in ctx.extra:
        return ctx.extra["_goal_items"]
    d = doc(ctx)
    item = cue("goal_item")
    sec = [ln for ln in d.section("goals") if ln.text.strip()]
    lines = ctx.draft.lines
    rows = []
    for ln in sec:
        if TABLE_SEPARATOR.match(ln.text):
            continue
        nxt = lines[ln.no] if ln.no < len(lines) else None
        if ln.text.lstrip().startswith("|") and nxt is not None and TABLE_SEPARATOR.match(nxt.text):
            continue  # a table's header row
        rows.append(ln)
    items = [ln for ln in rows if item.search(ln.text)] or rows
    seen = {ln.no for ln in items}
    for ln in lines:
        if ln.no not in seen and re.match(r"^[ \t]*+(?:[-*+•][ \t]++|\d{1,2}[.)][ \t]++)?(?:\*\*)?(STG|LTG|goal)[ \t]*+#?[ \t]*+\d*+[ \t]*+(?:\*\*)?[:.)\-]", ln.text, re.I):
            items.append(ln)
    items.sort(key=lambda ln: ln.no)
    ctx.extra["_goal_items"] = items
    return items


@rule("NP030")
def no_goals(ctx: Context):
    if doc(ctx).has("goals") or goal_items(ctx) or anywhere(ctx, "goal_word"):
        return
    yield hit(None)


@rule("NP031")
def goal_without_measure(ctx: Context):
    if structured(ctx):
        for text in facts(ctx).get("unmeasured_goals", []):
            key = text[:40]
            line = next((ln.no for ln in ctx.draft.lines if key in ln.text or key in plain(ln.text)), None)
            yield hit(line, goal=_quote(text, 50))
        return
    for ln in goal_items(ctx):
        body = GOAL_LABEL.sub("", undated(ln.text), count=1) if not ln.text.lstrip().startswith("|") else undated(
            re.sub(r"^[ \t]*\|[ \t]*\d{1,2}[ \t]*\|", "|", ln.text)
        )
        if not re.search(r"\d", body):
            yield hit(ln.no, goal=_quote(GOAL_LABEL.sub("", plain(ln.text), count=1) or ln.text, 50))


@rule("NP032")
def goal_without_status(ctx: Context):
    status = cue("goal_status")
    for ln in goal_items(ctx):
        if not status.search(plain(ln.text)):
            yield hit(ln.no, goal=_quote(GOAL_LABEL.sub("", plain(ln.text), count=1) or ln.text, 50))


@rule("NP040")
def no_assessment(ctx: Context):
    if doc(ctx).has("assessment") or anywhere(ctx, "assessment_statement"):
        return
    yield hit(None)


@rule("NP050")
def no_skilled_need(ctx: Context):
    if doc(ctx).has("skilled_need") or anywhere(ctx, "skilled_need"):
        return
    yield hit(None)


# -- plan -----------------------------------------------------------------------------------------


@rule("NP060")
def no_plan(ctx: Context):
    if doc(ctx).has("plan") or anywhere(ctx, "plan_statement"):
        return
    yield hit(None)


@rule("NP061")
def plan_without_frequency(ctx: Context):
    d = doc(ctx)
    if not (d.has("plan") or anywhere(ctx, "plan_statement")):
        return  # NP060 says the plan is missing
    if structured(ctx):
        missing = list(facts(ctx).get("plan_missing", []))
    else:
        lines = d.section("plan") if d.has("plan") else ctx.draft.lines
        text = "\n".join(plain(ln.text) for ln in lines)
        missing = [w for w in ("frequency", "duration") if not cue(w).search(text)]
    if missing:
        yield hit(_heading_line(d, "plan"), missing=" and ".join(missing))


# -- HEP adherence --------------------------------------------------------------------------------


def adherence_lines(ctx: Context) -> list[Line]:
    """The HEP section, and lines elsewhere that talk about the HEP (the plan's visit frequency is not adherence)."""
    d = doc(ctx)
    out = {ln.no: ln for ln in d.section("adherence")}
    in_plan = {ln.no for ln in d.section("plan")}
    rx = re.compile(cue("hep_word").pattern + r"|\badheren|\bcomplian|\blogged\b|\bscheduled (days|sessions)\b", re.I)
    for ln in ctx.draft.lines:
        if ln.no not in in_plan and rx.search(plain(ln.text)):
            out.setdefault(ln.no, ln)
    return [out[k] for k in sorted(out)]


def text_counts(ctx: Context) -> list[tuple[Line, int, int]]:
    rx = cue("adherence_count")
    return [(ln, int(m.group(1)), int(m.group(2))) for ln in adherence_lines(ctx) for m in rx.finditer(undated(ln.text))]


@rule("NP070")
def no_adherence(ctx: Context):
    if structured(ctx):
        if not facts(ctx).get("has_adherence"):
            yield hit(None)
        return
    if doc(ctx).has("adherence") or anywhere(ctx, "hep_word"):
        return
    yield hit(None)


@rule("NP071")
def adherence_not_quantified(ctx: Context):
    if structured(ctx):
        if facts(ctx).get("has_adherence") and not facts(ctx).get("adherence"):
            yield hit(None)
        return
    lines = adherence_lines(ctx)
    if not lines:
        return  # NP070
    rx = cue("adherence_figure")
    if any(rx.search(undated(ln.text)) for ln in lines):
        return
    yield hit(lines[0].no)


@rule("NP072")
def impossible_adherence(ctx: Context):
    for ln, a, b in text_counts(ctx):
        if b == 0 or a > b:
            yield hit(ln.no, figure=f"{a} of {b}")
    for ln in adherence_lines(ctx):
        for m in cue("adherence_percent").finditer(undated(ln.text)):
            if int(m.group(1)) > 100:
                yield hit(ln.no, figure=f"{m.group(1)}%")


@rule("NP073")
def missed_days_without_change(ctx: Context):
    if structured(ctx):
        fig = facts(ctx).get("adherence")
        if fig and fig["missed"] > 0 and not facts(ctx).get("hep_change"):
            yield hit(None, missed=fig["missed"], unit=fig.get("unit", "days"))
        return
    counts = [(ln, a, b) for ln, a, b in text_counts(ctx) if 0 < b and a < b]
    if not counts:
        return
    changed = cue("hep_change")
    if any(changed.search(plain(ln.text)) for ln in adherence_lines(ctx)):
        return
    ln, a, b = counts[0]
    yield hit(ln.no, missed=b - a, unit="days")


# -- signature ------------------------------------------------------------------------------------


def _signed(ctx: Context) -> bool:
    rx = cue("signoff")
    return any(rx.search(plain(ln.text)) for ln in ctx.draft.lines)


@rule("NP080")
def no_signature(ctx: Context):
    if _signed(ctx) or anywhere(ctx, "signature_word"):
        return
    yield hit(None)


@rule("NP081")
def signature_without_credentials(ctx: Context):
    if _signed(ctx):
        return
    cred = cue("credentials")
    for ln, _ in lines_matching(ctx, "signature_word"):
        if not cred.search(plain(ln.text)):
            yield hit(ln.no, text=_quote(ln.text, 50))
            return


# -- language -------------------------------------------------------------------------------------


def rewrite(ctx: Context) -> str:
    """A neutral, quantified sentence built from the figures known, with blanks for the rest."""
    f = facts(ctx)
    fig = f.get("adherence")
    if fig:
        unit = fig.get("unit", "days")
        text = f"completed {fig['completed']} of {fig['scheduled']} scheduled {unit} ({fig['percent']}%)"
        barriers = f.get("barriers") or []
        if fig["missed"]:
            text += "; missed " + unit + (" were " + ", ".join(barriers) if barriers else " were <what got in the way, in the patient's words>")
        change = f.get("hep_change")
        text += "; HEP changed: " + (change.rstrip(".") if change else "<the format change you made>")
        return text
    counts = [(a, b) for _, a, b in text_counts(ctx) if b and a <= b]
    if counts:
        a, b = counts[0]
        return f"completed {a} of {b} scheduled days; missed days were <what got in the way>; HEP changed: <the format change you made>"
    return (
        "completed <N> of <M> scheduled days (from the portal log); missed days were <what got in the way>; "
        "HEP changed: <the format change you made>"
    )


@rule("NP090")
def blaming_words(ctx: Context):
    rx = cue("blaming")
    for ln in ctx.draft.lines:
        for m in rx.finditer(plain(ln.text)):
            yield hit(ln.no, word=m.group(0), rewrite=rewrite(ctx))


@rule("NP091")
def boilerplate(ctx: Context):
    rx = cue("boilerplate")
    for ln, sentence in ctx.draft.body_sentences:
        m = rx.search(sentence)
        if m and not re.search(r"\d", undated(sentence)):
            yield hit(ln.no, phrase=m.group(0).strip())


# -- privacy --------------------------------------------------------------------------------------


@rule("NP100")
def identifiers(ctx: Context):
    for name, what in PRIVACY:
        patterns = ctx.cue(f"privacy.{name}")
        for ln in ctx.draft.lines:
            if any(_whole(m, ln.text) for p in patterns for m in p.finditer(ln.text)):
                yield hit(ln.no, what=what, text=_quote(ln.text, 50))


def _whole(m: re.Match, text: str) -> bool:
    """A cue match that does not stop inside a word ('patient no' is not 'patient non-compliant')."""
    end = m.end()
    return not (end < len(text) and m.group(0)[-1:].isalnum() and text[end].isalnum())
