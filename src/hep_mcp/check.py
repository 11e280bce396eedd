"""Checking files: drafts, structured cases and fixture cases with expectations.

This is the service behind ``hep-mcp check`` and the ``check_hep_rules`` tool.
A *case* is a YAML/JSON file (or a Markdown/text draft with YAML front matter)
that carries ``expect:`` -- the rule IDs that must fire, those that must not,
and ``ready``. A case whose expectations break reports a ``CASE`` finding with
a readable diff.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hep_mcp.config import Config, default_config
from hep_mcp.errors import InputError, pydantic_message
from hep_mcp.model import Finding, Report
from hep_mcp.textio import load_structured, read_text_file, safe_yaml, visible

SUFFIXES = (".md", ".markdown", ".txt", ".yaml", ".yml", ".json")
STRUCTURED = (".yaml", ".yml", ".json")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    fire: list[str] = Field(default_factory=list, description="Rule IDs that must fire.")
    not_: list[str] = Field(default_factory=list, alias="not", description="Rule IDs that must not fire.")
    ready: bool | None = None
    kind: str | None = Field(
        default=None, pattern="^(hep|note)$", description="What the draft must be read as (hep or note)."
    )
    language: str | None = Field(
        default=None, pattern="^(en|es)$", description="The language the draft must be read in (en or es)."
    )
    elements: list[str] | None = Field(
        default=None,
        description=(
            "Elements with defects: every error or warning finding falls in one of these elements, "
            "and each listed element gets at least one. [] means clean (no errors, no warnings)."
        ),
    )

    @field_validator("elements")
    @classmethod
    def _known_elements(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return value
        known = rule_elements()
        unknown = [e for e in value if e not in known]
        if unknown:
            raise ValueError(f"unknown element {unknown[0]!r}; expected one of {', '.join(sorted(known))}")
        return value


def rule_elements() -> set[str]:
    """Every element a HEP or note rule belongs to (the catalog's `element:` values)."""
    from hep_mcp.rules import catalog

    return {spec.element for spec in catalog().values()}


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case: str | None = Field(default=None, description="What this case is about.")
    kind: str = Field(default="auto", pattern="^(auto|hep|note)$")
    condition: str | None = None
    language: str | None = Field(
        default=None, pattern="^(auto|en|es)$", description="The draft's language, forced (default: detected from the text)."
    )
    topic: str | None = Field(
        default=None, description="The clinical topic, for documentation (a condition the library may not know yet)."
    )
    author: str | None = Field(default=None, description="Who wrote the draft, for documentation (terse, warm, chatty ...).")
    layout: str | None = Field(default=None, description="How the draft is laid out, for documentation.")
    format: str | None = Field(default=None, description="Render format for a structured HEP (default print).")
    config: dict | None = Field(default=None, description="Clinic settings for this case only (same keys as --config).")
    input: object = Field(description="A structured HEP or note (mapping), or a free-text draft (string).")
    expect: Expect | None = None


@dataclass
class FileResult:
    path: str
    report: Report | None = None
    error: str | None = None
    case_failures: list[str] = field(default_factory=list)
    # A case with an expect: block: its findings are what the case expects, so only
    # broken expectations (CASE) count towards the exit code and CI reports.
    expected: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.report is not None


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def expand(paths: list[str]) -> list[tuple[str, Path | None, str | None]]:
    """(display path, file, error) for each file to check, in a stable order."""
    out: list[tuple[str, Path | None, str | None]] = []
    for raw in paths:
        p = Path(raw)
        if "\x00" in raw:
            shown = raw.replace("\x00", "\\0")
            out.append((shown, None, f"{shown}: not a valid path (contains a NUL character)"))
            continue
        if p.is_dir():
            found, problems = _walk(p)
            if not found and not problems:
                out.append((raw, None, f"{raw}: no .md, .txt, .yaml, .yml or .json files in this folder"))
            out.extend((shown, None, problem) for shown, problem in problems)
            out.extend((display_path(f), f, None) for f in found)
        elif p.exists():
            out.append((raw, p, None))
        else:
            out.append((raw, None, f"{raw}: no such file or folder"))
    return out


def _walk(root: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to check under a folder (hidden files and folders skipped, symlinked folders
    not followed), and (path, problem) for each subfolder that cannot be read."""
    found: list[Path] = []
    problems: list[tuple[str, str]] = []

    def unreadable(exc: OSError) -> None:
        shown = display_path(Path(exc.filename)) if exc.filename else str(root)
        problems.append((shown, f"{shown}: cannot read this folder ({exc.strerror or exc.__class__.__name__})"))

    for folder, subfolders, files in os.walk(root, onerror=unreadable):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        for name in files:
            f = Path(folder) / name
            if not name.startswith(".") and f.suffix.lower() in SUFFIXES and f.is_file():
                found.append(f)
    return sorted(found), sorted(problems)


def check_draft(
    text: str,
    kind: str = "auto",
    config: Config | None = None,
    condition: str | None = None,
    language: str | None = None,
) -> Report:
    """Check a free-text draft (the check_hep_rules tool and the CLI share this).
    ``language``: None or "auto" detects it; "en" or "es" forces it."""
    from hep_mcp.rules import check_text

    config = config or default_config()
    validate_draft(text, kind, config, language)
    return check_text(visible(text), kind=kind, config=config, condition=condition, language=None if language == "auto" else language)


def validate_draft(text: str, kind: str = "auto", config: Config | None = None, language: str | None = None) -> None:
    """check_draft's argument checks alone (type, kind, language, size): cheap, so the server
    runs them before a draft ever waits for a check worker."""
    config = config or default_config()
    if not isinstance(text, str):
        raise InputError(f"text: expected a string (the draft), got {type(text).__name__}")
    if kind not in KINDS:
        raise InputError(f"kind: expected one of {', '.join(KINDS)}, got {str(kind)[:40]!r}")
    if language is not None and language not in LANGUAGES:
        raise InputError(f"language: expected one of {', '.join(LANGUAGES)}, got {str(language)[:40]!r}")
    _check_size(text, config)


from hep_mcp import lang as _lang  # noqa: E402 - light: the pack folders, read on first use

KINDS = ("auto", "hep", "note")
LANGUAGES = ("auto", *_lang.languages())  # one per language pack; auto: detected from the text (hep_mcp.lang.detect)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_size(text: str, config: Config) -> None:
    bad = _SURROGATE.search(text)
    if bad:
        # JSON can carry a lone "\\ud800" escape; it is not a character and cannot be encoded
        raise InputError(
            f"text: invalid Unicode (a lone surrogate U+{ord(bad.group()):04X} at character {bad.start() + 1}); "
            "expected UTF-8 text"
        )
    size = len(text.encode("utf-8"))
    if size > config.max_input_bytes:
        raise InputError(f"text: {size:,} bytes is over the limit of {config.max_input_bytes:,} bytes")


def check_structured(data: object, source: str, kind: str = "auto", config: Config | None = None, fmt: str | None = None) -> Report:
    """A structured HEP (rendered, then checked) or a structured progress note."""
    config = config or default_config()
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping with the HEP or note fields, got {type(data).__name__}")
    if data.get("resourceType") in ("Bundle", "CarePlan"):  # FHIR R4, e.g. exported by `render --format fhir`
        return check_fhir(data, source, config)
    if kind == "auto":
        if "exercises" in data or "patient_first_name" in data:
            kind = "hep"
        elif any(k in data for k in ("measures", "goals", "period", "therapist", "adherence", "diagnosis")):
            kind = "note"
        else:
            raise InputError(
                f"{source}: not a structured HEP (patient_first_name, condition, exercises, ...) "
                "or progress note (patient, period, measures, goals, ...)"
            )
    if kind == "hep":
        from hep_mcp.render import generate_hep

        return _unanchored(generate_hep(data, fmt or "print", config=config, source=source).report, "rendered")
    from hep_mcp.note import progress_note

    return _unanchored(progress_note(data, config=config, source=source).report, "rendered")


def check_fhir(data: dict, source: str, config: Config) -> Report:
    """A FHIR CarePlan bundle (or a progress-note bundle): the same rules as on the HEP or note it holds."""
    from hep_mcp.render import generate_hep
    from hep_mcp.render.fhir_read import careplan_hep, careplan_text, conditions_by_label, note_text, resources, validate

    validate(data, source)
    if not resources(data, "CarePlan"):
        text = note_text(data)
        if text is None:
            raise InputError(f"{source}: a FHIR bundle with no CarePlan and no progress note (DocumentReference) to check")
        return check_draft(text, "note", config)
    hep = careplan_hep(data)
    if hep is not None:
        try:
            return _unanchored(generate_hep(hep, "print", config=config, source=source).report, "rendered")
        except InputError:
            pass  # not every part of a HEP: check the plan's text as written
    labels = conditions_by_label()
    condition = None
    for a in resources(data, "CarePlan")[0].get("addresses") or []:
        condition = labels.get(str(a.get("display", "")).lower(), condition)
    return check_draft(careplan_text(data), "hep", config, condition=condition)


def _unanchored(report: Report, what: str) -> Report:
    """Findings on text rendered from a YAML/JSON file: their line numbers point into the
    rendered text, not the file, so they move into the message (`hep-mcp render` shows it)."""
    findings = [
        f.model_copy(update={"line": None, "message": f"{f.message} ({what} line {f.line})"}) if f.line else f
        for f in report.findings
    ]
    return report.model_copy(update={"findings": findings})


def check_file(path: Path, shown: str, kind: str = "auto", config: Config | None = None, language: str | None = None) -> FileResult:
    config = config or default_config()
    try:
        text = read_text_file(path, config.max_input_bytes)
        if path.suffix.lower() in STRUCTURED:
            lines: dict[str, int] | None = None
            if shown.lower().endswith(".json"):
                data = load_structured(text, shown)
            else:  # YAML: the field lines from the same parse (a YAML file is not read twice)
                lines = {}
                data = safe_yaml(text, shown, on_node=lambda node: lines.update(_node_lines(node)))
            if isinstance(data, dict) and "input" in data and ("expect" in data or "case" in data):
                return _at_source_lines(_run_case(data, shown, kind, config, language), text, "input.", lines)
            return _at_source_lines(FileResult(shown, check_structured(data, shown, kind, config)), text, "", lines)
        m = FRONT_MATTER.match(text)
        if m:
            meta = load_structured(m.group(1), shown) or {}
            if not isinstance(meta, dict):
                raise InputError(f"{shown}: front matter must be a mapping")
            # keep line numbers right: blank out the front matter instead of removing it
            body = "\n" * m.group(0).count("\n") + text[m.end() :]
            return _run_case({**meta, "input": body}, shown, kind, config, language)
        return FileResult(shown, check_draft(text, kind, config, language=language))
    except InputError as exc:
        return FileResult(shown, error=str(exc))
    except Exception as exc:  # last resort: one bad file never stops the others, never a traceback
        return FileResult(shown, error=f"{shown}: internal error while checking ({exc.__class__.__name__}); please report it")


def field_lines(text: str) -> dict[str, int]:
    """Field path (``exercises[0].dose``) -> the 1-based line of its value in a YAML or
    JSON file (JSON read as YAML: the same lines). Empty when it cannot be read so."""
    import yaml

    from hep_mcp.textio import _NoAliasSafeLoader

    try:
        root = yaml.compose(text, Loader=_NoAliasSafeLoader)  # noqa: S506 - a safe loader subclass
    except Exception:  # not YAML after all (a JSON oddity): the findings keep their field
        return {}
    return _node_lines(root)


def _node_lines(root) -> dict[str, int]:
    """field_lines of a composed YAML node (before construction rewrites merge keys)."""
    import yaml

    out: dict[str, int] = {}
    stack = [(root, "", 0)] if root is not None else []
    while stack:  # iterative: deep input never recurses
        node, path, line = stack.pop()
        if path:
            out[path] = line  # a key's line ("period:"), an item's own line ("- name: ...")
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    stack.append((value, f"{path}.{key.value}" if path else str(key.value), key.start_mark.line + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((value, f"{path}[{i}]", value.start_mark.line + 1) for i, value in enumerate(node.value))
    return out


def _at_source_lines(result: FileResult, text: str, prefix: str, lines: dict[str, int] | None = None) -> FileResult:
    """A structured file's findings on the line of the field they name (or of its
    nearest parent the file has), so editors, SARIF and GitHub annotations point into
    the file; a field the file leaves out (a default) keeps no line."""
    rep = result.report
    if rep is None or not any(f.field for f in rep.findings):
        return result
    if lines is None:
        lines = field_lines(text)
    if not lines:
        return result
    found = []
    for f in rep.findings:
        line = None
        path = f.field
        while path and line is None:
            line = lines.get(prefix + path)
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        found.append(f.model_copy(update={"line": line}) if line and not f.line else f)
    result.report = rep.model_copy(update={"findings": found})
    return result


def check_paths(
    paths: list[str], kind: str = "auto", config: Config | None = None, jobs: int | None = None, language: str | None = None
) -> list[FileResult]:
    """Check files and folders in a stable order. Many files are spread over worker
    processes (``jobs``, default: one per core); the results are the same either way."""
    config = config or default_config()
    todo = expand(paths)
    files = [(shown, path) for shown, path, problem in todo if not problem]
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 8) if len(files) >= 64 else 1
    checked: dict[str, FileResult] = {}
    if jobs > 1 and len(files) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            ctx = multiprocessing.get_context("fork")  # workers inherit the loaded rules and data
        except ValueError:
            ctx = None
        if ctx is not None:
            from hep_mcp.rules import catalog

            catalog()  # load once before forking
            chunk = max(1, len(files) // (jobs * 4))
            with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
                shown_list = [s for s, _ in files]
                for shown, result in zip(
                    shown_list,
                    pool.map(_check_one, [(p, s, kind, config, language) for s, p in files], chunksize=chunk),
                ):
                    checked[shown] = result
    for shown, path in files:
        if shown not in checked:
            checked[shown] = check_file(path, shown, kind, config, language)
    return [FileResult(shown, error=problem) if problem else checked[shown] for shown, path, problem in todo]


def _check_one(args) -> FileResult:
    path, shown, kind, config, language = args
    return check_file(path, shown, kind, config, language)


def _run_case(data: dict, shown: str, kind: str, config: Config, language: str | None = None) -> FileResult:
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{shown}: {pydantic_message(exc)}") from None
    use_kind = case.kind if case.kind != "auto" else kind
    if case.config:
        config = config_over(config, case.config, f"{shown}: config")
    if isinstance(case.input, str):
        use_language = case.language if case.language not in (None, "auto") else language
        report = check_draft(case.input, use_kind, config, case.condition, use_language)
    else:
        report = check_structured(case.input, f"{shown}: input", use_kind, config, case.format)
    result = FileResult(shown, report)
    if case.expect is not None:
        result.expected = True
        result.case_failures = compare(case.expect, report)
    return result


def config_over(base: Config, overrides: dict, source: str) -> Config:
    """The base config with a case's own settings on top."""
    from hep_mcp.config import config_from_mapping

    return config_from_mapping(overrides, source, base=base.model_dump(mode="json"))


def compare(expect: Expect, report: Report) -> list[str]:
    """Readable differences between a case's expectations and what the rules decided."""
    fired = {f.rule for f in report.findings}
    diff: list[str] = []
    if expect.kind is not None and expect.kind != report.kind:
        diff.append(f"~ expected kind: {expect.kind}, got kind: {report.kind}")
    if expect.language is not None and expect.language != report.language:
        diff.append(f"~ expected language: {expect.language}, got language: {report.language}")
    for rid in expect.fire:
        if rid not in fired:
            diff.append(f"- expected {rid} to fire; it did not")
    for rid in expect.not_:
        if rid in fired:
            lines = sorted({str(f.line) for f in report.findings if f.rule == rid and f.line})
            at = f" (line {', '.join(lines)})" if lines else ""
            diff.append(f"+ {rid} fired{at}; the case says it must not")
    if expect.ready is not None and expect.ready != report.ready:
        diff.append(f"~ expected ready: {str(expect.ready).lower()}, got ready: {str(report.ready).lower()}")
    if expect.elements is not None:
        raised = raised_elements(report)
        for element in sorted(set(expect.elements) - set(raised)):
            diff.append(f"- expected a finding in element {element}; none was raised")
        for element in sorted(set(raised) - set(expect.elements)):
            said = "the case says it is clean" if not expect.elements else "the case does not label it"
            diff.append(f"+ element {element} raised: {', '.join(raised[element])}; {said}")
    return diff


def raised_elements(report: Report) -> dict[str, list[str]]:
    """Element -> its error and warning findings (`RULE line N`), in report order."""
    out: dict[str, list[str]] = {}
    for f in report.findings:
        if f.severity in ("error", "warning"):
            at = f" line {f.line}" if f.line else ""
            entry = f"{f.rule}{at}"
            if entry not in out.setdefault(f.element, []):
                out[f.element].append(entry)
    return out


def case_finding(diff: list[str]) -> Finding:
    return Finding(
        rule="CASE",
        element="format",
        severity="error",
        message="fixture expectations broke:\n" + "\n".join(diff),
        line=None,
        suggestion="Fix the rule or the draft, or update the case's expect: block if the change is intended.",
    )
