"""Precision and recall of the checker on the development corpus (fixtures/corpus).

    python bench/corpus_report.py               # the README table
    python bench/corpus_report.py --failures    # plus each draft that misses its labels, with the diff
    python bench/corpus_report.py --by-rule     # plus false alarms by rule and misses by element

Per element: a raised element (an error or warning finding) that the draft is not labelled
with is a false alarm; a labelled element that is not raised is a miss. Asserts nothing;
tests/test_corpus.py holds the same scoring as tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_corpus import score, table  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--failures", action="store_true", help="list the drafts that miss their labels")
    ap.add_argument("--by-rule", action="store_true", help="false alarms by rule, misses by element")
    args = ap.parse_args()
    s = score()
    print(table(s))
    if s.errors:
        print("\nErrors:")
        for e in s.errors:
            print(f"- {e}")
    if args.by_rule:
        print("\nFalse alarms by rule (drafts where the rule fired in an element the draft is not labelled with):\n")
        print("| Rule | Drafts | Examples |")
        print("|---|---:|---|")
        for rule, drafts in sorted(s.false_alarm_rules.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"| {rule} | {len(drafts)} | {', '.join(drafts[:4])}{' ...' if len(drafts) > 4 else ''} |")
        print("\nMissed labelled defects by element:\n")
        for element, drafts in sorted(s.missed.items()):
            print(f"- {element} ({len(drafts)}): {', '.join(drafts)}")
    if args.failures and s.failures:
        print("\nDrafts that miss their labels:")
        for draft, diff in sorted(s.failures.items()):
            print(f"\n{draft}")
            for line in diff:
                print(f"    {line}")


if __name__ == "__main__":
    main()
