"""The compiled geoparser (mapapp/_fastparse.c) gives the answers of geoparse's Python code, which it stands in
for: the same mentions, places, scores and candidates, on reporting, on generated corpora and on odd text."""

import subprocess
import sys
from pathlib import Path

import pytest

from mapapp import fastbuild, geoparse
from mapapp.gazetteer import load_gazetteer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import build_corpus  # noqa: E402

needs_compiled = pytest.mark.skipif(geoparse._FAST is None, reason="the compiled geoparser is not built here")

# Sentences that take the rarer paths: possessives, compounds, "pro-", initialisms, multi-word names, region and
# river words, titles and surnames, units, "the town of", sentence-initial hamlets, abbreviations, other scripts.
ODD_TEXTS = [
    "",
    "   \n\n  ",
    "no capitals at all here, just words.",
    "Kharkiv's mayor Ihor Terekhov said Izyum-Kupiansk road was cut; pro-Moscow officials fled Kupiansk.",
    "Governor Oleh Syniehubov and President Zelensky visited Ruska Lozova and Staryi Saltiv on Sept. 16.",
    "The U.S. and U.K. sent aid to the Kharkiv region, the Donetsk and Luhansk oblasts, and Izium district.",
    "Troops crossed the Oskil river and the Siverskyi Donets near Bilohorivka; across the Dnipro, Kherson.",
    "Battlegroup Vostok attacked near Vuhledar. Malaya Loknya fell. The town of Lyman was freed.",
    "Plus, they said. Mir was quiet. In Mir, fighting. Near Nova Kakhovka and Velyka Novosilka.",
    "Pokrovsk, which Russia calls Krasnoarmeysk, and Bakhmut (Artemivsk) — “Kup’yans’k” and Kup'jans'k.",
    "Шелл: Харків і Ізюм. Κρατικό. 中文 Kyiv 🇺🇦 Odesa\u00a0Oblast\u00a0and Mykolaiv\tregion.",
    "Kherson\x00Mariupol\ud800Melitopol — NATO, EU, UN and the Kremlin... Zaporizhzhia!!!) Enerhodar?\"",
    "A" * 500 + " Kyiv " + "Lviv." * 300,
    "ex-Soviet anti-Kremlin Ex-mayor of Sumy. Hryhorivka. Andriivka, Hryhorivka and Andriivka near Bakhmut.",
    "A Pro-Kyiv rally in Odesa; apro-Moscow, re-Kherson and (pro-Kyiv) crowds in Mykolaiv's centre.",
]


def _both(texts):
    """Each text's mentions from the compiled code and from the Python code, each with its own fresh memos."""
    gaz = load_gazetteer()
    saved = gaz.derived.pop(geoparse.__name__, None)
    compiled_module = geoparse._FAST
    try:
        compiled = [geoparse.mentions_from_text(text, gazetteer=gaz) for text in texts]
        gaz.derived.pop(geoparse.__name__, None)
        geoparse._FAST = None
        python = [geoparse.mentions_from_text(text, gazetteer=gaz) for text in texts]
    finally:
        geoparse._FAST = compiled_module
        if saved is not None:
            gaz.derived[geoparse.__name__] = saved
        else:
            gaz.derived.pop(geoparse.__name__, None)
    return compiled, python


def _numpy_has_own_exp() -> bool:
    """On AVX-512 machines numpy uses its own exp and cos, which may differ from the C library's in the last bit."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:
        return True
    return bool(__cpu_features__.get("AVX512F"))


def _assert_same(compiled, python):
    assert sum(map(len, python)) == sum(map(len, compiled))
    if not _numpy_has_own_exp():
        for got, want in zip(compiled, python):
            assert got == want   # every field: surface, offsets, place, kind, score, candidates and confidences
        return
    # numpy's exp/cos and the C library's may part in the last bit: the same names and offsets, near-equal
    # confidences, and the same places for all but a near-tie or two.
    same_place = total = 0
    for got, want in zip(compiled, python):
        assert [(m.surface, m.start, m.end) for m in got] == [(m.surface, m.start, m.end) for m in want]
        for a, b in zip(got, want):
            total += 1
            same_place += a.place == b.place
            assert abs(a.candidates[0][1] - b.candidates[0][1]) < 1e-6
    assert same_place >= total - max(2, total // 1000)


@needs_compiled
def test_the_compiled_code_answers_as_the_python_code_on_the_seed_articles():
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
    compiled, python = _both(texts)
    assert sum(map(len, compiled)) > 100
    _assert_same(compiled, python)


@needs_compiled
@pytest.mark.parametrize("profile", ["news", "villages"])
def test_the_compiled_code_answers_as_the_python_code_on_generated_reporting(profile):
    texts = build_corpus(250_000, 4321, gazetteer=load_gazetteer(), profile=profile)
    compiled, python = _both(texts)
    ambiguous = sum(1 for mentions in python for m in mentions if len(m.candidates) > 1)
    assert ambiguous > 500   # the namesake resolution is exercised, not only the recognition
    _assert_same(compiled, python)


@needs_compiled
def test_the_compiled_code_answers_as_the_python_code_on_odd_text():
    compiled, python = _both(ODD_TEXTS)
    _assert_same(compiled, python)
    found = {m.surface for mentions in compiled for m in mentions}
    assert {"Kupiansk", "Ruska Lozova", "Staryi Saltiv", "Bilohorivka", "Melitopol", "Kyiv"} <= found


@needs_compiled
def test_the_compiled_name_keys_are_the_gazetteers():
    import random

    from mapapp import gazetteer as gazetteer_module
    gaz = load_gazetteer()
    context = geoparse._state(gaz).compiled_context(gaz, geoparse._FAST)
    rng = random.Random(11)
    alphabet = "abcXYZ '`-./\t\n\x0b\x1c\x1f_0é’Ё"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(20_000)]
    texts += ["Kup'yans'k", "Rostov-on-Don", "  St. Petersburg ", "U.S.", "Limán", "KHARKIV", ""]
    for text in texts:
        gazetteer_module._NORMALIZED.clear()
        compiled = geoparse._FAST.normalize_name(context, text)
        gazetteer_module._NORMALIZED.clear()
        assert compiled == gazetteer_module.normalize_name(text), repr(text)


@needs_compiled
def test_a_compiled_module_older_than_its_source_is_not_used(monkeypatch):
    monkeypatch.setattr(fastbuild, "source_hash", lambda: "0" * 40)
    with pytest.warns(RuntimeWarning, match="changed since it was built"):
        assert geoparse._compiled_module() is None


def test_pure_python_can_be_asked_for(monkeypatch):
    monkeypatch.setenv("MAPAPP_PURE_PYTHON", "1")
    assert geoparse._compiled_module() is None


@needs_compiled
def test_without_a_compiler_the_build_warns_and_keeps_what_was_built(tmp_path):
    before = fastbuild.target().stat().st_mtime_ns
    env = {"PATH": "/usr/bin:/bin", "CC": str(tmp_path / "no-such-cc")}
    run = subprocess.run([sys.executable, "-m", "mapapp.fastbuild", "--force"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0
    assert "not built" in run.stderr and "no C compiler" in run.stderr
    checked = subprocess.run([sys.executable, "-m", "mapapp.fastbuild", "--force", "--check"], cwd=ROOT, env=env,
                             capture_output=True, text=True)
    assert checked.returncode == 1
    assert fastbuild.target().stat().st_mtime_ns == before
    assert fastbuild.built_hash() == fastbuild.source_hash()
