"""The Spanish development corpus: free-text drafts a Spanish-speaking US therapist (or an
assistant) writes for a Spanish-preferring patient, labelled like fixtures/corpus.

fixtures/corpus_es/<condition>/<id>.md|.txt carries the same front matter as the English
corpus plus ``expect: {language: es}``: the detector must read it as Spanish. Scored with
tests/test_corpus.py's scoring (``python bench/corpus_report.py --spanish`` prints the table).
The Spanish corpus has no list of known gaps: every draft must meet its labels.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.test_corpus import HEP_ELEMENTS, item, name, result, score

ROOT = Path(__file__).resolve().parent.parent
CORPUS_ES = ROOT / "fixtures" / "corpus_es"
DRAFTS_ES = sorted(p for p in CORPUS_ES.rglob("*") if p.is_file() and p.suffix in (".md", ".txt"))


@pytest.mark.parametrize("path", DRAFTS_ES, ids=name)
def test_spanish_draft_meets_its_labels(path: Path):
    it = item(path)
    assert it.expect.elements is not None, "label the elements"
    assert it.expect.language == "es", "a Spanish draft says expect: {language: es}"
    res = result(path)
    assert res.error is None, res.error
    assert res.report.language == "es"
    assert res.case_failures == [], "\n".join(res.case_failures)


def test_spanish_corpus_covers_the_conditions_authors_and_layouts():
    items = [item(p) for p in DRAFTS_ES]
    assert len(items) >= 40
    topics = Counter(it.topic for it in items)
    assert len(topics) >= 12, topics
    clean = [it for it in items if it.labelled == set()]
    assert 0.35 <= len(clean) / len(items) <= 0.65, (len(clean), len(items))
    used = Counter(e for it in items for e in it.labelled or ())
    # every element a free-text draft can get wrong, except format (covered by the English corpus)
    assert set(HEP_ELEMENTS) - {"format"} <= set(used), set(HEP_ELEMENTS) - set(used)
    assert len({it.meta.get("author") for it in items}) >= 7
    assert len({it.meta.get("layout") for it in items}) >= 8
    for it in items:
        assert it.meta.get("case") and it.meta.get("author") and it.meta.get("layout") and it.meta.get("condition"), name(it.path)


def test_spanish_figures():
    """Clean drafts: all ready with no errors and no warnings; flawed drafts: all caught, in
    exactly their labelled elements; precision and recall 100% in every element."""
    s = score(DRAFTS_ES)
    assert not s.errors and not s.failures, (s.errors, s.failures)
    assert s.clean_ok == s.clean and s.flawed_exact == s.flawed
    assert s.precision() == 1.0 and s.recall() == 1.0


def test_english_drafts_are_not_read_as_spanish():
    from tests.test_corpus import DRAFTS

    spanish = [name(p) for p in DRAFTS if result(p).report is not None and result(p).report.language != "en"]
    assert spanish == []
