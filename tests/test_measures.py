"""The outcome-measure catalog: matching names, direction, MCID, and the verdict a note prints."""

from __future__ import annotations

import pytest

from hep_mcp.errors import InputError
from hep_mcp.model.note import ProgressNote
from hep_mcp.note import render
from hep_mcp.rules.measures import DIRECTIONS, catalog, identify

ENTRIES = catalog().entries

REQUIRED = {
    "pain_nprs", "pain_vas", "tug", "chair_stand_30s", "five_times_sts", "gait_speed", "six_minute_walk", "berg",
    "knee_flexion", "knee_extension", "knee_extension_deficit", "shoulder_flexion", "shoulder_abduction",
    "shoulder_external_rotation", "grip_strength", "lefs", "koos", "koos_jr", "odi", "ndi", "quickdash", "psfs",
    "foto_fs",
}


def note(*measures: dict, goals: list | None = None) -> ProgressNote:
    return ProgressNote.model_validate({"patient": "Ana", "measures": list(measures), "goals": goals or []})


def row(measure: dict, fmt: str = "text") -> str:
    """The rendered line of the one measure."""
    text, _ = render(note(measure), fmt)
    [line] = [ln for ln in text.splitlines() if ln.startswith(("- " + measure["name"], "| " + measure["name"]))]
    return line


# -- the catalog itself -------------------------------------------------------------------------------


def test_catalog_covers_the_required_measures():
    assert REQUIRED <= {e.id for e in ENTRIES}
    assert len({e.id for e in ENTRIES}) == len(ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_entry_is_well_formed_and_its_names_find_it(entry):
    assert entry.units, "every entry lists its units"
    for unit in entry.units.values():
        assert (unit.direction or entry.direction) in DIRECTIONS
    assert (entry.mcid is None) == (entry.cite is None), "an MCID carries its source"
    # The display name and every alias identify this entry, and nothing else
    for name in [entry.name, *(a for a, _ in entry.aliases)]:
        found = identify(name)
        assert found is not None and found.id == entry.id, (name, found and found.id)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("TUG", "tug"),
        ("Timed Up and Go (TUG)", "tug"),
        ("timed up & go", "tug"),
        ("pain NPRS", "pain_nprs"),
        ("NPRS pain, right knee", "pain_nprs"),
        ("Worst pain, last 24 hours", "pain_nprs"),
        ("Pain, right knee (VAS)", "pain_vas"),
        ("KOOS pain", "koos"),  # KOOS subscales are 0-100, 100 best: not a pain rating
        ("KOOS-JR", "koos_jr"),
        ("knee extension lag", "knee_extension_deficit"),
        ("Knee flexion contracture", "knee_extension_deficit"),
        ("Knee ext PROM, R", "knee_extension"),
        ("Knee bend (flexion), right", "knee_flexion"),
        ("Quick DASH", "quickdash"),
        ("DASH", "dash"),
        ("SPADI pain", "spadi"),
        ("6MWT", "six_minute_walk"),
        ("Two-minute walk test", "two_minute_walk"),
        ("30s chair stand", "chair_stand_30s"),
        ("30-Second Chair Stand Test", "chair_stand_30s"),
        ("5xSTS", "five_times_sts"),
        ("Five Times Sit to Stand Test", "five_times_sts"),
        ("10MWT", "gait_speed"),
        ("Comfortable gait speed", "gait_speed"),
        ("Shoulder ER, left", "shoulder_external_rotation"),
        ("External rotation, right shoulder", "shoulder_external_rotation"),
        ("Passive shoulder flexion, right", "shoulder_flexion"),
        ("Grip strength R", "grip_strength"),
        ("Oswestry (ODI)", "odi"),
        ("FOTO FS knee", "foto_fs"),
        ("Single-leg stance on the prosthetic side", "single_leg_stance"),
        # Never a guess: a word that changes what is measured leaves the name unmatched
        ("Pain-free walking distance", None),
        ("Pain pressure threshold", None),
        ("Pain self-efficacy", None),
        ("Knee extension strength", None),
        ("Sit to stand", None),  # 30-second count (higher) or five-times time (lower)?
        ("Hip extension", None),
        ("Hip external rotation", None),
        ("TUG cognitive", None),
        ("Knee AROM", None),
        ("", None),
    ],
)
def test_identify(name, expected):
    found = identify(name)
    assert (found.id if found else None) == expected


# -- every measure, both ways, with the MCID judgement ------------------------------------------------


def _cases():
    for e in ENTRIES:
        for key, unit in e.units.items():
            direction = unit.direction or e.direction
            factor = unit.factor or 1.0
            mcid = e.mcid / factor if e.mcid is not None and unit.factor is not None else None
            step = 2 * mcid if mcid else 4.0
            small = mcid / 2 if mcid else None
            low = e.low / factor if e.low is not None and unit.factor else 0.0
            high = e.high / factor if e.high is not None and unit.factor else low + 20 * step
            mid = (low + high) / 2
            if direction == "toward_zero":
                for sign in (-1, 1):  # "lacks 10 degrees" written -10 or 10
                    yield e, key, sign * 20, sign * 5, "improved", mcid
                    yield e, key, sign * 5, sign * 20, "declined", mcid
                continue
            up, down = ("improved", "declined") if direction == "higher" else ("declined", "improved")
            yield e, key, mid - step / 2, mid + step / 2, up, mcid
            yield e, key, mid + step / 2, mid - step / 2, down, mcid
            if small:
                yield e, key, mid, mid + small, "no meaningful change", mcid
                yield e, key, mid, mid - small, "no meaningful change", mcid


CASES = list(_cases())


@pytest.mark.parametrize(
    "entry, unit, baseline, current, verdict, mcid", CASES, ids=[f"{c[0].id}-{c[1]}-{c[4]}-{i}" for i, c in enumerate(CASES)]
)
def test_every_measure_renders_improvement_and_decline(entry, unit, baseline, current, verdict, mcid):
    name = entry.aliases[0][0]
    line = row({"name": name, "unit": unit, "baseline": round(baseline, 3), "current": round(current, 3)})
    assert f"({verdict}; " in line, line
    if mcid is None:
        assert "MCID none known" in line, line
    elif verdict == "improved":
        assert f"({entry.cite}): met." in line, line
    elif verdict == "declined":
        assert f"({entry.cite}): decline beyond the MCID." in line, line
    else:
        assert f"({entry.cite}): not met." in line, line


def test_the_reported_inversions_now_read_improved():
    tug = row({"name": "Timed Up and Go", "unit": "seconds", "baseline": 18, "current": 12})
    assert "change from baseline -6 (improved; lower is better); MCID 0.8 (Wright 2011, hip OA): met." in tug
    pain = row({"name": "Pain", "unit": "/10", "baseline": 6, "current": 3}, fmt="markdown")
    assert "| -3 (improved; lower is better) | 2 (Childs 2005; Farrar 2001): met |" in pain
    for line in (tug, pain):
        assert "worse" not in line and "declined" not in line


def test_unknown_measure_with_a_direction_and_no_mcid_says_so():
    line = row({"name": "Stair climb test", "unit": "seconds", "baseline": 30, "current": 22, "higher_is_better": False})
    assert "-8 (improved; lower is better); MCID none known." in line


def test_therapist_mcid_replaces_the_catalogs():
    line = row({"name": "TUG", "unit": "s", "baseline": 18.5, "current": 16.5, "mcid": 2.5})
    assert "(no meaningful change; lower is better); MCID 2.5: not met." in line and "Wright" not in line


def test_catalog_mcid_is_converted_to_the_therapists_unit():
    assert "MCID 164.04 (Perera 2006, older adults): met." in row({"name": "6MWT", "unit": "feet", "baseline": 600, "current": 800})
    assert "MCID 15 (Cleland 2008): met." in row({"name": "NDI", "unit": "%", "baseline": 50, "current": 30})
    assert "MCID 14.33 (Kim 2014, distal radius fracture): met." in row({"name": "Grip", "unit": "lb", "baseline": 40, "current": 60})


def test_no_catalog_mcid_without_the_unit_when_units_differ():
    line = row({"name": "6MWT", "baseline": 200, "current": 300})
    assert "(improved; higher is better); MCID none applied (unit not given)." in line


def test_gait_speed_direction_follows_the_unit():
    assert "(improved; higher is better)" in row({"name": "10MWT", "unit": "m/s", "baseline": 0.6, "current": 0.9})
    assert "(improved; lower is better)" in row({"name": "10MWT", "unit": "seconds", "baseline": 16, "current": 11})


def test_knee_extension_either_sign_convention():
    neg = row({"name": "Knee extension, right", "unit": "degrees", "baseline": -12, "current": -3})
    pos = row({"name": "Knee extension, right", "unit": "degrees", "baseline": 12, "current": 3})
    assert "+9 (improved; closer to 0 is better)" in neg and "-9 (improved; closer to 0 is better)" in pos
    # a direction that agrees with the sign used is accepted
    assert "(improved;" in row({"name": "Extension lag", "unit": "deg", "baseline": 15, "current": 5, "higher_is_better": False})


def test_a_different_test_sharing_the_name_uses_the_therapists_direction():
    line = row({"name": "Knee extension", "unit": "lb", "baseline": 20, "current": 35, "higher_is_better": True})
    assert "+15 (improved; higher is better); MCID none known." in line


# -- input errors name the field ----------------------------------------------------------------------


def _error(measures: list[dict]) -> str:
    with pytest.raises(InputError) as exc:
        render(note(*measures), "markdown", source="case.yaml")
    message = str(exc.value)
    assert "\n" not in message
    return message


OK = {"name": "30s chair stand", "unit": "reps", "baseline": 8, "current": 11}


@pytest.mark.parametrize(
    "measure, expected",
    [
        (
            {"name": "Stair climb test", "unit": "seconds", "baseline": 30, "current": 22},
            "case.yaml: measures.2.higher_is_better: 'Stair climb test' is not in the measure catalog; say whether higher or lower is better",
        ),
        (
            {"name": "TUG", "unit": "seconds", "baseline": 18, "current": 12, "higher_is_better": True},
            "case.yaml: measures.2.higher_is_better: true contradicts the measure catalog: 'TUG' reads as Timed Up and Go, where lower is better",
        ),
        (
            {"name": "Knee flexion", "unit": "degrees", "baseline": 90, "current": 100, "higher_is_better": False},
            "measures.2.higher_is_better: false contradicts the measure catalog: 'Knee flexion' reads as Knee flexion range of motion, where higher is better",
        ),
        (
            {"name": "Knee extension", "unit": "degrees", "baseline": 10, "current": 3, "higher_is_better": True},
            "measures.2.higher_is_better: true does not fit Knee extension range of motion",
        ),
        (
            {"name": "Knee extension", "unit": "lb", "baseline": 20, "current": 35},
            "measures.2.higher_is_better: 'Knee extension' reads as Knee extension range of motion, but unit 'lb' is not one of its units (degree)",
        ),
        (
            {"name": "10 meter walk test", "baseline": 16, "current": 11},
            "measures.2.unit: Gait speed (10-metre walk) is reported two ways",
        ),
        (
            {"name": "Pain", "baseline": 6, "current": 12},
            "measures.2.current: 12 is outside the range of Pain (NPRS 0-10) (0 to 10 point)",
        ),
        (
            {"name": "Berg Balance Scale", "unit": "points", "baseline": -1, "current": 40},
            "measures.2.baseline: -1 is outside the range of Berg Balance Scale (0 to 56 point)",
        ),
    ],
)
def test_measure_input_errors_name_the_field(measure, expected):
    other = {"name": "Grip", "unit": "kg", "baseline": 20, "current": 24}
    assert expected in _error([OK, other, measure])


# -- goals: term only when given --------------------------------------------------------------------


def test_goal_term_shown_only_when_given():
    goals = [
        {"text": "Walk to the bus stop", "status": "progressing", "measure": "30s chair stand"},
        {"text": "Garden for an hour", "status": "met", "term": "long"},
    ]
    md, _ = render(note(OK, goals=goals), "markdown")
    assert "| # | Goal | Term | Target date |" in md and "| 1 | Walk to the bus stop | - |" in md and "| long term |" in md
    txt, _ = render(note(OK, goals=goals), "text")
    assert "1. Walk to the bus stop. Measure:" in txt and "2. Garden for an hour (long term). Measure:" in txt
    md, _ = render(note(OK, goals=goals[:1]), "markdown")
    assert "Term" not in md and "term" not in md


# -- free-text notes: NP022 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, actual",
    [
        ("O: TUG 18 -> 12 seconds (worse).", "an improvement"),
        ("Pain worse, 6/10 to 3/10.", "an improvement"),
        ("ODI got worse: 40% to 30%", "an improvement"),
        ("Knee flexion improved from 110 to 95 degrees.", "a decline"),
        ("Pain at rest improved from 3 to 5", "a decline"),
        ("Knee extension worse, 10 to 3 degrees", "an improvement"),  # closer to 0 either sign
        ("O: TUG improved from 18 to 12 seconds.", None),
        ("Pain improved from 6/10 to 3/10", None),
        ("KOOS pain improved from 40 to 60", None),  # KOOS: higher is better
        ("Pain-free walking distance improved from 300 to 500 feet", None),  # not a pain score: no guess
        ("Gait speed improved 0.9 to 0.6", None),  # m/s or seconds? the unit is not known
        ("Visits 3 to 8; better", None),
        ("Reporting period 2024-03-04 to 2024-03-15, pain better", None),
        ("TUG 18 to 12 s and Berg 40 to 48, better", None),  # two changes, one word: not judged
    ],
)
def test_free_text_change_word_against_the_catalog_direction(text, actual):
    from hep_mcp.rules import run

    findings = run(text, kind="note", only=["NP022"]).findings
    if actual is None:
        assert findings == []
    else:
        [f] = findings
        assert f.severity == "error" and f.message.endswith(f"this is {actual}")


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_structured_note_rows_never_trip_it_but_an_inverted_assessment_does(fmt):
    from hep_mcp.note import progress_note

    measures = [
        {"name": "TUG", "unit": "seconds", "baseline": 18, "current": 12},
        {"name": "Knee flexion", "unit": "degrees", "baseline": 110, "current": 95},
        {"name": "Pain", "baseline": 6, "current": 3},
    ]
    data = {"patient": "Ana", "measures": measures, "assessment": "Strength is better."}
    assert "NP022" not in {f.rule for f in progress_note(data, fmt).findings}
    data["assessment"] = "Walking is slower: TUG 18 to 12 s, worse"
    assert "NP022" in {f.rule for f in progress_note(data, fmt).findings}
