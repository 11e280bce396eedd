"""Every regular expression that meets user text is linear: none has a shape that backtracks
catastrophically (hep_mcp.rules.regex_safety). Patterns come from the data files and from
the code (every ``re.*`` call with a literal pattern, and the ``*_CUES`` lists)."""

from __future__ import annotations

import ast
import re
from importlib import resources
from pathlib import Path

import pytest

from hep_mcp.config import load_data
from hep_mcp.rules import regex_safety

SRC = Path(__file__).resolve().parent.parent / "src" / "hep_mcp"
RE_FUNCS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"}
ANCHORED = {"match", "fullmatch"}


def _strings(node, path):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{path}[{i}]")
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, f"{path}.{k}")


def data_patterns():
    out = []
    for name in ("cues.yaml", "note_cues.yaml"):
        for path, p in _strings(load_data(name), name):
            out.append((path, p, re.I | re.M, True))
    from hep_mcp import lang

    for code in lang.languages():  # every language pack's cue lists
        if code == "en":
            continue
        for part in ("cues", "conditions"):
            if part in lang.parts(code):
                doc = lang.part(code, part)
                if part == "conditions":  # the pattern lists only, not labels and flag names
                    doc = {k: v for k, v in doc.items() if k != "conditions"} | {
                        f"conditions.{c}": {"detect": v["detect"], "flags": [f["patterns"] for f in v.get("red_flags", [])]}
                        for c, v in doc["conditions"].items()
                    }
                for path, p in _strings(doc, f"lang/{code}/{part}.yaml"):
                    out.append((path, p, re.I | re.M, True))
        if "abbreviations" in lang.parts(code):
            for i, entry in enumerate(lang.part(code, "abbreviations")["patterns"]):
                out.append((f"lang/{code}/abbreviations.yaml.patterns[{i}]", entry["pattern"], re.I, True))
    for i, entry in enumerate(load_data("abbreviations.yaml")["patterns"]):
        out.append((f"abbreviations.yaml.patterns[{i}]", entry["pattern"], re.I, True))
    # any other shipped data file that has pattern lists
    names = {f.name for f in resources.files("hep_mcp.rules").joinpath("data").iterdir()}
    assert {"cues.yaml", "note_cues.yaml", "abbreviations.yaml"} <= names
    return out


def _flags(node) -> int:
    if node is None:
        return 0
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "re":
        return int(getattr(re, node.attr))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _flags(node.left) | _flags(node.right)
    return 0


def code_patterns():
    out = []
    for f in sorted(SRC.rglob("*.py")):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        rel = f.relative_to(SRC.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                fn = node.func
                if not (isinstance(fn.value, ast.Name) and fn.value.id == "re" and fn.attr in RE_FUNCS):
                    continue
                if not node.args:
                    continue
                arg = node.args[0]
                pats = []
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    pats = [arg.value]
                elif isinstance(arg, ast.BinOp) or isinstance(arg, ast.JoinedStr):
                    continue  # built at run time from escaped words (checked where they are built)
                flag_arg = None
                for kw in node.keywords:
                    if kw.arg == "flags":
                        flag_arg = kw.value
                pos = {"compile": 1, "search": 2, "match": 2, "fullmatch": 2, "split": 3, "findall": 2, "finditer": 2, "sub": 4, "subn": 4}
                if flag_arg is None and len(node.args) > pos[fn.attr]:
                    flag_arg = node.args[pos[fn.attr]]
                for p in pats:
                    out.append((f"{rel}:{node.lineno}", p, _flags(flag_arg), fn.attr not in ANCHORED))
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if name.endswith("CUES") and isinstance(node.value, ast.List):
                    for el in node.value.elts:
                        if isinstance(el, ast.Constant) and isinstance(el.value, str):
                            out.append((f"{rel}:{el.lineno}", el.value, re.I | re.M, True))
    return out


ALL = data_patterns() + code_patterns()


def test_patterns_were_found():
    # the collector itself works: the data files and the code both give many patterns
    assert len(data_patterns()) > 150
    assert len(code_patterns()) > 40


@pytest.mark.parametrize("source,pattern,flags,searched", ALL, ids=[a[0] for a in ALL])
def test_pattern_is_linear(source, pattern, flags, searched):
    assert regex_safety.problems(pattern, flags, searched) == [], f"{source}: {pattern!r}"


@pytest.mark.parametrize(
    "pattern,flags,why",
    [
        (r"(a+)+$", 0, "nested"),
        (r"(\w+\s?)*$", 0, "nested"),
        (r"(?:x|y+)*z", 0, "nested"),
        (r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$", 0, "in a row"),
        (r"\s*\s*x", 0, "in a row"),
        (r"a.*.*b", 0, "in a row"),
        (r"^\s*(do|try)\b", re.M, "line breaks"),
        (r"^(\s*)-", re.M, "line breaks"),
        (r"\s+x", 0, None),  # a + start is entered at most once per run... but still re-scans
        (r"[ \t]*:", 0, "starts with"),
    ],
)
def test_catastrophic_shapes_are_caught(pattern, flags, why):
    found = regex_safety.problems(pattern, flags)
    if why is None:
        return
    assert any(why in f for f in found), (pattern, found)


@pytest.mark.parametrize(
    "pattern,flags",
    [
        (r"^[ \t]*(do|try)\b", re.M),
        (r"\bafter\b[^.!?\n]{0,60}\b(breakfast|coffee)\b", re.I),
        (r"^[ \t]{0,3}(#{1,6})(?:[ \t]+(.*))?$", 0),
        (r"\s*+x", 0),
        (r"(?>\s*)x", 0),
        (r"\b\d+\s*[x×]\s*\d+\b", 0),
        (r"!?\[([^\]\[]*)\]\(([^()]*)\)", 0),
    ],
)
def test_linear_shapes_pass(pattern, flags):
    assert regex_safety.problems(pattern, flags) == []


def test_check_names_the_pattern():
    with pytest.raises(ValueError, match=r"clinic.yaml: pattern '\(a\+\)\+'"):
        regex_safety.check("(a+)+", "clinic.yaml")
    with pytest.raises(ValueError, match="not a valid regular expression"):
        regex_safety.check("(a", "x")
