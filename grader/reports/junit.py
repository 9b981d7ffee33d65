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

from grader.judge.record import Report, TestResult
from grader.lang.sanitize import xml_text
from grader.reports.shared import by_assignment, points
import grader.reports.words as words

FAILURE_STATUSES = ("failed", "timeout", "missing")


def _properties(parent: ET.Element, values: dict) -> None:
    props = ET.SubElement(parent, "properties")
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value=xml_text(value))


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


def _testcase(suite: ET.Element, test: TestResult) -> None:
    case = ET.SubElement(suite, "testcase", name=xml_text(test.short_name.split("/", 1)[-1]),
                         classname=xml_text(f"{test.assignment}.{test.layer}"), time=f"{test.execution_time:.3f}")
    if not test.passed:
        tag = "failure" if test.status in FAILURE_STATUSES else "error"
        message = xml_text(test.message or words.status(test.status))
        code = test.diagnosis.code if test.diagnosis else test.status
        element = ET.SubElement(case, tag, message=_first_line(message), type=xml_text(code))
        element.text = message
    if test.output:
        ET.SubElement(case, "system-out").text = xml_text(test.output)


def _counts(tests: list[TestResult]) -> dict:
    return {
        "tests": str(len(tests)),
        "failures": str(sum(t.status in FAILURE_STATUSES for t in tests)),
        "errors": str(sum(t.status == "error" for t in tests)),
        "time": f"{sum(t.execution_time for t in tests):.3f}",
    }


def _test_properties(test: TestResult) -> dict:
    """One test's figures, as suite properties named after the test (``Layer/test``: unique in its suite)."""
    values = {"score": points(test.score), "max_score": points(test.max_score), "kind": test.kind,
              "visibility": test.visibility, "status": test.status}
    if test.diagnosis:
        values["diagnosis"] = test.diagnosis.code
        values["diagnosis_array"] = test.diagnosis.array
    return {xml_text(f"{test.short_name}.{key}"): value for key, value in values.items()}


def render(report: Report | dict, **options) -> str:
    report = Report.read(report)
    root = ET.Element("testsuites", name="backprop-grader", **_counts(report.tests))
    for group in by_assignment(report):
        suite = ET.SubElement(root, "testsuite", name=xml_text(group.name), skipped="0", **_counts(group.tests))
        properties = {"score": points(group.score), "max_score": points(group.max_score), "seed": report.seed}
        for test in group.tests:
            properties.update(_test_properties(test))
        _properties(suite, properties)
        for test in group.tests:
            _testcase(suite, test)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
