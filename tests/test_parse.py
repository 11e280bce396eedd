import pytest

from hep_mcp.rules.parse import classify_heading, parse, sentences

HEADED = """# Ana's plan

## Your exercises

1. **Ankle pumps**: Point your toes up and down. We did this today.
   How much: 20 pumps.
2. **Thigh squeeze**: Tighten your thigh. We practiced it.
3. **Heel slides**: Slide your heel in and out. We did this last.

## When and where

Every morning, after coffee, in bed.

## Goal for next visit

Hold the squeeze 5 seconds by Friday.
"""

CHAT = """Hi Jo, here is your plan.

1. Thigh squeeze: Tighten your thigh. We did this today.
2. Heel slide: Slide your heel. We did this too.
3. Ankle pumps: Move your foot. We did this first.

Every morning, after you brush your teeth, in bed.
If your pain goes up more than 2 points, stop.
"""

SUBHEADINGS = """# Plan

## Your exercises

### 1. Weight shifts
Shift your weight. We did this at the bars.
How much: 10 shifts.

### 2. Lying on your stomach
Lie on your stomach. We talked about it today.

## Rules

- If your pain goes up more than 2 points, stop.
"""


@pytest.mark.parametrize(
    "text, names",
    [
        (HEADED, ["Ankle pumps", "Thigh squeeze", "Heel slides"]),
        (CHAT, ["Thigh squeeze", "Heel slide", "Ankle pumps"]),
        (SUBHEADINGS, ["Weight shifts", "Lying on your stomach"]),
        ("**Your exercises**\n\n- Arm swings: Swing your arm. We did it.\n- Grip: Squeeze a ball. We did it.\n", ["Arm swings", "Grip"]),
        ("Exercises:\n1. Walking: Walk 10 minutes.\n2. Bridge: Lift your hips.\n", ["Walking", "Bridge"]),
        ("Keep moving and call us.", []),
    ],
)
def test_exercises_found(text, names):
    assert [e.name for e in parse(text).exercises] == names


def test_labeled_dose_is_not_description():
    ex = parse(HEADED).exercises[0]
    assert ex.description_text == "Point your toes up and down. We did this today."
    assert [ln.no for ln in ex.labeled] == [6]


def test_sections_and_line_numbers():
    d = parse(HEADED)
    assert d.headed
    assert [ln.no for ln in d.section("schedule") if ln.text.strip()] == [12]
    assert [ln.no for ln in d.section("milestone") if ln.text.strip()] == [16]


def test_chat_list_ends_at_next_paragraph():
    d = parse(CHAT)
    assert d.exercises[-1].description_text == "Move your foot. We did this first."


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_numbers_survive_crlf_and_cr(newline):
    d = parse(HEADED.replace("\n", newline))
    assert [e.line for e in d.exercises] == [5, 7, 8]


@pytest.mark.parametrize(
    "heading, element",
    [
        ("Your exercises", "exercises"),
        ("When and where", "schedule"),
        ("Your rules", "response_rules"),
        ("When to stop", "response_rules"),
        ("Check in", "feedback"),
        ("Goal for next visit", "milestone"),
        ("Hello", None),
    ],
)
def test_classify_heading(heading, element):
    assert classify_heading(heading) == element


def test_sentences():
    assert sentences("Lie down. Bend your knee! Is it okay? yes") == ["Lie down.", "Bend your knee!", "Is it okay? yes"]


def test_a_label_on_the_line_under_an_item_is_not_part_of_its_name():
    # a hospital leaflet: "1. Quad sets" then "Sets: 2 / Repetitions: 10" on the next line
    text = "KNEE EXERCISES\n\n" + "".join(
        f"{i}. {name}\nSets: 2 / Repetitions: 10\n"
        for i, name in enumerate(
            ["Quad sets", "Straight leg raise", "Heel slides", "Short arc quads", "Long arc quads",
             "Ankle pumps", "Hamstring curls", "Hip abduction in supine", "Mini squats"], 1)
    )
    d = parse(text)
    assert [e.name for e in d.exercises] == [
        "Quad sets", "Straight leg raise", "Heel slides", "Short arc quads", "Long arc quads",
        "Ankle pumps", "Hamstring curls", "Hip abduction in supine", "Mini squats",
    ]
    assert [ln.text for ln in d.exercises[0].labeled] == ["Sets: 2 / Repetitions: 10"]
    assert d.exercises[0].description == []  # a name alone is no description
    # the label on the item's own first line still leads it; a bold lead may wrap
    assert parse("1. Quad sets: tighten your thigh.\n2. Heel slides: slide your heel.\n3. Bridge: lift.\n").exercises[0].name == "Quad sets"
    wrapped = parse("1. **Wall\npush.** Stand an arm's length from the wall.\n2. **Bridge.** Lift your hips.\n")
    assert wrapped.exercises[0].name.startswith("Wall")
