"""Text field types for everything a person types into a HEP or a note.

Control characters (escape sequences, bell, backspace, line and tab breaks) and
invisible format characters (zero-width spaces and joiners, soft hyphens, BOMs,
bidirectional overrides) never reach a patient's handout, SMS or HTML page: line
breaks and tabs become spaces, the rest is removed, before the length checks.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, StringConstraints

from hep_mcp.textio import INVISIBLE

_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(value: object) -> object:
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", INVISIBLE.sub("", _BREAKS.sub(" ", value)))


_clean = BeforeValidator(clean_text)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), _clean]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), _clean]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), _clean]
