"""Chinese and English for every learner-facing text (issue 16).

Texts are written in English where they are made (graders' properties and hints, the engine's messages, the
catalogue's hints) and translated where they are shown (feedback, board, hints), by looking them up in the message
catalogues under ``i18n/zh/*.toml``:

    [[t]]
    en = "each row of softmax(X) sums to 1"
    zh = "softmax(X) 的每一行之和为 1"

An f-string becomes a template: ``f"shape {tuple(s)}"`` is looked up as ``"shape {0}"`` (literal braces doubled, as
in ``str.format``), its translation names the same placeholders (``"形状 {0}"``), and each placeholder's text is
translated too when the catalogue has it. ``python -m grader.i18n sync`` writes every text the sources hold into
the catalogues (new ones with an empty ``zh``), ``python -m grader.i18n check`` lists what lacks a translation;
tests/engine/test_i18n.py runs that check.

The language: ``--lang`` (``katas --lang zh ...``, ``pytest --katas-lang zh``), else ``KATAS_LANG``, else the
locale (``zh_*`` → Chinese), else English. ``N_(text)`` marks an engine text for the catalogue and returns it as is.
"""
from __future__ import annotations

import ast
import functools
import os
import re
import sys
from pathlib import Path

from grader import ROOT

LANGS = ("en", "zh")
CATALOGUE_DIR = ROOT / "i18n" / "zh"


def N_(text: str) -> str:
    """Mark an English text for the catalogue (extraction finds the call); it is translated where it is shown."""
    return text


def current() -> str:
    """"en" or "zh": KATAS_LANG when set, else the locale."""
    v = os.environ.get("KATAS_LANG", "").strip().lower()
    if v:
        return "zh" if v.startswith("zh") else "en"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        v = os.environ.get(var, "")
        if v:
            return "zh" if v.lower().startswith("zh") else "en"
    if sys.platform == "win32":  # no locale variables on Windows: the user's UI language
        try:
            import ctypes
            return "zh" if (ctypes.windll.kernel32.GetUserDefaultUILanguage() & 0x3FF) == 0x04 else "en"
        except Exception:  # noqa: BLE001
            return "en"
    return "en"


def set_lang(lang: str | None) -> None:
    """--lang: for this process and what it starts (the graders, the sandbox's worker)."""
    if lang:
        if lang not in LANGS:
            raise ValueError(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
        os.environ["KATAS_LANG"] = lang


# ------------------------------------------------------------------------------------------------ the catalogues
def _load_toml(path: Path) -> list[dict]:
    import tomllib
    return tomllib.loads(path.read_text(encoding="utf-8")).get("t", [])


_FIELD = re.compile(r"\{(\d+)\}")


def placeholders(msgid: str) -> list[str]:
    return sorted(set(_FIELD.findall(msgid.replace("{{", "").replace("}}", ""))), key=int)


class Catalogue:
    """English → Chinese: exact texts, and templates matched by regular expression."""

    def __init__(self, entries):
        self.exact: dict[str, str] = {}
        self.templates: list[tuple[re.Pattern, str, int]] = []
        for en, zh in entries:
            if not zh:
                continue
            if placeholders(en):
                parts = re.split(r"(\{\d+\})", en.replace("{{", "\0").replace("}}", "\1"))
                rx, lit = "", 0
                for p in parts:
                    m = _FIELD.fullmatch(p)
                    if m:
                        rx += f"(?P<p{m.group(1)}>.*?)"
                    elif p:
                        text = p.replace("\0", "{").replace("\1", "}")
                        rx += re.escape(text)
                        lit += len(text)
                if rx.count("(?P<") != len(set(re.findall(r"\(\?P<(p\d+)>", rx))):
                    continue  # a placeholder used twice: not a matchable template
                self.templates.append((re.compile(rx + r"\Z", re.S), zh, lit))
            else:
                self.exact.setdefault(en.replace("{{", "{").replace("}}", "}"), zh.replace("{{", "{").replace("}}", "}"))
        self.templates.sort(key=lambda t: -t[2])  # the most specific template first

    def lookup(self, text: str, depth: int = 0) -> str | None:
        if text in self.exact:
            return self.exact[text]
        if depth > 2:
            return None
        for rx, zh, _ in self.templates:
            m = rx.match(text)
            if m:
                args = {k[1:]: (self.lookup(v, depth + 1) or v) for k, v in m.groupdict().items()}
                try:
                    return zh.format(*[args[str(i)] for i in range(max(map(int, args)) + 1)])
                except (IndexError, KeyError, ValueError):
                    return None
        return None


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    entries = []
    for path in sorted(CATALOGUE_DIR.glob("*.toml")):
        entries += [(e.get("en", ""), e.get("zh", "")) for e in _load_toml(path)]
    return Catalogue(entries)


def tr(text, lang: str | None = None):
    """``text`` in the learner's language (unchanged when English, or when the catalogue lacks it)."""
    if not isinstance(text, str) or (lang or current()) == "en" or not text.strip():
        return text
    if "\n" in text:
        return catalogue().exact.get(text) or _by_line(text)
    return catalogue().lookup(text) or text


def _by_line(text: str) -> str:
    out = []
    for line in text.split("\n"):
        body = line.lstrip()
        got = catalogue().lookup(body) if body else None
        out.append(line[:len(line) - len(body)] + got if got else line)
    return "\n".join(out)


def missing(text: str) -> bool:
    """A learner-facing text (two or more English words) the catalogue cannot translate."""
    return (isinstance(text, str) and len(re.findall(r"[A-Za-z]{2,}", text)) >= 2
            and tr(text, "zh") == text)


def note_missing(texts) -> None:
    """KATAS_I18N_MISSES=FILE: append each shown text the catalogue cannot translate (run a self-check with it and
    KATAS_LANG=zh to find texts the static extraction cannot see, such as hints built in variables)."""
    path = os.environ.get("KATAS_I18N_MISSES")
    if not path:
        return
    gone = [t for t in texts if t and missing(t)]
    if gone:
        import json
        with open(path, "a", encoding="utf-8") as f:
            f.writelines(json.dumps(t, ensure_ascii=False) + "\n" for t in gone)


# ------------------------------------------------------------------------------------------------ extraction
GRADER_CALLS = {"fail": 0, "expect": 1, "expect_close": 2, "expect_equal": 2, "expect_tensor": 1,
                "expect_raises": 1, "Hint": 0, "labelled": None, "keep_curves": 1, "keep_picture": 2, "KataFailure": 0}
TEXT_KEYWORDS = {"prop", "detail", "hint", "hints", "expected", "got", "caption", "text"}
ENGINE_CALLS = {"N_", "tr"}


def _template(node) -> str | None:
    """The msgid of a string expression: a constant, an f-string (placeholders {0}, {1}, ...) or a + of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if isinstance(node, ast.JoinedStr):
        out, n = "", 0
        for v in node.values:
            if isinstance(v, ast.Constant):
                out += str(v.value).replace("{", "{{").replace("}", "}}")
            else:
                out += "{" + str(n) + "}"
                n += 1
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        a, b = _template(node.left), _template(node.right)
        if a is not None and b is not None:
            k = len(placeholders(a))
            return a + _FIELD.sub(lambda m: "{" + str(int(m.group(1)) + k) + "}", b)
    return None


def _texts(node):
    """Every msgid an argument expression can take: strings, conditional strings, lists/tuples, Hint(...)."""
    if isinstance(node, ast.IfExp):
        yield from _texts(node.body)
        yield from _texts(node.orelse)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for e in node.elts:
            yield from _texts(e)
    elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Hint":
        if node.args:
            yield from _texts(node.args[0])
        for kw in node.keywords:
            if kw.arg == "text":
                yield from _texts(kw.value)
    else:
        t = _template(node)
        if t is not None:
            yield t


def _worth(msgid: str) -> bool:
    literal = _FIELD.sub("", msgid)
    return len(re.findall(r"[A-Za-z]{2,}", literal)) >= 2 or len(re.findall(r"[A-Za-z]{3,}", literal)) >= 1


_EXTRACTED: dict[tuple, list[tuple[str, int]]] = {}


def extract_source(path: Path, engine: bool = False) -> list[tuple[str, int]]:
    """(msgid, line) of every learner-facing text in a grader module (``engine``: only N_()/tr() calls); kept per
    file version, so that checking each catalogue in turn parses each source once."""
    path = Path(path)
    key = (str(path), path.stat().st_mtime_ns, engine)
    if key not in _EXTRACTED:
        _EXTRACTED[key] = _extract_source(path, engine)
    return list(_EXTRACTED[key])


def _extract_source(path: Path, engine: bool) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (not engine and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")
                and ast.get_docstring(node)):   # a test's title: the first line of its docstring
            title = " ".join(ast.get_docstring(node).strip().splitlines()[0].split())
            found.append((title.replace("{", "{{").replace("}", "}}"), node.lineno))
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        args = []
        if name in ENGINE_CALLS:
            args = node.args[:1]
        elif not engine:
            pos = GRADER_CALLS.get(name)
            if pos is not None and len(node.args) > pos:
                args.append(node.args[pos])
            if name == "labelled":
                args += node.args
            args += [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
        for a in args:
            for t in _texts(a):
                for piece in _lines(t):
                    if _worth(piece):
                        found.append((piece, node.lineno))
    return found


def _lines(msgid: str):
    """A text is translated line by line: each line its own msgid, its placeholders numbered from 0."""
    if "\n" not in msgid:
        yield msgid
        return
    for piece in msgid.split("\n"):
        counter = iter(range(1000))
        yield _FIELD.sub(lambda m: "{" + str(next(counter)) + "}", piece.strip())


def sources() -> dict[str, list[tuple[str, str]]]:
    """catalogue file stem → [(msgid, where)] in source order."""
    out: dict[str, list[tuple[str, str]]] = {}

    def add(stem, items, where):
        seen = {m for m, _ in out.setdefault(stem, [])}
        for msgid, line in items:
            if msgid not in seen:
                seen.add(msgid)
                out[stem].append((msgid, f"{where}:{line}"))

    for path in sorted((ROOT / "grader").rglob("*.py")):
        engine_only = path.name not in ("conventions.py", "check.py", "forbid.py")   # these make graders' failures
        add("engine", extract_source(path, engine=engine_only), path.relative_to(ROOT).as_posix())
    import tomllib
    cat = tomllib.loads((ROOT / "grader" / "catalogue.toml").read_text(encoding="utf-8"))
    add("catalogue", [(h.replace("{", "{{").replace("}", "}}"), 0) for e in cat.get("exercise", [])
                      for h in e.get("hints", [])], "grader/catalogue.toml")
    for path in sorted((ROOT / "tests").glob("*.py")):
        add("common", extract_source(path), path.relative_to(ROOT).as_posix())
    from grader import catalogue as _catalogue
    chapters = [p for p in (ROOT / "tests").iterdir() if p.is_dir() and _catalogue.is_chapter(p.name)]
    for chapter in sorted(chapters, key=lambda p: _catalogue.chapter_key(p.name)):   # ch2 ... ch14, distill, papers
        for path in sorted(chapter.glob("*.py")):
            add(chapter.name, extract_source(path), path.relative_to(ROOT).as_posix())
    return out


def _quote(s: str) -> str:
    import json
    return json.dumps(s, ensure_ascii=False)


def sync(stems=None) -> dict[str, int]:
    """Rewrite i18n/zh/*.toml (or those of ``stems``) to hold exactly the sources' texts, keeping every translation
    already made."""
    known = {}
    for path in CATALOGUE_DIR.glob("*.toml"):
        for e in _load_toml(path):
            if e.get("zh"):
                known.setdefault(e["en"], e["zh"])
    CATALOGUE_DIR.mkdir(parents=True, exist_ok=True)
    todo = {}
    srcs = sources()
    for stem, items in srcs.items():
        if stems and stem not in stems:
            continue
        lines = [f"# Chinese for the texts of {stem} (python -m grader.i18n sync writes the en lines; translate zh)",
                 ""]
        for msgid, where in items:
            lines += [f"# {where}", "[[t]]", f"en = {_quote(msgid)}", f"zh = {_quote(known.get(msgid, ''))}", ""]
        (CATALOGUE_DIR / f"{stem}.toml").write_text("\n".join(lines), encoding="utf-8")
        todo[stem] = sum(1 for m, _ in items if not known.get(m))
    for path in CATALOGUE_DIR.glob("*.toml"):
        if path.stem not in srcs and not stems:
            path.unlink()
    catalogue.cache_clear()
    return todo


def problems(stems=None) -> list[str]:
    """What the catalogues lack or get wrong: a text without translation, a translation whose placeholders differ
    from its English, a 'translation' with no Chinese in it, a stale entry."""
    out = []
    srcs = sources()
    for stem, items in srcs.items():
        if stems and stem not in stems:
            continue
        path = CATALOGUE_DIR / f"{stem}.toml"
        have = {e["en"]: e.get("zh", "") for e in _load_toml(path)} if path.exists() else {}
        wanted = {m for m, _ in items}
        for msgid, where in items:
            zh = have.get(msgid)
            if not zh:
                out.append(f"{where}: no Chinese for {msgid!r} (run python -m grader.i18n sync, then translate)")
            elif placeholders(zh) != placeholders(msgid):
                out.append(f"{where}: placeholders differ: {msgid!r} has {placeholders(msgid)}, zh {zh!r} has "
                           f"{placeholders(zh)}")
            elif not re.search(r"[\u4e00-\u9fff]", zh) and len(re.findall(r"[A-Za-z]{2,}", msgid)) >= 3:
                out.append(f"{where}: the Chinese of {msgid!r} has no Chinese in it: {zh!r}")
        out += [f"i18n/zh/{stem}.toml: stale entry {m!r} (no source has it; run sync)" for m in have if m not in wanted]
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sync"]:
        for stem, n in sync(set(argv[1:]) or None).items():
            print(f"i18n/zh/{stem}.toml: {n} to translate")
        return 0
    if argv[:1] == ["check"]:
        found = problems(set(argv[1:]) or None)
        print("\n".join(found) or "every learner-facing text has its Chinese")
        return 1 if found else 0
    print("usage: python -m grader.i18n sync [STEM ...] | check [STEM ...]")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
