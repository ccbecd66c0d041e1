"""The generated nbgrader_config.py: the course folder can be moved (its root is the config file's folder) and
`nbgrader zip_collect` finds the student and the notebook in an LMS's file names without a fourth try (issue 17)."""
import re
import shutil

from traitlets.config.loader import PyFileConfigLoader

from grader import nbcourse


def _load(folder):
    loader = PyFileConfigLoader("nbgrader_config.py", path=str(folder))
    loader.load_config()
    return loader.config


def test_root_follows_the_course_folder_when_it_moves(tmp_path):
    first = tmp_path / "course"
    first.mkdir()
    (first / "nbgrader_config.py").write_text(nbcourse.CONFIG.format(
        course_id="c", root=str(first), grader_timeout=10, cell_timeout=300), encoding="utf-8")
    assert _load(first).CourseDirectory.root == str(first)
    moved = tmp_path / "elsewhere" / "course"
    shutil.copytree(first, moved)
    assert _load(moved).CourseDirectory.root == str(moved)


def test_zip_collect_regexp_reads_student_and_notebook(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(nbcourse.CONFIG.format(
        course_id="c", root="", grader_timeout=10, cell_timeout=300), encoding="utf-8")
    rx = _load(tmp_path).FileNameCollectorPlugin.named_regexp
    for path, student, file_id in [
            ("/srv/course/downloaded/ch3/extracted/alice_losses.ipynb", "alice", "losses.ipynb"),
            (r"C:\course\downloaded\ch3\extracted\bob_softmax_regression.ipynb", "bob", "softmax_regression.ipynb")]:
        m = re.match(rx, path)
        assert m and (m["student_id"], m["file_id"]) == (student, file_id), (path, rx)


def test_export_rounds_scores_to_two_decimals():
    text = ("assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,late_submission_penalty,"
            "score,max_score\nch3,,2026-01-01,alice,,,,49.99999999999998,0.0,49.99999999999998,50.00000000000001\n")
    row = nbcourse._rounded_csv(text).splitlines()[1].split(",")
    assert row[3] == "alice" and row[7:] == ["50.0", "0.0", "50.0", "50.0"]
    from nbgrader.plugins.export import ExportPlugin
    assert issubclass(nbcourse.RoundedCsvExport, ExportPlugin)
