"""Progressive hints: each `katas hint ID` (or `h` in `katas watch`) reveals one more of the exercise's hints."""
from __future__ import annotations

import json

from grader import ROOT, catalogue, command
from grader.i18n import N_, tr

STATE_DIR = ROOT / ".katas"


def show(ex_id: str, all_hints: bool = False) -> int:
    cat = catalogue.load()
    found = cat.find(ex_id)
    if len(found) != 1:
        print(tr(N_(f"unknown exercise {ex_id!r}; ids: {', '.join(e.id for e in cat.exercises)}")))
        return 2
    ex = found[0]
    state_file = STATE_DIR / "hints.json"
    state = json.loads(state_file.read_text(encoding="utf-8")) if state_file.exists() else {}
    shown = len(ex.hints) if all_hints else min(state.get(ex.id, 0) + 1, len(ex.hints))
    if not all_hints:
        state[ex.id] = shown
        STATE_DIR.mkdir(exist_ok=True)
        state_file.write_text(json.dumps(state, indent=1), encoding="utf-8")
    print(f"{ex.id} — {ex.title_en} · {ex.title_zh} (" + (f"d2l-zh §{ex.d2l}, " if ex.d2l else "")
          + f"notes {ex.seed_lines})")
    for i, h in enumerate(ex.hints[:shown], 1):
        print(f"  {tr(N_('hint'))} {i}/{len(ex.hints)}: {tr(h)}")
    if shown < len(ex.hints):
        print("  " + tr(N_(f"(run `{command('hint ' + ex.id)}` again for the next hint)")))
    return 0
