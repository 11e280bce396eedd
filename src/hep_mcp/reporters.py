"""Reporters: check results as text (compiler style) or one JSON object."""

from __future__ import annotations

import json
from typing import Callable

from hep_mcp.check import FileResult, case_finding
from hep_mcp.model import Finding


def findings_of(result: FileResult) -> list[Finding]:
    found = list(result.report.findings) if result.report else []
    if result.case_failures:
        found.append(case_finding(result.case_failures))
    return found


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
        "ready": rep.ready,
        "readability": rep.readability.model_dump() if rep.readability else None,
        "findings": [f.model_dump() for f in findings_of(result)],
    }


def to_json(results: list[FileResult]) -> str:
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


def to_text(results: list[FileResult]) -> str:
    out: list[str] = []
    for r in results:
        if not r.ok:
            continue
        for f in findings_of(r):
            out.append(finding_line(r.path, f))
    s = summary(results)
    ready = sum(1 for r in results if r.ok and r.report.ready and not r.case_failures)
    out.append(
        f"{s['files']} file{'s' if s['files'] != 1 else ''} checked, {ready} ready: "
        f"{s['errors']} error{'s' if s['errors'] != 1 else ''}, {s['warnings']} warning{'s' if s['warnings'] != 1 else ''}"
        + (f", {s['unreadable']} unreadable" if s["unreadable"] else "")
    )
    return "\n".join(out) + "\n"


REPORTERS: dict[str, Callable[[list[FileResult]], str]] = {"text": to_text, "json": to_json}
