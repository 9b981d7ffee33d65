"""File modes: a student's own report follows their umask; a class's output folder is the instructor's alone."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from builtin_course import SOLUTIONS
from grader.platforms.class_folder import STUDENTS, ClassFolder


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def grade_with_umask(umask: int, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "import os, sys; os.umask(int(sys.argv.pop(1), 8)); "
               "from grader.cli.launch import grade; grade()", oct(umask)[2:], *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_grade_writes_its_reports_as_the_umask_says(tmp_path, umask, expected):
    result = grade_with_umask(umask, tmp_path, "--submission", str(SOLUTIONS), "gates", "--format", "html",
                              "--output", "report.html")
    assert result.returncode == 0, result.stderr
    assert mode(tmp_path / "report.html") == expected
    result = grade_with_umask(umask, tmp_path, "--submission", str(SOLUTIONS), "gates")
    assert result.returncode == 0, result.stderr
    assert mode(tmp_path / "grade-report.json") == expected


def test_grader_batch_makes_its_output_folders_the_owners_alone_whatever_the_umask(tmp_path):
    previous = os.umask(0o002)
    try:
        folder = ClassFolder(tmp_path / "grades" / "week1", ["alice"])
        folder.prepare(1)
        folder.release()
    finally:
        os.umask(previous)
    assert mode(tmp_path / "grades" / "week1") == 0o700
    assert mode(tmp_path / "grades" / "week1" / STUDENTS) == 0o700
    assert mode(tmp_path / "grades") == 0o775  # a parent it had to make is an ordinary folder


def test_an_output_folder_that_exists_keeps_its_mode_and_gets_a_private_students_folder(tmp_path):
    out = tmp_path / "grades"
    out.mkdir(mode=0o755)
    out.chmod(0o755)
    folder = ClassFolder(out, ["alice"])
    folder.prepare(1)
    folder.release()
    assert mode(out) == 0o755
    assert mode(out / STUDENTS) == 0o700
