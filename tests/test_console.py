"""A Korean Windows console (CP949: a pipe, an IDE, Git Bash) prints every report; symbols fall back."""
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builtin_course import SOLUTIONS
from grader.cli.output import CONSOLE_FALLBACKS, tolerant_console

pytestmark = pytest.mark.portable
ADD_WITHOUT_DY = "\nclass AddLayer(AddLayer):\n    def backward(self, dout):\n        return dout, 0 * dout\n"


def grade_command() -> list[str]:
    found = shutil.which("grade", path=os.path.dirname(sys.executable))
    return [found] if found else [sys.executable, "-c", "from grader.cli.launch import grade; grade()"]


@pytest.fixture
def half_right(tmp_path) -> Path:
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "gates.py").write_text((SOLUTIONS / "gates.py").read_text(encoding="utf-8") + ADD_WITHOUT_DY,
                                     encoding="utf-8")
    return folder


@pytest.mark.parametrize("fail_under, status", [(None, 0), ("100", 1)])
def test_a_cp949_pipe_gets_the_whole_korean_report_with_plain_symbols(half_right, tmp_path, fail_under, status):
    args = [*grade_command(), "--submission", str(half_right), "gates", "--lang", "ko"]
    args += ["--fail-under", fail_under] if fail_under else []
    result = subprocess.run(args, cwd=tmp_path, capture_output=True, timeout=120,
                            env=dict(os.environ, PYTHONIOENCODING="cp949", GRADER_LANG="ko"))
    assert result.returncode == status, result.stderr.decode("cp949", "replace")
    text = result.stdout.decode("cp949")  # strictly: everything printed is CP949
    lines = text.splitlines()
    assert any(line.strip().startswith("x AddLayer/") for line in lines), text
    assert any(line.strip().startswith("v MulLayer/") for line in lines), text
    assert "비공개" in text and "10/20" in text
    assert "\u2717" not in text and "Traceback" not in result.stderr.decode("cp949", "replace")


def test_every_symbol_the_reports_print_has_a_fallback_a_legacy_console_can_encode():
    from grader.reports.shared import SYMBOLS

    stream = io.TextIOWrapper(io.BytesIO(), encoding="cp949", errors="strict")
    tolerant_console(stream)
    for symbol in SYMBOLS.values():
        stream.write(symbol)
    stream.write("\u2713 \u2717 \u23f1 \u00e9\U0001f600 한글")
    stream.flush()
    written = stream.buffer.getvalue().decode("cp949")
    assert written == "vx!T?" + "v x T ?? 한글", written  # ✓ ✗ ! ⏱ ?, then é and the emoji CP949 lacks
    assert all(fallback.isascii() for fallback in CONSOLE_FALLBACKS.values())


def test_a_stream_that_already_tolerates_errors_is_left_as_it_is():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="backslashreplace")
    tolerant_console(stream)
    assert stream.errors == "backslashreplace"
