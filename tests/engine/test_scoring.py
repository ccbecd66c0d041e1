"""Points by test weight, statuses, and Gradescope's results.json shape (golden)."""
import json

from grader import scoring


def rec(title, passed, weight=1.0, not_started=False, module="ch2/calculus.py"):
    return {"module": module, "variant": "source", "title": title, "weight": weight, "passed": passed,
            "not_started": not_started, "feedback": "" if passed else f"{title} failed", "test": title}


def test_partial_credit_by_weight():
    (s,) = scoring.score([rec("a", True, 3), rec("b", False, 1), rec("c", True, 1)])
    assert s.status == "failing" and s.earned == 4.0 and s.points == 5


def test_statuses():
    (s,) = scoring.score([rec("a", False, not_started=True), rec("b", False, not_started=True)])
    assert s.status == "not started" and s.earned == 0
    (s,) = scoring.score([rec("a", True), rec("b", True)])
    assert s.status == "passed" and s.earned == 5
    (s,) = scoring.score([], untouched={"ch2/calculus.py"})
    assert s.status == "not started" and s.tests == []


def test_gradescope_results_golden():
    scores = scoring.score([rec("a", True, 4), rec("b", False, 1)], untouched={"ch2/linear_algebra.py"})
    got = scoring.gradescope(scores, execution_time=1.234)
    assert got == {
        "score": 4.0, "max_score": 10.0, "output": "0 of 2 exercises passed", "visibility": "visible",
        "stdout_visibility": "hidden", "execution_time": 1.23,
        "tests": [
            {"name": "ch2.calculus: a", "score": 4.0, "max_score": 4.0, "status": "passed", "output": "",
             "visibility": "visible"},
            {"name": "ch2.calculus: b", "score": 0.0, "max_score": 1.0, "status": "failed", "output": "b failed",
             "visibility": "visible"},
            {"name": "ch2.linear_algebra: not started", "score": 0.0, "max_score": 5.0, "status": "failed",
             "output": "ch2/linear_algebra.py is still the untouched stub.", "visibility": "visible"},
        ]}
    json.dumps(got)


def gated(title, passed, uses, core=(), module="ch2/linear_algebra.py"):
    return {**rec(title, passed, module=module), "uses": list(uses), "core": list(core)}


def test_properties_pay_only_when_the_core_tests_of_their_functions_pass():
    records = [gated("matmul equals A @ B", False, ["matmul"], ["matmul"]),
               gated("(AB)ᵀ = BᵀAᵀ", True, ["matmul"]),
               gated("l1 equals linalg", True, ["l1_norm"], ["l1_norm"]),
               gated("triangle inequality", True, ["l1_norm", "l2_norm"])]
    (s,) = scoring.score(records)
    by = {t.title: t for t in s.tests}
    assert by["(AB)ᵀ = BᵀAᵀ"].passed and not by["(AB)ᵀ = BᵀAᵀ"].earned
    assert by["(AB)ᵀ = BᵀAᵀ"].gated_by == ["matmul equals A @ B"] and by["(AB)ᵀ = BᵀAᵀ"].score == 0
    assert by["l1 equals linalg"].earned and by["triangle inequality"].earned   # l2_norm has no core here
    assert s.passed_tests == 3 and s.earned == round(5 * 2 / 4, 2)
    out = {t["name"]: t for t in scoring.gradescope([s])["tests"]}
    assert out["ch2.linear_algebra: (AB)ᵀ = BᵀAᵀ"]["status"] == "failed"
    assert "pays only once" in out["ch2.linear_algebra: (AB)ᵀ = BᵀAᵀ"]["output"]


def test_class_csv_has_the_columns_of_what_was_graded(tmp_path):
    """A class graded on one chapter's notebooks gets that chapter's columns, in course order."""
    import csv
    import json

    from grader import catalogue, grading
    ch3 = [ex.id for ex in catalogue.load().exercises if ex.chapter == "ch3"]
    for name, exercises in [("ann", {i: 1.0 for i in ch3}), ("ben", {ch3[0]: 0.5})]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "done.json").write_text(json.dumps({"exercises": exercises, "score": 1, "max_score": 2,
                                                               "passed": 1, "status": "graded"}))
    header = next(csv.reader(grading.write_class_csv(tmp_path, ["ann", "ben", "cy"]).open()))
    assert header == ["student", "score", "max_score", "exercises_passed", *ch3, "status", "sandbox"]


def test_a_record_is_one_typed_schema_and_its_json_form_round_trips():
    from grader.records import Record, Status, as_records
    r = Record(module="ch2/calculus.py", title="t", test="tests/ch2/test_calculus.py::t", status=Status.NOT_STARTED,
               feedback="not started: …", uses=["numerical_grad"], core=["numerical_grad"])
    d = r.to_dict()
    assert d["status"] == "not started" and d["passed"] is False and d["not_started"] is True
    assert "earned" not in d                                     # not gated yet
    assert Record.from_dict(json.loads(json.dumps(d))) == r
    # the older JSON form (passed / not_started booleans, no status) still reads
    (old,) = as_records([rec("a", False, not_started=True)])
    assert old.status is Status.NOT_STARTED and not old.passed
    (s,) = scoring.score([r])
    assert s.status == "not started" and s.tests[0].record is r and s.tests[0].score == 0
