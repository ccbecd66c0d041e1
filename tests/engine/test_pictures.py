"""Pictures a learner's code draws are kept where the learner looks (.katas/pictures/, named under the score and on
the board) in practice runs only: the self-check, buggy variants and sandboxed grading keep nothing."""
from grader import check


def test_keep_picture_copies_in_practice_and_keeps_nothing_otherwise(tmp_path, monkeypatch):
    drawn = tmp_path / "drawn.png"
    drawn.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 10)
    monkeypatch.setitem(check.PICTURES, "dir", None)
    monkeypatch.setitem(check.PICTURES, "kept", [])
    check.keep_picture(drawn, "ch11_schedules_a.png", "caption")
    assert check.PICTURES["kept"] == [] and not (tmp_path / "pictures").exists()
    monkeypatch.setitem(check.PICTURES, "dir", tmp_path / "pictures")
    check.keep_picture(drawn, "ch11_schedules_a.png", "first")
    check.keep_picture(drawn, "ch11_schedules_a.png", "again")      # the same picture is named once
    check.keep_picture(tmp_path / "missing.png", "ch11_schedules_b.png", "none")
    kept = tmp_path / "pictures" / "ch11_schedules_a.png"
    assert kept.read_bytes() == drawn.read_bytes()
    assert check.PICTURES["kept"] == [(kept, "again")]


def test_self_check_keeps_no_picture(pytestconfig):
    # this very run is the test command's (--katas-selfcheck) or a maintainer's run on solutions/
    if pytestconfig.option.katas_selfcheck or pytestconfig.option.katas_tree in (None, "solutions"):
        assert check.PICTURES["dir"] is None
