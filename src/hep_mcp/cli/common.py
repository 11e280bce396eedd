"""Small helpers shared by the subcommands (errors to stderr, config, output)."""

from __future__ import annotations

import sys
from pathlib import Path


def error(message: str) -> None:
    print(f"hep-mcp: {message}", file=sys.stderr)


def load_config_or_none(path: str | None):
    """(config, None) or (None, exit code 2) with the reason on stderr."""
    from hep_mcp.config import load_config
    from hep_mcp.errors import InputError
    from hep_mcp.rules.engine import validate_config

    try:
        config = load_config(path)
        validate_config(config, str(path or "config"))
        return config, None
    except InputError as exc:
        error(str(exc))
        return None, 2


def write_output(text: str, out: str | None) -> int:
    """Print, or write to the file the user named with -o."""
    if out is None or out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        error(f"{out}: cannot write ({exc.strerror or exc.__class__.__name__})")
        return 2
    return 0


def load_case_input(path: str, config) -> tuple[object, str]:
    """(input, source name) from a structured file: a bare HEP/note, or a fixture case's `input:`."""
    from hep_mcp.textio import load_structured, read_text_file

    data = load_structured(read_text_file(path, config.max_input_bytes), path)
    if isinstance(data, dict) and "input" in data and ("expect" in data or "case" in data):
        return data["input"], f"{path}: input"
    return data, path
