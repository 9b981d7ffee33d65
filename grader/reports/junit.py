"""JUnit XML, the format CI test reporters read (GitHub Actions reporters, GitLab's test widget).

One ``<testsuite>`` per assignment; one ``<testcase>`` per test, with
``classname="assignment.Layer"`` so reporters group tests by layer. A wrong
result, a timeout or a missing module is a ``<failure>`` (the student's
code is at fault); an exception raised by the student's code is an
``<error>``; either's ``type`` is the diagnosis code (``transposed``,
``timeout``...). What the student's code printed goes in ``<system-out>``.

The output follows the schema that pytest's ``junit_family=xunit2`` follows
(Jenkins' ``junit-10.xsd``, in ``tests/schemas``), which allows
``<properties>`` only on a ``<testsuite>``: so the suite's properties carry
its points and seed, and each test's points, kind, visibility and diagnosis
as ``<test name>.score``, ``.max_score``, ``.kind``, ``.visibility``,
``.status``, ``.diagnosis`` and ``.diagnosis_array``.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.lang.sanitize import xml_text
import grader.reports.words as words

FAILURE_STATUSES = ("failed", "timeout", "missing")


def _number(value: float) -> str:
    return f"{value:g}"


def _properties(parent: ET.Element, values: dict) -> None:
    props = ET.SubElement(parent, "properties")
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value=xml_text(value))


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


def _testcase(suite: ET.Element, test: dict) -> None:
    _, layer_and_name = test["name"].split("/", 1)
    case = ET.SubElement(
        suite,
        "testcase",
        name=xml_text(layer_and_name.split("/", 1)[-1]),
        classname=xml_text(f"{test['assignment']}.{test['layer']}"),
        time=f"{test.get('execution_time', 0.0):.3f}",
    )
    status = test["status"]
    if status != "passed":
        tag = "failure" if status in FAILURE_STATUSES else "error"
        message = xml_text(test["message"] or words.status(status))
        diagnosis = test.get("diagnosis") or {}
        element = ET.SubElement(case, tag, message=_first_line(message), type=xml_text(diagnosis.get("code") or status))
        element.text = message
    if test.get("output"):
        ET.SubElement(case, "system-out").text = xml_text(test["output"])


def _counts(tests: list[dict]) -> dict:
    return {
        "tests": str(len(tests)),
        "failures": str(sum(t["status"] in FAILURE_STATUSES for t in tests)),
        "errors": str(sum(t["status"] == "error" for t in tests)),
        "time": f"{sum(t.get('execution_time', 0.0) for t in tests):.3f}",
    }


def _test_properties(test: dict) -> dict:
    """One test's figures, as suite properties named after the test."""
    name = _case_name(test)
    values = {"score": _number(test["score"]), "max_score": _number(test["max_score"]), "kind": test["kind"],
              "visibility": test["visibility"], "status": test["status"]}
    diagnosis = test.get("diagnosis")
    if diagnosis:
        values["diagnosis"] = diagnosis["code"]
        values["diagnosis_array"] = diagnosis.get("array", "")
    return {xml_text(f"{name}.{key}"): value for key, value in values.items()}


def _case_name(test: dict) -> str:
    """``Layer/test``: unique within an assignment's suite."""
    return test["name"].split("/", 1)[1]


def render(report: dict, **options) -> str:
    root = ET.Element("testsuites", name="backprop-grader", **_counts(report["tests"]))
    by_assignment: dict[str, list[dict]] = {}
    for test in report["tests"]:
        by_assignment.setdefault(test["assignment"], []).append(test)
    for assignment, tests in by_assignment.items():
        suite = ET.SubElement(root, "testsuite", name=xml_text(assignment), skipped="0", **_counts(tests))
        properties = {
            "score": _number(sum(t["score"] for t in tests)),
            "max_score": _number(sum(t["max_score"] for t in tests)),
            "seed": report["seed"],
        }
        for test in tests:
            properties.update(_test_properties(test))
        _properties(suite, properties)
        for test in tests:
            _testcase(suite, test)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
