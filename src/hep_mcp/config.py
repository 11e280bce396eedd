"""Thresholds, word lists and clinic settings.

Defaults ship in ``rules/data/defaults.yaml``; a clinic config (YAML) overrides
any key. Unknown keys are errors that name the key, so a typo never passes silently.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hep_mcp.errors import InputError, pydantic_message


class ReadingGrade(BaseModel):
    model_config = ConfigDict(extra="forbid")
    warning_above: float = Field(default=6, ge=0, le=30)
    error_above: float = Field(default=8, ge=0, le=30)
    min_sentences: int = Field(default=3, ge=1, le=100)


class ReadingEaseEs(BaseModel):
    """Spanish readability targets (higher scores are easier). The default target is the
    "bastante fácil" band of both scales: INFLESZ 65 or more (Barrio-Cantalejo et al. 2008)
    and Fernández-Huerta 70 or more; below INFLESZ 55 ("algo difícil") or Fernández-Huerta
    60 ("bastante difícil") is an error."""

    model_config = ConfigDict(extra="forbid")
    inflesz_warning_below: float = Field(default=65, ge=0, le=120)
    inflesz_error_below: float = Field(default=55, ge=0, le=120)
    fernandez_huerta_warning_below: float = Field(default=70, ge=0, le=120)
    fernandez_huerta_error_below: float = Field(default=60, ge=0, le=120)
    min_sentences: int = Field(default=3, ge=1, le=100)


class ExerciseCount(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: int = Field(default=3, ge=0, le=20)
    max: int = Field(default=4, ge=1, le=20)

    @model_validator(mode="after")
    def _order(self):
        if self.min > self.max:
            raise ValueError("exercise_count.min must not be above exercise_count.max")
        return self


class Clinic(BaseModel):
    """The clinic's own contact block: shown on every patient format, and the only
    phone numbers, addresses and links a handout may carry."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str | None = Field(default=None, max_length=120, description="e.g. 'Riverside Physical Therapy'.")
    phone: str | None = Field(default=None, max_length=40, description="Main clinic phone, e.g. '(555) 010-4477'.")
    after_hours_phone: str | None = Field(default=None, max_length=40, description="After-hours or on-call line.")
    text_line: str | None = Field(default=None, max_length=40, description="The clinic text line's number.")
    portal_name: str | None = Field(default=None, max_length=80, description="e.g. 'MyChart'.")
    portal_url: str | None = Field(default=None, max_length=200, description="e.g. 'https://mychart.riverside.example'.")
    app_name: str | None = Field(default=None, max_length=80, description="The clinic app's name.")
    email: str | None = Field(default=None, max_length=120, description="The clinic's official e-mail address.")
    hours: str | None = Field(default=None, max_length=120, description="e.g. 'Mon-Fri 7 am to 6 pm'.")
    hours_in: dict[str, str] = Field(
        default_factory=dict, max_length=10,
        description="The opening hours as a handout in another language prints them, by language code, "
        "e.g. {'es': 'lunes a viernes, de 7 a. m. a 6 p. m.'}; without one, hours as written.",
    )
    domains: tuple[str, ...] = Field(
        default=(), max_length=20, description="The clinic's own web domains (links to them are allowed)."
    )

    def __hash__(self) -> int:  # hours_in is a dict: hash by content
        return hash(self.model_dump_json())


class Config(BaseModel):
    """Every setting a clinic can change."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reading_grade: ReadingGrade = ReadingGrade()
    reading_ease_es: ReadingEaseEs = ReadingEaseEs()
    pain_points: int = Field(default=2, ge=1, le=10)
    confidence_threshold: int = Field(default=7, ge=0, le=10)
    exercise_count: ExerciseCount = ExerciseCount()
    page_word_budget: int = Field(default=450, ge=10, le=5000)
    jargon_error_above: int = Field(default=7, ge=0, le=200)
    max_sentences_per_description: int = Field(default=3, ge=1, le=20)
    min_sentences_per_description: int = Field(default=2, ge=1, le=20)
    official_channels: tuple[str, ...] = ()
    extra_jargon: dict[str, str] = Field(default_factory=dict)
    extra_forbidden: tuple[str, ...] = ()
    severity: dict[str, Literal["error", "warning", "info"]] = Field(default_factory=dict)
    disable: tuple[str, ...] = ()
    max_input_bytes: int = Field(default=100_000, ge=1_000, le=10_000_000)
    library_dirs: tuple[str, ...] = Field(
        default=(), description="The clinic's own condition library folders (relative to the config file)."
    )
    clinic: Clinic = Clinic()

    def __hash__(self) -> int:  # dict fields: hash by content
        return hash(self.model_dump_json())


def _data(name: str) -> str:
    return resources.files("hep_mcp.rules").joinpath("data", name).read_text(encoding="utf-8")


_DATA_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster


@functools.lru_cache(maxsize=None)
def load_data(name: str):
    """A shipped data file (YAML), parsed once (safe loading)."""
    return yaml.load(_data(name), Loader=_DATA_LOADER)  # noqa: S506 - a safe loader


@functools.lru_cache(maxsize=1)
def default_config() -> Config:
    return Config.model_validate(load_data("defaults.yaml"))


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key in ("reading_grade", "reading_ease_es", "exercise_count", "clinic"):
            out[key] = _merge(out[key], value)
        elif key == "official_channels" and isinstance(value, list):
            # A clinic names its own channels; the generic ones stay recognised.
            out[key] = list(dict.fromkeys([*value, *out.get(key, [])]))
        else:
            out[key] = value
    return out


def config_from_mapping(data: object, source: str = "config", base: dict | None = None) -> Config:
    """Settings from a mapping, on top of `base` (default: the shipped defaults)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping of settings, got {type(data).__name__}")
    try:
        return Config.model_validate(_merge(base if base is not None else load_data("defaults.yaml"), data))
    except ValidationError as exc:
        raise InputError(f"{source}: {pydantic_message(exc)}") from None


def load_config(path: str | Path | None) -> Config:
    """Defaults merged with a clinic config file; errors name the file and key."""
    if path is None:
        return default_config()
    from hep_mcp.textio import read_text_file, safe_yaml

    text = read_text_file(path)
    config = config_from_mapping(safe_yaml(text, str(path)), str(path))
    if config.library_dirs:  # relative to the config file, wherever the command runs
        base = Path(path).resolve().parent
        config = config.model_copy(update={"library_dirs": tuple(library_dir(base, d, str(path)) for d in config.library_dirs)})
    return config


def library_dir(base: Path, folder: str, source: str) -> str:
    """A library folder named in a config: a relative path inside the config file's
    folder, resolved (links included). Absolute paths and ones that lead out are refused."""
    from hep_mcp.errors import excerpt

    shown = excerpt(folder, 80)
    if not folder.strip() or "\x00" in folder:
        raise InputError(f"{source}: library_dirs: {shown!r} is not a folder name")
    if Path(folder).is_absolute():
        raise InputError(
            f"{source}: library_dirs: {shown!r} is an absolute path; name a folder next to the config file "
            "(a relative path such as 'library')"
        )
    full = (base / folder).resolve()
    if not full.is_relative_to(base):
        raise InputError(
            f"{source}: library_dirs: {shown!r} leads out of the config file's folder; "
            "keep the clinic's library folders next to the config file"
        )
    return str(full)
