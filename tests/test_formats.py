"""The report formats CI platforms and Gradescope read: Gradescope JSON, JUnit XML, Markdown."""
import importlib
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from builtin_course import SOLUTIONS, write_mutant
from grader.cli import grade
from grader.judge.engine import grade_submission
from grader.reports import render

HERE = Path(__file__).parent
SCHEMA = json.loads((HERE / "schemas" / "gradescope_results.schema.json").read_text())
SEED = 7


@pytest.fixture(scope="module")
def buggy_report(tmp_path_factory):
    """Relu's mask inverted, gates.py missing, and a Sigmoid that prints and raises."""
    folder = tmp_path_factory.mktemp("buggy")
    for name in ("activations", "affine_softmax", "conv_pool"):
        shutil.copy(SOLUTIONS / f"{name}.py", folder)
    write_mutant(folder, "Relu/inverted_mask")
    source = (folder / "activations.py").read_text()
    sigmoid_gradient = "dx = dout * (1.0 - self.out) * self.out"
    assert sigmoid_gradient in source
    (folder / "activations.py").write_text(source.replace(
        sigmoid_gradient,
        "print('score: 100/100 \\x00 <b>|`` ``` </b>'); raise ValueError('oops & <no>')",
    ))
    return grade_submission(folder, seed=SEED)


@pytest.fixture(scope="module")
def correct_report():
    return grade_submission(SOLUTIONS, seed=SEED)


def _statuses(report):
    return {status: sum(t["status"] == status for t in report["tests"]) for status in
            ("passed", "failed", "error", "timeout", "missing")}


def test_buggy_fixture_has_every_kind_of_problem(buggy_report):
    counts = _statuses(buggy_report)
    assert counts["failed"] and counts["error"] and counts["missing"] and counts["passed"]


# --- Gradescope ---------------------------------------------------------------

@pytest.mark.parametrize("which", ["correct_report", "buggy_report"])
def test_gradescope_results_validate_against_the_spec_schema(which, request):
    results = json.loads(render(request.getfixturevalue(which), "gradescope"))
    jsonschema.validate(results, SCHEMA)


def test_gradescope_scores_match_the_report(buggy_report):
    results = json.loads(render(buggy_report, "gradescope"))
    assert results["score"] == buggy_report["score"]
    assert sum(t["score"] for t in results["tests"]) == pytest.approx(buggy_report["score"])
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(buggy_report["max_score"])
    assert results["stdout_visibility"] == "hidden"
    assert "execution_time" in results


def test_gradescope_hides_hidden_tests_until_grades_are_published(correct_report):
    results = json.loads(render(correct_report, "gradescope"))
    by_name = {t["name"]: t for t in results["tests"]}
    for test in correct_report["tests"]:
        expected = "after_published" if test["visibility"] == "hidden" else "visible"
        assert by_name[test["name"]]["visibility"] == expected
    assert {"after_published", "visible"} <= {t["visibility"] for t in results["tests"]}


def test_gradescope_marks_errors_and_missing_modules_as_failed_with_the_message(buggy_report):
    results = json.loads(render(buggy_report, "gradescope"))
    for original, test in zip(buggy_report["tests"], results["tests"]):
        assert test["status"] == ("passed" if original["status"] == "passed" else "failed")
        if original["status"] != "passed":
            assert original["message"].splitlines()[0] in test["output"]
    printed = [t for t in results["tests"] if "Your code printed:" in t["output"]]
    assert printed and "score: 100/100" in printed[0]["output"]


def test_gradescope_results_say_how_the_code_was_confined(buggy_report):
    """docs/instructors.md: ``isolation`` in the results, under extra_data (the spec allows no other key)."""
    results = json.loads(render(buggy_report, "gradescope"))
    assert buggy_report["isolation"] and results["extra_data"]["isolation"] == buggy_report["isolation"]
    jsonschema.validate(results, SCHEMA)


def test_gradescope_fallback_validates():
    from grader.reports.gradescope import fallback

    jsonschema.validate(fallback("the autograder failed"), SCHEMA)


# --- JUnit --------------------------------------------------------------------

def test_junit_counts_tests_failures_and_errors(buggy_report):
    root = ET.fromstring(render(buggy_report, "junit"))
    counts = _statuses(buggy_report)
    cases = root.findall(".//testcase")
    assert root.tag == "testsuites"
    assert len(cases) == int(root.get("tests")) == len(buggy_report["tests"])
    failures = counts["failed"] + counts["timeout"] + counts["missing"]
    assert len(root.findall(".//testcase/failure")) == int(root.get("failures")) == failures
    assert len(root.findall(".//testcase/error")) == int(root.get("errors")) == counts["error"]
    suites = root.findall("testsuite")
    assert sum(int(s.get("tests")) for s in suites) == len(cases)
    assert sum(int(s.get("failures")) for s in suites) == failures


def test_junit_has_one_suite_per_assignment_and_layer_classnames(correct_report):
    root = ET.fromstring(render(correct_report, "junit"))
    assert [s.get("name") for s in root.findall("testsuite")] == list(correct_report["assignments"])
    case = root.find("testsuite/testcase")
    first = correct_report["tests"][0]
    assert case.get("classname") == f"{first['assignment']}.{first['layer']}"
    assert float(case.get("time")) >= 0
    assert root.find(".//failure") is None and root.find(".//error") is None


def test_junit_carries_points_in_its_suites_properties(buggy_report):
    root = ET.fromstring(render(buggy_report, "junit"))
    props = {p.get("name"): p.get("value") for suite in root.iter("testsuite") for p in suite.find("properties")}
    for case, test in zip(root.iter("testcase"), buggy_report["tests"]):
        assert case.find("properties") is None
        key = test["name"].split("/", 1)[1]
        assert float(props[f"{key}.score"]) == test["score"]
        assert float(props[f"{key}.max_score"]) == test["max_score"]


def test_junit_failure_has_message_attribute_and_text(buggy_report):
    root = ET.fromstring(render(buggy_report, "junit"))
    failure = root.find(".//testcase/failure")
    assert failure.get("message") and failure.text and failure.get("message") in failure.text


def test_junit_survives_control_characters_in_student_output(buggy_report):
    text = render(buggy_report, "junit")
    root = ET.fromstring(text)  # would raise on a raw NUL
    outputs = [e.text for e in root.iter("system-out")]
    assert any("score: 100/100 \\x00" in o for o in outputs)


# --- Markdown -----------------------------------------------------------------

def test_markdown_has_a_table_per_assignment_and_every_failure(buggy_report):
    text = render(buggy_report, "markdown")
    assert text.startswith(f"## Grade: {buggy_report['score']:g}/{buggy_report['max_score']:g}")
    for assignment in buggy_report["assignments"]:
        assert f"### {assignment} " in text
    assert "| ❌ | Relu |" in text
    for test in buggy_report["tests"]:
        if test["status"] in ("failed", "error"):
            assert test["name"] in text
    assert "**gates**: " in text  # one line for the missing module, not 17


def test_markdown_fences_survive_backticks_in_output(buggy_report):
    text = render(buggy_report, "markdown")
    assert "````text" in text  # the output holds ``` so its fence is longer


def test_markdown_for_a_correct_submission_says_all_passed(correct_report):
    assert "All tests passed." in render(correct_report, "markdown")


def test_github_step_summary_gets_the_markdown_whatever_the_format(tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(grade, ["gates", "-s", str(SOLUTIONS), "--format", "junit", "--seed", "3"])
    assert result.exit_code == 0, result.output
    text = summary.read_text()
    assert text.startswith("earlier step\n## Grade: ")
    assert (tmp_path / "grade-junit.xml").is_file()


def test_cli_writes_each_format_to_its_default_file(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    for fmt, name in [("gradescope", "results.json"), ("junit", "grade-junit.xml"), ("markdown", "grade-report.md")]:
        result = CliRunner().invoke(grade, ["gates", "-s", str(SOLUTIONS), "--format", fmt, "--seed", "3"])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 0
    jsonschema.validate(json.loads((tmp_path / "results.json").read_text()), SCHEMA)


# --- CI templates -------------------------------------------------------------

def test_step_summary_can_be_turned_off(correct_report, tmp_path, monkeypatch):
    from grader.reports.markdown import append_step_summary

    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GRADER_STEP_SUMMARY", "off")
    assert append_step_summary(correct_report) is None
    assert not (tmp_path / "summary.md").exists()


def test_classroom_workflow_gives_each_assignment_its_points_and_publishes_junit():
    yaml = importlib.import_module("yaml")
    from grader.judge.context import Grading
    from grader.platforms.batch import maximum_scores
    from grader.platforms.release.classroom import classroom_workflow
    from builtin_course import COURSE

    workflow = yaml.safe_load(classroom_workflow(COURSE, COURSE.assignments))
    steps = workflow["jobs"]["grade"]["steps"]
    graders = [s for s in steps if s.get("uses", "").startswith("classroom-resources/autograding-command-grader")]
    points = {s["with"]["test-name"]: s["with"]["max-score"] for s in graders}
    assert points == {a: int(m) for a, m in maximum_scores(Grading(COURSE)).items()}
    reporter = next(s for s in steps if s.get("uses", "").startswith("classroom-resources/autograding-grading-reporter"))
    assert reporter["with"]["runners"].split(",") == list(points)
    assert set(reporter["env"]) == {f"{name.upper()}_RESULTS" for name in points}
    assert all("--fail-under 100" in s["with"]["command"] for s in graders)
    runs = " ".join(s.get("run", "") for s in steps)
    assert "--format junit --output grade-junit.xml" in runs
    assert any(s.get("with", {}).get("report_paths") == "grade-junit.xml" for s in steps)


def test_gitlab_snippet_in_the_docs_uploads_the_junit_report():
    yaml = importlib.import_module("yaml")
    docs = (HERE.parent / "docs" / "instructors.md").read_text()
    snippet = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    job = yaml.safe_load(snippet)["grade"]
    assert any("--fail-under" in line and "--format junit" in line for line in job["script"])
    assert job["artifacts"]["reports"]["junit"] == "grade-junit.xml"
    assert job["artifacts"]["when"] == "always"
