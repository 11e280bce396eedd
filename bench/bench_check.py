"""Benchmark the check path. Prints figures; asserts nothing (speed lives here, not in tests).

    python bench/bench_check.py                       # full run
    python bench/bench_check.py --quick               # fewer repetitions
    python bench/bench_check.py --against /tmp/old    # side by side with another source tree

Figures (CPU time -- process time -- so other load on the machine counts less; medians):

- warm check of a distinct draft: each of the 155 corpus drafts (fixtures/corpus) once per
  round, the reader's per-line caches and the per-word syllable caches cleared before each
  round, so no draft is ever checked twice with its own work cached (words that recur
  across different drafts are found in the word cache, as in a running server);
- the same with every cache cleared before every draft (the strictest figure);
- cold `hep-mcp check` of one file (median of several process starts, next to a bare
  `python -c pass` measured in the same run), with the modules' bytecode compiled once
  beforehand into a temporary folder, as an installed package has it;
- 1,000 drafts in one CLI call.

With ``--against DIR`` (a copy of another version's tree, e.g. ``git archive`` of a commit),
the warm and cold figures are measured for both trees, alternating process by process,
and printed with the ratio this tree / that tree: on a shared machine the ratio is the
figure to trust, the absolute numbers move with the load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRAFT = ROOT / "fixtures" / "hep" / "clean_tkr_headed.md"
CORPUS = ROOT / "fixtures" / "corpus"
FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)


def draft_text() -> str:
    return DRAFT.read_text().split("---\n", 2)[2]


def corpus_drafts() -> list[str]:
    out = []
    for f in sorted(CORPUS.rglob("*")):
        if f.suffix in (".md", ".txt") and f.is_file():
            text = f.read_text()
            m = FRONT.match(text)
            out.append(text[m.end() :] if m else text)
    return out


def clear_caches() -> None:
    """The caches keyed by text: the reader's per-line ones and the syllable counts."""
    from hep_mcp import readability
    from hep_mcp.rules import parse

    for name in ("plain", "classify_heading", "_clean_heading", "_movement", "_classify_body", "_label_element"):
        fn = getattr(parse, name, None)
        if fn is not None and hasattr(fn, "cache_clear"):
            fn.cache_clear()
    readability._SYLLABLES.clear()
    readability.cmu_dict()._cache.clear()


def warm_figures(rounds: int) -> dict:
    """Median CPU ms per distinct corpus draft: caches cleared per round, and per draft."""
    import gc

    from hep_mcp.check import check_draft

    drafts = corpus_drafts()
    for d in drafts:
        check_draft(d)  # warm up: data files, regexes, CMU data
    out = {}
    for mode in ("round", "each"):
        samples = []
        gc.disable()
        for _ in range(rounds):
            clear_caches()
            for d in drafts:
                if mode == "each":
                    clear_caches()
                t = time.process_time()
                check_draft(d)
                samples.append(time.process_time() - t)
            gc.enable()
            gc.collect()
            gc.disable()
        gc.enable()
        out[mode] = statistics.median(samples) * 1000
    out["drafts"] = len(drafts)
    return out


def child_cpu(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def tree_env(src: Path | None, pycache: str | None = None) -> dict:
    """The environment for a child that imports hep_mcp from ``src``. With ``pycache``: the
    modules' bytecode is written to and read from that folder (``PYTHONPYCACHEPREFIX``, not
    the tree), as an installed package has its bytecode compiled; without it a child run with
    ``PYTHONDONTWRITEBYTECODE`` set (as CI sets it) compiles every module from source, which
    no installed copy does (about 0.07 s of a cold check)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)  # (it mirrors each source file's full path: trees never share one)
    return env


def side_by_side(other: Path, rounds: int, reps: int, cold_runs: int) -> None:
    """Warm and cold figures of this tree and another, alternating process by process."""
    other_src = other / "src"
    if not (other_src / "hep_mcp").is_dir():
        raise SystemExit(f"--against {other}: no src/hep_mcp in it")
    trees = {"this": ROOT / "src", "that": other_src}
    warm: dict[str, list[dict]] = {k: [] for k in trees}
    for i in range(reps):
        for name in ("this", "that") if i % 2 == 0 else ("that", "this"):
            out = subprocess.run(
                [sys.executable, __file__, "--warm-only", str(rounds)],
                env=tree_env(trees[name]), capture_output=True, text=True, check=True,
            ).stdout
            warm[name].append(json.loads(out))
    cold: dict[str, list[float]] = {k: [] for k in (*trees, "bare")}
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.md"
        one.write_text(draft_text())
        for name in trees:  # compile each tree's bytecode once, then time with it
            child_cpu([sys.executable, "-m", "hep_mcp", "check", str(one)], tree_env(trees[name], tmp))
        for i in range(cold_runs):
            for name in ("this", "that") if i % 2 == 0 else ("that", "this"):
                cold[name].append(child_cpu([sys.executable, "-m", "hep_mcp", "check", str(one)], tree_env(trees[name], tmp))[0])
            cold["bare"].append(child_cpu([sys.executable, "-c", "pass"])[0])
    med = statistics.median
    print(f"side by side with {other} ({reps} processes each, alternating; CPU time; measured under load):")
    for mode, label in (("round", "warm check, distinct drafts"), ("each", "warm check, every cache cleared per draft")):
        a, b = med(w[mode] for w in warm["this"]), med(w[mode] for w in warm["that"])
        print(f"  {label}: {a:.2f} ms vs {b:.2f} ms  (ratio {a / b:.2f})")
    a, b, bare = med(cold["this"]), med(cold["that"]), med(cold["bare"])
    print(f"  cold `hep-mcp check` CPU: {a:.3f} s vs {b:.3f} s  (ratio {a / b:.2f}); bare `python -c pass` {bare:.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--against", type=Path, metavar="DIR", help="another version's tree to measure side by side")
    ap.add_argument("--warm-only", type=int, metavar="ROUNDS", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.warm_only:
        print(json.dumps(warm_figures(args.warm_only)))
        return
    rounds, cold_runs, batch = (2, 5, 1000) if args.quick else (5, 15, 1000)
    if args.against:
        side_by_side(args.against, rounds, 2 if args.quick else 4, cold_runs)
        return

    from hep_mcp.check import check_draft

    warm = warm_figures(rounds)
    text = draft_text()
    check_draft(text)
    samples = []
    for _ in range(200 if args.quick else 2000):
        t = time.process_time()
        check_draft(text)
        samples.append(time.process_time() - t)
    same = statistics.median(samples) * 1000

    exe = shutil.which("hep-mcp") or sys.executable
    base = [exe] if exe.endswith("hep-mcp") else [sys.executable, "-m", "hep_mcp"]
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.md"
        one.write_text(text)
        bare = [child_cpu([sys.executable, "-c", "pass"]) for _ in range(cold_runs)]
        env = tree_env(None, tmp)
        child_cpu([*base, "check", str(one)], env)  # the bytecode, compiled once
        cold = [child_cpu([*base, "check", str(one)], env) for _ in range(cold_runs)]
        folder = Path(tmp) / "many"
        folder.mkdir()
        for i in range(batch):
            (folder / f"d{i:04}.md").write_text(text.replace("Ana", f"Patient{i}"))
        many = child_cpu([*base, "check", "--format", "json", str(folder)])[1]

    cold_cpu, cold_wall = statistics.median(c for c, _ in cold), statistics.median(w for _, w in cold)
    bare_cpu, bare_wall = statistics.median(c for c, _ in bare), statistics.median(w for _, w in bare)
    print("CPU time (process time), medians; absolute figures move with the machine's load")
    print(f"warm check, {warm['drafts']} distinct corpus drafts x {rounds} rounds: {warm['round']:.2f} ms per draft  (target <= 1 ms)")
    print(f"  every cache cleared before every draft: {warm['each']:.2f} ms per draft")
    print(f"  the same one-page draft again and again (caches hit): {same:.2f} ms")
    print(f"cold `hep-mcp check` of one file (median of {cold_runs}): {cold_cpu:.3f} s CPU, {cold_wall:.3f} s wall  (target <= 0.2 s)")
    print(f"  bare `python -c pass` in the same run: {bare_cpu:.3f} s CPU, {bare_wall:.3f} s wall  (ratio {cold_cpu / bare_cpu:.1f}x CPU)")
    print(f"{batch} drafts in one CLI call: {many:.2f} s wall  (target <= 4 s; {many / batch * 1000:.2f} ms per draft)")


if __name__ == "__main__":
    main()
