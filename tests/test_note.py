"""Progress notes: structured input, computed figures, rendering, rules on free text, CLI."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from hep_mcp.check import FRONT_MATTER, SUFFIXES, check_file
from hep_mcp.cli import main
from hep_mcp.errors import InputError
from hep_mcp.model.note import Adherence, Period
from hep_mcp.note import progress_note
from hep_mcp.note.adherence import figures, percent
from hep_mcp.note.log import parse_log
from hep_mcp.rules import catalog, detect_kind, run
from tests.conftest import EXAMPLES, FIXTURES

NOTES = FIXTURES / "notes"
NOTE_CASES = sorted(p for p in NOTES.iterdir() if p.suffix in SUFFIXES)
NOTE_RULES = {s.id for s in catalog().values() if s.kind == "note"}


def case_input(name: str) -> dict:
    return yaml.safe_load((NOTES / name).read_text())["input"]


def body(path: Path) -> str:
    text = path.read_text()
    m = FRONT_MATTER.match(text)
    return text[m.end():] if m else text


# -- fixtures ---------------------------------------------------------------------------------------


def test_enough_note_cases():
    assert len([p for p in NOTE_CASES if "expect:" in p.read_text()]) >= 12


@pytest.mark.parametrize("path", NOTE_CASES, ids=lambda p: p.name)
def test_note_case_expectations_hold(path):
    result = check_file(path, path.name)
    assert result.error is None, result.error
    assert result.report.kind == "note"
    assert result.case_failures == [], "\n".join(result.case_failures)


def test_every_note_rule_fires_in_some_case():
    fired = set()
    for path in NOTE_CASES:
        fired |= {f.rule for f in check_file(path, path.name).report.findings}
    assert NOTE_RULES - fired == set()


@pytest.mark.parametrize(
    "name",
    ["clean_tkr_structured.yaml", "clean_acl_soap.md", "clean_rotator_cuff_counts.yaml", "clean_low_back_plain.txt", "clean_amputation_log.yaml"],
)
def test_clean_case_per_condition_has_no_findings(name):
    report = check_file(NOTES / name, name).report
    assert report.ready and report.findings == []


# -- computed figures --------------------------------------------------------------------------------


def test_measures_change_is_direction_aware_with_mcid():
    text = progress_note(case_input("clean_tkr_structured.yaml")).text
    assert "| Knee bend (flexion), right (degrees) | 85 | 95 | 105 | +20 (improved; higher is better) | 10: met |" in text
    # TUG's direction comes from the measure catalog (the case gives none)
    assert "| Timed Up and Go (seconds) | 18.5 | - | 13.2 | -5.3 (improved; lower is better) | 2.5: met |" in text
    assert "| -3 (improved; lower is better) | 2 (Childs 2005; Farrar 2001): met |" in text


@pytest.mark.parametrize(
    "baseline, current, expected",
    [
        (100, 95, "change from baseline -5 (no meaningful change; higher is better); MCID 10: not met"),
        (100, 88, "change from baseline -12 (declined; higher is better); MCID 10: decline beyond the MCID"),
        (100, 100, "change from baseline 0 (no change; higher is better); MCID 10: not met"),
    ],
)
def test_decline_and_mcid_not_met(baseline, current, expected):
    data = case_input("clean_tkr_structured.yaml")
    data["measures"][0].update(baseline=baseline, current=current, mcid=10)
    assert expected in progress_note(data, fmt="text").text


def test_adherence_from_log_every_day():
    result = progress_note(case_input("clean_tkr_structured.yaml"))
    fig = result.adherence
    # 12 days 2024-03-04..15, 9 logged, gaps on the 7th, 10th and 15th
    assert (fig.scheduled, fig.completed, fig.percent, fig.missed, fig.longest_streak) == (12, 9, 75, 3, 4)
    assert [d.isoformat() for d in fig.missed_dates] == ["2024-03-07", "2024-03-10", "2024-03-15"]
    assert "Completed 9 of 12 scheduled days (75%); 3 missed; longest streak 4 scheduled days in a row." in result.text
    assert "every day from 2024-03-04 to 2024-03-15" in result.text


def test_adherence_from_log_on_planned_days():
    result = progress_note(case_input("clean_amputation_log.yaml"), fmt="text")
    fig = result.adherence
    # Mon/Wed/Fri in June 2024 from the 3rd to the 28th: 12 days; the 14th and 28th missed; Sat 22nd extra
    assert (fig.scheduled, fig.completed, fig.missed, fig.extra_days, fig.longest_streak) == (12, 10, 2, 1, 5)
    assert "the HEP's planned days (Mon, Wed, Fri)" in result.text
    assert "Also logged on 1 unscheduled day (not counted in the percentage)." in result.text


def test_adherence_from_counts_has_no_streak():
    fig = progress_note(case_input("clean_rotator_cuff_counts.yaml")).adherence
    assert (fig.scheduled, fig.completed, fig.percent, fig.missed, fig.longest_streak) == (19, 17, 89, 2, None)


def test_percent_rounds_half_up():
    assert [percent(1, 8), percent(1, 3), percent(2, 3), percent(0, 5), percent(5, 5)] == [13, 33, 67, 0, 100]


@st.composite
def logs(draw):
    start = draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)))
    end = start + dt.timedelta(days=draw(st.integers(0, 70)))
    planned = draw(st.one_of(st.none(), st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1, max_size=7)))
    window = [start + dt.timedelta(days=i) for i in range(-5, (end - start).days + 6)]
    log = draw(st.lists(st.sampled_from(window), max_size=90))
    return start, end, planned, log


@given(logs())
def test_property_adherence_figures_match_the_log(args):
    start, end, planned, log = args
    period = Period(start=start, end=end, written=end)
    adherence = Adherence(log=log, planned_days=planned)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    wanted = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
    sched = [d for d in days if planned is None or d.weekday() in {wanted[p] for p in planned}]
    if not sched:
        with pytest.raises(InputError):
            figures(adherence, period)
        return
    fig = figures(adherence, period)
    done = [d for d in sched if d in set(log)]
    assert 0 <= fig.percent <= 100
    assert fig.scheduled == len(sched) and fig.completed == len(done)
    assert fig.missed == len(sched) - len(done) and fig.missed_dates == [d for d in sched if d not in set(log)]
    expected = Fraction(100 * len(done), len(sched))
    assert abs(Fraction(fig.percent) - expected) <= Fraction(1, 2)
    marks = "".join("1" if d in set(log) else "0" for d in sched)
    assert fig.longest_streak == max(len(run_) for run_ in marks.split("0"))
    assert fig.extra_days == len({d for d in log if start <= d <= end} - set(sched))
    assert fig.outside_window == len({d for d in log if not start <= d <= end})


# -- input errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"patient": "Maria Lopez Garcia"}, "patient: Value error, expected a first name or initials"),
        ({"period": {"start": "2024-03-10", "end": "2024-03-01", "written": "2024-03-10"}}, "end (2024-03-01) is before start"),
        ({"adherence": {"scheduled": 6, "completed": 7}}, "completed (7) is more than scheduled (6)"),
        ({"adherence": {"scheduled": 6, "completed": 4, "log": ["2024-03-04"]}}, "either counts"),
        ({"adherence": {"log": ["2024-03-04"], "planned_days": ["funday"]}}, "'funday' is not a weekday"),
        ({"goals": [{"text": "Walk", "status": "met", "measure": "Grip"}]}, "'Grip' is not one of the measures' names"),
        ({"surname": "Lopez"}, "surname: unknown field"),
    ],
)
def test_bad_input_is_one_line_error_naming_the_field(change, expected):
    data = {**case_input("clean_tkr_structured.yaml"), **change}
    with pytest.raises(InputError) as exc:
        progress_note(data, source="case.yaml")
    message = str(exc.value)
    assert message.startswith("case.yaml: ") and expected in message and "\n" not in message


def test_unknown_format_is_an_input_error():
    with pytest.raises(InputError, match="format: expected one of markdown, text"):
        progress_note(case_input("clean_tkr_structured.yaml"), fmt="html")


def test_log_without_window_is_an_input_error():
    data = case_input("clean_tkr_structured.yaml")
    del data["period"]
    with pytest.raises(InputError, match="adherence.log needs a window"):
        progress_note(data)


def test_input_text_is_data_not_template_code():
    data = case_input("clean_tkr_structured.yaml")
    data["assessment"] = "{{ 7 * 7 }} {% raw %} gained 20 degrees"
    text = progress_note(data).text
    assert "{{ 7 \\* 7 }} {% raw %} gained 20 degrees." in text


def test_same_input_same_bytes():
    data = case_input("clean_amputation_log.yaml")
    assert progress_note(data).text == progress_note(yaml.safe_load((NOTES / "clean_amputation_log.yaml").read_text())["input"]).text


# -- rules on free text ------------------------------------------------------------------------------


def test_non_compliant_gets_a_quantified_rewrite_from_the_text():
    text = "A: Patient non-compliant with HEP, completed 2 of 6 scheduled days."
    [f] = run(text, kind="note", only=["NP090"]).findings
    assert f.severity == "error" and f.line == 1
    assert "completed 2 of 6 scheduled days" in f.suggestion


def test_blaming_rewrite_uses_computed_figures_and_barriers():
    data = case_input("structured_blaming_and_late.yaml")
    [f] = [f for f in progress_note(data).findings if f.rule == "NP090"]
    assert "completed 9 of 20 scheduled days (45%); missed days were long shifts, no place to lie down at work" in f.suggestion


@pytest.mark.parametrize(
    "text, fires",
    [
        ("Visits 3 to 13 this period.", True),
        ("Visits 3 to 12 this period.", False),
        ("Reporting period covers 11 treatment days.", True),
        ("Treatment days: 10", False),
    ],
)
def test_treatment_day_limit(text, fires):
    assert ("NP003" in {f.rule for f in run(text, kind="note", only=["NP003"]).findings}) is fires


@pytest.mark.parametrize(
    "text, fires",
    [
        ("Pain 3/10 at rest.", False),
        ("Seen 3/10/2024 and 3/24/2024.", True),  # dates are not pain scores
        ("Knee flexion 110°.", False),
        ("LEFS 52 today.", False),
    ],
)
def test_objective_measure_detection(text, fires):
    assert ("NP020" in {f.rule for f in run(text, kind="note", only=["NP020"]).findings}) is fires


def test_improving_with_a_number_is_not_boilerplate():
    assert run("Gait is improving: 300 feet with a cane, up from 100.", kind="note", only=["NP091"]).findings == []


def test_privacy_cue_does_not_fire_inside_a_word():
    assert run("Patient non-compliant with HEP.", kind="note", only=["NP100"]).findings == []
    assert [f.rule for f in run("Patient no. 4471", kind="note", only=["NP100"]).findings] == ["NP100"]


def test_detect_kind_recognises_notes_but_not_handouts():
    for path in NOTE_CASES:
        if path.suffix in (".md", ".txt") and body(path).strip():
            assert detect_kind(body(path)) == "note", path.name
    for name in ("clean_tkr_structured.yaml", "clean_amputation_log.yaml"):
        for fmt in ("markdown", "text"):
            assert detect_kind(progress_note(case_input(name), fmt=fmt).text) == "note"
    from hep_mcp.render import generate_hep

    hep = yaml.safe_load((EXAMPLES / "tkr.yaml").read_text())
    assert detect_kind(generate_hep(hep, "print").text) == "hep"


# -- logs and CLI ----------------------------------------------------------------------------------


def test_parse_log_csv_and_json():
    assert parse_log("date,status\n2024-03-04,done\n2024-03-05T07:10:00,done\n", "log.csv") == [dt.date(2024, 3, 4), dt.date(2024, 3, 5)]
    assert parse_log("2024-03-04\n2024-03-06\n", "log.csv") == [dt.date(2024, 3, 4), dt.date(2024, 3, 6)]
    assert parse_log('["2024-03-04", {"date": "2024-03-05"}]', "log.json") == [dt.date(2024, 3, 4), dt.date(2024, 3, 5)]
    with pytest.raises(InputError, match=r"log.csv: row 3: '03/05/2024' is not a date; expected YYYY-MM-DD"):
        parse_log("date\n2024-03-04\n03/05/2024\n", "log.csv")
    with pytest.raises(InputError, match="log.json: expected a JSON list of dates"):
        parse_log('{"date": "2024-03-04"}', "log.json")


def test_cli_note_renders_with_a_log_file(tmp_path, capsys):
    log = tmp_path / "portal.csv"
    log.write_text("date\n2024-03-04\n2024-03-05\n2024-03-06\n2024-03-07\n")
    out = tmp_path / "note.txt"
    code = main(["note", str(NOTES / "clean_tkr_structured.yaml"), "--format", "text", "--log", str(log), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    text = out.read_text()
    assert text.startswith("PHYSICAL THERAPY PROGRESS REPORT")
    assert "Completed 4 of 12 scheduled days (33%); 8 missed; longest streak 4 scheduled days in a row." in text
    assert captured.out == ""


def test_cli_note_not_ready_exits_1_with_findings_on_stderr(capsys):
    code = main(["note", str(NOTES / "structured_blaming_and_late.yaml")])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.startswith("# Physical therapy progress report")
    assert "error NP090 [language] 'unmotivated' blames the patient" in captured.err


def test_cli_note_bad_input_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("patient: Ana\nperiod: {start: 2024-03-10, end: 2024-03-01, written: 2024-03-10}\n")
    assert main(["note", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"hep-mcp: {bad}: period: Value error, end (2024-03-01) is before start") and "\n" not in err


def test_cli_check_kind_auto_json_for_a_free_text_note(tmp_path, capsys):
    note = tmp_path / "note.md"
    note.write_text("Patient non-compliant with HEP.\n")
    assert main(["check", "--format", "json", str(note)]) == 1
    doc = json.loads(capsys.readouterr().out)
    [result] = doc["results"]
    assert result["kind"] == "note"
    assert "NP090" in {f["rule"] for f in result["findings"]}


NOTE_ALPHABET = st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCPTDGOS0123456789:/%-|#*.\n\r\t\"'") + ["HEP ", "Goal ", "Signed: ", "visits ", " of ", "baseline ", "non-compliant"])


@given(st.lists(NOTE_ALPHABET, max_size=80).map("".join))
def test_property_note_rules_never_raise_and_are_deterministic(text):
    first = run(text, kind="note")
    assert first == run(text, kind="note")
    assert first.ready == (not any(f.severity == "error" for f in first.findings))
