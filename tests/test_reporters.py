"""Reporters: SARIF 2.1.0 (validated against the official schema), JUnit XML, GitHub annotations."""

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from hep_mcp.check import FileResult
from hep_mcp.cli import main
from hep_mcp.model import Finding, Report
from hep_mcp.reporters import (
    REPORTERS,
    annotation,
    artifact_uri,
    gh_escape_data,
    gh_escape_property,
    to_github,
    to_junit,
    to_sarif,
)
from hep_mcp.rules import catalog
from tests.conftest import FIXTURES, ROOT

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
UNSAFE = FIXTURES / "hep" / "unsafe_wording.md"


def run_cli(capsys, *args):
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def finding(rule="RR001", severity="error", line=3, message="No pain rule", suggestion="Add one"):
    return Finding(rule=rule, element="response_rules", severity=severity, message=message, line=line, suggestion=suggestion)


def synthetic() -> list[FileResult]:
    """One file of each shape: errors with and without lines, only an info, a broken case, unreadable."""
    a = FileResult("plans/a.md", Report(kind="hep", ready=False, findings=[finding(), finding("FM002", line=None)]))
    b = FileResult("plans/b, c.md", Report(kind="hep", ready=True, findings=[finding("FM004", "info", line=1, message="No greeting")]))
    c = FileResult("cases/c.yaml", Report(kind="hep", ready=True, findings=[]), case_failures=["- expected EX001 to fire; it did not"])
    d = FileResult("missing.md", error="missing.md: no such file or folder")
    return [a, b, c, d]


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.fixture
def unsafe_draft(tmp_path, monkeypatch):
    """unsafe_wording.md as a plain draft (front matter blanked, lines kept), relative to the cwd."""
    from hep_mcp.check import FRONT_MATTER

    text = UNSAFE.read_text()
    m = FRONT_MATTER.match(text)
    (tmp_path / "unsafe.md").write_text("\n" * m.group(0).count("\n") + text[m.end():])
    monkeypatch.chdir(tmp_path)
    return "unsafe.md"


# -- SARIF ---------------------------------------------------------------------


def test_sarif_of_the_fixture_suite_validates_against_the_official_schema(capsys, in_root):
    code, out, _ = run_cli(capsys, "check", "fixtures/hep", "--format", "sarif")
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "hep-mcp"
    assert len(run["results"]) > 50  # the flawed fixtures produce many findings
    assert code == 0  # every case holds its expectations: expected findings do not gate


def test_sarif_rules_carry_metadata_for_every_catalog_rule():
    doc = json.loads(to_sarif(synthetic()))
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids[: len(catalog())] == list(catalog())
    assert "CASE" in ids and len(ids) == len(set(ids))
    for r in rules:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
    by_id = {r["id"]: r for r in rules}
    assert by_id["FM004"]["defaultConfiguration"]["level"] == "note"  # info -> note
    assert by_id["EX001"]["defaultConfiguration"]["level"] == "error"
    assert by_id["EX001"]["fullDescription"]["text"] == catalog()["EX001"].description.strip()


def test_sarif_results_locations_levels_and_unreadable_paths():
    doc = json.loads(to_sarif(synthetic()))
    jsonschema.validate(doc, SCHEMA)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    res = run["results"]
    assert [(r["ruleId"], r["level"]) for r in res] == [
        ("RR001", "error"),
        ("FM002", "error"),
        ("FM004", "note"),
        ("CASE", "error"),
    ]
    for r in res:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    loc = [r["locations"][0]["physicalLocation"] for r in res]
    assert loc[0] == {"artifactLocation": {"uri": "plans/a.md"}, "region": {"startLine": 3}}
    assert "region" not in loc[1]  # no line: no region
    assert loc[2]["artifactLocation"]["uri"] == "plans/b%2C%20c.md"
    assert "expected EX001 to fire" in res[3]["message"]["text"]
    assert res[0]["message"]["text"] == "No pain rule\nHow to fix: Add one"
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert inv["toolExecutionNotifications"][0]["message"]["text"] == "missing.md: no such file or folder"


def test_sarif_paths_are_relative_to_the_working_directory(capsys, in_root):
    _, out, _ = run_cli(capsys, "check", str(UNSAFE), "--format", "sarif")  # an absolute path on the command line
    assert os.path.isabs(str(UNSAFE))
    doc = json.loads(out)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"fixtures/hep/unsafe_wording.md"}


def test_sarif_is_deterministic():
    assert to_sarif(synthetic()) == to_sarif(synthetic())


def test_artifact_uri_encodes_spaces_and_backslashes():
    assert artifact_uri("a b\\c.md") == "a%20b/c.md"


# -- JUnit ---------------------------------------------------------------------


def test_junit_one_testcase_per_file_with_failures_and_errors():
    root = ET.fromstring(to_junit(synthetic()))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["plans/a.md", "plans/b, c.md", "cases/c.yaml", "missing.md"]
    assert suite.get("tests") == "4" and suite.get("failures") == "2" and suite.get("errors") == "1"
    a, b, c, d = cases
    assert "RR001" in a.find("failure").get("message") and "FM002" in a.find("failure").text
    assert b.find("failure") is None and "FM004" in b.find("system-out").text  # info only: passes
    assert "CASE" in c.find("failure").get("message") and "expected EX001 to fire" in c.find("failure").text
    assert d.find("error").get("message") == "missing.md: no such file or folder"


def test_junit_fail_on_warning_fails_warning_only_files():
    warn = [FileResult("w.md", Report(kind="hep", ready=True, findings=[finding("PL003", "warning")]))]
    assert ET.fromstring(to_junit(warn)).find("testsuite").get("failures") == "0"
    assert ET.fromstring(to_junit(warn, fail_on="warning")).find("testsuite").get("failures") == "1"


def test_junit_escapes_markup_and_control_characters():
    nasty = [FileResult("x.md", Report(kind="hep", ready=False, findings=[finding(message='<b>&"\x07')]))]
    xml = to_junit(nasty)
    root = ET.fromstring(xml)  # parses: well-formed
    assert '<b>&"\ufffd' in root.find("testsuite/testcase/failure").text


# -- GitHub annotations ----------------------------------------------------------


def test_github_escaping():
    assert gh_escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert gh_escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert annotation("error", "m", file="a,b:c.md", line=4, title="T: x") == "::error file=a%2Cb%3Ac.md,line=4,title=T%3A x::m"
    assert annotation("notice", "m") == "::notice::m"


def test_github_commands_per_severity_and_unreadable():
    lines = to_github(synthetic()).splitlines()
    assert lines[0] == "::error file=plans/a.md,line=3,title=RR001 [response_rules]::No pain rule%0AAdd one"
    assert lines[1].startswith("::error file=plans/a.md,title=FM002 ")  # no line property without a line
    assert lines[2].startswith("::notice file=plans/b%2C c.md,line=1,title=FM004 ")
    assert lines[3].startswith("::error file=cases/c.yaml,title=CASE [format]::fixture expectations broke:%0A- expected")
    assert lines[4] == "::error file=missing.md,title=unreadable::missing.md: no such file or folder"
    assert lines[5].startswith("3 files checked")
    assert all("\r" not in ln for ln in lines)


def test_github_warning_command(capsys, unsafe_draft):
    code, out, _ = run_cli(capsys, "check", unsafe_draft, "--format", "github")
    assert code == 1
    assert any(ln.startswith("::warning file=unsafe.md,line=") for ln in out.splitlines())
    assert any(ln.startswith("::error file=unsafe.md,line=18,title=FB003") for ln in out.splitlines())


# -- CLI wiring and exit codes -----------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_every_format_keeps_the_exit_codes(fmt, capsys, unsafe_draft, tmp_path):
    code, out, _ = run_cli(capsys, "check", unsafe_draft, "--format", fmt)
    assert code == 1 and out
    code, _, _ = run_cli(capsys, "check", unsafe_draft, "--format", fmt, "--fail-on", "never")
    assert code == 0
    code, _, err = run_cli(capsys, "check", unsafe_draft, str(tmp_path / "nope.md"), "--format", fmt)
    assert code == 2 and "nope.md: no such file" in err


def test_fail_on_warning_turns_warnings_into_exit_1(capsys, in_root, tmp_path):
    draft = (FIXTURES / "hep" / "clean_tkr_headed.md").read_text().split("---\n", 2)[2]
    p = tmp_path / "d.md"
    p.write_text(draft.replace("Tighten the top of your thigh", "Do a quad set", 1))  # jargon: a warning only
    code, out, _ = run_cli(capsys, "check", p, "--format", "json")
    doc = json.loads(out)
    assert doc["summary"]["errors"] == 0 and doc["summary"]["warnings"] >= 1
    assert code == 0
    assert run_cli(capsys, "check", p, "--fail-on", "warning")[0] == 1


# -- fixture cases with expectations: only broken expectations gate CI -------------


def test_expected_findings_of_a_case_do_not_gate_but_broken_expectations_do(capsys, in_root):
    held = FileResult("cases/held.md", Report(kind="hep", ready=False, findings=[finding()]), expected=True)
    broke = FileResult("cases/broke.md", Report(kind="hep", ready=False, findings=[finding()]),
                       case_failures=["- expected EX001 to fire; it did not"], expected=True)
    sarif = json.loads(to_sarif([held, broke]))
    jsonschema.validate(sarif, SCHEMA)
    levels = [(r["ruleId"], r["level"]) for r in sarif["runs"][0]["results"]]
    assert levels == [("RR001", "note"), ("RR001", "note"), ("CASE", "error")]
    assert sarif["runs"][0]["results"][0]["message"]["text"].startswith("(expected by this fixture case)")
    suite = ET.fromstring(to_junit([held, broke])).find("testsuite")
    assert suite.get("failures") == "1"
    gh = to_github([held, broke]).splitlines()
    assert gh[0].startswith("::notice file=cases/held.md") and gh[2].startswith("::error file=cases/broke.md,title=CASE")


def test_the_fixture_suite_gates_on_expectations_only(capsys, in_root):
    code, out, _ = run_cli(capsys, "check", "fixtures/cases", "--format", "sarif")
    assert code == 0
    results = json.loads(out)["runs"][0]["results"]
    assert results and all(r["level"] == "note" for r in results)
