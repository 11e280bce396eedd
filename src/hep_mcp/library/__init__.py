"""Layer 4: the condition library, as data (``library/data/*.yaml``).

Early-phase exercise ideas with lay names, 2-3 sentence plain descriptions and a
tie-back sentence with a ``{moment}`` slot, plus precautions and routine
triggers for each condition. Ideas only: the therapist chooses the exercises and
the dose (the library has no doses). Red-flag wording is not copied here: it
comes from ``rules/data/red_flags.yaml``, the same wording the handout uses.

A clinic adds or replaces conditions with its own files (same schema), passed as
``extra_dirs``; a clinic file for a condition the library already has replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from hep_mcp.errors import InputError, pydantic_message

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]

MOMENT = "{moment}"
DEFAULT_MOMENT = "in today's session"


class LibraryExercise(BaseModel):
    """One exercise idea. The dose is the therapist's: the library never has one."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: Key = Field(description="Stable key, e.g. thigh_squeeze.")
    name: Line = Field(description="The lay name, e.g. 'Thigh squeeze'.")
    description: Line = Field(description="Two or three plain sentences on how to do it.")
    tie_back: Line = Field(
        description="One sentence tying it to the session, with a {moment} slot the therapist fills, "
        "e.g. 'This is the squeeze we did {moment}.' -> '... at the start of today's session.'"
    )
    image: Line | None = Field(
        default=None,
        description="The clinic's own picture (PNG, JPEG or SVG file name in its library folder); copy it, "
        "with image_alt, into the HEP exercise to show it on the html and caregiver_html handouts.",
    )
    image_alt: Line | None = Field(default=None, description="What the picture shows (required with image).")

    @model_validator(mode="after")
    def _alt_with_image(self):
        if self.image and not self.image_alt:
            raise ValueError("image_alt: a picture needs a short plain description of what it shows")
        return self

    @field_validator("tie_back")
    @classmethod
    def _one_slot(cls, value: str) -> str:
        if value.count(MOMENT) != 1:
            raise ValueError("needs exactly one {moment} slot, e.g. 'This is the one we did {moment}.'")
        return value

    def tie_back_text(self, moment: str = DEFAULT_MOMENT) -> str:
        """The tie-back with its slot filled ("at the end of today's session")."""
        return self.tie_back.replace(MOMENT, moment.strip())


class ConditionEntry(BaseModel):
    """One condition: exercise ideas, red flags, precautions and routine triggers."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    condition: Key = Field(description="The condition key, e.g. total_knee_replacement.")
    label: Line = Field(description="Plain label, e.g. 'Total knee replacement'.")
    phase: Line = Field(description="The phase the ideas are for, e.g. 'early, first 6 weeks'.")
    aliases: list[Key] = Field(default_factory=list, description="Other keys that find this entry, e.g. tkr.")
    exercises: list[LibraryExercise] = Field(min_length=4, max_length=6)
    red_flags: list[Line] = Field(
        default_factory=list, description="Warning signs with who to call (the handout's wording)."
    )
    precautions: list[Line] = Field(default_factory=list)
    triggers: list[Line] = Field(default_factory=list, description="Routine anchors, e.g. 'after you brush your teeth'.")

    @field_validator("exercises")
    @classmethod
    def _unique_keys(cls, value: list[LibraryExercise]) -> list[LibraryExercise]:
        keys = [e.key for e in value]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"exercise keys must be unique: {', '.join(dupes)}")
        return value


def default_red_flags(condition: str) -> list[str]:
    """The handout's red-flag wording for a condition (rules/data/red_flags.yaml)."""
    from hep_mcp.rules import conditions as C

    return [C.wording()["emergency"], *(f["text"] for f in C.condition_flags(condition))]


def _parse(data: object, source: str) -> ConditionEntry:
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping with condition, label, phase, exercises, ...")
    try:
        entry = ConditionEntry.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{source}: {pydantic_message(exc)}") from None
    if not entry.red_flags:
        entry = entry.model_copy(update={"red_flags": default_red_flags(entry.condition)})
    return entry


def load_file(path: str | Path) -> ConditionEntry:
    """One library file (YAML), validated; errors name the file and the field."""
    from hep_mcp.textio import read_text_file, safe_yaml

    return _parse(safe_yaml(read_text_file(path), str(path)), str(path))


def _shipped() -> dict[str, ConditionEntry]:
    out: dict[str, ConditionEntry] = {}
    folder = resources.files("hep_mcp.library").joinpath("data")
    for name in sorted(f.name for f in folder.iterdir() if f.name.endswith((".yaml", ".yml"))):
        import yaml

        entry = _parse(yaml.safe_load(folder.joinpath(name).read_text(encoding="utf-8")), f"library/{name}")
        out[entry.condition] = entry
    return out


_SHIPPED: dict[str, ConditionEntry] | None = None


def _entries(extra_dirs: Iterable[str | Path] | None = None) -> dict[str, ConditionEntry]:
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = _shipped()
    entries = dict(_SHIPPED)
    for folder in extra_dirs or ():
        for f in library_files(folder):
            entry = load_file(f)
            entries[entry.condition] = entry
    return entries


def library_files(folder: str | Path) -> list[Path]:
    """The condition files of a clinic library folder, sorted: regular ``.yaml``/``.yml``
    files directly in it, not hidden. A link that leads out of the folder is an
    InputError naming it (a library never reads other files); subfolders, FIFOs and
    devices are not condition files and are skipped."""
    p = Path(folder)
    if not p.is_dir():
        raise InputError(f"{folder}: library folder not found; expected a folder of condition files (.yaml)")
    root = p.resolve()
    out = []
    for f in sorted(p.iterdir()):
        if f.name.startswith(".") or f.suffix.lower() not in (".yaml", ".yml"):
            continue
        real = f.resolve()
        if not real.is_relative_to(root):
            raise InputError(f"{f}: a link to a file outside the library folder; copy the file into the folder instead")
        if real.is_file():
            out.append(real)
    return out


def _normal(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def conditions(extra_dirs: Iterable[str | Path] | None = None) -> list[str]:
    """The condition keys the library knows, sorted."""
    return sorted(_entries(extra_dirs))


def lookup(condition: str, extra_dirs: Iterable[str | Path] | None = None) -> ConditionEntry:
    """One condition's entry by key or alias; unknown -> InputError listing the known ones."""
    entries = _entries(extra_dirs)
    key = _normal(condition)
    if key in entries:
        return entries[key]
    for entry in entries.values():
        if key in entry.aliases:
            return entry
    raise InputError(f"condition: unknown {condition!r:.60}; expected one of {', '.join(sorted(entries))}")


__all__ = ["ConditionEntry", "LibraryExercise", "conditions", "default_red_flags", "load_file", "lookup"]
