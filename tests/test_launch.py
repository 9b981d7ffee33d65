"""The installed programs (grader/cli/launch.py): exit statuses and output survive the quick exit."""
import json
import subprocess
import sys

from builtin_course import SOLUTIONS


def launch(entry, *arguments, cwd):
    return subprocess.run([sys.executable, "-c", f"from grader.cli.launch import {entry}; {entry}()", *arguments],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_grade_writes_its_report_and_terminal_output_then_exits_0(tmp_path):
    report = tmp_path / "report.json"
    result = launch("grade", "gates", "--submission", str(SOLUTIONS), "--format", "json", "--output", str(report),
                    "--fail-under", "100", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(report.read_text())["score"] == json.loads(report.read_text())["max_score"]
    text = launch("grade", "gates", "--submission", str(SOLUTIONS), "--lang", "en", cwd=tmp_path)
    assert text.returncode == 0 and "Total:" in text.stdout


def test_fail_under_and_usage_errors_keep_their_statuses(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    below = launch("grade", "--submission", str(empty), "--fail-under", "50", "--lang", "en", cwd=tmp_path)
    assert below.returncode == 1, below.stderr
    assert "below --fail-under" in below.stderr
    usage = launch("grade", "--no-such-option", cwd=tmp_path)
    assert usage.returncode == 2 and "No such option" in usage.stderr


def test_grader_group_runs_through_the_same_exit(tmp_path):
    result = launch("grader", "--help", cwd=tmp_path)
    assert result.returncode == 0 and "batch" in result.stdout
