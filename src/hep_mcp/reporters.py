"""Reporters: check results as text (compiler style), JSON, SARIF 2.1.0, JUnit XML
or GitHub Actions workflow commands.

Every reporter takes the list of :class:`FileResult` and returns the whole output
as one string (same input, same bytes out: no timestamps, no absolute paths).
``rules`` (optional) is the rule metadata the SARIF reporter lists; it defaults to
the draft-rule catalog plus the ``CASE`` pseudo-rule. ``fail_on`` sets which
severities make a JUnit testcase fail (``error``/``never``: errors only,
``warning``: errors and warnings), matching the command's exit threshold.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import quote

from hep_mcp import __version__
from hep_mcp.check import FileResult, case_finding
from hep_mcp.model import Finding

TOOL_NAME = "hep-mcp"
INFORMATION_URI = "https://github.com/hep-mcp/hep-mcp"


def findings_of(result: FileResult) -> list[Finding]:
    found = list(result.report.findings) if result.report else []
    if result.case_failures:
        found.append(case_finding(result.case_failures))
    return found


def gating(result: FileResult) -> list[Finding]:
    """The findings that count towards the exit code and CI failures: all of a draft's,
    only the broken expectations (CASE) of a case with an expect: block."""
    found = findings_of(result)
    return [f for f in found if f.rule == "CASE"] if result.expected else found


def ci_severity(result: FileResult, f: Finding) -> str:
    """Severity shown to CI (SARIF, GitHub): a finding a case expects is informational."""
    return "info" if result.expected and f.rule != "CASE" else f.severity


def summary(results: list[FileResult]) -> dict:
    checked = [r for r in results if r.ok]
    all_findings = [f for r in checked for f in findings_of(r)]
    return {
        "files": len(checked),
        "errors": sum(1 for f in all_findings if f.severity == "error"),
        "warnings": sum(1 for f in all_findings if f.severity == "warning"),
        "unreadable": sum(1 for r in results if not r.ok),
    }


def result_dict(result: FileResult) -> dict:
    rep = result.report
    assert rep is not None
    return {
        "path": result.path,
        "kind": rep.kind,
        "language": rep.language,
        "ready": rep.ready,
        "readability": rep.readability.model_dump(exclude_none=True) if rep.readability else None,
        "findings": [f.model_dump() for f in findings_of(result)],
    }


def to_json(results: list[FileResult], **_) -> str:
    doc = {"results": [result_dict(r) for r in results if r.ok], "summary": summary(results)}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def finding_line(path: str, f: Finding) -> str:
    where = f"{path}:{f.line}" if f.line else path
    head, _, rest = f.message.partition("\n")
    text = f"{where}: {f.severity} {f.rule} [{f.element}] {head}"
    if f.suggestion:
        text += f" ({f.suggestion})"
    if rest:
        text += "\n" + "\n".join("    " + ln for ln in rest.split("\n"))
    return text


def summary_line(results: list[FileResult]) -> str:
    s = summary(results)
    ready = sum(1 for r in results if r.ok and r.report.ready and not r.case_failures)
    return (
        f"{s['files']} file{'s' if s['files'] != 1 else ''} checked, {ready} ready: "
        f"{s['errors']} error{'s' if s['errors'] != 1 else ''}, {s['warnings']} warning{'s' if s['warnings'] != 1 else ''}"
        + (f", {s['unreadable']} unreadable" if s["unreadable"] else "")
    )


def to_text(results: list[FileResult], **_) -> str:
    out: list[str] = []
    for r in results:
        if not r.ok:
            continue
        for f in findings_of(r):
            out.append(finding_line(r.path, f))
    out.append(summary_line(results))
    return "\n".join(out) + "\n"


# -- rule metadata -------------------------------------------------------------


@dataclass(frozen=True)
class RuleInfo:
    """What SARIF needs to know about a rule."""

    id: str
    name: str
    severity: str
    description: str
    suggestion: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        first = re.split(r"(?<=[.!?])\s", self.description.strip(), maxsplit=1)[0]
        return first

    @property
    def help(self) -> str:
        text = self.description.strip()
        if self.suggestion and "{" not in self.suggestion:
            text += f"\nHow to fix: {self.suggestion.strip()}"
        return text


CASE_RULE = RuleInfo(
    id="CASE",
    name="fixture-expectation",
    severity="error",
    description=(
        "A fixture case's expectations broke: a rule listed under expect.fire did not fire, a rule "
        "listed under expect.not fired, or ready differs from expect.ready."
    ),
    suggestion="Fix the rule or the draft, or update the case's expect: block if the change is intended.",
    tags=("fixture",),
)


def draft_rules() -> list[RuleInfo]:
    """The HEP and note rule catalog, in catalog order, then CASE."""
    from hep_mcp.rules import catalog

    out = [
        RuleInfo(s.id, s.name, s.severity, s.description, s.suggestion, (s.kind, s.element))
        for s in catalog().values()
    ]
    return [*out, CASE_RULE]


SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(path: str) -> str:
    """A relative URI (forward slashes, percent-encoded) for a displayed path; an absolute
    path becomes relative to the working directory."""
    if os.path.isabs(path):
        try:
            path = os.path.relpath(path)
        except ValueError:  # another drive on Windows: keep it as it is
            pass
    return quote(path.replace("\\", "/"), safe="/._-~")


def to_sarif(results: list[FileResult], *, rules: Iterable[RuleInfo] | None = None, tool: str = TOOL_NAME, **_) -> str:
    rule_list = list(rules) if rules is not None else draft_rules()
    index = {r.id: i for i, r in enumerate(rule_list)}
    sarif_rules = []
    for r in rule_list:
        entry = {
            "id": r.id,
            "name": r.name,
            "shortDescription": {"text": r.short},
            "fullDescription": {"text": r.description.strip()},
            "help": {"text": r.help},
            "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
        }
        if r.tags:
            entry["properties"] = {"tags": list(r.tags)}
        sarif_rules.append(entry)
    sarif_results = []
    for res in results:
        if not res.ok:
            continue
        for f in findings_of(res):
            text = f.message if not f.suggestion else f"{f.message}\nHow to fix: {f.suggestion}"
            if ci_severity(res, f) != f.severity:
                text = f"(expected by this fixture case) {text}"
            location: dict = {"artifactLocation": {"uri": artifact_uri(res.path)}}
            if f.line:
                location["region"] = {"startLine": f.line}
            item = {"ruleId": f.rule}
            if f.rule in index:
                item["ruleIndex"] = index[f.rule]
            item.update(
                {
                    "level": SARIF_LEVEL[ci_severity(res, f)],
                    "message": {"text": text},
                    "locations": [{"physicalLocation": location}],
                }
            )
            sarif_results.append(item)
    notifications = []
    for res in results:
        if res.ok:
            continue
        note: dict = {"level": "error", "message": {"text": res.error or f"{res.path}: could not be read"}}
        note["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(res.path)}}}]
        notifications.append(note)
    invocation = {"executionSuccessful": not notifications}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": tool,
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": sarif_rules,
                    }
                },
                "invocations": [invocation],
                "results": sarif_results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# -- JUnit XML -----------------------------------------------------------------


def _failing_levels(fail_on: str) -> set[str]:
    return {"error", "warning"} if fail_on == "warning" else {"error"}


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Characters XML 1.0 cannot carry become U+FFFD (ElementTree escapes the rest)."""
    return _XML_BAD.sub("\ufffd", text)


def to_junit(results: list[FileResult], *, suite: str = "hep-mcp check", fail_on: str = "error", **_) -> str:
    import xml.etree.ElementTree as ET

    levels = _failing_levels(fail_on)
    cases = []
    failures = errors = 0
    for res in results:
        tc = ET.Element("testcase", {"classname": suite, "name": _xml_text(res.path), "file": _xml_text(res.path)})
        if not res.ok:
            errors += 1
            msg = _xml_text(res.error or f"{res.path}: could not be read")
            el = ET.SubElement(tc, "error", {"message": msg, "type": "unreadable"})
            el.text = msg
        else:
            found = findings_of(res)
            gate = gating(res)
            bad = [f for f in gate if f.severity in levels]
            if bad:
                failures += 1
                rules = ", ".join(dict.fromkeys(f.rule for f in bad))
                head = f"{len(bad)} finding{'s' if len(bad) != 1 else ''} at {'/'.join(sorted(levels))} level: {rules}"
                el = ET.SubElement(tc, "failure", {"message": _xml_text(head), "type": "hep-mcp"})
                el.text = _xml_text("\n".join(finding_line(res.path, f) for f in bad))
            rest = [f for f in found if f not in bad]
            if rest:
                out = ET.SubElement(tc, "system-out")
                out.text = _xml_text("\n".join(finding_line(res.path, f) for f in rest))
        cases.append(tc)
    attrs = {"tests": str(len(results)), "failures": str(failures), "errors": str(errors), "skipped": "0"}
    root = ET.Element("testsuites", {"name": TOOL_NAME, **attrs})
    ts = ET.SubElement(root, "testsuite", {"name": suite, **attrs})
    ts.extend(cases)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# -- GitHub Actions workflow commands --------------------------------------------

GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_escape_property(text: str) -> str:
    return gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(command: str, message: str, file: str | None = None, line: int | None = None, title: str | None = None) -> str:
    props = []
    if file:
        props.append(f"file={gh_escape_property(file)}")
    if line:
        props.append(f"line={line}")
    if title:
        props.append(f"title={gh_escape_property(title)}")
    head = f"::{command} {','.join(props)}" if props else f"::{command}"
    return f"{head}::{gh_escape_data(message)}"


def to_github(results: list[FileResult], **_) -> str:
    out: list[str] = []
    for res in results:
        if not res.ok:
            out.append(annotation("error", res.error or "could not be read", file=res.path, title="unreadable"))
            continue
        for f in findings_of(res):
            text = f.message if not f.suggestion else f"{f.message}\n{f.suggestion}"
            if ci_severity(res, f) != f.severity:
                text = f"(expected by this fixture case) {text}"
            out.append(
                annotation(GITHUB_COMMAND[ci_severity(res, f)], text, file=res.path, line=f.line, title=f"{f.rule} [{f.element}]")
            )
    out.append(summary_line(results))
    return "\n".join(out) + "\n"


REPORTERS: dict[str, Callable[..., str]] = {
    "text": to_text,
    "json": to_json,
    "sarif": to_sarif,
    "junit": to_junit,
    "github": to_github,
}
