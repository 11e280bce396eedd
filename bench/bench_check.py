"""Benchmark the check path. Prints figures; asserts nothing (speed lives here, not in tests).

    python bench/bench_check.py            # full run
    python bench/bench_check.py --quick    # fewer repetitions

Figures: warm check of a one-page draft (median), one cold `hep-mcp check` of one file
(median of several process starts, next to a bare `python -c pass` measured in the
same run), and 1,000 drafts in one CLI call.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRAFT = ROOT / "fixtures" / "hep" / "clean_tkr_headed.md"


def draft_text() -> str:
    return DRAFT.read_text().split("---\n", 2)[2]


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    warm_runs, cold_runs, batch = (200, 5, 1000) if args.quick else (2000, 15, 1000)

    from hep_mcp.check import check_draft

    text = draft_text()
    check_draft(text)  # warm up: data files, regexes, CMU data
    samples = []
    for _ in range(warm_runs):
        t = time.perf_counter()
        check_draft(text)
        samples.append(time.perf_counter() - t)
    warm = statistics.median(samples) * 1000
    fastest = min(samples) * 1000

    # distinct drafts (no cache hits between them): vary the name and numbers
    distinct = [text.replace("Ana", f"Ana{i}").replace("20 pumps", f"{i % 30 + 1} pumps") for i in range(200)]
    t = time.perf_counter()
    for d in distinct:
        check_draft(d)
    warm_distinct = (time.perf_counter() - t) / len(distinct) * 1000

    exe = shutil.which("hep-mcp") or sys.executable
    base = [exe] if exe.endswith("hep-mcp") else [sys.executable, "-m", "hep_mcp"]
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.md"
        one.write_text(text)
        bare = statistics.median(timed([sys.executable, "-c", "pass"]) for _ in range(cold_runs))
        cold = statistics.median(timed([*base, "check", str(one)]) for _ in range(cold_runs))
        folder = Path(tmp) / "many"
        folder.mkdir()
        for i in range(batch):
            (folder / f"d{i:04}.md").write_text(text.replace("Ana", f"Patient{i}"))
        many = timed([*base, "check", "--format", "json", str(folder)])

    print(f"warm check, one-page draft (median of {warm_runs}): {warm:.2f} ms, fastest {fastest:.2f} ms  (target <= 2 ms)")
    print(f"warm check, {len(distinct)} distinct drafts: {warm_distinct:.2f} ms per draft")
    print(f"cold `hep-mcp check` of one file (median of {cold_runs}): {cold:.3f} s  (target <= 0.4 s)")
    print(f"  bare `python -c pass` in the same run: {bare:.3f} s  (ratio {cold / bare:.1f}x)")
    print(f"{batch} drafts in one CLI call: {many:.2f} s  (target <= 4 s; {many / batch * 1000:.2f} ms per draft)")


if __name__ == "__main__":
    main()
