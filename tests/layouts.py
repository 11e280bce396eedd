"""The same HEP content written in many layouts, for the layout-invariance tests.

``content(hep_dict)`` turns a structured HEP (src/hep_mcp/examples/*.yaml) into plain
parts (exercises, schedule, rules, feedback, milestone); each function in ``LAYOUTS`` writes
those parts the way a therapist, an EHR export or an AI assistant would. ``drop`` removes
one element's content so a flawed variant can be written in every layout too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from hep_mcp.config import load_data
from hep_mcp.model.hep import DEFAULT_FEELS_DIFFERENT, DEFAULT_MISSED_DAY


@dataclass(frozen=True)
class Ex:
    name: str
    how: str  # description + tie-back
    dose: str


@dataclass(frozen=True)
class Content:
    name: str
    exercises: tuple[Ex, ...]
    schedule: str
    rules: tuple[str, ...]
    feedback: tuple[str, ...]
    milestone: str
    closing: str = "I'll ask about this first thing at your next visit."
    dropped: tuple[str, ...] = field(default=())


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def content(hep: dict) -> Content:
    from hep_mcp.model import HEP
    from hep_mcp.render import effective
    from hep_mcp.rules import conditions as C

    defaults = load_data("red_flags.yaml")
    flags = [f["text"] for f in C.condition_flags(hep["condition"])]
    # the wording the patient gets (never "contact the clinic" about an emergency sign)
    feels_different = effective(HEP.model_validate(hep)).response_rules.feels_different
    s = hep["schedule"]
    rr = hep.get("response_rules") or {}
    pts = rr.get("pain_threshold_points", 2)
    rules = (
        f"If your pain goes up more than {pts} points from where it started, stop that exercise for today.",
        rr.get("missed_day", DEFAULT_MISSED_DAY),
        feels_different,
        *(rr.get("red_flags") or flags),
        defaults["emergency"],
    )
    m = hep["milestone"]
    return Content(
        name=hep["patient_first_name"],
        exercises=tuple(Ex(e["name"], f"{_sentence(e['description'])} {_sentence(e['tie_back'])}", _sentence("Do " + e["dose"])) for e in hep["exercises"]),
        schedule=f"{_sentence(s['when'] + ', ' + s['trigger'] + ', ' + s['where'])} {_sentence(s['amount'])}",
        rules=tuple(_sentence(r) for r in rules),
        feedback=(_sentence(hep["feedback"]["log"]), _sentence(hep["feedback"]["problem"])),
        milestone=_sentence(f"{m['what']}, {m['target']}, {m['by_when']}"),
    )


def drop(c: Content, element: str) -> Content:
    """The same content without one element (the flawed variant)."""
    if element == "milestone":
        return replace(c, milestone="", dropped=(element,))
    if element == "feedback":
        return replace(c, feedback=(), dropped=(element,))
    if element == "response_rules":  # the missed-day rule
        return replace(c, rules=tuple(r for r in c.rules if "miss" not in r.lower()), dropped=(element,))
    raise ValueError(element)


# -- layouts ------------------------------------------------------------------------------


def _rules_bullets(c: Content) -> str:
    return "\n".join(f"- {r}" for r in c.rules)


def _tail_md(c: Content, level: str = "##") -> str:
    parts = [f"{level} When and where\n\n{c.schedule}", f"{level} Your rules\n\n{_rules_bullets(c)}"]
    if c.feedback:
        parts.append(f"{level} Check in\n\n" + " ".join(c.feedback))
    if c.milestone:
        parts.append(f"{level} Your goal\n\n{c.milestone}")
    parts.append(c.closing)
    return "\n\n".join(parts)


def numbered_bold(c: Content) -> str:
    ex = "\n".join(f"{i}. **{e.name}**: {e.how} {e.dose}" for i, e in enumerate(c.exercises, 1))
    return f"Hi {c.name},\n\nHere is your plan for this week.\n\n## Your exercises\n\n{ex}\n\n{_tail_md(c)}\n"


def bold_leads(c: Content) -> str:
    ex = "\n\n".join(f"**{i}. {e.name}.** {e.how} {e.dose}" for i, e in enumerate(c.exercises, 1))
    parts = [f"Hi {c.name},", "Here are your exercises for this week.", ex, f"**When and where.** {c.schedule}", "**Your rules.** " + " ".join(c.rules)]
    if c.feedback:
        parts.append("**Staying in touch.** " + " ".join(c.feedback))
    if c.milestone:
        parts.append(f"**Your goal.** {c.milestone}")
    parts.append(c.closing)
    return "\n\n".join(parts) + "\n"


def table(c: Content) -> str:
    rows = "\n".join(f"| {e.name} | {e.how} | {e.dose} |" for e in c.exercises)
    return f"Hi {c.name},\n\nHere is your plan.\n\n| Exercise | How | How much |\n|---|---|---|\n{rows}\n\n{_tail_md(c)}\n"


def table_then_how(c: Content) -> str:
    """An ``Exercise | How much`` table of names and doses, the how below it under each name."""
    rows = "\n".join(f"| {e.name} | {e.dose} |" for e in c.exercises)
    how = "\n\n".join(f"**{e.name}:** {e.how}" for e in c.exercises)
    return f"Hi {c.name},\n\n| Exercise | How much |\n|---|---|\n{rows}\n\n{how}\n\n{_tail_md(c)}\n"


def table_cell_how(c: Content) -> str:
    """The how written inside the Exercise cell ("Name: how ..."), the dose in its own column."""
    rows = "\n".join(f"| {e.name}: {e.how} | {e.dose} |" for e in c.exercises)
    return f"Hi {c.name},\n\nHere is your plan.\n\n| Exercise | How much |\n|---|---|\n{rows}\n\n{_tail_md(c)}\n"


def h3_parent(c: Content) -> str:
    ex = "\n\n".join(f"### {i}. {e.name}\n\n{e.how} {e.dose}" for i, e in enumerate(c.exercises, 1))
    return f"Hi {c.name},\n\n## Exercises\n\n{ex}\n\n{_tail_md(c)}\n"


def h3_no_parent(c: Content) -> str:
    ex = "\n\n".join(f"### {e.name}\n\n{e.how} {e.dose}" for e in c.exercises)
    return f"Hi {c.name}, here is your plan.\n\n{ex}\n\n{_tail_md(c, '###')}\n"


KEYCAPS = ["1\ufe0f\u20e3", "2\ufe0f\u20e3", "3\ufe0f\u20e3", "4\ufe0f\u20e3", "5\ufe0f\u20e3"]


def emoji_headings(c: Content) -> str:
    ex = "\n\n".join(f"### {KEYCAPS[i]} {e.name}\n\n{e.how} {e.dose}" for i, e in enumerate(c.exercises))
    parts = [f"Hey {c.name}! \U0001f44b Here is your plan.", ex, f"\U0001f557 **When and where**\n\n{c.schedule}", f"\u26a0\ufe0f **Rules**\n\n{_rules_bullets(c)}"]
    if c.feedback:
        parts.append("\u2705 **Check in**\n\n" + " ".join(c.feedback))
    if c.milestone:
        parts.append(f"\u2b50 **Your goal**\n\n{c.milestone}")
    parts.append(c.closing)
    return "\n\n".join(parts) + "\n"


def caps_ehr(c: Content) -> str:
    ex = "\n".join(f"{i}. {e.name}\n{e.how} {e.dose}" for i, e in enumerate(c.exercises, 1))
    pain, missed, *rest = c.rules if any("miss" in r.lower() for r in c.rules) else (c.rules[0], None, *c.rules[1:])
    parts = ["AFTER VISIT SUMMARY - PHYSICAL THERAPY", f"Hello {c.name}. Here is your plan.", f"EXERCISES\n{ex}", f"WHEN AND WHERE\n{c.schedule}", f"PAIN RULE\n{pain}"]
    if missed:
        parts.append(f"MISSED A DAY\n{missed}")
    parts.append("WHEN TO GET HELP\n" + "\n".join(rest))
    if c.feedback:
        parts.append("CHECK IN\n" + " ".join(c.feedback))
    if c.milestone:
        parts.append(f"NEXT VISIT GOAL\n{c.milestone}")
    parts.append(c.closing)
    return "\n".join(parts) + "\n"


def nested_labels(c: Content) -> str:
    ex = "\n".join(f"- **{e.name}**\n  - How: {e.how}\n  - How much: {e.dose}" for e in c.exercises)
    return f"Hi {c.name},\n\n## Exercises\n\n{ex}\n\n{_tail_md(c)}\n"


def chatty(c: Content) -> str:
    body = numbered_bold(c)
    return f"Sure! Here is a one-page plan for {c.name} that you can paste into the portal.\n\n{body}\nWant me to make a shorter text-message version too?\n"


def email(c: Content) -> str:
    ex = "\n\n".join(f"{i}. {e.name}: {e.how} {e.dose}" for i, e in enumerate(c.exercises, 1))
    parts = [f"Subject: Your exercises for this week\n\nDear {c.name},", "Here are the exercises we went over.", ex, c.schedule, " ".join(c.rules)]
    if c.feedback:
        parts.append(" ".join(c.feedback))
    if c.milestone:
        parts.append(f"Your goal: {c.milestone}")
    parts.append(c.closing + "\n\nBest,\nSam")
    return "\n\n".join(parts) + "\n"


def sms(c: Content) -> str:
    lines = [f"Hi {c.name}, your moves:"]
    lines += [f"{i}) {e.name}: {e.how} {e.dose}" for i, e in enumerate(c.exercises, 1)]
    lines.append(c.schedule)
    lines += list(c.rules)
    lines += list(c.feedback)
    if c.milestone:
        lines.append(f"Goal: {c.milestone}")
    return "\n".join(lines) + "\n"


def emoji_bullets(c: Content) -> str:
    ex = "\n".join(f"\u2705 **{e.name}** - {e.how} {e.dose}" for e in c.exercises)
    parts = [f"Hi {c.name}, here's your plan \U0001f60a", ex, f"\U0001f557 **When:** {c.schedule}", "\u26a0\ufe0f **Rules**\n" + "\n".join(f"\U0001f449 {r}" for r in c.rules)]
    if c.feedback:
        parts.append("\U0001f4ac **Check in:** " + " ".join(c.feedback))
    if c.milestone:
        parts.append(f"\U0001f3af **Goal:** {c.milestone}")
    parts.append(c.closing)
    return "\n\n".join(parts) + "\n"


def sms_series(c: Content) -> str:
    msgs = [f"Hi {c.name}, your plan in a few texts."]
    msgs += [f"{e.name} - {e.how} {e.dose}" for e in c.exercises]
    msgs.append(f"When: {c.schedule}")
    msgs.append(" ".join(c.rules))
    tail = list(c.feedback) + ([f"Goal: {c.milestone}"] if c.milestone else [])
    if tail:
        msgs.append(" ".join(tail))
    n = len(msgs)
    return "\n\n".join(f"({i}/{n}) {m}" for i, m in enumerate(msgs, 1)) + "\n"


def lettered_steps(c: Content) -> str:
    ex = "\n".join(f"{i}. {e.name}\n   (a) {e.how}\n   (b) {e.dose}" for i, e in enumerate(c.exercises, 1))
    return f"Hi {c.name}, here is your plan.\n\n## Exercises\n\n{ex}\n\n{_tail_md(c)}\n"


def form_fields(c: Content) -> str:
    ex = "\n\n".join(f"Exercise {i} name: {e.name}\nExercise {i} instructions: {e.how}\nExercise {i} dose: {e.dose}" for i, e in enumerate(c.exercises, 1))
    parts = [f"Patient: {c.name}", ex, f"When: {c.schedule}", "Rules: " + " ".join(c.rules)]
    if c.feedback:
        parts.append("Check in: " + " ".join(c.feedback))
    if c.milestone:
        parts.append(f"Goal: {c.milestone}")
    return "\n\n".join(parts) + "\n"


def title_program(c: Content) -> str:
    return f"# Home program for {c.name}\n\nHi {c.name}, here is your plan.\n\n" + numbered_bold(c).split("\n\n", 2)[2]


def word_paste(c: Content) -> str:
    """Pasted from a word processor: plain-line headings, "•<tab>" and unindented "o<tab>" bullets."""
    ex = "\n".join(f"\u2022\t{e.name}\no\t{e.how} {e.dose}" for e in c.exercises)
    parts = [f"Dear {c.name},", f"Your exercises\n{ex}", f"When and where\n\u2022\t{c.schedule}", "Your rules\n" + "\n".join(f"\u2022\t{r}" for r in c.rules)]
    if c.feedback:
        parts.append("Check in\n" + "\n".join(f"\u2022\t{f}" for f in c.feedback))
    if c.milestone:
        parts.append(f"Your goal\n\u2022\t{c.milestone}")
    parts.append(c.closing)
    return "\n\n".join(parts) + "\n"


def label_paragraphs(c: Content) -> str:
    """Terse label paragraphs ("Plan:", "Rules:", "Goal:") with the numbered list between them."""
    ex = "\n".join(f"{i}. {e.name}: {e.how} {e.dose}" for i, e in enumerate(c.exercises, 1))
    parts = [f"Hi {c.name},", f"Plan: {c.schedule}", ex, "Rules: " + " ".join(c.rules)]
    if c.feedback:
        parts.append("Check in: " + " ".join(c.feedback))
    if c.milestone:
        parts.append(f"Goal: {c.milestone}")
    parts.append(c.closing)
    return "\n\n".join(parts) + "\n"


def name_lines(c: Content) -> str:
    """"Exercise #1 - Name" on its own line, the text on the lines below, no Markdown."""
    ex = "\n\n".join(f"Exercise #{i} - {e.name}\n{e.how}\n{e.dose}" for i, e in enumerate(c.exercises, 1))
    parts = [f"Hi {c.name},", ex, f"When and where: {c.schedule}", "Your rules: " + " ".join(c.rules)]
    if c.feedback:
        parts.append("Check in: " + " ".join(c.feedback))
    if c.milestone:
        parts.append(f"Your goal: {c.milestone}")
    parts.append(c.closing)
    return "\n\n".join(parts) + "\n"


def numbered_sections(c: Content) -> str:
    """Numbered section headings ("## 1. Exercises" ... "## 5. Goal") over a numbered list."""
    ex = "\n".join(f"{i}. {e.name}: {e.how} {e.dose}" for i, e in enumerate(c.exercises, 1))
    parts = [f"# Plan for {c.name}", f"## 1. Exercises\n\n{ex}", f"## 2. When\n\n{c.schedule}", f"## 3. Rules\n\n{_rules_bullets(c)}"]
    if c.feedback:
        parts.append(f"## {len(parts)}. Tracking\n\n" + " ".join(c.feedback))
    if c.milestone:
        parts.append(f"## {len(parts)}. Goal\n\n{c.milestone}")
    parts.append(c.closing)
    return "\n\n".join(parts) + "\n"


def name_stop_paragraphs(c: Content) -> str:
    """An email whose exercises are paragraphs led by the name and a full stop ("Chin tucks. Sit ...")."""
    ex = "\n\n".join(f"{e.name}. {e.how} {e.dose}" for e in c.exercises)
    parts = [f"Dear {c.name},", "Here are the exercises we went over today.", ex, c.schedule, " ".join(c.rules)]
    if c.feedback:
        parts.append(" ".join(c.feedback))
    if c.milestone:
        parts.append(f"Your goal: {c.milestone}")
    parts.append(c.closing + "\n\nWarm regards,\nSam")
    return "\n\n".join(parts) + "\n"


LAYOUTS = {
    "numbered bold": numbered_bold,
    "bold leads": bold_leads,
    "table": table,
    "H3 per exercise under a parent": h3_parent,
    "H3 per exercise, no parent": h3_no_parent,
    "emoji headings": emoji_headings,
    "ALL-CAPS EHR plain text": caps_ehr,
    "nested bullets with label lines": nested_labels,
    "chatty assistant reply": chatty,
    "email": email,
    "SMS-length": sms,
    "title naming the program": title_program,
    "word-processor bullets": word_paste,
    "label paragraphs around a list": label_paragraphs,
    "name lines, no Markdown": name_lines,
    "numbered section headings": numbered_sections,
    "name-stop paragraphs": name_stop_paragraphs,
    "dose table, how below": table_then_how,
    "how inside the Exercise cell": table_cell_how,
    "emoji bullets": emoji_bullets,
    "SMS series with counters": sms_series,
    "numbered names, lettered steps": lettered_steps,
    "clinic form fields": form_fields,
}
