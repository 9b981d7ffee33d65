"""Long runs: which test is running (on a terminal only), and Ctrl+C that stops cleanly with a report."""
from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from builtin_course import COURSE
from test_adversarial import student_processes

HANG = """

class MulLayer(MulLayer):
    def forward(self, x, y):
        while True:
            pass
"""


def _hanging_submission(folder: Path) -> Path:
    folder.mkdir()
    for source in COURSE.solutions.glob("*.py"):
        shutil.copy(source, folder / source.name)
    with (folder / "gates.py").open("a", encoding="utf-8") as handle:
        handle.write(HANG)
    return folder


def _command(submission: Path, *extra: str) -> list[str]:
    return [sys.executable, "-c", "from grader.cli import grade; grade()", "--submission", str(submission),
            "--seed", "3", "--lang", "en", *extra]


def test_ctrl_c_exits_130_writes_the_report_and_leaves_no_process(tmp_path):
    submission = _hanging_submission(tmp_path / "hangs")
    report_path = tmp_path / "report.json"
    process = subprocess.Popen(_command(submission, "--timeout", "60", "--format", "json", "-o", str(report_path)),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                               start_new_session=True)
    try:
        time.sleep(3.0)  # well inside MulLayer's first, hanging test
        os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl+C
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, stderr[-2000:]
    assert "Aborted!" not in stderr and "Traceback" not in stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["interrupted"] is True
    not_run = [t for t in report["tests"] if "grading was interrupted (Ctrl+C)" in t["message"]]
    assert not_run and all(t["status"] == "error" and t["score"] == 0 for t in not_run)
    assert len(report["tests"]) == len({t["name"] for t in report["tests"]})  # every test listed once
    deadline = time.monotonic() + 5
    while student_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert student_processes(process.pid) == []


def _run_with_stderr_on_a_terminal(command, cwd) -> tuple[int, str]:
    controller, terminal = pty.openpty()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=terminal, cwd=cwd)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the program ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(60)
    os.close(controller)
    return process.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_a_slow_run_shows_the_running_test_on_a_terminal_only(tmp_path):
    submission = _hanging_submission(tmp_path / "slow")
    command = _command(submission, "gates", "--timeout", "0.7", "--format", "json", "-o", str(tmp_path / "r.json"))
    status, shown = _run_with_stderr_on_a_terminal(command, tmp_path)
    assert status == 0
    assert "grading gates/MulLayer/" in shown and "\r\x1b[K" in shown
    piped = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert piped.returncode == 0
    assert "grading gates/" not in piped.stderr and "\x1b[K" not in piped.stderr
    report = (tmp_path / "r.json").read_text(encoding="utf-8")
    assert "grading gates/" not in report


CLAIMS_AN_INTERRUPTION = """

class MulLayer(MulLayer):
    def backward(self, dout):
        print("not run: grading was interrupted (Ctrl+C)")
        raise ValueError("not run: grading was interrupted (Ctrl+C)")
"""


def test_a_submission_cannot_claim_grading_was_interrupted(tmp_path):
    """Only Ctrl+C in the grader interrupts: a student's message saying so is a message, not an exit 130."""
    from click.testing import CliRunner

    from grader.cli import grade

    submission = _hanging_submission(tmp_path / "claims")
    (submission / "gates.py").write_text((COURSE.solutions / "gates.py").read_text(encoding="utf-8")
                                         + CLAIMS_AN_INTERRUPTION, encoding="utf-8")
    report_path = tmp_path / "report.json"
    result = CliRunner().invoke(grade, ["gates", "--submission", str(submission), "--seed", "3", "--format", "json",
                                        "-o", str(report_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text(encoding="utf-8"))
    claimed = [t for t in report["tests"] if "grading was interrupted (Ctrl+C)" in t["message"]]
    assert claimed and all(t["layer"] == "MulLayer" and t["status"] == "error" for t in claimed)
    assert "interrupted" not in report and report["score"] > 0
