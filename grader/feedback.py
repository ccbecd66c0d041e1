"""The learner's feedback: what a failed grader says (the property, the input, expected vs got, a hint), the hint
footer, and one message per mistake (an import error shown once per module).
"""
from __future__ import annotations

import re

from grader import deadline, loader
from grader.i18n import N_, current, tr
from grader.seam import KataTimeout, LearnerImportError, NotStarted, SessionState, WorkerDied


def test_title(item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None)
    if doc and doc.strip():
        return " ".join(doc.strip().splitlines()[0].split())
    name = getattr(item, "originalname", item.name)
    return name.removeprefix("test_").replace("_", " ")


def _falsifying(exc) -> str | None:
    for note in getattr(exc, "__notes__", []) or []:
        if note.startswith("Falsifying example"):
            body = re.sub(r"\n\s*kata=[^\n]*", "", note)
            return body
    return None


def format_failure(excinfo, item, lang: str | None = None) -> tuple[str, bool]:
    """(feedback text in ``lang`` (default: the learner's), is_stub) for a failed grader."""
    from grader.check import KataFailure
    from grader.runtime.guard import ForbiddenCall
    from grader.runtime.learner import STUB_MARK
    exc = excinfo.value
    lang = lang or current()
    title = tr(test_title(item), lang)
    lines = [title]
    is_stub = False
    if isinstance(exc, KataFailure):
        lines.append(exc.render(lang))
    elif isinstance(exc, LearnerImportError):
        lines.append(tr(str(exc), lang))
    elif isinstance(exc, ForbiddenCall):
        lines.append(tr(N_(f"forbidden call: {exc}"), lang))
    elif isinstance(exc, KataTimeout):
        lines.append(tr(str(exc), lang))
        lines.extend(loader.learner_frames(excinfo.tb)[-3:])
    elif isinstance(exc, WorkerDied):
        lines.append(tr(str(exc), lang))
    elif isinstance(exc, (NotImplementedError, NotStarted)) and STUB_MARK in str(exc):
        is_stub = True
        what = str(exc).split(STUB_MARK, 1)[1].strip()
        if what.startswith("raises NotImplementedError"):
            lines.append(tr(N_(f"not started: your code {what}. Replace the raise with your implementation."), lang))
        else:
            what = what.split(":")[0].strip()
            lines.append(tr(N_(f"not started: `{what.rsplit('.', 1)[-1]}` still raises NotImplementedError "
                               f"({what}). Replace the raise with your implementation."), lang))
    elif deadline.is_out_of_memory(exc):
        lines.append(tr(deadline.memory_message(exc, item.config.option.katas_memory), lang))
        lines.extend((getattr(exc, "_kata_frames", None) or loader.learner_frames(excinfo.tb))[-3:])
    else:
        frames = getattr(exc, "_kata_frames", None) or loader.learner_frames(excinfo.tb)
        call = getattr(exc, "_kata_call", None)
        if frames or call:
            lines.append(tr(N_(f"your `{call}` raised {type(exc).__name__}: {exc}") if call else
                            N_(f"your code raised {type(exc).__name__}: {exc}"), lang))
            if frames:
                lines.append(tr(N_("where (your code):"), lang))
                lines.extend(frames)
        else:
            lines.append(tr(N_(f"the grader raised {type(exc).__name__}: {exc}"), lang))
            lines.append("  " + tr(N_("(this happened in grader code, usually because a value your code returned has "
                                      "an unexpected type or shape; run with -v for the full traceback)"), lang))
    fals = _falsifying(exc)
    if fals and not (isinstance(exc, KataFailure) and exc.inputs):
        lines.append(fals)
    return "\n".join(lines), is_stub


def exercise_of(item) -> str | None:
    """The catalogued exercise module a test grades (None for the engine's own tests)."""
    from grader import catalogue
    try:
        module = catalogue.module_of_test(item.path)
    except ValueError:
        return None
    return module if catalogue.load().by_module(module) is not None else None


def weight(item) -> float:
    m = item.get_closest_marker("weight")
    return float(m.args[0]) if m else 1.0


def learner_repr_failure(item):
    def repr_failure(excinfo, style=None):
        text, _ = feedback(item, excinfo)
        return text
    return repr_failure


def feedback(item, excinfo, lang: str | None = None) -> tuple[str, bool]:
    """(feedback text incl. the hint footer, is_stub) — computed once per failure and language (the records keep
    English, the terminal shows the learner's language)."""
    lang = lang or current()
    cached = getattr(item, "_katas_feedback", None)
    if cached is not None and cached[0] is excinfo.value and cached[1] == lang:
        return cached[2]
    feedback, is_stub = format_failure(excinfo, item, lang)
    module = exercise_of(item)
    from grader import catalogue
    ex = catalogue.load().by_module(module) if module else None
    footer = ""
    if ex is not None and ex.hints and not is_stub and not isinstance(excinfo.value, LearnerImportError):
        from grader import command
        hint_id, n = _hint_target(item, ex)
        footer = "\n" + tr(N_(f"stuck? `{command('hint ' + hint_id)}` reveals a hint ({n} available); "
                               f"-v shows the full traceback"), lang)
    item._katas_feedback = (excinfo.value, lang, (feedback + footer, is_stub))
    return feedback + footer, is_stub


def _hint_target(item, ex) -> tuple[str, int]:
    """The hints the footer points at: the one function this test grades (when it grades one), else the exercise."""
    from grader import catalogue, hints
    name = getattr(item, "originalname", item.name)
    try:
        reached = [f for f in ex.functions if name in catalogue.tests_reaching(item.path, f)]
    except (OSError, SyntaxError):
        reached = []
    if len(reached) == 1:
        n = len(hints.function_hints(ex, reached[0]))
        if n:
            return f"{ex.id}.{reached[0]}", n
    return ex.id, len(ex.hints)


def once_per_module(st: SessionState, module: str, text: str, exc: BaseException) -> str:
    """A module that cannot be imported fails every test the same way: the terminal shows the error once, then one
    line per test (the records keep the full text for results.json)."""
    if not isinstance(exc, LearnerImportError):
        return text
    line = str(exc).splitlines()[0] if str(exc) else ""
    shown = st.import_errors_shown
    if (module, line) in shown:
        return f"{text.splitlines()[0]}\n" + tr(N_(f"{line.split(':', 1)[0]} (the error is shown above)"))
    shown.add((module, line))
    return text
