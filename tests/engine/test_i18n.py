"""Chinese feedback (grader/i18n.py): every learner-facing text has its translation, and translations are shown.

The catalogues (i18n/zh/*.toml) hold one entry per text the sources make: the graders' properties, hints and
descriptions (tests/chN/*.py), the catalogue's hints, the engine's N_() texts. `python -m grader.i18n sync` writes
them, `check` lists what is missing.
"""
import os
import subprocess
import sys

import pytest

from grader import ROOT, i18n
from grader.check import Hint, KataFailure, expect_close, fail

# Every catalogue must be complete (a new chapter too) but those still being translated, whose feedback falls back
# to English text by text.
IN_PROGRESS: set[str] = set()
COMPLETE = {p.stem for p in i18n.CATALOGUE_DIR.glob("*.toml")} - IN_PROGRESS


def test_the_catalogues_match_the_sources():
    """No entry without a source (sync removes them) and every source text has an entry (sync adds them)."""
    srcs = i18n.sources()
    for stem, items in srcs.items():
        path = i18n.CATALOGUE_DIR / f"{stem}.toml"
        assert path.exists(), f"{path} missing: run python -m grader.i18n sync"
        have = [e["en"] for e in i18n._load_toml(path)]
        want = [m for m, _ in items]
        assert set(have) == set(want), (f"{path.name}: run python -m grader.i18n sync "
                                        f"(new: {sorted(set(want) - set(have))[:3]}, stale: "
                                        f"{sorted(set(have) - set(want))[:3]})")


@pytest.mark.parametrize("stem", sorted(COMPLETE))
def test_complete_catalogues_translate_every_text(stem):
    found = i18n.problems({stem})
    assert not found, "\n".join(found[:20])


def test_no_translation_breaks_its_placeholders():
    """Wherever a translation exists, it names the same placeholders and formats."""
    for path in i18n.CATALOGUE_DIR.glob("*.toml"):
        for e in i18n._load_toml(path):
            if e.get("zh"):
                assert i18n.placeholders(e["zh"]) == i18n.placeholders(e["en"]), (path.name, e)
                e["zh"].format(*["x"] * 20)


def test_templates_and_nested_texts(monkeypatch):
    cat = i18n.Catalogue([("shape {0}", "形状 {0}"), ("a result", "一个结果"),
                          ("the {0} loader yields batches", "{0} 加载器产出批量"), ("train", "训练"),
                          ("braces {{0, 1}} stay", "花括号 {{0, 1}} 不变")])
    assert cat.lookup("shape (3, 4)") == "形状 (3, 4)"
    assert cat.lookup("the train loader yields batches") == "训练 加载器产出批量"
    assert cat.lookup("braces {0, 1} stay") == "花括号 {0, 1} 不变"
    assert cat.lookup("something else") is None


def test_extraction_of_fstrings_and_lines(tmp_path):
    src = tmp_path / "test_x.py"
    src.write_text('from grader.check import fail, Hint\n'
                   'def test_a(n):\n'
                   '    fail(f"each of the {n} rows sums to 1", expected="a tensor of ones",\n'
                   '         hints=[Hint("first line of a hint\\n  second line here")])\n', encoding="utf-8")
    got = [m for m, _ in i18n.extract_source(src)]
    assert got[:1] == ["each of the {0} rows sums to 1"] or "each of the {0} rows sums to 1" in got
    assert {"a tensor of ones", "first line of a hint", "second line here"} <= set(got)


def test_kata_failure_in_chinese_and_english(monkeypatch):
    with pytest.raises(KataFailure) as e:
        expect_close(__import__("torch").zeros(2), __import__("torch").ones(2), "some property nobody translated")
    en = e.value.render("en")
    zh = e.value.render("zh")
    assert en.startswith("property: some property nobody translated") and "expected:" in en
    assert zh.startswith("性质: some property nobody translated")   # untranslated text stays English
    assert "期望:" in zh and "实际:" in zh and "个值中有" in zh
    assert str(e.value) == en   # the exception (and the records) keep English


def test_the_language_is_chosen_by_flag_env_and_locale(monkeypatch):
    for var in ("KATAS_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.current() == "zh"
    monkeypatch.setenv("KATAS_LANG", "en")
    assert i18n.current() == "en"
    i18n.set_lang("zh")
    assert i18n.current() == "zh" and os.environ["KATAS_LANG"] == "zh"
    with pytest.raises(ValueError):
        i18n.set_lang("fr")


def test_pytest_shows_chinese_feedback_and_records_english(tmp_path):
    """A buggy softmax graded with KATAS_LANG=zh: the terminal's feedback is Chinese (the engine's labels and every
    text the catalogue has), the JSON record keeps the English text."""
    report = tmp_path / "r.json"
    env = {**os.environ, "KATAS_LANG": "zh"}
    p = subprocess.run([sys.executable, "-m", "pytest", "tests/ch3/test_softmax_regression.py", "-q", "-p", "no:xdist",
                        "--katas-variant=mutant:naive_softmax", "-k", "softmax", f"--katas-report={report}"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    out = p.stdout
    assert "性质:" in out and "期望:" in out, out[-3000:]
    import json
    records = json.loads(report.read_text(encoding="utf-8"))
    texts = [r.get("feedback", "") for r in (records if isinstance(records, list) else records.get("records", []))]
    assert any(t.startswith("property:") or "\nproperty:" in t for t in texts), texts[:2]
    assert not any("性质:" in t for t in texts)


def test_import_error_text_begins_with_the_marker_the_board_reads():
    """import_error_text spells "could not import your" out inside N_(); the board and the seam find it by
    IMPORT_ERROR, so the two must agree."""
    from grader.runtime import learner
    try:
        compile("def f(:\n", "/x/mod.py", "exec")
    except SyntaxError as e:
        syntax = e
    assert learner.import_error_text(syntax, "/x/mod.py").startswith(learner.IMPORT_ERROR)
    assert learner.import_error_text(ValueError("boom"), "/x/mod.py").startswith(learner.IMPORT_ERROR)
