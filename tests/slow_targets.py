"""Test-only check functions the budget tests send to a worker process (by name)."""

from __future__ import annotations

import os
import re
import time

from hep_mcp.errors import InputError


def catastrophic(n: int = 40) -> str:
    """A search that backtracks exponentially and holds the interpreter lock the whole
    time (n=40: hours), like a bad pattern on an unforeseen input."""
    re.match(r"(x+x+)+y", "x" * n)
    return "finished"


def sleep_then(seconds: float, value: str = "done") -> str:
    time.sleep(seconds)
    return value


def refuse(message: str) -> str:
    raise InputError(message)


def bug(secret: str) -> str:
    raise RuntimeError(secret)


def pid() -> int:
    return os.getpid()


def slow_check(text: str, kind: str = "auto", config=None, condition=None, language=None):
    """check_hep_rules' signature; catastrophic on a text containing SLOW."""
    from hep_mcp.check import check_draft

    if "SLOW" in text:
        catastrophic(40)
    return check_draft(text, kind, config, condition, language)


def lane_of(payload: str = "", seconds: float = 0.0) -> tuple[int, int]:
    """(pid, niceness) of the worker that ran this call; sleeps first when asked."""
    time.sleep(seconds)
    return os.getpid(), os.nice(0)
