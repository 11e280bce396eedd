"""Findings on a structured HEP (YAML, JSON, generate_hep) name the input field they are about."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from hep_mcp.cli import main
from hep_mcp.render import FORMATS, generate_hep
from hep_mcp.rules import run
from tests.conftest import EXAMPLES

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def flawed() -> dict:
    data = yaml.safe_load((EXAMPLES / "tkr.yaml").read_text())
    data["exercises"][1]["description"] = "Do quad sets with the knee in extension. Tighten the thigh."
    data["exercises"][2]["dose"] = "3x10"
    data["response_rules"] = {"red_flags": ["If your leg suddenly goes weak, message the clinic."]}
    data["feedback"]["problem"] = "If you have a problem, text my cell"
    return data


def run_cli(capsys, *args):
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def by_rule(findings) -> dict[str, set]:
    out: dict[str, set] = {}
    for f in findings:
        out.setdefault(f["rule"] if isinstance(f, dict) else f.rule, set()).add(f["field"] if isinstance(f, dict) else f.field)
    return out


EXPECTED = {
    "PL003": {"exercises[1].description"},  # "quad sets", "extension"
    "PL004": {"exercises[1].description", "exercises[2].dose"},  # "sets", "3x10"
    "RR008": {"response_rules.red_flags[0]"},
    "RR007": {"response_rules.red_flags"},  # a red flag missing from the list
    "FB003": {"feedback.problem"},
}


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_check_on_a_yaml_or_json_hep_names_the_field(tmp_path, capsys, suffix):
    path = tmp_path / f"hep{suffix}"
    data = flawed()
    path.write_text(yaml.safe_dump(data) if suffix == ".yaml" else json.dumps(data, indent=2))
    code, out, _ = run_cli(capsys, "check", path, "--format", "json")
    assert code == 1
    findings = json.loads(out)["results"][0]["findings"]
    got = by_rule(findings)
    for rule, fields in EXPECTED.items():
        assert got.get(rule) == fields, (rule, got.get(rule))
    assert all(f["field"] for f in findings), [f for f in findings if not f["field"]]
    # each finding sits on the line of its field in the file (the rendered line is in the message)
    lines = path.read_text().split("\n")
    at = {(f["rule"], f["field"]): lines[f["line"] - 1] for f in findings}
    assert "3x10" in at[("PL004", "exercises[2].dose")]
    assert "quad sets" in at[("PL003", "exercises[1].description")]
    assert "my cell" in at[("FB003", "feedback.problem")]
    assert "message the clinic" in at[("RR008", "response_rules.red_flags[0]")]

    _, text, _ = run_cli(capsys, "check", path)
    line = next(f["line"] for f in findings if f["rule"] == "PL004" and f["field"] == "exercises[2].dose")
    assert f"{path.name}:{line}: warning PL004 [plain_language] exercises[2].dose: " in text.replace(str(path), path.name)

    _, sarif, _ = run_cli(capsys, "check", path, "--format", "sarif")
    doc = json.loads(sarif)
    jsonschema.validate(doc, SCHEMA)
    names = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in doc["runs"][0]["results"]}
    assert {"exercises[1].description", "exercises[2].dose", "response_rules.red_flags[0]"} <= names
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in doc["runs"][0]["results"])

    _, gh, _ = run_cli(capsys, "check", path, "--format", "github")
    assert f"line={line},title=PL004 [plain_language] exercises[2].dose::exercises[2].dose: " in gh


@pytest.mark.parametrize("fmt", FORMATS)
def test_generate_hep_names_the_field_in_every_format(fmt):
    result = generate_hep(flawed(), fmt)
    got = by_rule(result.findings)
    assert got["RR008"] == {"response_rules.red_flags[0]"}, fmt
    assert "exercises[2].dose" in got["PL004"], fmt
    if fmt != "sms":  # the plan's text messages carry no descriptions
        assert "exercises[1].description" in got["PL003"], fmt


def test_a_link_in_a_field_names_that_field():
    data = flawed()
    data["exercises"][0]["tie_back"] = "Watch it again at https://videos.example.com/pumps."
    result = generate_hep(data, "print")
    assert {f.field for f in result.findings if f.rule == "LK001"} == {"exercises[0].tie_back"}


def test_a_field_on_a_line_with_another_names_the_one_the_rule_is_about():
    data = flawed()
    data["exercises"][0]["tie_back"] = "Keep going."  # description and tie-back share a printed line
    result = generate_hep(data, "print")
    assert {f.field for f in result.findings if f.rule == "DS002"} == {"exercises[0].tie_back"}


def test_a_free_text_draft_has_lines_not_fields():
    report = run("Hi Maria,\n\n1. Quad sets: 3x10.\n", kind="hep")
    assert report.findings and all(f.field is None for f in report.findings)


def test_the_server_summary_names_the_field():
    from hep_mcp.server import summary

    result = generate_hep(flawed(), "print")
    assert "exercises[2].dose" in summary(result.ready, result.findings)


def test_a_case_file_points_into_its_input_block(tmp_path, capsys):
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump({"case": "a flawed plan", "input": flawed()}))
    _, out, _ = run_cli(capsys, "check", path, "--format", "json")
    findings = json.loads(out)["results"][0]["findings"]
    lines = path.read_text().split("\n")
    f = next(f for f in findings if f["rule"] == "PL004" and f["field"] == "exercises[2].dose")
    assert "3x10" in lines[f["line"] - 1]


def test_field_lines_reads_yaml_and_json_and_survives_oddities():
    from hep_mcp.check import field_lines

    assert field_lines("a:\n  b:\n  - x\n  - y: 1\n") == {"a": 1, "a.b": 2, "a.b[0]": 3, "a.b[1]": 4, "a.b[1].y": 4}
    assert field_lines('{\n  "a": [\n    "x"\n  ]\n}') == {"a": 2, "a[0]": 3}
    assert field_lines("a: [unclosed") == {}
    deep = "[" * 5000 + "]" * 5000
    assert isinstance(field_lines(deep), dict)  # no recursion error escapes


def test_a_structured_progress_note_names_the_field_of_each_element(capsys):
    from tests.conftest import FIXTURES

    path = FIXTURES / "notes" / "structured_blaming_and_late.yaml"
    _, out, _ = run_cli(capsys, "check", path, "--format", "json")
    findings = json.loads(out)["results"][0]["findings"]
    got = by_rule(findings)
    assert got["NP003"] == {"period"} and got["NP031"] == {"goals"} and got["NP073"] == {"adherence"}
    lines = path.read_text().split("\n")
    period = next(f for f in findings if f["rule"] == "NP003")
    assert lines[period["line"] - 1].lstrip().startswith("period:")


def test_a_spanish_hep_maps_lines_to_fields_in_its_own_wording():
    """The condition's default red flags and the call-the-clinic lines are read in the HEP's
    language: a Spanish page's lines map back to the fields they came from."""
    from hep_mcp.config import load_config
    from hep_mcp.render.fields import field_texts
    from hep_mcp.render import coerce_hep
    from hep_mcp.rules import conditions as C

    data = yaml.safe_load((EXAMPLES / "es" / "tkr.yaml").read_text(encoding="utf-8"))
    data.setdefault("response_rules", {})["red_flags"] = []
    hep = coerce_hep(data)
    config = load_config(EXAMPLES / "clinic" / "clinic.yaml")
    texts = field_texts(hep, config)
    flags = [t for path, t in texts if path == "response_rules.red_flags"]
    for f in C.condition_flags("tkr", "es"):
        assert f["text"] in flags
    assert C.wording("es")["emergency"] in flags
    assert not any(f["text"] in flags for f in C.condition_flags("tkr"))  # not the English wording
    phoned = [t for path, t in texts if path == "response_rules.feels_different" and config.clinic.phone in t]
    assert phoned and "clínica al " + config.clinic.phone in phoned[0]

    data["exercises"][0]["description"] = "Acuéstese boca arriba. Suba los dedos. Bájelos despacio. Hágalo otra vez. Respire."
    found = generate_hep(data, "html", config=config).findings
    assert any(f.rule == "DS001" and f.field == "exercises[0].description" for f in found)
