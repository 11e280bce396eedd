"""The HEP rules. Each function is the logic of one catalog entry (hep_rules.yaml)."""

from __future__ import annotations

import bisect
from array import array
import re
from functools import lru_cache
from itertools import chain
from typing import Iterator

from hep_mcp.config import load_data
from hep_mcp.rules import conditions as C
from hep_mcp.rules.engine import Context, cue_data, hit, rule
from hep_mcp.rules.parse import LABEL, LABEL_LEAD, Line, _names_two_elements, _reader_rx, line_nos, plain, sentence_key, sentence_nos, sentences



@lru_cache(maxsize=None)
def _pattern(language: str, key: str) -> re.Pattern:
    """One of a language pack's rule patterns (cues.yaml ``rule_patterns``), case-insensitive."""
    return re.compile(cue_data(language)["rule_patterns"][key], re.I)


def _number(language: str, word: str) -> int:
    """A count written as digits or as a word of the language pack ("two", "dos")."""
    return _number_words(language).get(word.lower()) or int(word)


@lru_cache(maxsize=None)
def _number_words(language: str) -> dict:
    return dict(cue_data(language)["number_words"])


@lru_cache(maxsize=None)
def _how_starts(language: str) -> frozenset:
    return frozenset(cue_data(language)["reader"]["dose_start_also_how"])


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join(plain(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- exercises -------------------------------------------------------------


@rule("EX001")
def too_many(ctx: Context):
    n, mx = len(ctx.draft.exercises), ctx.config.exercise_count.max
    if n > mx:
        yield hit(ctx.draft.exercises[mx].line, count=n, max=mx)


@rule("EX002")
def too_few(ctx: Context):
    n, mn = len(ctx.draft.exercises), ctx.config.exercise_count.min
    if 0 < n < mn:
        yield hit(ctx.draft.exercises[0].line, count=n, min=mn)


@rule("EX003")
def no_exercises(ctx: Context):
    if not ctx.draft.exercises:
        yield hit(None)


# -- descriptions ------------------------------------------------------------


# "Do 5 walks up the wall." / "Do the whole alphabet once.": a count, whatever the unit
_COUNTED = re.compile(r"\b(?:\d+|once|twice|una vez|dos veces)\b", re.I)


@lru_cache(maxsize=None)
def _counted(language: str) -> re.Pattern:
    """A count, with the pack's number words ("Do eight, rest, then eight more.")."""
    words = sorted({str(w) for w, _ in cue_data(language).get("number_words", [])}, key=lambda w: (-len(w), w))
    alts = "|".join(re.escape(w) for w in words)
    return re.compile(r"\b(?:\d+|once|twice|una vez|dos veces" + ("|" + alts if alts else "") + r")\b", re.I)
_WORD = re.compile(r"[^\W\d_][\w'’-]*+")
TIE_ONLY_WORDS = 6  # a sentence this short that ties back to the session is the tie-back, not more how
DOSE_ONLY_WORDS = 4  # words left in a dose sentence once its count and start are taken out
SHORTHAND_ONLY_WORDS = 2  # words left in a chart-shorthand dose ("2x10.", "Both sides, 3x10.") once its numbers are taken out


def _dose_only(s: str, dose_start, amount, tie, where, how_starts: frozenset[str], counted: re.Pattern = _COUNTED, shorthand=None) -> bool:
    """A sentence that only gives the dose ("Do 10 squeezes.", "Hold for 5 seconds.", "2x10."),
    not one that also says how ("Hold the counter and step to the side 5 steps, then back.")."""
    if shorthand is not None and len(s) <= 80 and shorthand.search(s) and not (tie.search(s) or where.search(s)):
        # the dose in numbers only ("2x10.", "3 x 10, 2x/day."): whatever it starts with, no how is left
        left = counted.sub(" ", amount.rx.sub(" ", shorthand.rx.sub(" ", s)))
        if len(_WORD.findall(left)) <= SHORTHAND_ONLY_WORDS:
            return True
    m = dose_start.search(s)
    if not m or len(s.split()) > 12 or not (amount.search(s) or counted.search(s)) or tie.search(s) or where.search(s):
        return False
    if m.group(0).strip().lower() not in how_starts:
        return True  # "Do ...", "Repeat ...", "10 of these ...": the dose
    left = amount.rx.sub(" ", s[m.end() :])
    left = counted.sub(" ", left)
    return len(_WORD.findall(left)) <= DOSE_ONLY_WORDS


NAME_CALL_WORDS = 5  # words after "Time for" in a sentence that only calls the exercise by name


def _name_call(s: str, call) -> bool:
    """"Dorothy, time for your counter balance." / "Next up: the bridge.": the exercise called by
    name before its how (a reminder's spoken line), not a sentence of the description."""
    m = call.search(s)
    return m is not None and len(_WORD.findall(s[m.end() :])) <= NAME_CALL_WORDS and not any(c.isdigit() for c in s)


def _name_key(text: str) -> str:
    return " ".join(plain(text).lower().strip(" .:!*-").split())


@rule("DS001")
def description_length(ctx: Context):
    return iter(_cached(ctx, "_ds001", _description_length))


def _cached(ctx: Context, key: str, fn) -> list:
    """A check's hits, computed once per draft (DS003 and PL007 read DS001's, PL003's and PL004's)."""
    found = ctx.extra.get(key)
    if found is None:
        found = ctx.extra[key] = list(fn(ctx))
    return found


def _line_label(language: str, s: str, key: str) -> bool:
    """A sentence that opens with a label of the reader's kind ``key`` ("Picture:", "Like today:")."""
    m = LABEL_LEAD.match(plain(s).lstrip())
    return m is not None and _reader_rx(language)[key].fullmatch(m.group(1).strip()) is not None


def _description_length(ctx: Context):
    mn, mx = ctx.config.min_sentences_per_description, ctx.config.max_sentences_per_description
    dose_start, amount, tie, where = ctx.rx("dose_sentence"), ctx.rx("amount"), ctx.rx("tie_back"), ctx.rx("where")
    how_starts = _how_starts(ctx.language)
    counted = _counted(ctx.language)
    call, shorthand = ctx.rx("name_call"), ctx.rx("numbers_only_dose")
    lang = ctx.language
    for ex in ctx.draft.exercises:
        # "Do 10 squeezes." is the dose, not the description
        # and the name said again as a sentence ("- Wall slides." over its dose line) says no how
        name = _name_key(ex.name)
        # "... He did this five times with me today. How much: 5 times, then rest.": a dose label
        # run into the paragraph is the dose, not one more sentence of how
        # and "Picture: a kitchen chair with no wheels.": the caption of its picture says no how
        said = [s for s in sentences(ex.description_text) if not LABEL.match(s) and not _dose_only(s, dose_start, amount, tie, where, how_starts, counted, shorthand) and _name_key(s) != name and not _name_call(s, call) and not _line_label(lang, s, "caption_label")]
        n = len(said)
        # "Like the second one today.": a tie-back alone is not one more sentence of how (large print
        # gives it a line of its own); it counts toward the least, not toward the most. So is a line
        # labelled as the tie-back, whatever its length ("Like today: This is the chair one we did first.")
        n_how = n - sum(1 for s in said if len(s.split()) <= TIE_ONLY_WORDS and tie.search(s) or _line_label(lang, s, "tie_back_label"))
        if ex.steps >= 3 and n < mn:
            advice = "Turn the step list into 2 or 3 plain sentences: how to start, what to do, what it should feel like."
        elif n < mn:
            advice = "Add how to do it and what it should feel like, in plain words."
        elif n_how > mx:
            advice = f"Cut it to {mx} sentences: what to do, and what it should feel like."
        else:
            continue
        yield hit(ex.line, name=ex.name, count=n, min=mn, max=mx, advice=advice)


@rule("DS003")
def names_only(ctx: Context):
    exercises = ctx.draft.exercises
    if not exercises:
        return
    thin = [h for h in description_length(ctx) if h.params.get("count") == 0]
    if len(thin) == len(exercises):
        yield hit(exercises[0].line, count=len(exercises))


@rule("DS002")
def no_tie_back(ctx: Context):
    pats = ctx.cue_source("tie_back")
    for ex in ctx.draft.exercises:
        lines = [Line(ex.line, ex.name)] + ex.all_lines
        if ctx.first(pats, lines) is None:
            yield hit(ex.line, name=ex.name)


# -- dosing -----------------------------------------------------------------------


def _dose_headings(d) -> list[Line]:
    """Headings that may carry the dose themselves ("**Each day, after Frank's tea, in the
    kitchen:**", "### After breakfast, at the counter"): any heading but a rules, feedback or
    milestone one (the topic of those is their own)."""
    return [Line(no, plain(text)) for no, text, el in d.headings if el not in ("response_rules", "feedback", "milestone")]


def _dosing_lines(ctx: Context) -> list[Line]:
    """The lines a dose may be written on (read once per draft: DO001-DO007 ask)."""
    found = ctx.extra.get("_dosing_lines")
    if found is None:
        found = ctx.extra["_dosing_lines"] = _read_dosing_lines(ctx)
    return found


def _read_dosing_lines(ctx: Context) -> list[Line]:
    d = ctx.draft
    if d.headed:
        lines = list(d.section("schedule")) + list(d.section("exercises")) + _dose_headings(d)
        for ex in d.exercises:
            lines += [Line(ex.line, ex.name), *ex.all_lines]
        # lines in no section at all (a schedule paragraph without a heading) count too
        # a byte a line, not a set of line numbers (a long draft of label lines is all rules)
        other = bytearray(len(d.lines) + 2)
        for k in ("response_rules", "feedback", "milestone"):
            for no in line_nos(d.section(k)):
                other[no] = 1
        for ln in lines:
            if 0 < ln.no < len(other):
                other[ln.no] = 1
        skip = _not_dosing(ctx)
        lines += [ln for ln in d.body if not other[ln.no] and not skip(ln.text)]
        if lines:
            # by line and text: a table row's cells share its line number ("| Walking | ... | 10 minutes |")
            return sorted({(ln.no, ln.text): ln for ln in lines}.values(), key=lambda ln: ln.no)
    # no structure: everything but the response-rule sentences
    skip = _not_dosing(ctx)
    return [ln for ln in chain(d.body, _dose_headings(d)) if not skip(ln.text)]


def _not_dosing(ctx: Context):
    """A line about pain, a missed day, a change, the log, a problem or the goal: no dose line."""
    return ctx.any_of(ctx.cue_source("pain_word") + ctx.cue_source("missed_day") + ctx.cue_source("feels_different") + ctx.cue_source("log_cue") + ctx.cue_source("problem_cue") + [_pattern(ctx.language, "milestone_line")])


def _dosing_found(ctx: Context) -> dict[str, bool]:
    cache = ctx.extra.setdefault("_dosing", {})
    if not cache:
        lines = _wrapped(_dosing_lines(ctx))
        for key in ("when", "where", "amount"):
            cache[key] = ctx.first(key, lines) is not None
        # a trigger counts wherever it is written; "after your knee replacement" is no daily routine
        # (not inside the response rules: "redness that lasts 20 minutes after you take off the
        # prosthesis" is a warning sign, not the routine)
        cache["trigger"] = _routine_trigger(ctx, lines) or _routine_trigger(ctx, _outside_rules(ctx))
        # "Do 10 heel slides, 10 kick backs and 3 walks.": a count of an exercise by its name
        if not cache["amount"]:
            named = _counted_names(ctx.draft.exercises)
            cache["amount"] = named is not None and ctx.first([named], lines) is not None
    return cache


def _wrapped(lines) -> list[Line]:
    """The lines, and each line that runs on joined with the next one (a narrow column breaks
    "right after" / "breakfast, lunch and dinner"): a phrase split by a line break is read whole."""
    out = list(lines)
    if len(out) > 5000:
        return out
    for a, b in zip(out, out[1:]):
        t = a.text.rstrip()
        if b.no == a.no + 1 and t and not t.endswith((".", "!", "?", ":")) and b.text.strip():
            out.append(Line(a.no, t + " " + b.text.strip()))
    return out


def _outside_rules(ctx: Context) -> list[Line]:
    rules = bytearray(len(ctx.draft.lines) + 2)  # a byte a line, not a set of line numbers
    for no in line_nos(ctx.draft.section("response_rules")):
        rules[no] = 1
    red = ctx.any_of(ctx.cue_source("pain_word") + ctx.cue_source("missed_day") + ctx.cue_source("feels_different") + ctx.cue_source("reader.red_flag_item"))
    return [ln for ln in chain(ctx.draft.body, _dose_headings(ctx.draft)) if not (0 < ln.no < len(rules) and rules[ln.no]) and not red(ln.text)]


def _routine_trigger(ctx: Context, lines) -> bool:
    not_routine = ctx.rx("trigger_not_routine")
    return any(not not_routine.search(m.group(0)) for _, m in ctx.matches("trigger", lines))


_NAME_WORD = re.compile(r"[a-z]{3,}")


def _counted_names(exercises) -> str | None:
    """A count followed by an exercise's name or the last word of it ("10 heel slides",
    "10 kick backs" for "Standing kick back"), one optional word between. The pattern as
    written: the cue that combines it compiles it (once, not twice)."""
    words: set[str] = set()
    for ex in exercises[:20]:
        w = _NAME_WORD.findall(ex.name.lower())
        if w:
            words.add(w[-1].rstrip("s"))
    if not words:
        return None
    alts = "|".join(sorted(re.escape(w) for w in words))
    return rf"\b(?:\d{{1,3}}|two|three|four|five|six|eight|ten|twelve|fifteen|twenty)\s+(?:[a-z]+\s+)?(?:{alts})(?:e?s)?\b"


@rule("DO007")
def exercise_without_amount(ctx: Context):
    """One exercise has no amount where at least two others have their own (and no line gives
    one amount for all of them: "10 of each")."""
    exs = ctx.draft.exercises
    if len(exs) < 3:
        return
    amount, dose_start, counted, distance = ctx.rx("amount"), ctx.rx("dose_sentence"), _counted(ctx.language), ctx.rx("amount_distance")

    def has_amount(ex) -> bool:
        text = " ".join(plain(ln.text) for ln in [Line(ex.line, ex.name), *ex.all_lines])
        if amount.search(text) or distance.search(text):
            return True  # "walk to the mailbox and back": a walk's amount is how far
        return any(dose_start.search(s) and counted.search(s) for s in sentences(text))

    own = [has_amount(ex) for ex in exs]
    if sum(own) < 2 or all(own):
        return
    # any amount written outside the exercises ("Do 10 of each", "How much: heel slides 10 times")
    # may be this one's: only a plan whose amounts all sit in the exercises is judged here
    # (the lines a dose may be written on: not the rules, the log or the goal)
    mine = {ex.line for ex in exs} | {ln.no for ex in exs for ln in ex.all_lines}
    for key in ("response_rules", "feedback", "milestone"):
        mine.update(ln.no for ln in ctx.draft.section(key))
    exercises_named = ctx.rx("count_of_exercises")

    def gives_amount(text: str) -> bool:
        text = exercises_named.rx.sub(" ", text)  # "here are your three exercises" counts no dose
        return bool(amount.search(text) or counted.search(text) or any(ch.isdigit() for ch in text))

    if any(ln.no not in mine and gives_amount(ln.text) for ln in _dosing_lines(ctx)):
        return
    for ex, has in zip(exs, own):
        if not has:
            yield hit(ex.line, name=ex.name)


@rule("DO001")
def numbers_only(ctx: Context):
    if _dosing_found(ctx)["trigger"]:
        return
    for ln, sentence, m in ctx.sentence_hits("numbers_only_dose"):
        yield hit(ln.no, text=_quote(sentence, 60))


def _missing(key: str):
    def check(ctx: Context):
        found = _dosing_found(ctx)
        if _some_dosing(found) and not found[key]:
            yield hit(None)

    return check


def _some_dosing(found: dict[str, bool]) -> bool:
    """A place alone is no dosing: "Stand at the wall..." in a description says where the move is
    done, not when, after what or how much (that draft has no dosing, DO006)."""
    return found["when"] or found["trigger"] or found["amount"]


rule("DO002")(_missing("when"))
rule("DO003")(_missing("where"))
rule("DO004")(_missing("trigger"))
rule("DO005")(_missing("amount"))


@rule("DO006")
def no_dosing(ctx: Context):
    # numbers-only dosing is its own, more precise finding (DO001)
    if not _some_dosing(_dosing_found(ctx)) and ctx.first("numbers_only_dose") is None:
        yield hit(None)


# -- response rules ---------------------------------------------------------------


def _answered(ctx: Context, ln: Line, s: str) -> str:
    """A topic asked or labelled in one sentence is answered in the next ("Pain? Up more
    than 2 points: stop that one today."): the two read as one."""
    if not s.rstrip().endswith(("?", ":")):
        return s
    following = _following(ctx)
    out, key = s, (ln.no, s)
    for _ in range(4):  # "New pain? New swelling? Legs feel weak? Call the clinic first.": one answer to a run of questions
        pair = following.pair_after(key)
        if pair is None:
            break
        out += " " + pair[1]
        if not pair[1].rstrip().endswith("?"):
            break
        key = (pair[0].no, pair[1])
    return out


def _following(ctx: Context) -> dict:
    """(line, sentence) -> the sentence after it, built once per draft."""
    following = ctx.extra.get("_following")
    if following is None:
        following = ctx.extra["_following"] = _Following(ctx.draft.body_sentences)
    return following


class _Following:
    """``.get((line, sentence))``: the sentence after the first such pair of the body, found by
    the line's number (the pairs are in line order), not a table of every pair."""

    __slots__ = ("pairs", "nos", "by_line", "table")

    def __init__(self, pairs):
        self.pairs, self.by_line, self.table = pairs, {}, None
        self.nos = sentence_nos(pairs)
        if any(a > b for a, b in zip(self.nos, self.nos[1:])):  # not in line order: a table
            self.table = {}
            for i, (l, x) in enumerate(pairs[:-1]):
                self.table.setdefault((l.no, x), i + 1)

    def get(self, key):
        pair = self.pair_after(key)
        return None if pair is None else pair[1]

    def pair_after(self, key):
        """The (line, sentence) after ``key``'s, or None."""
        if self.table is not None:
            k = self.table.get(key)
            return None if k is None else self.pairs[k]
        no, x = key
        pairs, nos = self.pairs, self.nos
        lo = bisect.bisect_left(nos, no)
        hi = min(bisect.bisect_right(nos, no, lo), len(pairs) - 1)
        if hi - lo <= 8:
            for k in range(lo, hi):
                if pairs[k][1] == x:
                    return pairs[k + 1]
            return None
        first = self.by_line.get(no)  # a line of many sentences: its own table, made once
        if first is None:
            first = self.by_line[no] = {}
            for k in range(lo, hi):
                first.setdefault(pairs[k][1], k)
        k = first.get(x)
        return None if k is None else pairs[k + 1]


def _pain_rule(ctx: Context):
    number = ctx.rx("pain_number")
    followup = None
    for ln, said, _ in ctx.sentence_hits("pain_word"):
        s = _answered(ctx, ln, said)
        if number.search(s):
            return ln, s
        # "Rate your pain 0 to 10 first. If it goes up more than 2 points, stop that one."
        if followup is None:
            followup = ctx.rx("pain_followup")
        nxt = _following(ctx).get((ln.no, said))
        if nxt is not None and followup.search(nxt) and number.search(nxt):
            return ln, said + " " + nxt
    return _pain_heading_rule(ctx, number) or _pain_scale_rule(ctx, number)


def _pain_scale_rule(ctx: Context, number):
    """A 0-10 rating, then the rule with its number ("Give your knee a number out of 10 before you
    begin. If one exercise bumps it up more than 2 points, leave that one for today.")."""
    followup = ctx.rx("pain_followup")
    for ln, said, _ in ctx.sentence_hits("pain_scale"):
        s = _answered(ctx, ln, said)
        nxt = _following(ctx).get((ln.no, said))
        for x in (s, nxt):
            if x is not None and followup.search(x.split(". ")[-1] if x is s else x) and number.search(x):
                return ln, said if x is s else said + " " + x
    return None


def _pain_heading_rule(ctx: Context, number):
    """The topic in the heading, the rule under it ("PAIN" / "Rate it 0 to 10 first." / "Up more
    than 2 points? Stop that one."): a number in the first sentences under a pain heading."""
    word = ctx.rx("pain_word")
    heads = [h[0] for h in ctx.draft.headings]
    pairs = ctx.draft.body_sentences
    nos = sentence_nos(pairs)  # in line order: one bisect per heading keeps this linear
    for k, (line, text, _) in enumerate(ctx.draft.headings[:200]):
        if not word.search(text):
            continue
        end = heads[k + 1] if k + 1 < len(heads) else float("inf")
        i = bisect.bisect_right(nos, line)
        under = [(ln, x) for ln, x in pairs[i : i + 3] if ln.no < end]
        for ln, x in under:
            if number.search(x):
                return ln, plain(text).strip() + ": " + " ".join(y for _, y in under)
    return None


@rule("RR001")
def no_pain_rule(ctx: Context):
    if _pain_rule(ctx):
        return
    points = ctx.config.pain_points
    vague = ctx.first("vague_pain_stop")
    if vague:
        ln, _ = vague
        yield hit(ln.no, points=points, detail=f"\"{_quote(ln.text, 50)}\" has no number: say how much pain is too much")
    else:
        yield hit(None, points=points, detail="The draft has no pain rule with a number")




@rule("RR002")
def pain_points_differ(ctx: Context):
    found = _pain_rule(ctx)
    if not found:
        return
    ln, s = found
    m = _pattern(ctx.language, "pain_points").search(s)
    if not m:
        return
    word = (m.group(1) or m.group(2)).lower()
    value = _number(ctx.language, word)
    if value != ctx.config.pain_points:
        yield hit(ln.no, found=value, points=ctx.config.pain_points)


@rule("RR003")
def no_missed_day(ctx: Context):
    if ctx.first("missed_day") is None:
        yield hit(None)


@rule("RR004")
def catch_up(ctx: Context):
    negated = ctx.rx("dont_catch_up")
    for ln, s, _ in ctx.sentence_hits("catch_up"):
        if not negated.search(s):
            yield hit(ln.no, text=_quote(s, 60))


_CLAUSE = re.compile(r"[,;:]|\s(?:and|then|but|so)\s", re.I)


def _contacts_now(ctx: Context, text: str) -> bool:
    """A clause that sends the patient to someone now, not one that waits for the next visit
    ("message us before the next session" is ahead of the next round at home: now)."""
    contact, defer, ahead = ctx.rx("contact_now"), ctx.rx("defer_to_visit"), ctx.rx("contact_before_session")
    for clause in _CLAUSE.split(text):
        if (contact.search(clause) or ctx.channel_pattern.search(clause)) and not defer.search(ahead.rx.sub(" ", clause)):
            return True
    return False


@rule("RR005")
def no_feels_different(ctx: Context):
    found = list(ctx.sentence_hits("feels_different"))
    if not found:
        yield hit(None, detail="The draft has no rule for when something feels different")
        return
    # the rule may be a question with its answer in the next sentence ("New swelling? Stop, text us first.")
    dismiss, defer, conditional = ctx.rx("dismiss_sign"), ctx.rx("defer_to_visit"), ctx.rx("conditional_start")
    for ln, s, _ in found:
        if _contacts_now(ctx, _answered(ctx, ln, s)):
            return
        # "Something feels different: new pain, swelling or a leg feeling weaker. Message the clinic
        # before you do more.": the signs in one sentence, where to go in the next
        # (not a next rule of its own: "If your heel is hot and red, go to the clinic today.")
        nxt = _following(ctx).get((ln.no, s))
        if nxt is not None and not dismiss.search(s) and not defer.search(s) and not conditional.search(nxt) and _contacts_now(ctx, s + " " + nxt):
            return
    ln, s, _ = found[0]
    yield hit(ln.no, detail=f"The feels-different rule does not send the patient to the clinic before going on: \"{_quote(s, 60)}\"")


@rule("RR006")
def no_emergency_line(ctx: Context):
    calls = ctx.rx("emergency_call")
    for _, s, _ in ctx.sentence_hits("emergency_signs"):
        if calls.search(s):
            return
    # a heading that says whom to call covers the signs under it ("CALL 911" / "CHEST PAIN ...")
    signs, heading = ctx.rx("emergency_signs"), ""
    for b in getattr(ctx.draft, "blocks", ()):
        if b.kind == "heading":
            heading = b.text
        elif heading and calls.search(heading) and signs.search(b.text):
            return
    body = ctx.draft.body
    index = {ln.no: i for i, ln in enumerate(body)} if isinstance(body, list) else None  # a long draft's: by number
    for ln, _ in ctx.matches("emergency_signs"):
        i = index.get(ln.no, 0) if index is not None else body.index_of(ln.no) or 0
        window = " ".join(x.text for x in body[max(0, i - 1) : i + 2])
        if calls.search(window):
            return
    yield hit(None)


def conditions_of(ctx: Context) -> list[str]:
    """The case's condition, or the conditions a free-text draft names (none for `other`)."""
    if ctx.condition:
        return [] if ctx.condition == "other" else [ctx.condition]
    if "_conditions" not in ctx.extra:  # one detection per draft, shared by RR007-RR009
        ctx.extra["_conditions"] = C.detect(ctx.draft.text, ctx.language, ctx.lower(ctx.draft.text))
    return ctx.extra["_conditions"]


class _Routes:
    """Where the body's sentences send the patient, from one scan of the body for each
    pattern (linear in the draft, whatever its shape). Offsets are into
    ``draft.body_plain``: the body's sentences joined by newlines, which no
    pattern crosses."""

    def __init__(self, ctx: Context, signs):
        self.ctx, self.signs = ctx, signs
        self.pairs = pairs = ctx.draft.body_sentences
        self.key = sentence_key(pairs)  # a line's key in the tables below
        self.text = ctx.draft.body_plain
        self.starts, pos = array("I"), 0  # 4 bytes a sentence
        for _, sentence in pairs:
            self.starts.append(pos)
            pos += len(sentence) + 1
        emergency, other = C.route_parts(ctx.language)
        found = [(m.start(), "emergency", m.end()) for m in _scan(ctx, emergency, self.text)]
        found += [(m.start(), "other", m.end()) for m in _scan(ctx, other, self.text)]
        found.sort()
        self.at = [p for p, _, _ in found]
        self.kind = [k for _, k, _ in found]
        self.end = [e for _, _, e in found]
        self.semis = [m.start() for m in _SEMICOLON.finditer(self.text)]
        # each line's span of sentences (they are contiguous)
        self.line_span: dict[int, tuple[int, int]] = {}
        for k, (ln, sentence) in enumerate(pairs):
            start, _ = self.line_span.get(self.key(ln), (self.starts[k], 0))
            self.line_span[self.key(ln)] = (start, self.starts[k] + len(sentence))
        body = ctx.draft.body  # a long draft's body (a LineRun) makes its Line when read: found by number
        self.order = {self.key(ln): i for i, ln in enumerate(body)} if isinstance(body, list) else None
        self._around: dict[int, str | None] = {}
        self._around_text: dict[int, str] = {}
        self._choice: dict[int, bool] = {}
        self._headings: set[int] | None = None
        self._heading_order: list[int] = []

    def _first(self, lo: int, hi: int) -> str | None:
        i = bisect.bisect_left(self.at, lo)
        return self.kind[i] if i < len(self.at) and self.at[i] < hi else None

    def _last(self, lo: int, hi: int) -> str | None:
        i = bisect.bisect_left(self.at, hi) - 1
        return self.kind[i] if i >= 0 and self.at[i] >= lo else None

    def sentence_of(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def route(self, pos: int) -> str | None:
        """For a sign at offset ``pos``: the first route after it in its clause, else the
        nearest before it; then the sentence's later clauses, then its earlier ones; then
        the rest of the line after, then before; then the lines around it."""
        k = self.sentence_of(pos)
        s_lo, s_hi = self.starts[k], self.starts[k] + len(self.pairs[k][1])
        j = bisect.bisect_left(self.semis, pos)
        c_lo = self.semis[j - 1] + 1 if j > 0 and self.semis[j - 1] >= s_lo else s_lo
        c_hi = self.semis[j] if j < len(self.semis) and self.semis[j] < s_hi else s_hi
        ln = self.pairs[k][0]
        l_lo, l_hi = self.line_span[self.key(ln)]
        return (
            self._first(pos, c_hi)
            or self._last(c_lo, pos)
            or self._first(c_hi, s_hi)
            or self._last(s_lo, c_lo)
            or self._first(s_hi, l_hi)
            or self._last(l_lo, s_lo)
            or self.around(ln)
        )

    def around(self, ln: Line) -> str | None:
        """The next line of the same block (unless it names a sign of its own, or a heading
        stands between them); past a run of short question lines to the line that answers
        them ("Hit your head?" / "Or you cannot get up?" / "Call 911."); then the line that
        leads into the block or list ("Call 911 right away if you notice:", or a heading
        such as "**Call 911 right away (BE FAST)**"), then the heading of the section the
        line is in ("CALL 911" over the lines of signs under it); only then a next line in
        another block, so a heading's route is not lost to an unrelated line after it."""
        if self.key(ln) in self._around:
            return self._around[self.key(ln)]
        body = self.ctx.draft.body
        i = self.order.get(self.key(ln)) if self.order is not None else body.index_of(ln.no)
        lines = self.ctx.draft.lines
        r = later = None
        if i is not None and i + 1 < len(body):
            j = i + 1
            # a run of question lines that name no route: they are one question, answered below
            if plain(ln.text).rstrip().endswith("?"):
                while (
                    j + 1 < len(body)
                    and j - i <= _QUESTION_RUN
                    and body[j].no == body[j - 1].no + 1
                    and not LIST_ITEM.match(body[j].text)
                    and plain(body[j].text).rstrip().endswith("?")
                    and _sentence_route(plain(body[j].text), self.ctx.language) is None
                ):
                    j += 1
                if j > i + 1 and body[j].no != body[j - 1].no + 1:
                    j = i + 1  # the run is not answered in its own block
            nxt_ln = body[j]
            if not LIST_ITEM.match(nxt_ln.text) and self._heading_after(ln.no, nxt_ln.no) is None:
                nxt = plain(nxt_ln.text)
                if not any(rx.search(nxt) for _, rx in self.signs):
                    route = _sentence_route(nxt, self.ctx.language)
                    if route and nxt_ln.no == body[j - 1].no + 1:
                        r = route
                        self._around_text[self.key(ln)] = nxt
                    elif route and j == i + 1:
                        later = (route, nxt)  # past a blank line: only if nothing above routes it
        if r is None:
            lead = self._lead_in(ln)
            if lead is not None:
                r = _sentence_route(plain(lines[lead].text), self.ctx.language)
                if r:
                    self._around_text[self.key(ln)] = plain(lines[lead].text)
        if r is None:
            h = self._last_heading_before(ln.no)
            if h is not None and ln.no - h <= 20:
                head = plain(lines[h - 1].text)
                r = _sentence_route(head, self.ctx.language)
                if r:
                    self._around_text[self.key(ln)] = head
        if r is None and later is not None:
            r, self._around_text[self.key(ln)] = later
        self._around[self.key(ln)] = r
        return r

    def _lead_in(self, ln: Line) -> int | None:
        """The index into ``draft.lines`` of the line that leads into ``ln``'s list or block:
        a line ending in ":" or a heading, found over the list items (and blank lines between
        them) above a list item, or over the lines of the block above a plain line."""
        lines, item = self.ctx.draft.lines, bool(LIST_ITEM.match(ln.text))
        heads = self.heading_lines()
        j = ln.no - 2
        while j >= 0 and ln.no - 2 - j <= 20:
            t = lines[j].text
            if not t.strip():
                if not item:
                    return None
            elif item and LIST_ITEM.match(t):
                pass
            elif plain(t).rstrip().endswith(":") or j + 1 in heads:
                return j
            elif item and not LIST_ITEM.match(t):
                return None
            j -= 1
        return None

    def heading_lines(self) -> set[int]:
        """The numbers of the lines that are headings ("**Call 911 right away (BE FAST)**"
        leads into the list under it as a line ending in ":" does)."""
        if self._headings is None:
            self._headings = {
                b.lines[0].no for b in getattr(self.ctx.draft, "blocks", ()) if b.kind == "heading" and b.lines
            }
            self._heading_order = sorted(self._headings)
        return self._headings

    def _heading_after(self, lo: int, hi: int) -> int | None:
        """The first heading line strictly between line numbers ``lo`` and ``hi``."""
        self.heading_lines()
        k = bisect.bisect_right(self._heading_order, lo)
        return self._heading_order[k] if k < len(self._heading_order) and self._heading_order[k] < hi else None

    def _last_heading_before(self, no: int) -> int | None:
        self.heading_lines()
        k = bisect.bisect_left(self._heading_order, no) - 1
        return self._heading_order[k] if k >= 0 else None

    def offers_choice(self, pos: int) -> bool:
        """For a sign at offset ``pos`` sent to the emergency line: whether its sentence
        (or, when the sentence names no route, the line that routed it) offers another
        route beside the emergency line as one choice ("message the clinic or call 911",
        "call 911 or the clinic"). Each sentence's routes are looked at once."""
        k = self.sentence_of(pos)
        if k not in self._choice:
            s_lo, s_hi = self.starts[k], self.starts[k] + len(self.pairs[k][1])
            i, j = bisect.bisect_left(self.at, s_lo), bisect.bisect_left(self.at, s_hi)
            if i < j:
                self._choice[k] = any(
                    self.kind[a] != self.kind[a + 1]
                    and self.at[a + 1] >= self.end[a]
                    and C.is_choice(self.text[self.end[a] : self.at[a + 1]], self.kind[a], self.ctx.language)
                    for a in range(i, j - 1)
                )
            else:
                ln = self.pairs[k][0]
                self.around(ln)
                text = self._around_text.get(self.key(ln))
                self._choice[k] = bool(text) and C.choice_in(text, self.ctx.language)
        return self._choice[k]

    def hits(self, parts) -> Iterator[tuple[int, re.Match]]:
        """(sentence index, match) for the first match of the patterns in each sentence."""
        done = -1
        for m in _scan(self.ctx, parts, self.text):
            k = self.sentence_of(m.start())
            if k != done:
                done = k
                yield k, m


_SEMICOLON = re.compile(";")
_QUESTION_RUN = 4  # question lines read as one question before the line that answers them


def _scan(ctx: Context, parts, text: str) -> Iterator[re.Match]:
    """Non-overlapping matches of any of the patterns, tried only where one of their
    leading literals starts a word (the engine's combined cue) when it can tell."""
    cue = ctx.rx(list(parts))
    lowered = ctx.lower(text)  # the same few texts (the draft, its body) are scanned for many pattern lists
    cands = cue.candidates(lowered) if len(lowered) == len(text) and hasattr(cue, "candidates") else None
    if cands is None:
        yield from cue.rx.finditer(text)
        return
    end = -1
    for pos in cands:
        if pos >= end:
            m = cue.rx.match(text, pos)
            if m:
                end = max(m.end(), pos + 1)
                yield m


def _routes(ctx: Context, signs) -> _Routes:
    key = ("_routes", tuple(name for name, _ in signs))
    if key not in ctx.extra:
        ctx.extra[key] = _Routes(ctx, signs)
    return ctx.extra[key]


def _sentence_route(sentence: str, language: str = "en") -> str | None:
    return next((r for r in (C.route_of(c, 0, language) for _, c in C.clauses(sentence)) if r), None)


def _sign_routes(ctx: Context, parts, signs) -> Iterator[tuple[Line, str, str | None]]:
    """(line, sentence, route) for each sentence naming a sign."""
    routes = _routes(ctx, signs)
    for k, m in routes.hits(parts):
        ln, sentence = routes.pairs[k]
        yield ln, sentence, routes.route(m.start())


@rule("RR007")
def missing_red_flags(ctx: Context):
    text = ctx.draft.text
    conds = conditions_of(ctx)
    signs = C.signs_for(conds, ctx.language)
    for cond in conds:
        c = C.known(ctx.language).get(cond)
        for flag in c.red_flags if c else ():
            if next(_scan(ctx, flag.parts, text), None) is None:
                if not flag.required:
                    continue  # an advised sign left out: RR011 (info)
                advice = f"Add it with who to call ({C.wording()['urgency'][flag.urgency]}); `hep-mcp library {cond}` has the wording."
                yield hit(None, condition=c.label, flag=flag.flag, advice=advice)
            elif flag.urgency == "emergency" and not any(r == "emergency" for _, _, r in _sign_routes(ctx, flag.parts, signs)):
                advice = f"Send it to the emergency line ({C.wording()['urgency']['emergency']}); `hep-mcp library {cond}` has the wording."
                yield hit(None, condition=c.label, flag=f"{flag.flag}, sent to 911 or the emergency department", advice=advice)
            elif flag.urgency != "emergency" and _dismissed(ctx, flag, signs):
                advice = f"Say it is a warning sign and who to call ({C.wording()['urgency'][flag.urgency]}); `hep-mcp library {cond}` has the wording."
                yield hit(None, condition=c.label, flag=f"{flag.flag}, stated as a warning sign (the draft calls it normal)", advice=advice)


@rule("RR011")
def advised_red_flags(ctx: Context):
    """The condition's advised signs (``required: false`` in conditions.yaml: the ones the
    library prints that the brief does not require of every draft) that the draft leaves
    out. Advice, not a block: a stated one that is waved off or sent away from 911 is still
    RR007."""
    text = ctx.draft.text
    for cond in conditions_of(ctx):
        c = C.known(ctx.language).get(cond)
        for flag in c.red_flags if c else ():
            if not flag.required and next(_scan(ctx, flag.parts, text), None) is None:
                advice = f"Consider adding it with who to call ({C.wording()['urgency'][flag.urgency]}); `hep-mcp library {cond}` has the wording."
                yield hit(None, condition=c.label, flag=flag.flag, advice=advice)


def _dismissed(ctx: Context, flag, signs) -> bool:
    """The red flag is waved off ("Redness or blisters are normal at first. Keep wearing it."):
    a sentence naming it calls it normal and says in itself nowhere to go, whatever another
    sentence says (a routed sentence nearby does not undo "calf swelling is normal")."""
    found = [s for _, s, _ in _sign_routes(ctx, flag.parts, signs)]
    dismiss, concessive = ctx.rx("dismiss_sign"), ctx.rx("concessive")
    # a sentence that calls it normal and sends it nowhere of its own: a bullet under a
    # "Phone the office today if" heading is read twice, with the heading and without; the
    # heading's route does not undo "A small fall is normal, nothing to worry about."
    return any(not _sentence_route(s, ctx.language) and dismiss.search(concessive.rx.sub(" ", s)) for s in found)


@rule("RR008")
def emergency_sign_sent_elsewhere(ctx: Context):
    conds = conditions_of(ctx)
    signs = C.signs_for(conds, ctx.language)
    routes = None
    reported = -1
    for m in _scan(ctx, C.sign_parts(tuple(conds), ctx.language), ctx.draft.body_plain):
        routes = routes or _routes(ctx, signs)
        k = routes.sentence_of(m.start())
        if k == reported:
            continue
        name = next((n for n, rx in signs if rx.match(routes.text, m.start())), "an emergency sign")
        route = routes.route(m.start())
        choice = route is not None and routes.offers_choice(m.start())
        if route == "other" or choice:
            reported = k
            ln, sentence = routes.pairs[k]
            where = "to the clinic as a choice beside 911" if choice else "to the clinic, not to 911"
            yield hit(ln.no, sign=name, where=where, text=_quote(sentence, 70))


@rule("RR009")
def condition_unknown(ctx: Context):
    if ctx.condition is None and not conditions_of(ctx):
        yield hit(None)


@rule("RR010")
def other_without_red_flags(ctx: Context):
    if ctx.condition != "other":
        return
    if "red_flags" in ctx.extra:  # a structured HEP: the therapist's own list
        if not ctx.extra["red_flags"]:
            yield hit(None, detail="response_rules.red_flags is empty")
        return
    # a sentence with who to call and how soon, that is not the 911 line or the feels-different rule
    universal, different = ctx.rx("emergency_signs"), C.feels_different_rule(ctx.language)
    route = C.warning_route(ctx.language)
    for _, s in ctx.draft.body_sentences:
        if route.search(s) and not universal.search(s) and not different.search(s):
            return
    yield hit(None, detail="the draft states no warning signs of its own beyond the 911 line")


# -- safety -----------------------------------------------------------------------------


def _phrase_rule(rule_id: str, cue: str):
    def check(ctx: Context):
        for ln, s, m in ctx.sentence_hits(f"safety_phrases.{cue}"):
            yield hit(ln.no, text=_quote(s, 70))

    rule(rule_id)(check)


@rule("SF001")
def no_pain_no_gain(ctx: Context):
    # "keep going even if it hurts a little, as long as it goes up no more than 2 points" is the
    # pain rule with its number, not "push through the pain"
    negated = ctx.rx("negated_before")
    for ln, s, found in ctx.sentence_hits("safety_phrases.no_pain_no_gain"):
        at = s.lower().find(found.group(0).lower())
        if at > 0 and negated.rx.search(s[max(0, at - 40) : at]):
            continue  # "Don't keep going through a sharp pain." is the safe advice
        m = _pattern(ctx.language, "pain_points").search(s)
        if m:
            word = (m.group(1) or m.group(2)).lower()
            if _number(ctx.language, word) <= ctx.config.pain_points:
                continue
        yield hit(ln.no, text=_quote(s, 70))


_phrase_rule("SF002", "guarantee")
_phrase_rule("SF003", "diagnosis")
_phrase_rule("SF004", "self_increase")


@rule("SF005")
def unnamed_doctor(ctx: Context):
    for ln, s, _ in ctx.sentence_hits("safety_phrases.unnamed_doctor"):
        if not ctx.channel_pattern.search(s) and not re.search(r"\d{3}[-. ]\d{4}|\bsurgeon|office\b|\bcirujan[oa]\b|\bconsultorio\b", s, re.I):
            yield hit(ln.no, text=_quote(s, 60))


@rule("SF006")
def forbidden(ctx: Context):
    phrases = [p for p in ctx.config.extra_forbidden if p.strip()]
    if not phrases:
        return
    pats = [re.compile(r"(?<!\w)" + re.escape(p.strip()) + r"(?!\w)", re.I) for p in phrases]
    for ln in ctx.draft.body:
        for p in pats:
            m = p.search(ln.text)
            if m:
                yield hit(ln.no, text=m.group(0))


# -- feedback ---------------------------------------------------------------------------------


def _channel_line(ctx: Context, cue: str) -> bool:
    # the channel may be in the sentence after the cue: "Problems? Reply here or call the front desk."
    following = _following(ctx)
    keyword = ctx.rx("keyword_reply")
    report = ctx.rx("log_report") if cue == "log_cue" else None

    def official(text: str) -> bool:
        return bool(ctx.channel_pattern.search(text) or keyword.search(text))

    screen = ctx.rx("screen_action") if cue == "log_cue" and _page_of_a_channel(ctx) else None
    for ln, s, _ in ctx.sentence_hits(cue):
        if official(s) and not (cue == "log_cue" and _paper_log(ctx, s, official)):
            return True
        nxt = following.get((ln.no, s))
        # a page of the clinic's portal or app: "Did it today? Press [Mark done today] ..."
        if screen is not None and (screen.search(s) or nxt is not None and s.rstrip().endswith(("?", ":")) and screen.search(nxt)):
            return True
        if nxt is not None and s.rstrip().endswith(("?", ":")) and official(nxt):
            return True
        # a log kept by hand and sent back in the next sentence ("Tick it on the sheet. Call
        # the front desk each Friday to report it.")
        if nxt is not None and report is not None and report.search(nxt) and official(nxt):
            return True
    return False


PAGE_HEAD_LINES = 3  # the lines a printed screen's header fills


def _page_of_a_channel(ctx: Context) -> bool:
    """The draft is a page of the clinic's portal or app: its first lines name the channel
    ("Granite Peak Orthopedic Therapy - Patient Portal", "**Summit Physio app · My Playlist**")."""
    head = [t for t in (ln.text for ln in ctx.draft.lines[:20]) if t.strip()][:PAGE_HEAD_LINES]
    clinic = ctx.config.clinic
    own = [n.strip().lower() for n in (clinic.portal_name, clinic.app_name) if n and n.strip()]
    screen = ctx.rx("screen_channel")
    return any(screen.search(t) or any(n in t.lower() for n in own) for t in head)


# clause boundaries inside one sentence: "Tick the sheet on your fridge, and message us in the portal"
_LOG_CLAUSE = re.compile(r";|,[ \t]*+(?:and|but|y|pero)[ \t]++|,[ \t]*+then[ \t]++", re.I)


def _paper_log(ctx: Context, s: str, official) -> bool:
    """The official channel a log sentence names is only for problems, in another clause: "Tick
    each day on the paper sheet, and send us a portal message if anything goes wrong"."""
    if not ctx.rx("problem_cue").rx.search(s):
        return False
    log = ctx.rx("log_cue").rx
    clauses = [c for c in _LOG_CLAUSE.split(s) if log.search(c)]
    return bool(clauses) and not any(official(c) for c in clauses)


@rule("FB001")
def no_log_line(ctx: Context):
    if not _channel_line(ctx, "log_cue"):
        yield hit(None)


@rule("FB002")
def no_problem_line(ctx: Context):
    if not _channel_line(ctx, "problem_cue"):
        yield hit(None)


# "message me in the app", "write to me through MyChart": the clinic's channel, named right after
_THROUGH = re.compile(r",?[ \t]+(?:in|on|through|via|using|at|over)[ \t]+(?:the[ \t]+|our[ \t]+|your[ \t]+)?")
_QUALIFIER = re.compile(r"[\w'’.&-]{1,30}[ \t]+")  # one word before the channel's name: "the *team* app"
_HERE = re.compile(r"[ \t]+here\b", re.I)  # "message me here": the channel this is read in, like "reply here"


def _via_channel(ctx: Context, s: str, pos: int) -> bool:
    """The words at pos name an official channel, after at most four qualifiers ("in the
    Ridge College Sports Medicine app", "in the team app")."""
    for _ in range(5):
        if ctx.channel_pattern.match(s, pos):
            return True
        q = _QUALIFIER.match(s, pos)
        if not q or ctx.rx("not_channel_qualifier").rx.match(q.group(0)):
            return False
        pos = q.end()
    return False


@rule("FB003")
def personal_contact(ctx: Context):
    rx = ctx.rx("personal_contact").rx
    for ln, s, _ in ctx.sentence_hits("personal_contact"):
        for m in rx.finditer(s):
            if m.group(0).lower().endswith(" me"):
                via = _THROUGH.match(s, m.end())
                if via and _via_channel(ctx, s, via.end()) or _HERE.match(s, m.end()):
                    continue
            yield hit(ln.no, text=_quote(m.group(0), 40))
            break


# -- milestone --------------------------------------------------------------------------------

LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,2}[.)])\s")


def _milestone_lines(ctx: Context) -> list[Line]:
    sec = [ln for ln in ctx.draft.section("milestone") if ln.text.strip()]
    if sec:
        return sec
    # a heading that is itself the milestone ("**Goal for Thursday: ...**")
    line = _pattern(ctx.language, "milestone_line")
    lines = [ln for ln in ctx.draft.lines if ln.text.strip() and line.search(ln.text)]
    return _with_body(ctx, lines)


def _is_label(text: str) -> bool:
    """A line that only names its topic ("Goal for Friday", "Your goal:"): the rule is below it."""
    t = plain(text).strip().rstrip(":").strip()
    return 0 < len(t.split()) <= 6 and not t.endswith((".", "!", "?")) and ":" not in t


def _with_body(ctx: Context, lines: list[Line]) -> list[Line]:
    """A label line the reader did not take for a heading ("Goal for Friday" above a
    bullet) is read with the block under it: the topic is in the label, the goal below."""
    blocks = getattr(ctx.draft, "blocks", ())
    if not lines or not blocks or not _is_label(lines[0].text):
        return lines
    at = next((i for i, b in enumerate(blocks) if any(ln.no == lines[0].no for ln in b.lines)), None)
    if at is None:
        return lines
    if len(blocks[at].lines) != 1:
        # "GOAL FOR MY NEXT VISIT (Thursday)" with the goal on the lines right under it, no blank
        # line between: the label opens the paragraph, the rest of the paragraph is the goal
        own = blocks[at].lines
        if own[0].no != lines[0].no:
            return lines
        out = [ln for ln in own if ln.text.strip()]
        return out + [ln for ln in lines[1:] if ln.no not in {x.no for x in out}]
    out = list(lines[:1])
    for b in blocks[at + 1 :]:
        if b.kind == "heading" or (b.kind == "para" and out[1:]) or (b.kind == "para" and _is_label(b.text)):
            break
        out.extend(ln for ln in b.lines if ln.text.strip())
        if b.kind == "para":
            break
    return out + [ln for ln in lines[1:] if ln.no not in {x.no for x in out}]


@rule("MS001")
def no_milestone(ctx: Context):
    if not _milestone_lines(ctx):
        yield hit(None)


def _milestone_text(ctx: Context) -> tuple[int, str] | None:
    lines = _milestone_lines(ctx)
    if not lines:
        return None
    heading = next((h for no, h, el in ctx.draft.headings if el == "milestone"), "")
    return lines[0].no, " ".join([heading] + [plain(ln.text) for ln in lines])




@rule("MS002")
def vague_milestone(ctx: Context):
    found = _milestone_text(ctx)
    if not found:
        return
    no, _ = found
    # what the goal says, without its label ("Goal for Thursday", "Your goal:")
    heading = next((h for _, h, el in ctx.draft.headings if el == "milestone"), "")
    milestone_line = _pattern(ctx.language, "milestone_line")
    lines = [plain(ln.text) for ln in _milestone_lines(ctx)]
    # (a heading naming two elements, "Check-in and goal", is a label of the section, not the goal's words)
    label_only = _is_label(heading) or _names_two_elements(heading)
    parts = ([] if label_only else [heading]) + [x for x in lines if not (_is_label(x) and milestone_line.search(x))]
    body = " ".join(p for p in (_pattern(ctx.language, "milestone_label").sub("", x, count=1) for x in parts) if p.strip())
    observable = ctx.rx("observable").search(body)
    vague = ctx.rx("vague_milestone").search(body)
    has_number = _pattern(ctx.language, "number_word").search(body)
    # observable without a fixed verb list: a concrete statement of a few words that is not
    # one of the vague phrasings ("knee flat on the bed while you do the squeeze")
    concrete = len(re.findall(r"[A-Za-z']+" if ctx.language == "en" else r"[^\W\d_]+", body)) >= 5 and not vague
    if (vague and not has_number) or not (observable or concrete):
        yield hit(no, text=_quote(body.strip(), 60))


@rule("MS003")
def several_milestones(ctx: Context):
    items = [ln for ln in _milestone_lines(ctx) if LIST_ITEM.match(ln.text)]
    if len(items) > 1:
        yield hit(items[1].no, count=len(items))


@rule("MS004")
def milestone_deadline(ctx: Context):
    found = _milestone_text(ctx)
    if found and not ctx.rx("deadline").search(found[1]):
        yield hit(found[0])


# -- plain language ---------------------------------------------------------------------------


def _grade_rule(rule_id: str, limit_attr: str, upper: str | None):
    def check(ctx: Context):
        r = ctx.readability
        if r is None or r.fk_grade is None or len(ctx.prose_sentences) < ctx.config.reading_grade.min_sentences:
            return  # Spanish drafts: PL005/PL006
        limit = getattr(ctx.config.reading_grade, limit_attr)
        top = getattr(ctx.config.reading_grade, upper) if upper else None
        grade = round(r.fk_grade, 1)  # the figure the message shows: "grade 6.0" is not above 6
        if grade > limit and (top is None or grade <= top):
            yield hit(None, grade=r.fk_grade, limit=_fmt(limit))

    rule(rule_id)(check)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


_grade_rule("PL001", "warning_above", "error_above")
_grade_rule("PL002", "error_above", None)


def _ease_rule(rule_id: str, level: str):
    """Spanish drafts: INFLESZ and Fernández-Huerta against the clinic's targets (higher
    is easier); the warning band stops where the error band starts."""

    def check(ctx: Context):
        r, cfg = ctx.readability, ctx.config.reading_ease_es
        if r is None or r.szigriszt_pazos is None or len(ctx.prose_sentences) < cfg.min_sentences:
            return
        sp, fh = round(r.szigriszt_pazos, 1), round(r.fernandez_huerta, 1)  # the figures the message shows
        below_error = sp < cfg.inflesz_error_below or fh < cfg.fernandez_huerta_error_below
        below_warning = sp < cfg.inflesz_warning_below or fh < cfg.fernandez_huerta_warning_below
        if (below_error if level == "error" else below_warning and not below_error):
            from hep_mcp.readability import FERNANDEZ_HUERTA_BANDS, band

            yield hit(
                None,
                inflesz=sp,
                band=r.inflesz,
                fh=fh,
                fh_band=band(fh, FERNANDEZ_HUERTA_BANDS),
                limit=_fmt(cfg.inflesz_error_below if level == "error" else cfg.inflesz_warning_below),
                fh_limit=_fmt(cfg.fernandez_huerta_error_below if level == "error" else cfg.fernandez_huerta_warning_below),
            )

    rule(rule_id)(check)


_ease_rule("PL005", "warning")
_ease_rule("PL006", "error")


@lru_cache(maxsize=64)
def _jargon_table(extra: tuple[tuple[str, str], ...], language: str = "en") -> dict[str, str]:
    from hep_mcp import lang

    table = {k.lower(): v for k, v in lang.data(language, "jargon")["jargon"].items()}
    table.update({k.lower(): v for k, v in extra})
    return table


@lru_cache(maxsize=256)
def _terms_pattern(terms: tuple[str, ...], flags: int) -> re.Pattern:
    alts = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(r"(?<![\w/-])(" + alts + r")(?![\w/-])", flags)


@rule("PL003")
def jargon(ctx: Context):
    return iter(_cached(ctx, "_pl003", _jargon))


def _jargon(ctx: Context):
    table = _jargon_table(tuple(sorted(ctx.config.extra_jargon.items())), ctx.language)
    # only the terms that occur at all go into the pattern (most drafts have none)
    present = tuple(t for t in table if ctx.has(t))
    if not present:
        return
    rx = _terms_pattern(present, re.I)
    for ln in ctx.draft.lines:
        seen = set()
        for m in rx.finditer(ln.text):
            term = m.group(1).lower()
            # defined in place, e.g. "lie on your stomach (prone)"
            before, after = ln.text[: m.start()], ln.text[m.end() :]
            if before.rstrip().endswith("(") and after.lstrip().startswith(")"):
                continue
            if term not in seen:
                seen.add(term)
                yield hit(ln.no, term=m.group(1), plain=table[term])


@rule("PL007")
def jargon_dense(ctx: Context):
    terms: dict[str, int | None] = {}
    for h in [*jargon(ctx), *abbreviation(ctx)]:
        terms.setdefault(str(h.params["term"]).lower(), h.line)
    limit = ctx.config.jargon_error_above
    if len(terms) > limit:
        first = min((no for no in terms.values() if no is not None), default=None)
        shown = ", ".join(f'"{t}"' for t in list(terms)[:5]) + (", ..." if len(terms) > 5 else "")
        yield hit(first, count=len(terms), terms=shown, limit=limit)


@lru_cache(maxsize=None)
def _abbreviations(language: str = "en") -> tuple[dict[str, str], list[tuple[re.Pattern, str]], re.Pattern]:
    from hep_mcp import lang

    data = lang.data(language, "abbreviations")
    pats = [(re.compile(p["pattern"], re.I), p["plain"]) for p in data["patterns"]]
    # any digit next to an x: the only way the patterns can match
    quick = re.compile(r"\d\s*[x×]|[x×]\s?\d", re.I)
    return data["abbreviations"], pats, quick


@rule("PL004")
def abbreviation(ctx: Context):
    return iter(_cached(ctx, "_pl004", _abbreviation))


def _abbreviation(ctx: Context):
    table, pats, quick = _abbreviations(ctx.language)
    text = ctx.draft.text
    present = tuple(t for t in table if t in text)
    rx = _terms_pattern(present, 0) if present else None
    numeric = quick.search(text) is not None
    if rx is None and not numeric:
        return
    for ln in ctx.draft.lines:
        spans: list[tuple[int, int]] = []
        if numeric:
            for p, advice in pats:
                for m in p.finditer(ln.text):
                    if any(a <= m.start() < b for a, b in spans):
                        continue
                    spans.append(m.span())
                    yield hit(ln.no, term=m.group(0).strip(), plain=advice)
        if rx is None:
            continue
        seen = set()
        for m in rx.finditer(ln.text):
            term = m.group(1)
            if term in seen or any(a <= m.start() < b for a, b in spans):
                continue
            seen.add(term)
            yield hit(ln.no, term=term, plain=f'"{table[term]}"')


# -- privacy -------------------------------------------------------------------------------------


def _privacy_rule(rule_id: str, cue: str):
    def check(ctx: Context):
        for ln, m in ctx.matches(f"privacy.{cue}", ctx.draft.lines):
            yield hit(ln.no, text=_quote(ln.text, 50))

    rule(rule_id)(check)


_privacy_rule("PV001", "date_of_birth")
_privacy_rule("PV002", "record_number")
_privacy_rule("PV003", "insurance_id")
_privacy_rule("PV004", "ssn")
_privacy_rule("PV005", "street_address")


# -- format ---------------------------------------------------------------------------------------


@rule("FM001")
def empty(ctx: Context):
    if not ctx.draft.text or ctx.draft.text.isspace():
        yield hit(None)


@rule("FM002")
def off_topic(ctx: Context):
    if ctx.draft.text and not ctx.draft.text.isspace() and ctx.first("topic") is None:
        yield hit(None)


@rule("FM003")
def over_one_page(ctx: Context):
    # the check-off grid (a table) is boxes, not reading
    words = sum(len(plain(ln.text).split()) for ln in ctx.draft.body if not ln.text.lstrip().startswith("|"))
    # a rendered handout's clinic contact block is the clinic's, not reading the therapist can cut
    words -= ctx.extra.get("contact_words", 0)
    if words > ctx.config.page_word_budget:
        yield hit(None, count=words, budget=ctx.config.page_word_budget)


@lru_cache(maxsize=None)
def _placeholders(language: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in cue_data(language)["placeholders"]))


@rule("FM006")
def unfilled_placeholder(ctx: Context):
    rx = _placeholders(ctx.language)
    for ln in ctx.draft.lines:
        if "{{" in ln.text or "<<" in ln.text or "[" in ln.text or "***" in ln.text:
            m = rx.search(ln.text)
            if m:
                yield hit(ln.no, text=m.group(0))


@rule("FM004")
def no_greeting(ctx: Context):
    first = next((ln for ln in ctx.draft.lines if ln.text.strip()), None)
    if first is not None and ctx.first("greeting", [first]) is None:
        yield hit(first.no)


# -- the clinic's number and the text-message budget (patient outputs) -------------------------


@lru_cache(maxsize=1)
def _phone_patterns() -> tuple[re.Pattern, re.Pattern]:
    data = load_data("outputs.yaml")["clinic_phone"]
    return re.compile(data["needs_number"], re.I), re.compile(data["number"])


@rule("SF007")
def clinic_call_without_number(ctx: Context):
    phone = ctx.config.clinic.phone
    if not (ctx.extra.get("rendered") or phone):
        return  # a free-text draft, and the clinic has not given its number: nothing to ask for
    needs, number = _phone_patterns()
    if phone:
        why, fix = "", f"Give the clinic's number in the sentence: \"call the clinic at {phone}\"."
    else:
        why = " (the clinic config has no phone)"
        fix = (
            "Add the clinic's phone to the clinic config (clinic: phone: \"...\"); every handout then prints "
            "it in each call-the-clinic line."
        )
    for ln in ctx.draft.body:
        text = plain(ln.text)
        for s in sentences(text) or [text]:
            if needs.search(s) and not number.search(s):
                yield hit(ln.no, text=_quote(s, 60), why=why, fix=fix)
                break


_COUNTER = re.compile(r"^[ \t]*(\d{1,4})/(\d{1,4})[ \t]", re.M)


@rule("FM005")
def sms_over_budget(ctx: Context):
    """Generated SMS: the renderer's counts; a pasted SMS draft: its "k/n" counters."""
    budget = ctx.extra.get("sms_budget") or load_data("outputs.yaml")["sms_budget"]  # the renderer's, by language
    counts = ctx.extra.get("sms_counts")
    if counts is None:
        totals = [int(m.group(2)) for m in _COUNTER.finditer(ctx.draft.text)]
        counts = {"plan": max(totals)} if totals else {}
    names = {"plan": "The text-message plan", "warning": "The warning signs", "reminder": "The daily reminder"}
    for part, count in counts.items():
        if count > budget[part]:
            yield hit(None, what=names[part], count=count, budget=budget[part])
