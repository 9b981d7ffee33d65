"""Sizes agree end to end: whatever the loader admits reaches the child and is graded.

A ``.py`` file may be 2 MB and a notebook 32 MB (its outputs are not code),
and a whole submission's code ``MAX_CODE_BYTES``; every module's code
travels to the child as wire buffers, so an honest file with pasted data is
graded like any other, and a submission over the total limit is told so,
naming the limit, its total and its biggest files. Everything here goes
through the ``grade`` program as a student runs it.
"""
from __future__ import annotations

import base64
import importlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from builtin_course import SOLUTIONS, max_score
import grader.submission.notebook as notebook
import grader.submission as submission
import grader.submission.files as textfile
from grader.sandbox.errors import MissingCode
from grader.sandbox import make_runner
import grader.sandbox.child.wire as wire
from grader.sandbox.sources import BOOK_MODULES, load_modules

nbformat = importlib.import_module("nbformat")
GATES = (SOLUTIONS / "gates.py").read_text()


def launch(*arguments, cwd):
    """The installed ``grade`` program (grader/cli/launch.py), as a student runs it."""
    return subprocess.run([sys.executable, "-c", "from grader.cli.launch import grade; grade()", *arguments],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def pasted_data(size: int, seed: int = 0) -> str:
    """A Python list literal of about ``size`` bytes, rows of numbers as a student pastes them."""
    rng = np.random.default_rng(seed)
    rows = [f"    [{', '.join(f'{x:.6f}' for x in rng.standard_normal(16))}],\n" for _ in range(size // 170 + 1)]
    return "DATA = [\n" + "".join(rows) + "]\n"


def graded(folder: Path, tmp_path: Path, *extra) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / "report.json"
    result = launch("gates", "--submission", str(folder), "--format", "json", "--output", str(out), "--seed", "3",
                    *extra, cwd=tmp_path)
    return result, json.loads(out.read_text())


def test_a_two_megabyte_module_with_pasted_data_scores_full_marks(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "gates.py").write_text(GATES + "\n" + pasted_data(1_900_000 - len(GATES)))
    assert 1_850_000 < (folder / "gates.py").stat().st_size <= textfile.MAX_SOURCE_BYTES

    result, report = graded(folder, tmp_path)
    assert result.returncode == 0, result.stderr
    assert report["score"] == report["max_score"] == max_score("gates")
    assert {t["status"] for t in report["tests"]} == {"passed"}
    assert "internal_error" not in report


def test_a_notebook_with_megabytes_of_pasted_data_scores_like_its_classes(tmp_path):
    v4 = nbformat.v4
    plot = v4.new_output("display_data", data={"image/png": base64.b64encode(bytes(6 << 20)).decode()})
    cells = [v4.new_markdown_cell("# Gates, with the measurements I pasted"),
             v4.new_code_cell(pasted_data(1_500_000, seed=1), execution_count=1),
             v4.new_code_cell(pasted_data(1_500_000, seed=2).replace("DATA", "MORE"), execution_count=2,
                              outputs=[plot]),
             v4.new_code_cell(GATES, execution_count=3)]
    folder = tmp_path / "work"
    folder.mkdir()
    nbformat.write(v4.new_notebook(cells=cells), folder / "gates.ipynb")
    assert 10 << 20 < (folder / "gates.ipynb").stat().st_size <= textfile.MAX_NOTEBOOK_BYTES

    result, report = graded(folder, tmp_path)
    assert result.returncode == 0, result.stderr
    assert report["score"] == report["max_score"] == max_score("gates")
    assert {t["status"] for t in report["tests"]} == {"passed"}
    assert report["assignments"]["gates"]["sources"]["MulLayer"] == {"file": "gates.ipynb", "cell": 3, "count": 3}


def test_a_submission_over_the_code_limit_is_told_the_limit_its_total_and_its_biggest_files(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "gates.py").write_text(GATES)
    data = pasted_data(1_950_000)
    for number in range(9):
        (folder / f"measurements_{number}.py").write_text(data)
    total = sum(len(p.read_bytes()) for p in folder.iterdir())
    assert total > submission.MAX_CODE_BYTES

    result, report = graded(folder, tmp_path)
    assert result.returncode == 0, result.stderr  # the student's submission, not the grader, is at fault
    assert "internal_error" not in report and report["score"] == 0
    for test in report["tests"]:
        assert test["status"] == "error" and test["diagnosis"]["code"] == "import"
        assert "the grader itself failed" not in test["message"]
        assert f"adds up to {total / 2**20:.1f} MB, more than the 16 MB the grader runs" in test["message"]
        assert "The biggest files: measurements_0.py (1.9 MB), measurements_1.py (1.9 MB), " \
               "measurements_2.py (1.9 MB)." in test["message"]

    result, korean = graded(folder, tmp_path, "--lang", "ko")
    assert result.returncode == 0
    assert "16 MB" in korean["tests"][0]["message"] and "measurements_0.py (1.9 MB)" in korean["tests"][0]["message"]
    assert "adds up to" not in korean["tests"][0]["message"]


def test_the_largest_submission_the_loader_admits_fits_in_one_load_request(tmp_path):
    """The most files, the longest names and cells, all of the code: the child is sent all of it in one message."""
    folder = tmp_path / "work"
    long_name = "가" * 80  # 240 bytes of UTF-8, and six characters each once escaped in JSON
    files, per_file = submission.MAX_FILES, submission.MAX_CODE_BYTES // submission.MAX_FILES
    for number in range(files):
        place = folder / f"{long_name}{number % 3}" / f"{long_name}{number % 5}"
        place.mkdir(parents=True, exist_ok=True)
        if number % 2:
            (place / f"{long_name}{number}.py").write_text("#" * (per_file - 1) + "\n")
        else:
            cells = [{"cell_type": "code", "source": "", "metadata": {}}] * (notebook.MAX_CELLS - 1)
            cells.append({"cell_type": "code", "source": "#" * per_file, "metadata": {}, "execution_count": 10**9 - 1})
            (place / f"{long_name}{number}.ipynb").write_text(json.dumps({"nbformat": 4, "cells": cells}))
    loaded = submission.load_submission(folder, {"gates": ("MulLayer", "AddLayer")})
    assert len(loaded.files) == files and all(s.problem is None for s in loaded.files.values())

    buffers = []
    request = {"op": "load", "name": "gates", "modules": load_modules(loaded.files.values(), buffers),
               "graded": ["MulLayer"], "cell_seconds": 10.0, "seq": 1, "drop": []}
    parts = wire.pack(request, buffers)  # raises if any bound of the wire is passed, as the child's reader would
    assert sum(len(b) for b in buffers) >= submission.MAX_CODE_BYTES - files
    assert len(parts[0]) <= wire.MAX_HEADER_BYTES and len(parts) - 1 <= wire.MAX_BUFFERS

    with make_runner(loaded.files, timeout=30.0) as runner:  # and the child imports from it
        first_notebook = next(s for s in loaded.files.values() if s.cells)
        first_module = next(s for s in loaded.files.values() if not s.cells)
        for source in (first_notebook, first_module):
            runner.begin_test()
            with pytest.raises(MissingCode, match=f"{source.filename} has no class MulLayer$"):
                runner.new(source.name, "MulLayer")
            runner.end_test()
        assert runner.notes == []  # no cell failed


def test_the_size_limits_fit_inside_one_another():
    book = sum(len(m["text"].encode()) for m in BOOK_MODULES)
    assert submission.MAX_CODE_BYTES + book <= wire.MAX_TOTAL_BYTES // 2  # room for the header and more
    assert 2 * submission.MAX_FILES + len(BOOK_MODULES) <= wire.MAX_BUFFERS  # a text and a cell table per file
    assert notebook.MAX_CELL_CHARS >= textfile.MAX_SOURCE_BYTES  # a cell holds what a .py file may
    assert submission.MAX_CODE_BYTES >= 8 * textfile.MAX_SOURCE_BYTES


@pytest.mark.parametrize("text", ["", "plain", "한국어 코드 # 주석", "\ud800 a lone surrogate, as JSON allows"])
def test_text_sent_as_a_buffer_comes_back_the_same(text):
    buffers = []
    encoded = wire.encode_text(text, buffers)
    assert json.dumps(encoded) == '{"$text": 0}'
    decoder = wire.Decoder([bytearray(b) for b in buffers], allow_plain=True)
    assert decoder.value(encoded) == text
    decoder.finish()


def test_text_is_refused_in_replies_and_when_it_is_not_utf8():
    with pytest.raises(wire.WireError):  # the judge's decoder of replies: only numbers and arrays come back
        wire.Decoder([bytearray(b"abc")], unsupported=lambda *a: None).value({"$text": 0})
    with pytest.raises(wire.WireError, match="not UTF-8"):
        wire.Decoder([bytearray(b"\xff\xfe")], allow_plain=True).value({"$text": 0})
    decoder = wire.Decoder([bytearray(b"abc")], allow_plain=True)
    decoder.value({"$text": 0})
    with pytest.raises(wire.WireError, match="already used"):
        decoder.value({"$text": 0})
