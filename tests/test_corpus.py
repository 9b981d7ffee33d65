"""Real students' files: every habit of the corpus scores full marks, and one real bug costs only its layer.

The corpus (``tests/corpus``) wraps the correct solutions in the habits of
people who work through the book: stray imports, Korean comments, Windows
encodings, near-miss file names, chapter and Colab notebooks, sibling
imports, training loops, Python 2 cells, a later ``from common.layers import
*``, one ``layers.py`` holding everything. Each is graded exactly as a
student would: one ``grade --submission PATH`` call.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from corpus import ASSIGNMENT_OF, with_bug
from corpus.habits import HABITS

ROOT = Path(__file__).resolve().parents[1]


def grade(path: Path, *extra: str) -> dict:
    command = [sys.executable, "-m", "grader.cli", "--submission", str(path), "--format", "json", "-o", "-",
               "--seed", "11", "--lang", "en", "--timeout", "5", *extra]
    result = subprocess.run(command, capture_output=True, text=True, cwd=path.parent if path.is_file() else path,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def by_layer(report: dict) -> dict[str, list[dict]]:
    layers: dict[str, list[dict]] = {}
    for test in report["tests"]:
        layers.setdefault(test["layer"], []).append(test)
    return layers


def sources(report: dict) -> dict[str, dict]:
    return {name: place for entry in report["assignments"].values() for name, place in entry["sources"].items()}


@pytest.mark.parametrize("habit", sorted(HABITS))
def test_each_habit_scores_full_marks_from_one_grade_call(habit, tmp_path):
    built = HABITS[habit](tmp_path)
    report = grade(built.submit)
    layers = by_layer(report)
    assert set(built.classes) <= set(layers), f"graded {sorted(layers)}, expected {sorted(built.classes)}"
    for layer, tests in layers.items():
        if layer not in built.classes:  # another assignment, or a class the file does not have
            assert all(t["status"] == "missing" for t in tests), (layer, tests[0]["message"])
        elif layer in built.loses:
            assert all(t["score"] == 0 for t in tests if t["kind"] != "forward")
            assert any(re.search(built.loses[layer], t["message"]) for t in tests), tests[0]["message"]
        else:
            lost = [(t["name"], t["message"][:300]) for t in tests if t["status"] != "passed"]
            assert not lost, lost
    for pattern in built.notes:
        assert any(re.search(pattern, note) for note in report["notes"]), (pattern, report["notes"])
    found = sources(report)
    for name, (filename, cell) in built.sources.items():
        assert found[name]["file"] == filename and found[name].get("cell") == cell, found[name]


BUGGED = {  # habit -> the class that gets the typo
    "korean_comments": "MulLayer", "crlf": "Relu", "cp949": "Sigmoid", "utf16": "Relu", "bom": "Sigmoid",
    "near_miss_browser_copy": "AddLayer", "near_miss_sub_folder": "MulLayer", "notebook_with_extras": "Sigmoid",
    "chapter_notebook": "SoftmaxWithLoss", "colab_notebook": "AddLayer", "sibling_imports": "Affine",
    "training_notebook": "Relu", "python2_cell": "MulLayer", "star_import_after": "Affine",
    "one_layers_file": "Pooling", "import_common.layers": "MulLayer", "import_scipy": "AddLayer",
    "marimo_layers_setup": "MulLayer", "marimo_layers_in_cells": "Affine", "marimo_older_format": "Relu",
    "bare_common_imports": "Convolution", "backward_without_dout": "SoftmaxWithLoss",
}


@pytest.mark.parametrize("habit", sorted(BUGGED))
def test_one_real_bug_costs_its_layer_only_and_names_file_cell_and_line(habit, tmp_path):
    target = BUGGED[habit]
    built = with_bug(HABITS[habit], tmp_path, target)
    report = grade(built.submit)
    layers = by_layer(report)
    assert set(built.classes) <= set(layers)
    for layer, tests in layers.items():
        if layer not in built.classes:
            assert all(t["status"] == "missing" for t in tests)
        elif layer == target:
            assert sum(t["score"] for t in tests) < sum(t["max_score"] for t in tests) / 2
        else:
            assert all(t["status"] == "passed" for t in tests), (layer, [t["message"][:200] for t in tests])
    place = sources(report)[target]
    messages = [t["message"] for t in layers[target] if t["status"] != "passed"]
    expected = re.escape(place["file"])
    if place.get("cell") is not None:
        expected += rf", cell {place['cell']}( \(In \[\d+\]\))?"
    expected += r", line \d+\)"
    assert any(re.search(expected, m) for m in messages), (expected, messages[0][:500])


def test_batch_over_a_folder_of_notebooks_grades_everyone_and_says_where(tmp_path):
    from corpus import habits

    students = tmp_path / "students"
    builders = {"kim": habits.chapter_notebook, "lee": habits.colab_notebook, "park": habits.training_notebook,
                "choi": habits.one_layers_file, "jung": habits.python2_cell,
                "han": lambda folder: habits.marimo_notebook(folder, "layers_in_cells.py")}
    for name, build in builders.items():
        build(students / name)
    (students / "kim" / "ch05.ipynb").rename(students / "kim" / "5장 풀이.ipynb")
    out = tmp_path / "grades"
    result = subprocess.run([sys.executable, "-c", "from grader.cli import grader; grader()", "batch", str(students),
                             "--out", str(out),
                             "--jobs", "2", "--seed", "5", "--lang", "en"],
                            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    import csv

    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8-sig"))}
    assert set(rows) == set(builders)
    assert all(r["status"] == "ok" for r in rows.values()), rows
    assert "MulLayer: 5장 풀이.ipynb cell 2 (In [2])" in rows["kim"]["found_in"]
    assert "Convolution: layers.py" in rows["choi"]["found_in"] and rows["choi"]["conv_pool"] == "30"
    assert rows["kim"]["gates"] == "20" and rows["kim"]["affine_softmax"] == "30"
    assert rows["han"]["affine_softmax"] == rows["han"]["conv_pool"] == "30"
    assert "Affine: layers_in_cells.py cell 5; SoftmaxWithLoss: layers_in_cells.py cell 6" in rows["han"]["found_in"]
    assert "no conv_pool.py or .ipynb, and no file defines Convolution or Pooling" in rows["lee"]["message"]
