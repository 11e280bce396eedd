"""Adversarial draft shapes for the worst-case tests (tests/test_worst_case.py) and the
Reliability table (``python -m tests.worst_case``): each builds a text of about ``n`` bytes
that once made a line pattern or the reader backtrack or rescan."""

from __future__ import annotations

import gc
import time
import tracemalloc


def _fill(unit: str, n: int) -> str:
    return unit * max(1, n // len(unit.encode("utf-8")))


SHAPES = {
    "heading + spaces": lambda n: "# a" + " " * (n - 4) + "b",
    "heading + tabs": lambda n: "## x" + "\t" * (n - 5) + "y",
    "bold heading + spaces": lambda n: "**a" + " " * (n - 6) + "b**",
    "blank lines": lambda n: "\n" * n,
    "spaces and newlines": lambda n: _fill(" \n", n),
    "'1. ' lines": lambda n: _fill("1. \n", n),
    "list markers in one line": lambda n: _fill("- ", n),
    "bold markers around spaces": lambda n: _fill("** ", n),
    "italic markers": lambda n: _fill("_a ", n),
    "link openers": lambda n: "[" * n,
    "link and paren openers": lambda n: _fill("[a](", n),
    "image openers": lambda n: _fill("![", n),
    "table pipes": lambda n: _fill("|" * 50 + "\n", n),
    "table rows": lambda n: "| a | b |\n|---|---|\n" + _fill("| x | y |\n", n - 20),
    "blockquote nesting": lambda n: ">" * n,
    "nested quote lines": lambda n: _fill("".join(">" * i + " a\n" for i in range(50)), n),
    "one-char lines": lambda n: _fill("a\n", n),
    "one long line": lambda n: _fill("word ", n),
    "deep list nesting": lambda n: _fill("".join(" " * (2 * i) + "- x\n" for i in range(60)), n),
    "label lines": lambda n: _fill("Pain: a\n", n),
    "caps lines": lambda n: _fill("PAIN RULE\n", n),
    "sentence ends": lambda n: _fill("Dr. A. ", n),
}


def measure(shape: str, n: int, memory: bool = False, repeat: int = 1) -> tuple[float, int | None]:
    """(fastest CPU seconds -- process time, so other load on the machine does not count --, peak bytes allocated or None) for checking the shape at n bytes.
    ``repeat=0`` with ``memory``: the peak only (the data files must already be loaded, or their cost counts)."""
    from hep_mcp.config import config_from_mapping
    from hep_mcp.rules import check_text

    config = config_from_mapping({"max_input_bytes": 10_000_000})
    text = SHAPES[shape](n)
    best = float("inf")
    collecting = gc.isenabled()
    gc.disable()  # the checker's cost, not the cyclic collector's pauses over a big heap
    try:
        for _ in range(repeat):
            t = time.process_time()
            check_text(text, config=config)
            best = min(best, time.process_time() - t)
    finally:
        if collecting:
            gc.enable()
    peak = None
    if memory:
        tracemalloc.start()
        check_text(text, config=config)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return best, peak


def table(sizes=(10_000, 100_000, 1_000_000)) -> str:
    rows = ["| Input | " + " | ".join(f"{s // 1000:,} KB" for s in sizes) + " | peak memory at the largest |", "|---|" + "---:|" * (len(sizes) + 1)]
    for shape in SHAPES:
        cells = []
        peak = None
        for i, s in enumerate(sizes):
            t, p = measure(shape, s, memory=i == len(sizes) - 1)
            cells.append(f"{t * 1000:,.0f} ms")
            peak = p
        rows.append(f"| {shape} | " + " | ".join(cells) + f" | {peak / sizes[-1]:.1f}x input |")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    print(table())
