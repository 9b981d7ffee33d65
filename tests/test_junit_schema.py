"""JUnit output validates against the schema pytest's junit_family=xunit2 follows
(Jenkins' junit-10.xsd, as vendored in pytest's own tests), and still carries
points and diagnoses."""
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from builtin_course import SOLUTIONS, write_mutant
from grader.judge.engine import grade_submission
from grader.reports import render

HERE = Path(__file__).parent
ROOT = HERE.parent
SCHEMA = xmlschema.XMLSchema(str(HERE / "schemas" / "junit-10.xsd"))


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    for module in SOLUTIONS.glob("*.py"):
        shutil.copy(module, folder)
    write_mutant(folder, "Affine/db_mean")
    write_mutant(folder, "Convolution/backward_ignores_stride")
    (folder / "gates.py").unlink()
    (folder / "activations.py").write_text((folder / "activations.py").read_text() + "\nprint('\\x00 <&> ]]>')\n")
    return {
        "mixed": grade_submission(folder, seed=3),
        "solutions": grade_submission(SOLUTIONS, seed=3),
        "stubs": grade_submission(ROOT / "assignments", seed=3),
    }


@pytest.mark.parametrize("which", ["mixed", "solutions", "stubs"])
def test_junit_validates_against_the_xunit2_schema(reports, which):
    SCHEMA.validate(render(reports[which], "junit"))


def test_the_schema_is_strict_about_what_it_was_chosen_for():
    """The schema rejects what the grader used to write: properties in a testcase, skipped on testsuites."""
    bad_case = ('<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase name="t">'
                '<properties><property name="score" value="1"/></properties></testcase></testsuite></testsuites>')
    bad_root = '<testsuites skipped="0"><testsuite name="a" tests="0" failures="0" errors="0"/></testsuites>'
    for text in (bad_case, bad_root):
        assert not SCHEMA.is_valid(text)


def test_points_and_diagnoses_stay_available(reports):
    report = reports["mixed"]
    root = ET.fromstring(render(report, "junit"))
    for suite in root.iter("testsuite"):
        props = {p.get("name"): p.get("value") for p in suite.find("properties")}
        tests = [t for t in report["tests"] if t["assignment"] == suite.get("name")]
        assert float(props["score"]) == pytest.approx(sum(t["score"] for t in tests))
        for test in tests:
            key = test["name"].split("/", 1)[1]
            assert float(props[f"{key}.score"]) == test["score"]
            assert float(props[f"{key}.max_score"]) == test["max_score"]
            assert props[f"{key}.status"] == test["status"]
            if test["status"] == "passed":
                assert f"{key}.diagnosis" not in props
            else:
                assert props[f"{key}.diagnosis"] == test["diagnosis"]["code"]
    failures = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    db_mean = failures[("affine_softmax.Affine", "document_bias_gradient")].find("failure")
    assert db_mean.get("type") == "missing_batch_sum"
    crash = failures[("conv_pool.Convolution", "forward")].find("error")
    assert crash.get("type") == "exception"
    missing = failures[("gates.MulLayer", "document_apple")].find("failure")
    assert missing.get("type") == "missing"
