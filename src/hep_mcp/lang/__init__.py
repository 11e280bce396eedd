"""Language packs: everything language-specific, one folder per language.

``lang/<code>/`` holds the pack of one language (``pack.yaml`` names it), one YAML file per
part (``strings.yaml`` for the fixed text of the formats, ``cues.yaml`` for the checker's cue
lists, ...). Adding a language is adding a folder: ``tests/test_lang.py`` fails when a pack
misses a key the English pack has. Nothing here is code that knows a language.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

DEFAULT = "en"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: the same data, ~10x faster


class UnknownLanguage(ValueError):
    """A language code with no pack."""


@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    """Codes of the packs shipped (folders with a pack.yaml), English first."""
    root = resources.files(__name__)
    codes = sorted(p.name for p in root.iterdir() if p.is_dir() and p.joinpath("pack.yaml").is_file())
    return tuple(sorted(codes, key=lambda c: c != DEFAULT))


def _folder(code: str):
    if code not in languages():
        raise UnknownLanguage(f"language: {code!r} has no language pack; expected one of {', '.join(languages())}")
    return resources.files(__name__).joinpath(code)


@lru_cache(maxsize=None)
def parts(code: str) -> tuple[str, ...]:
    """Names of the parts a pack holds (file stems), pack.yaml included as 'pack'."""
    return tuple(sorted(p.name[: -len(".yaml")] for p in _folder(code).iterdir() if p.name.endswith(".yaml")))


@lru_cache(maxsize=None)
def part(code: str, name: str) -> Any:
    """One part of a pack, parsed (cached; callers must not mutate it). A part the pack does not
    have is an error naming the file."""
    f = _folder(code).joinpath(f"{name}.yaml")
    if not f.is_file():
        raise UnknownLanguage(f"language pack {code!r} has no {name}.yaml")
    return yaml.load(f.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader


def info(code: str) -> dict:
    """The pack's own description (pack.yaml): at least its name in English and in itself."""
    return part(code, "pack")


@lru_cache(maxsize=None)
def data(code: str, name: str) -> Any:
    """A language's word data for the checks: English from ``rules/data/<name>.yaml`` (the
    reference lists, where the rules have always read them), any other language from its
    pack, ``lang/<code>/<name>.yaml`` (the same keys; tests/test_lang.py checks them)."""
    if code == DEFAULT:
        from hep_mcp.config import load_data

        return load_data(f"{name}.yaml")
    return part(code, name)
