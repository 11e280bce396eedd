"""Checking a skill pack: the service behind ``hep-mcp lint-pack``.

A pack is this repository or a clinic's fork of it: ``skills/<name>/SKILL.md``
(Agent Skills), ``prompts/*.j2`` (MCP prompt templates with YAML front matter),
condition library files, clinic config files and the Claude Code plugin files
(``.claude-plugin/plugin.json``, ``.mcp.json``, ``.claude-plugin/marketplace.json``).
Marked examples inside skills and prompts (fenced ``hep``, ``note``, ``hep-yaml``,
``note-yaml`` blocks) must pass the project's own checks.

The pack rules (``LP001``...) are data in ``lint_pack_rules.yaml`` next to this
module. Results are :class:`hep_mcp.check.FileResult` objects, one per file
looked at, so the check reporters and exit codes apply unchanged. Nothing here
writes files or touches the network.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from hep_mcp.check import FRONT_MATTER, FileResult, display_path
from hep_mcp.config import Config, default_config
from hep_mcp.errors import InputError
from hep_mcp.model import Finding, Report
from hep_mcp.prompt_files import NAME as PROMPT_NAME_PATTERN
from hep_mcp.prompt_files import PROMPT_SUFFIX, PromptSpec, prompt_environment
from hep_mcp.textio import read_text_file, safe_json, safe_yaml

SKILL_KEYS = ("name", "description", "license", "compatibility", "metadata", "allowed-tools")
SKILL_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KEBAB = SKILL_NAME
EXAMPLE_TAGS = {"hep": "hep", "note": "note", "hep-yaml": "hep", "note-yaml": "note"}
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})[ \t]*+(?P<info>[^\n`]*)$")
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
MAX_SKILL_LINES = 500
PLUGIN_PATH_KEYS = ("commands", "agents", "skills", "hooks", "mcpServers", "outputStyles", "lspServers")


@dataclass(frozen=True)
class PackRule:
    id: str
    name: str
    element: str
    severity: str
    description: str
    suggestion: str | None


@functools.lru_cache(maxsize=1)
def pack_rules() -> dict[str, PackRule]:
    """The pack rules by ID, in file order."""
    text = resources.files("hep_mcp").joinpath("lint_pack_rules.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    return {
        rid: PackRule(rid, r["name"], r["element"], r["severity"], r["description"].strip(), r.get("suggestion"))
        for rid, r in doc["rules"].items()
    }


def rule_infos():
    """Pack rules as reporter metadata (for SARIF)."""
    from hep_mcp.reporters import RuleInfo

    return [RuleInfo(r.id, r.name, r.severity, r.description, r.suggestion, ("pack", r.element)) for r in pack_rules().values()]


class _File:
    """Findings collected for one file of the pack."""

    def __init__(self, path: Path):
        self.path = path
        self.findings: list[Finding] = []

    def add(self, rule_id: str, message: str, line: int | None = None, suggestion: str | None = None) -> None:
        spec = pack_rules()[rule_id]
        self.findings.append(
            Finding(
                rule=rule_id,
                element=spec.element,
                severity=spec.severity,
                message=message,
                line=line,
                suggestion=suggestion if suggestion is not None else spec.suggestion,
            )
        )

    def result(self) -> FileResult:
        order = list(pack_rules())
        found = sorted(self.findings, key=lambda f: (f.line or 0, order.index(f.rule) if f.rule in order else 999))
        ready = not any(f.severity == "error" for f in found)
        # A pack file is neither a HEP nor a note: the report says "pack".
        report = Report(kind="pack", ready=ready, readability=None, findings=found)
        return FileResult(display_path(self.path), report)


def lint_pack(root: str | Path = ".", config: Config | None = None) -> list[FileResult]:
    """Every check on the pack at `root`, one result per file, in a stable order."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: no such folder; expected the root of a skill pack (the folder that holds skills/)")
    config = config or default_config()
    results: list[FileResult] = []
    results += _lint_skills(root, config)
    results += _lint_prompts(root, config)
    results += _lint_library(root)
    results += _lint_configs(root)
    results += _lint_plugin(root, has_skills=(root / "skills").is_dir())
    return results


def _read(path: Path) -> tuple[str | None, FileResult | None]:
    try:
        return read_text_file(path), None
    except InputError as exc:
        return None, FileResult(display_path(path), error=str(exc))


def _visible_dirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


# -- skills --------------------------------------------------------------------


def _lint_skills(root: Path, config: Config) -> list[FileResult]:
    skills = root / "skills"
    folders = _visible_dirs(skills) if skills.is_dir() else []
    if not folders:
        f = _File(skills)
        f.add("LP006", "no skills: expected skills/<name>/SKILL.md")
        return [f.result()]
    out: list[FileResult] = []
    for folder in folders:
        skill_md = folder / "SKILL.md"
        if not skill_md.is_file():
            f = _File(folder)
            f.add("LP006", f"skill folder {folder.name}/ has no SKILL.md")
            out.append(f.result())
            continue
        text, bad = _read(skill_md)
        if bad:
            out.append(bad)
            continue
        f = _File(skill_md)
        _skill_front_matter(f, text, folder.name)
        _links(f, text)
        _examples(f, text, config)
        out.append(f.result())
        for extra in sorted(p for p in folder.rglob("*.md") if p != skill_md and not _hidden(p, folder)):
            text, bad = _read(extra)
            if bad:
                out.append(bad)
                continue
            g = _File(extra)
            _links(g, text)
            _examples(g, text, config)
            out.append(g.result())
    return out


def _hidden(p: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in p.relative_to(root).parts)


def _front_matter(f: _File, text: str, rule_id: str) -> tuple[dict | None, int]:
    """(mapping, number of lines it takes) or (None, 0) with a finding."""
    m = FRONT_MATTER.match(text)
    if not m:
        f.add(rule_id, "no YAML front matter: the file must start with a line '---'", line=1)
        return None, 0
    try:
        meta = safe_yaml(m.group(1), "front matter")
    except InputError as exc:
        line = _yaml_line(str(exc))
        f.add(rule_id, str(exc), line=(line + 1) if line else 1)
        return None, 0
    if not isinstance(meta, dict):
        f.add(rule_id, f"front matter must be a mapping of keys, got {type(meta).__name__}", line=1)
        return None, 0
    return meta, m.group(0).count("\n")


def _yaml_line(message: str) -> int | None:
    m = re.match(r"front matter:(\d+):", message)
    return int(m.group(1)) if m else None


def _skill_front_matter(f: _File, text: str, folder: str) -> None:
    meta, n_lines = _front_matter(f, text, "LP001")
    if meta is None:
        return
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        f.add("LP002", "name: missing; expected the folder's name, " + repr(folder), line=1)
    else:
        if len(name) > 64:
            f.add("LP002", f"name: {len(name)} characters; at most 64", line=1)
        if not SKILL_NAME.match(name):
            f.add("LP002", f"name: {name!r} must be lower-case a-z, 0-9 and single hyphens, not at either end", line=1)
        if name != folder:
            f.add("LP002", f"name: {name!r} differs from its folder {folder!r}", line=1)
    desc = meta.get("description")
    if not isinstance(desc, str) or not desc.strip():
        f.add("LP003", "description: missing or empty", line=1)
    else:
        if len(desc) > 1024:
            f.add("LP003", f"description: {len(desc)} characters; at most 1024", line=1)
        if "<" in desc or ">" in desc:
            f.add("LP003", "description: must not contain '<' or '>'", line=1)
    for key in meta:
        if key not in SKILL_KEYS:
            f.add("LP004", f"unknown front matter key {key!r}; allowed: {', '.join(SKILL_KEYS)}", line=1)
    if "license" in meta and not isinstance(meta["license"], str):
        f.add("LP005", "license: expected a string", line=1)
    if "compatibility" in meta:
        c = meta["compatibility"]
        if not isinstance(c, str) or not 1 <= len(c) <= 500:
            f.add("LP005", "compatibility: expected a string of 1-500 characters", line=1)
    if "metadata" in meta:
        md = meta["metadata"]
        if not isinstance(md, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in md.items()):
            f.add("LP005", "metadata: expected a map of strings to strings (quote numbers and dates)", line=1)
    if "allowed-tools" in meta:
        at = meta["allowed-tools"]
        if not (isinstance(at, str) or (isinstance(at, list) and all(isinstance(t, str) for t in at))):
            f.add("LP005", "allowed-tools: expected a string or a list of strings", line=1)
    body = text.split("\n")[n_lines:]
    if not any(ln.strip() for ln in body):
        f.add("LP008", "no instructions after the front matter", line=n_lines or 1)
    total = text.count("\n") + (0 if text.endswith("\n") else 1)
    if total > MAX_SKILL_LINES:
        f.add("LP008", f"{total} lines; keep SKILL.md under {MAX_SKILL_LINES} and move detail to references/")


def _outside_fences(text: str):
    """(line number, line) for lines outside fenced code blocks."""
    fence = None
    for i, ln in enumerate(text.split("\n"), 1):
        m = FENCE.match(ln)
        if fence is None:
            if m:
                fence = m.group("fence")
                continue
            yield i, ln
        elif m and m.group("fence")[0] == fence[0] and len(m.group("fence")) >= len(fence) and not m.group("info").strip():
            fence = None


def _links(f: _File, text: str) -> None:
    base = f.path.parent
    for i, ln in _outside_fences(text):
        for m in LINK.finditer(ln):
            target = m.group(1).strip("<>")
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith(("#", "/")):
                continue
            target = target.split("#", 1)[0].split("?", 1)[0]
            if target and not (base / target).exists():
                f.add("LP007", f"link to {target!r}: no such file next to {f.path.name}", line=i)


# -- examples ------------------------------------------------------------------


@dataclass
class Block:
    tag: str
    attrs: dict
    start: int  # line number of the first line inside the fence
    text: str


def fenced_blocks(text: str) -> list[Block]:
    """Marked example blocks (```hep, ```note, ```hep-yaml, ```note-yaml), in order."""
    blocks: list[Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").strip()
        j = i + 1
        while j < len(lines):
            c = FENCE.match(lines[j])
            if c and c.group("fence")[0] == fence[0] and len(c.group("fence")) >= len(fence) and not c.group("info").strip():
                break
            j += 1
        words = info.split()
        if words and words[0] in EXAMPLE_TAGS:
            attrs = dict(w.split("=", 1) for w in words[1:] if "=" in w)
            blocks.append(Block(words[0], attrs, i + 2, "\n".join(lines[i + 1 : j]) + "\n"))
        i = j + 1
    return blocks


def _examples(f: _File, text: str, config: Config, rendered: str | None = None) -> None:
    blocks = fenced_blocks(text)
    rendered_blocks = fenced_blocks(rendered) if rendered is not None else []
    for n, block in enumerate(blocks):
        body = block.text
        if "{{" in body or "{%" in body:
            if n >= len(rendered_blocks) or rendered_blocks[n].tag != block.tag:
                continue  # could not be rendered: LP011/LP012 already say why
            body = rendered_blocks[n].text
        _check_example(f, block, body, config)


def _check_example(f: _File, block: Block, body: str, config: Config) -> None:
    from hep_mcp.check import check_draft, check_structured

    kind = EXAMPLE_TAGS[block.tag]
    where = f"example ({block.tag}, line {block.start})"
    try:
        if block.tag.endswith("-yaml"):
            data = safe_yaml(body, where)
            report = check_structured(data, where, kind, config, block.attrs.get("format"))
        else:
            report = check_draft(body, kind, config, block.attrs.get("condition"))
    except InputError as exc:
        f.add("LP041" if block.tag.endswith("-yaml") else "LP040", str(exc), line=block.start - 1)
        return
    for finding in report.findings:
        if finding.severity != "error":
            continue
        line = block.start + finding.line - 1 if finding.line else block.start - 1
        f.add(
            "LP040",
            f"{block.tag} example: {finding.rule} {finding.message}",
            line=line,
            suggestion=finding.suggestion,
        )


# -- prompts -------------------------------------------------------------------


PROMPT_KEYS = tuple(PromptSpec.model_fields)
PROMPT_NAME = re.compile(PROMPT_NAME_PATTERN)


def _lint_prompts(root: Path, config: Config) -> list[FileResult]:
    """``prompts/*.md.j2`` are prompts; ``prompts/_*`` are partials they include."""
    folder = root / "prompts"
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        text, bad = _read(path)
        if bad:
            out.append(bad)
            continue
        f = _File(path)
        if path.name.startswith("_"):
            _examples(f, text, config)  # a partial: rendered as part of the prompts that include it
        elif path.name.endswith(PROMPT_SUFFIX):
            rendered = _prompt(f, text, folder)
            _examples(f, text, config, rendered)
        else:
            continue
        out.append(f.result())
    return out


def _prompt(f: _File, text: str, folder: Path) -> str | None:
    """Check one prompt template; the text rendered with sample arguments, if it renders."""
    import jinja2
    from jinja2 import meta as jmeta

    front, _ = _front_matter(f, text, "LP010")
    args: list[dict] = []
    if front is not None:
        for key in front:
            if key not in PROMPT_KEYS:
                f.add("LP010", f"unknown front matter key {key!r}; allowed: {', '.join(PROMPT_KEYS)}", line=1)
        name = front.get("name")
        if not isinstance(name, str) or not PROMPT_NAME.match(name):
            f.add("LP010", f"name: {name!r}; expected snake_case (a-z, 0-9, _), starting with a letter", line=1)
        desc = front.get("description")
        if not isinstance(desc, str) or not desc.strip() or len(desc) > 1024:
            f.add("LP010", "description: expected 1-1024 characters", line=1)
        raw = front.get("arguments", [])
        if not isinstance(raw, list):
            f.add("LP010", "arguments: expected a list of {name, description, required}", line=1)
            raw = []
        for k, a in enumerate(raw):
            if not isinstance(a, dict) or not isinstance(a.get("name"), str) or not PROMPT_NAME.match(a["name"]):
                f.add("LP010", f"arguments[{k}]: expected a mapping with a snake_case name", line=1)
                continue
            if not isinstance(a.get("description"), str) or not a["description"].strip():
                f.add("LP010", f"arguments[{k}] ({a['name']}): description missing", line=1)
            if "required" in a and not isinstance(a["required"], bool):
                f.add("LP010", f"arguments[{k}] ({a['name']}): required must be true or false", line=1)
            extra = sorted(set(a) - {"name", "description", "required"})
            if extra:
                f.add("LP010", f"arguments[{k}] ({a['name']}): unknown key {', '.join(extra)}", line=1)
            args.append(a)
    env = prompt_environment(str(folder))
    try:
        source = env.loader.get_source(env, f.path.name)[0]
        ast = env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        f.add("LP011", f"template syntax: {exc.message}", line=exc.lineno)
        return None
    used = jmeta.find_undeclared_variables(ast)
    for a in args:
        if a["name"] not in used:
            f.add("LP013", f"argument {a['name']!r} is declared but not used", line=1)
    if front is None:
        return None
    # The server passes every declared argument, "" for one the client left out.
    samples = {a["name"]: f"sample {a['name'].replace('_', ' ')}" for a in args}
    required = {a["name"]: (samples[a["name"]] if a.get("required") else "") for a in args}
    rendered = None
    for label, values in (("sample values for all arguments", samples), ("only the required arguments", required)):
        try:
            text_out = env.get_template(f.path.name).render(**values)
        except jinja2.TemplateSyntaxError as exc:  # in an included partial
            f.add("LP011", f"template syntax in {exc.name or 'an included file'}: {exc.message}", line=exc.lineno)
            return None
        except jinja2.UndefinedError as exc:
            f.add("LP012", f"does not render with {label}: {exc.message}", line=_render_line(exc))
            continue
        except jinja2.TemplateError as exc:  # sandbox security errors and missing includes too
            f.add("LP012", f"does not render with {label}: {exc.__class__.__name__}: {exc}", line=_render_line(exc))
            continue
        except Exception as exc:  # a filter failing on a string, etc.
            f.add("LP012", f"does not render with {label}: {exc.__class__.__name__}", line=_render_line(exc))
            continue
        if rendered is None:
            rendered = text_out
    return rendered


def _render_line(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(PROMPT_SUFFIX) or name == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# -- library and config ----------------------------------------------------------


def _library_validator():
    """The library's own loader, if this version has one (``hep_mcp.library``)."""
    try:
        import hep_mcp.library as library
    except ImportError:
        return None
    for name in ("validate_file", "load_file", "load_condition_file"):
        fn = getattr(library, name, None)
        if callable(fn):
            return fn
    return None


def _lint_library(root: Path) -> list[FileResult]:
    validate = _library_validator()
    if validate is None:
        return []
    files: list[Path] = []
    for folder in (root / "library", root / "src" / "hep_mcp" / "library" / "data"):
        if folder.is_dir():
            files += sorted(p for p in folder.glob("*.y*ml") if p.is_file())
    out = []
    for path in files:
        f = _File(path)
        try:
            validate(path)
        except InputError as exc:
            f.add("LP020", str(exc))
        out.append(f.result())
    return out


def config_files(root: Path) -> list[Path]:
    found: set[Path] = set()
    if (root / "config").is_dir():
        found |= {p for p in (root / "config").glob("*.y*ml") if p.is_file()}
    for folder in (root, root / "docs"):
        if folder.is_dir():
            found |= {p for p in folder.glob("*clinic-config*.y*ml") if p.is_file()}
    return sorted(found)


def _lint_configs(root: Path) -> list[FileResult]:
    from hep_mcp.config import config_from_mapping
    from hep_mcp.rules.engine import validate_config

    out = []
    for path in config_files(root):
        text, bad = _read(path)
        if bad:
            out.append(bad)
            continue
        f = _File(path)
        shown = display_path(path)
        try:
            validate_config(config_from_mapping(safe_yaml(text, shown), shown), shown)
        except InputError as exc:
            f.add("LP021", str(exc), line=_yaml_line_of(str(exc), shown))
        out.append(f.result())
    return out


def _yaml_line_of(message: str, shown: str) -> int | None:
    m = re.match(re.escape(shown) + r":(\d+):", message)
    return int(m.group(1)) if m else None


# -- plugin files ----------------------------------------------------------------


def _load_json(path: Path, f: _File, rule_id: str):
    text, bad = _read(path)
    if bad:
        f.add(rule_id, bad.error or "cannot read")
        return None
    try:
        return safe_json(text, display_path(path))
    except InputError as exc:
        f.add(rule_id, str(exc))
        return None


def _lint_plugin(root: Path, has_skills: bool) -> list[FileResult]:
    out = []
    plugin = root / ".claude-plugin" / "plugin.json"
    mcp = root / ".mcp.json"
    market = root / ".claude-plugin" / "marketplace.json"
    for path, check in ((plugin, _plugin_json), (mcp, _mcp_json), (market, _marketplace_json)):
        f = _File(path)
        if path.is_file():
            check(path, f)
        elif path != market and has_skills:
            f.add("LP033", f"{display_path(path)}: missing")
        else:
            continue
        out.append(f.result())
    return out


def _plugin_json(path: Path, f: _File) -> None:
    data = _load_json(path, f, "LP030")
    if data is None:
        return
    if not isinstance(data, dict):
        f.add("LP030", "expected a JSON object")
        return
    name = data.get("name")
    if not isinstance(name, str) or not KEBAB.match(name):
        f.add("LP030", f"name: {name!r}; required, kebab-case (a-z, 0-9, single hyphens)")
    for key in ("version", "description", "license", "homepage", "repository"):
        if key in data and not isinstance(data[key], str):
            f.add("LP030", f"{key}: expected a string")
    if "author" in data:
        a = data["author"]
        if not (isinstance(a, dict) and isinstance(a.get("name"), str)):
            f.add("LP030", "author: expected an object with a name")
    if "keywords" in data and not (isinstance(data["keywords"], list) and all(isinstance(k, str) for k in data["keywords"])):
        f.add("LP030", "keywords: expected a list of strings")
    for key in PLUGIN_PATH_KEYS:
        value = data.get(key)
        paths = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for p in paths:
            if not isinstance(p, str) or not p.startswith("./"):
                f.add("LP030", f"{key}: path {p!r} must be relative to the plugin root and start with './'")


def _mcp_json(path: Path, f: _File) -> None:
    data = _load_json(path, f, "LP031")
    if data is None:
        return
    if not isinstance(data, dict):
        f.add("LP031", "expected a JSON object mapping server names to servers")
        return
    servers = data["mcpServers"] if isinstance(data.get("mcpServers"), dict) else data
    if not servers:
        f.add("LP031", "no servers")
    for name, server in servers.items():
        if not isinstance(server, dict):
            f.add("LP031", f"{name}: expected an object with command (and args) or url")
            continue
        if "command" in server:
            if not isinstance(server["command"], str) or not server["command"].strip():
                f.add("LP031", f"{name}.command: expected a non-empty string")
        elif not isinstance(server.get("url"), str):
            f.add("LP031", f"{name}: needs a command (a local server) or a url (a remote one)")
        args = server.get("args", [])
        if not (isinstance(args, list) and all(isinstance(a, str) for a in args)):
            f.add("LP031", f"{name}.args: expected a list of strings")
            args = []
        env = server.get("env", {})
        if not (isinstance(env, dict) and all(isinstance(v, str) for v in env.values())):
            f.add("LP031", f"{name}.env: expected a map of strings")
        if "type" in server and server["type"] not in ("stdio", "http", "sse"):
            f.add("LP031", f"{name}.type: expected stdio, http or sse")
        for value in [server.get("command"), *args]:
            if isinstance(value, str) and (value.startswith("/") or re.match(r"^[A-Za-z]:\\", value)):
                f.add("LP031", f"{name}: absolute path {value!r}; use ${{CLAUDE_PLUGIN_ROOT}}/... or a command on PATH")


def _marketplace_json(path: Path, f: _File) -> None:
    data = _load_json(path, f, "LP032")
    if data is None:
        return
    if not isinstance(data, dict):
        f.add("LP032", "expected a JSON object")
        return
    if not isinstance(data.get("name"), str) or not data["name"]:
        f.add("LP032", "name: missing")
    owner = data.get("owner")
    if not (isinstance(owner, dict) and isinstance(owner.get("name"), str) and owner["name"]):
        f.add("LP032", "owner: expected an object with a name")
    plugins = data.get("plugins")
    if not isinstance(plugins, list) or not plugins:
        f.add("LP032", "plugins: expected a non-empty list")
        return
    for k, p in enumerate(plugins):
        if not isinstance(p, dict):
            f.add("LP032", f"plugins[{k}]: expected an object")
            continue
        for key in ("name", "source", "description"):
            value = p.get(key)
            ok = isinstance(value, str) and value.strip() or (key == "source" and isinstance(value, dict) and value)
            if not ok:
                f.add("LP032", f"plugins[{k}].{key}: missing")
