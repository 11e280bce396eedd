"""The condition library: data files, plain wording, shared red flags, clinic files, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from hep_mcp import library
from hep_mcp.cli import main
from hep_mcp.config import load_config, load_data
from hep_mcp.errors import InputError
from hep_mcp.render import FORMATS, generate_hep
from hep_mcp.rules.engine import run

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "hep_mcp" / "library" / "data"
EXAMPLES = ROOT / "src" / "hep_mcp" / "examples"
FIVE = sorted([
    "acl_reconstruction", "low_back_pain", "lower_limb_amputation", "rotator_cuff_repair", "total_knee_replacement",
    "total_hip_replacement", "stroke", "ankle_sprain", "neck_pain", "plantar_heel_pain", "fall_prevention",
    "patellofemoral_pain", "shoulder_pain", "knee_osteoarthritis",
])
PLAIN_RULES = ["PL001", "PL002", "PL003", "PL004"]
ENTRIES = [library.lookup(c) for c in FIVE]
EXERCISES = [(e.condition, ex) for e in ENTRIES for ex in e.exercises]
# the example clinic: its phone goes into every call-the-clinic line (SF007 without it)
CLINIC_CONFIG = load_config(Path(__file__).resolve().parent.parent / "src" / "hep_mcp" / "examples" / "clinic" / "clinic.yaml")


def test_the_shipped_conditions():
    assert library.conditions() == FIVE and len(FIVE) >= 14


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.condition)
def test_entry_shape(entry):
    assert 4 <= len(entry.exercises) <= 6
    assert entry.label and entry.phase and entry.precautions and entry.triggers
    for ex in entry.exercises:
        n = len([s for s in ex.description.split(". ") if s.strip()])
        assert 2 <= n <= 3, (ex.key, n)
        assert ex.tie_back.count("{moment}") == 1


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.condition)
def test_red_flags_are_the_handouts_wording_not_a_copy(entry):
    flags = load_data("red_flags.yaml")
    own = sorted(flags["conditions"][entry.condition], key=lambda f: ("emergency", "today", "stop").index(f["urgency"]))
    assert entry.red_flags == [flags["emergency"], *(f["text"] for f in own)]
    raw = yaml.safe_load((DATA / f"{entry.condition}.yaml").read_text(encoding="utf-8"))
    assert "red_flags" not in raw  # the shipped files reuse rules/data/red_flags.yaml


@pytest.mark.parametrize("condition,ex", EXERCISES, ids=lambda x: x if isinstance(x, str) else x.key)
def test_every_description_is_plain(condition, ex):
    text = ex.description + " " + ex.tie_back_text("at the start of today's session")
    report = run(text, kind="hep", only=PLAIN_RULES)
    assert report.findings == [], [f.message for f in report.findings]
    assert report.readability is not None and report.readability.fk_grade <= 6


@pytest.mark.parametrize("condition,ex", EXERCISES, ids=lambda x: x if isinstance(x, str) else x.key)
def test_library_wording_renders_clean_in_a_handout(condition, ex):
    """The library's exercise, dosed by the therapist, in the condition's example: still clean."""
    example = next(p for p in EXAMPLES.glob("*.yaml") if yaml.safe_load(p.read_text())["condition"] == condition)
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    data["exercises"][0] = {
        "name": ex.name,
        "description": ex.description,
        "tie_back": ex.tie_back_text("at the start of today's session"),
        "dose": "10 times",
    }
    result = generate_hep(data, "print", config=CLINIC_CONFIG)
    assert result.ready
    assert [f.rule for f in result.findings if f.element in ("descriptions", "plain_language")] == []


@pytest.mark.parametrize("condition", FIVE)
def test_every_condition_has_a_clean_full_example(condition):
    examples = [p for p in EXAMPLES.glob("*.yaml") if yaml.safe_load(p.read_text())["condition"] == condition]
    assert examples, f"no example for {condition}"
    for fmt in FORMATS:
        result = generate_hep(yaml.safe_load(examples[0].read_text(encoding="utf-8")), fmt, config=CLINIC_CONFIG)
        assert result.ready and result.findings == [], (fmt, [f.rule for f in result.findings])


@pytest.mark.parametrize("name", ["tkr", "TKR", "total-knee-replacement", "Total knee replacement", "knee_replacement"])
def test_lookup_by_alias_and_spelling(name):
    assert library.lookup(name).condition == "total_knee_replacement"


def test_unknown_condition_lists_the_known_ones():
    with pytest.raises(InputError) as info:
        library.lookup("wrist_fracture")
    assert str(info.value) == "condition: unknown 'wrist_fracture'; expected one of " + ", ".join(FIVE)


CLINIC_FILE = {
    "condition": "hip_replacement",
    "label": "Hip replacement",
    "phase": "early",
    "exercises": [
        {"key": k, "name": k.replace("_", " ").capitalize(), "description": "Lie on your back. Move slowly.",
         "tie_back": "We did this {moment}."}
        for k in ("ankle_pumps", "thigh_squeeze", "heel_slides", "bridges")
    ],
    "precautions": ["Follow your hip precautions."],
    "triggers": ["after breakfast"],
}


def test_a_clinic_adds_its_own_condition(tmp_path):
    (tmp_path / "hip.yaml").write_text(yaml.safe_dump(CLINIC_FILE), encoding="utf-8")
    assert "hip_replacement" in library.conditions([tmp_path])
    entry = library.lookup("hip_replacement", [tmp_path])
    assert entry.label == "Hip replacement"
    assert entry.red_flags == [load_data("red_flags.yaml")["emergency"]]  # no condition wording: the 911 line
    assert "hip_replacement" not in library.conditions()  # only where the clinic asked for it


def test_a_clinic_file_replaces_a_shipped_condition(tmp_path):
    own = CLINIC_FILE | {"condition": "low_back_pain", "label": "Back care (our clinic)",
                         "red_flags": ["Numbness between your legs or new bladder trouble: go to the emergency department now."]}
    (tmp_path / "back.yml").write_text(yaml.safe_dump(own), encoding="utf-8")
    entry = library.lookup("low_back_pain", [tmp_path])
    assert entry.label == "Back care (our clinic)" and len(entry.red_flags) == 1
    assert library.lookup("low_back_pain").label == "Low back pain"


@pytest.mark.parametrize("change,expected", [
    ({"exercises": CLINIC_FILE["exercises"][:3]}, "exercises: List should have at least 4 items"),
    ({"exercises": [dict(CLINIC_FILE["exercises"][0], key=f"k{i}", tie_back="We did this today.") for i in range(4)]},
     "exercises.0.tie_back: Value error, needs exactly one {moment} slot"),
    ({"dose": "3x10"}, "dose: unknown field (check the spelling)"),
    ({"condition": "Hip Replacement"}, "condition: String should match pattern"),
])
def test_bad_clinic_file_names_the_file_and_field(tmp_path, change, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(CLINIC_FILE | change), encoding="utf-8")
    with pytest.raises(InputError) as info:
        library.load_file(path)
    assert str(info.value).startswith(f"{path}: ")
    assert expected in str(info.value)


def test_duplicate_exercise_keys_are_rejected(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(yaml.safe_dump(CLINIC_FILE | {"exercises": [dict(CLINIC_FILE["exercises"][0]) for _ in range(4)]}), encoding="utf-8")
    with pytest.raises(InputError, match="exercise keys must be unique: ankle_pumps"):
        library.load_file(path)


def test_missing_clinic_folder(tmp_path):
    with pytest.raises(InputError, match="library folder not found"):
        library.conditions([tmp_path / "nope"])


def test_shipped_files_validate_with_the_public_loader():
    for path in sorted(DATA.glob("*.yaml")):
        assert library.load_file(path).condition == path.stem


# -- CLI -----------------------------------------------------------------------------


def test_cli_lists_conditions(capsys):
    assert main(["library"]) == 0
    assert capsys.readouterr().out.split() == FIVE
    assert main(["library", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"conditions": FIVE}


def test_cli_shows_one_condition(capsys):
    assert main(["library", "acl"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ACL reconstruction (acl_reconstruction): ")
    assert "- Heel prop [heel_prop]: " in out and "Red flags:" in out and "call 911" in out
    assert main(["library", "acl", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == library.lookup("acl").model_dump(mode="json")


def test_cli_unknown_condition_exit_2(capsys):
    assert main(["library", "hip"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("hep-mcp: condition: unknown 'hip'; expected one of ")


def test_cli_clinic_dir(tmp_path, capsys):
    (tmp_path / "hip.yaml").write_text(yaml.safe_dump(CLINIC_FILE), encoding="utf-8")
    assert main(["library", "--dir", str(tmp_path)]) == 0
    assert "hip_replacement" in capsys.readouterr().out.split()


def test_clinic_config_names_library_folders_relative_to_itself(tmp_path, capsys, monkeypatch):
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "hip.yaml").write_text(yaml.safe_dump(CLINIC_FILE), encoding="utf-8")
    (tmp_path / "clinic.yaml").write_text("library_dirs: [library]\n", encoding="utf-8")
    monkeypatch.chdir("/")  # the folder is found from the config file, not the working directory
    assert main(["library", "--config", str(tmp_path / "clinic.yaml")]) == 0
    assert "hip_replacement" in capsys.readouterr().out.split()


def test_server_library_tool_uses_the_clinic_config(tmp_path):
    import anyio
    from mcp import Client

    from hep_mcp.config import load_config
    from hep_mcp.server import build_server

    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "hip.yaml").write_text(yaml.safe_dump(CLINIC_FILE), encoding="utf-8")
    (tmp_path / "clinic.yaml").write_text("library_dirs: [library]\n", encoding="utf-8")
    server = build_server(load_config(tmp_path / "clinic.yaml"))

    async def call():
        async with Client(server) as client:
            return await client.call_tool("exercise_library", {"condition": "hip_replacement"})

    result = anyio.run(call)
    assert not result.is_error
    assert result.structured_content["entry"]["label"] == "Hip replacement"
