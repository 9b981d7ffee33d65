"""The class report of ``grader batch``: its figures equal those computed from the
students' JSON reports, for a class of 30 with known mistakes."""
import csv
import json
import re
from collections import Counter, defaultdict
from html.parser import HTMLParser

import pytest

from class_of_30 import CRASHING_STUDENT, HANGING_STUDENT, MISTAKES, NUMERICAL, STUB_STUDENT, STUDENTS
from grader.reports import classroom

def json_reports(out):
    return {path.stem: json.loads(path.read_text()) for path in sorted((out / "students").glob("s*.json"))}


def expected_figures(reports: dict) -> dict:
    """The class figures, computed here from the JSON reports alone."""
    passed, seen = Counter(), Counter()
    diagnosed = defaultdict(set)
    failed_tests = Counter()
    full_marks, graded = Counter(), Counter()
    bins = [0] * 10
    timeouts, crashes = Counter(), Counter()
    for student, report in reports.items():
        percent = 100 * report["score"] / report["max_score"]
        bins[min(int(percent // 10), 9)] += 1
        for test in report["tests"]:
            seen[test["name"]] += 1
            passed[test["name"]] += test["status"] == "passed"
            if test["status"] != "passed":
                d = test["diagnosis"]
                key = (test["layer"], d["code"], d["array"])
                diagnosed[key].add(student)
                failed_tests[key] += 1
                timeouts[student] += d["code"] == "timeout"
                crashes[student] += d["code"] == "crash"
        for name, entry in report["assignments"].items():
            graded[name] += 1
            full_marks[name] += entry["score"] == entry["max_score"]
    return {"passed": passed, "seen": seen, "diagnosed": diagnosed, "failed_tests": failed_tests,
            "full_marks": full_marks, "graded": graded, "bins": bins, "timeouts": timeouts, "crashes": crashes}


def test_batch_writes_every_report(graded_class):
    out, reports = graded_class
    assert sorted(r["student"] for r in reports) == STUDENTS
    for student in STUDENTS:
        assert (out / "students" / f"{student}.json").is_file()
        html = (out / "students" / f"{student}.html").read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>") and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert (out / "class-report.html").is_file() and (out / "class-report.csv").is_file()


def test_the_known_mistakes_are_counted_on_their_layers(graded_class):
    out, _ = graded_class
    rows = list(csv.DictReader((out / "class-report.csv").open(encoding="utf-8")))
    found = {(r["layer"], r["code"], r["array"]): set(r["students"].split()) for r in rows
             if r["section"] == "diagnosis"}
    with_mistake = defaultdict(set)
    for student, mutant in MISTAKES.items():
        with_mistake[mutant].add(student)
    assert found[("Affine", "missing_batch_sum", "db")] == with_mistake["Affine/db_mean"]
    assert found[("SoftmaxWithLoss", "missing_batch_mean", "dx")] == with_mistake["SoftmaxWithLoss/no_batch_division"]
    assert found[("Relu", "extra_nonzero", "dx")] == with_mistake["Relu/no_mask"]
    assert found[("Convolution", "transposed", "dW")] == with_mistake["Convolution/dW_reshaped_without_transpose"]
    assert found[("Convolution", "padded", "dx")] == with_mistake["Convolution/pad_not_removed"]
    assert found[("Affine", "transposed", "dW")] == with_mistake["Affine/dW_transposed"]
    assert found[("MulLayer", "wrong_count", "MulLayer.backward")] == with_mistake["MulLayer/returns_only_dx"]
    assert STUB_STUDENT in found[("Convolution", "not_implemented", "")]
    assert found[("MulLayer", "timeout", "")] == {HANGING_STUDENT}
    assert found[("Affine", "crash", "")] == {CRASHING_STUDENT}
    for student, (layer, _route) in NUMERICAL.items():
        assert found[(layer, "finite_difference", "")] == {student}
    problems = {r["student"]: r for r in rows if r["section"] == "problem"}
    assert set(problems) == {HANGING_STUDENT, CRASHING_STUDENT}
    assert int(problems[HANGING_STUDENT]["count"]) > 0 and int(problems[CRASHING_STUDENT]["total"]) > 0


def test_csv_figures_equal_those_of_the_json_reports(graded_class):
    out, _ = graded_class
    expected = expected_figures(json_reports(out))
    rows = list(csv.DictReader((out / "class-report.csv").open(encoding="utf-8")))
    by_section = defaultdict(list)
    for row in rows:
        by_section[row["section"]].append(row)
    assert [int(r["count"]) for r in by_section["score_bin"]] == expected["bins"]
    assert {r["test"]: (int(r["count"]), int(r["total"])) for r in by_section["test"]} == \
        {name: (expected["passed"][name], expected["seen"][name]) for name in expected["seen"]}
    assert {(r["layer"], r["code"], r["array"]): (set(r["students"].split()), int(r["count"]), int(r["total"]))
            for r in by_section["diagnosis"]} == \
        {key: (students, len(students), expected["failed_tests"][key]) for key, students in expected["diagnosed"].items()}
    assert {r["assignment"]: (int(r["count"]), int(r["total"])) for r in by_section["assignment"]} == \
        {name: (expected["full_marks"][name], expected["graded"][name]) for name in expected["graded"]}
    assert {r["student"]: (int(r["count"]), int(r["total"])) for r in by_section["problem"]} == \
        {s: (expected["timeouts"][s], expected["crashes"][s]) for s in STUDENTS
         if expected["timeouts"][s] or expected["crashes"][s]}
    assert len(by_section["student"]) == 30


class _Attributes(HTMLParser):
    """Every element's attributes, and every link target."""

    def __init__(self):
        super().__init__()
        self.elements, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])


def test_html_figures_equal_those_of_the_json_reports(graded_class):
    out, _ = graded_class
    expected = expected_figures(json_reports(out))
    page = _Attributes()
    page.feed((out / "class-report.html").read_text(encoding="utf-8"))
    rows = [(tag, a) for tag, a in page.elements if tag == "tr"]
    cells = [a for tag, a in page.elements if tag == "td"]
    bars = [int(a["data-count"]) for tag, a in page.elements if tag == "rect" and a.get("class") == "bar"]
    assert bars == expected["bins"]
    diagnosis_rows = [a for _, a in rows if "data-code" in a]
    counts = [int(a["data-count"]) for a in cells if "data-count" in a]
    assert len(diagnosis_rows) == len(expected["diagnosed"])
    html = (out / "class-report.html").read_text(encoding="utf-8")
    for (layer, code, array), students in expected["diagnosed"].items():
        row = re.search(rf'<tr data-layer="{layer}" data-code="{code}" data-array="{re.escape(array)}">'
                        rf'.*?data-count="(\d+)".*?data-tests="(\d+)"', html, flags=re.S)
        assert row, (layer, code, array)
        assert (int(row.group(1)), int(row.group(2))) == (len(students), expected["failed_tests"][(layer, code, array)])
    for name, count in expected["passed"].items():
        row = re.search(rf'<tr data-test="{re.escape(name)}"><td>[^<]*</td><td class="num" data-count="(\d+)">',
                        html)
        assert row and int(row.group(1)) == count, name
    assert sum(counts) > 0


def test_numerical_backwards_are_listed_under_their_layer_with_the_students(graded_class):
    out, _ = graded_class
    html = (out / "class-report.html").read_text(encoding="utf-8")
    for student, (layer, _route) in NUMERICAL.items():
        row = re.search(rf'<tr data-layer="{layer}" data-code="finite_difference" data-array="">(.*?)</tr>', html, re.S)
        assert row and re.findall(r'<a href="students/([^"]+)\.html">', row.group(1)) == [student], row
        report = json_reports(out)[student]
        own = [t for t in report["tests"] if t["layer"] == layer]
        assert own and all(t["score"] == 0 and t["diagnosis"]["code"] == "finite_difference" for t in own)


def test_student_names_link_to_their_own_reports(graded_class):
    out, _ = graded_class
    page = _Attributes()
    page.feed((out / "class-report.html").read_text(encoding="utf-8"))
    linked = {href for href in page.links}
    assert {f"students/{s}.html" for s in STUDENTS} <= linked
    assert all((out / href).is_file() for href in linked)


def test_tests_almost_everyone_fails_are_listed():
    def report(student, status):
        test = {"name": "gates/MulLayer/document_apple", "assignment": "gates", "layer": "MulLayer",
                "status": status, "score": 1.0 if status == "passed" else 0.0, "max_score": 1.0,
                "diagnosis": None if status == "passed" else {"code": "scaled", "array": "dx", "params": {}}}
        return {"student": student, "status": "ok", "score": test["score"], "max_score": 1.0, "tests": [test],
                "assignments": {"gates": {"score": test["score"], "max_score": 1.0}}}

    reports = [report(f"s{i}", "failed") for i in range(9)] + [report("s9", "passed")]
    data = classroom.figures(reports)
    assert [t["test"] for t in data["almost_all_fail"]] == ["gates/MulLayer/document_apple"]
    assert [s["student"] for s in data["diagnoses"][0]["students"]] == [f"s{i}" for i in range(9)]
    data = classroom.figures(reports[:7] + [report(f"p{i}", "passed") for i in range(3)])
    assert data["almost_all_fail"] == []


def test_one_mistake_over_several_arrays_is_one_named_row_in_korean():
    """Two students whose MulLayer does not swap: one row "입력 뒤바뀜 | dx, dy | 2", not a row per array and
    not the raw code (which stays in data-code and the CSV)."""
    import grader.lang as lang

    def report(student):
        test = {"name": "gates/MulLayer/numeric_small", "assignment": "gates", "layer": "MulLayer",
                "status": "failed", "score": 0.0, "max_score": 1.0,
                "diagnosis": {"code": "swapped_inputs", "array": "dx", "params": {"arrays": ["dx", "dy"]}}}
        return {"student": student, "status": "ok", "score": 0.0, "max_score": 1.0, "tests": [test],
                "assignments": {"gates": {"score": 0.0, "max_score": 1.0}}}

    data = classroom.figures([report("s1"), report("s2")])
    assert [(d["code"], d["arrays"], len(d["students"])) for d in data["diagnoses"]] == \
        [("swapped_inputs", ["dx", "dy"], 2)]
    with lang.speaking("ko"):
        html = "".join(classroom.html_pieces(data))
    row = re.search(r'<tr data-layer="MulLayer" data-code="swapped_inputs" data-array="dx">(.*?)</tr>', html, re.S)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
    assert cells[:3] == ["입력 뒤바뀜", "dx, dy", "2"]
    assert "swapped_inputs" not in re.sub(r'data-code="[^"]*"', "", html)
