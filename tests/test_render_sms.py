"""Text messages: GSM-7 counting, limits, numbering, and splitting that never cuts a word or drops text."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from hep_mcp.render import generate_hep
from hep_mcp.render.sms import (
    GSM_LIMIT,
    UNICODE_LIMIT,
    fits,
    gsm7_length,
    is_gsm7,
    message_cost,
    split,
    strip_counter,
    to_gsm_twins,
    ucs2_length,
)
from tests.test_render import EXAMPLES


@pytest.mark.parametrize("text,gsm,length", [
    ("Hello, Maria! 10 times.", True, 23),
    ("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", True, 42),
    ("{}", True, 4),  # extension table: escape + character
    ("[~]|^€\\", True, 14),
    ("a\fb", True, 4),  # form feed is in the extension table
    ("café", True, 4),  # é is GSM-7
    ("naïve", False, None),  # ï is not
    ("don’t", False, None),  # the typographic apostrophe is not
    ("Ç ç", False, None),  # only the capital is in GSM-7
    ("`", False, None),
])
def test_gsm7_detection_and_length(text, gsm, length):
    assert is_gsm7(text) is gsm
    if gsm:
        assert gsm7_length(text) == length
        assert message_cost(text) == (length, GSM_LIMIT)
    else:
        assert message_cost(text) == (ucs2_length(text), UNICODE_LIMIT)


def test_ucs2_counts_emoji_as_two():
    assert ucs2_length("ok 👍") == 5
    assert message_cost("ok 👍") == (5, 70)


def test_limits_at_the_edge():
    assert fits("a" * 160) and not fits("a" * 161)
    assert fits("{" * 80) and not fits("{" * 80 + "a")  # 80 extension characters = 160
    assert fits("ï" * 70) and not fits("ï" * 71)


def test_typographic_twins_become_gsm():
    assert to_gsm_twins("don’t “stop” – ok…") == "don't \"stop\" - ok..."
    assert is_gsm7(to_gsm_twins("don’t “stop” – ok…"))


def words_of_messages(msgs: list[str]) -> list[str]:
    return " ".join(strip_counter(m) for m in msgs).split()


def check_split(source: str):
    sms = split(source)
    n = len(sms.messages)
    for k, m in enumerate(sms.messages, start=1):
        assert m.startswith(f"{k}/{n} "), m
        assert fits(m), (k, message_cost(m))
    # nothing dropped, nothing added, order kept
    assert words_of_messages(sms.messages) == source.split()
    return sms


def test_long_line_splits_between_words_only():
    words = [f"word{i}" for i in range(400)]
    sms = check_split(" ".join(words))
    assert len(sms.messages) > 10
    for m in sms.messages:
        for w in strip_counter(m).split():
            assert re.fullmatch(r"word\d+", w)  # every word whole


def test_prefers_sentence_breaks():
    sentence = "Lie on your back and lift your leg up slowly. "
    sms = check_split(sentence * 12)
    for m in sms.messages[:-1]:
        assert m.rstrip().endswith("."), m


def test_groups_start_new_messages():
    sms = check_split("Plan: three exercises.\n\nExercise 1: Heel slides\nSlide your heel.\n\nCheck in: tap Done.")
    assert [strip_counter(m) for m in sms.messages] == [
        "Plan: three exercises.",
        "Exercise 1: Heel slides\nSlide your heel.",
        "Check in: tap Done.",
    ]


def test_non_gsm_text_uses_the_70_limit():
    sms = check_split(" ".join(["naïve"] * 60))
    assert all(message_cost(m)[1] == 70 and message_cost(m)[0] <= 70 for m in sms.messages)
    # a message without the odd character goes back to 160
    mixed = check_split("naïve " * 5 + "\n\n" + "plain words " * 20)
    assert message_cost(mixed.messages[-1])[1] == 160


def test_a_word_longer_than_a_message_is_the_only_cut():
    long_word = "x" * 400
    sms = split(f"Before {long_word} after.")
    joined = "".join(strip_counter(m).replace(" ", "").replace("\n", "") for m in sms.messages)
    assert joined == f"Before{long_word}after."
    assert all(fits(m) for m in sms.messages)


def test_counter_width_grows_with_the_count():
    sms = check_split(" ".join(["abcdefghi"] * 1700))
    assert len(sms.messages) >= 100
    assert sms.messages[-1].startswith(f"{len(sms.messages)}/{len(sms.messages)} ")


words = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABC.,!?{}€ïé'") + ["👍"]), min_size=1, max_size=40
)


@given(st.lists(st.lists(st.lists(words, min_size=1, max_size=40), min_size=1, max_size=4), min_size=1, max_size=6))
def test_split_property_never_drops_or_cuts(groups):
    source = "\n\n".join("\n".join(" ".join(line) for line in group) for group in groups)
    sms = split(source)
    for m in sms.messages:
        assert fits(m)
    # every word is in one message, whole (no word here is longer than a message)
    assert words_of_messages(sms.messages) == source.split()


CLINIC = EXAMPLES / "clinic" / "clinic.yaml"


@pytest.mark.parametrize("field,text", [
    ("problem", "Keep your heel on the bed and move slowly, without rushing it. " * 20),
    ("log", "Each day you do them, tap Done in the portal, then rest for a while. " * 3),
])
def test_long_therapist_text_in_the_sms_format(field, text):
    from hep_mcp.config import load_config

    data = yaml.safe_load((EXAMPLES / "tkr.yaml").read_text(encoding="utf-8"))
    data["feedback"][field] = text.strip()
    result = generate_hep(data, "sms", config=load_config(CLINIC))
    every = [*result.messages, *result.warning_messages, result.reminder]
    assert all(fits(m) for m in every)
    flat = " ".join(" ".join(strip_counter(m) for m in every).split())
    if field == "problem":  # sent whole, and over budget: a finding, not silence
        assert " ".join(text.split()) in flat
        assert "FM005" in {f.rule for f in result.findings}
    else:  # the reminder stays one message: the log line goes, the plan still fits
        assert len(result.reminder) <= 160 and len(result.messages) <= 3


def test_non_gsm_name_gives_70_character_messages_only_where_needed():
    from hep_mcp.config import load_config

    data = yaml.safe_load((EXAMPLES / "tkr.yaml").read_text(encoding="utf-8"))
    data["patient_first_name"] = "Zoë"  # ë is not GSM-7
    result = generate_hep(data, "sms", config=load_config(CLINIC))
    # a 70-character message for the name would push the plan past 3: the plan greets without it
    assert len(result.messages) <= 3 and all(message_cost(m)[1] == 160 for m in result.messages)
    assert all(fits(m) for m in [*result.messages, *result.warning_messages, result.reminder])
    assert result.ready and not result.findings
    short = data | {"exercises": [dict(data["exercises"][0], dose="10 times")]}
    short["schedule"] = {"when": "Every day", "where": "at home", "trigger": "after breakfast", "amount": "One round"}
    short["feedback"] = dict(data["feedback"], problem="Send a portal message with any problem.")
    result = generate_hep(short, "sms", config=load_config(CLINIC))
    assert "one exercise." in result.messages[0]
    assert "Zoë" in result.messages[0] and message_cost(result.messages[0])[1] == 70 and fits(result.messages[0])


# -- grapheme clusters ---------------------------------------------------------------------------


@pytest.mark.parametrize("text,clusters", [
    ("e\u0301te\u0301", ["e\u0301", "t", "e\u0301"]),  # combining accents stay on their letter
    ("\U0001F44D\U0001F3FDok", ["\U0001F44D\U0001F3FD", "o", "k"]),  # a skin tone stays on its emoji
    ("\U0001F1FA\U0001F1F8\U0001F1EB\U0001F1F7\U0001F1E9", ["\U0001F1FA\U0001F1F8", "\U0001F1EB\U0001F1F7", "\U0001F1E9"]),  # flags in pairs
    ("\U0001F468\u200d\U0001F469\u200d\U0001F467!", ["\U0001F468\u200d\U0001F469\u200d\U0001F467", "!"]),  # ZWJ sequence
    ("\u2764\ufe0f1\ufe0f\u20e3", ["\u2764\ufe0f", "1\ufe0f\u20e3"]),  # variation selector, keycap
    ("\u1100\u1161\u11a8\uac00", ["\u1100\u1161\u11a8", "\uac00"]),  # Hangul jamo
    ("a\r\nb", ["a", "\r\n", "b"]),
    ("\u0915\u094d\u0937", ["\u0915\u094d", "\u0937"]),  # virama: extend (conjuncts beyond this are not joined)
])
def test_graphemes(text, clusters):
    from hep_mcp.render.sms import graphemes

    assert graphemes(text) == clusters
    assert "".join(graphemes(text)) == text


@pytest.mark.parametrize("unit", ["e\u0301", "\U0001F44D\U0001F3FD", "\U0001F1FA\U0001F1F8", "n\u0303\u0301"])
def test_a_long_word_is_cut_only_between_grapheme_clusters(unit):
    from hep_mcp.render.sms import graphemes

    word = unit * 120  # far longer than one message, no space to break at
    sms = split(f"Start {word} end.")
    assert all(fits(m) for m in sms.messages)
    pieces = [strip_counter(m) for m in sms.messages]
    assert "".join(p.replace(" ", "").replace("\n", "") for p in pieces) == f"Start{word}end."
    for p in pieces:
        for token in p.split():
            assert all(g == unit for g in graphemes(token)) or token in ("Start", "end.")


@given(st.lists(st.sampled_from(["a", "e\u0301", "\U0001F44D\U0001F3FF", "\U0001F1EF\U0001F1F5", "\u00e9", "z\u0308"]), min_size=1, max_size=400))
def test_split_property_never_cuts_a_cluster(units):
    from hep_mcp.render.sms import graphemes

    word = "".join(units)
    sms = split(word)
    assert all(fits(m) for m in sms.messages)
    recombined = [g for m in sms.messages for g in graphemes(strip_counter(m))]
    assert recombined == graphemes(word)
