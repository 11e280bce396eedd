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


@pytest.mark.parametrize("field,repeats", [("description", 30), ("tie_back", 3)])
def test_long_therapist_text_in_the_sms_format(field, repeats):
    data = yaml.safe_load((EXAMPLES / "tkr.yaml").read_text(encoding="utf-8"))
    data["exercises"][0][field] = ("Keep your heel on the bed and move slowly, without rushing it. " * repeats).strip()
    result = generate_hep(data, "sms")
    assert all(fits(m) for m in result.messages)
    flat = " ".join(" ".join(strip_counter(m) for m in result.messages).split())
    assert " ".join(data["exercises"][0][field].split()) in flat


def test_non_gsm_name_gives_70_character_messages_only_where_needed():
    data = yaml.safe_load((EXAMPLES / "tkr.yaml").read_text(encoding="utf-8"))
    data["patient_first_name"] = "Zoë"  # ë is not GSM-7
    result = generate_hep(data, "sms")
    first = result.messages[0]
    assert "Zoë" in first and message_cost(first)[1] == 70 and fits(first)
    assert any(message_cost(m)[1] == 160 for m in result.messages[1:])
    assert result.ready and not result.findings
