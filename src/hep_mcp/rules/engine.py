"""The rule engine: a catalog of rules (data) and their checks (code), run on a draft.

A rule's ID, element, default severity, description, message, suggestion and
its passing and failing examples live in a YAML catalog; its logic is a small
function registered under the same ID. The engine runs the checks, fills the
messages, applies the clinic's severity overrides and decides ``ready``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable, Iterable, Iterator

from hep_mcp.config import Config, default_config, load_data
from hep_mcp.errors import InputError
from hep_mcp.model import ELEMENTS, Finding, Readability, Report
from hep_mcp.rules.parse import Draft, Line, parse, plain, sentences

CATALOG_SUFFIX = "_rules.yaml"  # every rules/data/*_rules.yaml is a catalog; its top-level `kind:` says hep or note


@dataclass(frozen=True)
class RuleSpec:
    id: str
    name: str
    kind: str
    element: str
    severity: str
    description: str
    message: str
    suggestion: str | None
    examples: dict

    def as_dict(self) -> dict:
        ex = self.examples
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "element": self.element,
            "severity": self.severity,
            "description": self.description,
            "message": self.message,
            "suggestion": self.suggestion,
            "examples": {"pass": ex.get("pass"), "fail": ex.get("fail")},
        }


@dataclass
class Hit:
    """What a check returns: where, and the values its message needs."""

    line: int | None = None
    params: dict = field(default_factory=dict)


def hit(line: int | None = None, **params) -> Hit:
    return Hit(line, params)


CheckFn = Callable[["Context"], Iterable[Hit]]
_CHECKS: dict[str, CheckFn] = {}


def rule(rule_id: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        if rule_id in _CHECKS:
            raise RuntimeError(f"rule {rule_id} registered twice")
        _CHECKS[rule_id] = fn
        return fn

    return register


def _load_checks() -> None:
    # Importing the rule modules registers their checks.
    import importlib
    import pkgutil

    import hep_mcp.rules as pkg

    for mod in sorted(m.name for m in pkgutil.iter_modules(pkg.__path__)):
        if mod not in ("engine", "parse"):
            importlib.import_module(f"hep_mcp.rules.{mod}")


@lru_cache(maxsize=1)
def catalog() -> dict[str, RuleSpec]:
    """Every rule, by ID, in catalog order."""
    _load_checks()
    specs: dict[str, RuleSpec] = {}
    from importlib import resources

    files = sorted(
        f.name for f in resources.files("hep_mcp.rules").joinpath("data").iterdir() if f.name.endswith(CATALOG_SUFFIX)
    )
    for fname in files:
        doc = load_data(fname)
        kind = doc["kind"]
        for rid, raw in doc["rules"].items():
            if rid in specs:
                raise RuntimeError(f"{fname}: rule {rid} is already defined")
            if raw["element"] not in ELEMENTS:
                raise RuntimeError(f"{fname}: {rid}: unknown element {raw['element']!r}")
            specs[rid] = RuleSpec(
                id=rid,
                name=raw["name"],
                kind=kind,
                element=raw["element"],
                severity=raw["severity"],
                description=raw["description"],
                message=raw["message"],
                suggestion=raw.get("suggestion"),
                examples=raw.get("examples") or {},
            )
    return specs


def rules_for(kind: str) -> list[RuleSpec]:
    return [s for s in catalog().values() if s.kind == kind]


def check_fn(rule_id: str) -> CheckFn | None:
    catalog()
    return _CHECKS.get(rule_id)


class Context:
    """What a check sees: the parsed draft, the config and what is known about the case."""

    def __init__(self, draft: Draft, config: Config, kind: str, condition: str | None = None, extra: dict | None = None):
        self.draft = draft
        self.config = config
        self.kind = kind
        self.condition = condition
        self.extra = extra or {}

    # -- cue helpers --------------------------------------------------------
    def cue(self, name: str) -> list[re.Pattern]:
        return _compiled_cue(name)

    def matches(self, name_or_patterns, lines: Iterable[Line] | None = None) -> Iterator[tuple[Line, re.Match]]:
        pats = self.cue(name_or_patterns) if isinstance(name_or_patterns, str) else name_or_patterns
        for ln in self.draft.body if lines is None else lines:
            for p in pats:
                m = p.search(ln.text)
                if m:
                    yield ln, m
                    break

    def first(self, name_or_patterns, lines: Iterable[Line] | None = None) -> tuple[Line, re.Match] | None:
        return next(self.matches(name_or_patterns, lines), None)

    @cached_property
    def prose_sentences(self) -> list[str]:
        return prose_sentences(self.draft)

    @cached_property
    def readability(self) -> Readability | None:
        prose = self.prose_sentences
        if not prose:
            return None
        from hep_mcp import readability

        fk, smog = readability.scores(" ".join(prose))
        return Readability(fk_grade=fk, smog=smog)

    @cached_property
    def channel_pattern(self) -> re.Pattern:
        names = sorted({c.strip() for c in self.config.official_channels if c.strip()}, key=len, reverse=True)
        if not names:
            return re.compile(r"(?!x)x")
        return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.I)


@lru_cache(maxsize=None)
def _compiled_cue(name: str) -> list[re.Pattern]:
    node = load_data("cues.yaml")
    for part in name.split("."):
        node = node[part]
    return [re.compile(p, re.I | re.M) for p in node]


TERMINAL = re.compile(r"[.!?][\"')\]]*\s*$")


def prose_sentences(draft: Draft) -> list[str]:
    """Full sentences in running text: headings, tables and label-only lines are left out."""
    heading_lines = {no for no, _, _ in draft.headings}
    out: list[str] = []
    para: list[str] = []

    def flush():
        if para:
            for s in sentences(" ".join(para)):
                if len(s.split()) >= 3 and TERMINAL.search(s):
                    out.append(s.strip())
            para.clear()

    for ln in draft.lines:
        t = ln.text.strip()
        if not t or ln.no in heading_lines or t.startswith("|") or set(t) <= set("-=*_#| "):
            flush()
            continue
        p = plain(t)
        if re.match(r"^\s*[-*+•]|\s*\d{1,2}[.)]\s", t):
            flush()
        para.append(p)
        if TERMINAL.search(p) is None and len(p.split()) < 4:
            flush()
    flush()
    return out


def validate_config(config: Config, source: str = "config") -> None:
    """Severity overrides and disabled rules must name real rule IDs."""
    known = catalog()
    for rid in list(config.severity) + list(config.disable):
        if rid not in known:
            raise InputError(f"{source}: unknown rule ID {rid!r} (see `hep-mcp rules`)")


def run(
    text: str,
    kind: str = "hep",
    config: Config | None = None,
    condition: str | None = None,
    only: Iterable[str] | None = None,
    extra: dict | None = None,
) -> Report:
    """Check one draft. Never raises for any text; bad config raises InputError."""
    config = config or default_config()
    validate_config(config)
    draft = parse(text)
    ctx = Context(draft, config, kind, condition, extra)
    selected = set(only) if only is not None else None
    findings: list[Finding] = []
    gate = _gate(ctx) if selected is None else None
    for spec in rules_for(kind):
        if selected is not None and spec.id not in selected:
            continue
        if spec.id in config.disable:
            continue
        if gate is not None and spec.element not in gate and spec.id not in gate:
            continue
        fn = _CHECKS.get(spec.id)
        if fn is None:
            continue
        for h in fn(ctx) or ():
            findings.append(_finding(spec, h, config))
    findings.sort(key=lambda f: (f.line or 0, f.rule, f.message))
    readability = ctx.readability if kind == "hep" else None
    return Report(
        kind=kind,
        ready=not any(f.severity == "error" for f in findings),
        readability=readability,
        findings=findings,
    )


def _gate(ctx: Context) -> set[str] | None:
    """Empty or off-topic text: only say that (plus privacy and safety), not every missing element."""
    if not ctx.draft.text.strip():
        return {"FM001", "NF001"}
    if ctx.kind == "hep" and ctx.first("topic") is None:
        return {"format", "privacy", "safety"}
    return None


def _finding(spec: RuleSpec, h: Hit, config: Config) -> Finding:
    return Finding(
        rule=spec.id,
        element=spec.element,
        severity=config.severity.get(spec.id, spec.severity),
        message=spec.message.format(**h.params),
        line=h.line,
        suggestion=spec.suggestion.format(**h.params) if spec.suggestion else None,
    )
