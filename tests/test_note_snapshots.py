"""Rendered progress notes compared byte for byte with tests/snapshots/notes/.

After an intended template change, refresh them with
``HEP_MCP_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_note_snapshots.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from hep_mcp.note import progress_note
from tests.conftest import FIXTURES

SNAPSHOTS = Path(__file__).parent / "snapshots" / "notes"
CASES = sorted((FIXTURES / "notes").glob("*.yaml"))
UPDATE = os.environ.get("HEP_MCP_UPDATE_SNAPSHOTS") == "1"
SUFFIX = {"markdown": ".md", "text": ".txt"}


@pytest.mark.parametrize("fmt", ["markdown", "text"])
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_rendered_note_matches_snapshot(case: Path, fmt: str):
    data = yaml.safe_load(case.read_text())["input"]
    text = progress_note(data, fmt=fmt).text
    snap = SNAPSHOTS / f"{case.stem}{SUFFIX[fmt]}"
    if UPDATE:
        snap.parent.mkdir(parents=True, exist_ok=True)
        snap.write_text(text, encoding="utf-8")
    assert snap.exists(), f"no snapshot {snap.name}: run with HEP_MCP_UPDATE_SNAPSHOTS=1 and review it"
    assert text == snap.read_text(encoding="utf-8")


def test_every_snapshot_has_a_case():
    stems = {p.stem for p in CASES}
    assert {p.stem for p in SNAPSHOTS.iterdir()} <= stems
