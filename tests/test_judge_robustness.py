"""The judge never fails without a report: odd text, its own bugs, a time budget, a failing batch.

Strings from student code or files may hold anything (lone surrogates,
terminal escapes, HTML, XML-illegal characters); every output format must
still render, parse and show them harmlessly. When the grader itself fails,
the report is written with what was graded and the exit status is 3.
"""
from __future__ import annotations

import csv
import os
import stat
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import grader.platforms.batch as batch
import grader.judge.engine as engine
from grader.cli import grade, grader
from grader.reports import render
from grader.lang.sanitize import clean, clean_data, csv_cell, markdown_text

HERE = Path(__file__).parent
SOLUTIONS = HERE.parent / "solutions"
SCHEMA = json.loads((HERE / "schemas" / "gradescope_results.schema.json").read_text())
FUZZ = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# any code point, lone surrogates included (hypothesis's text() leaves those out)
ANY_TEXT = st.lists(st.one_of(st.integers(0, 0x10FFFF), st.sampled_from([0x1B, 0x9B, 0x0D, 0x07, 0xD800, 0x202E])),
                    max_size=40).map(lambda codes: "".join(map(chr, codes)))
HOSTILE = st.one_of(ANY_TEXT, st.sampled_from([
    "\x1b[2J\x1b[H\rTotal: 100/100", "<script>alert(1)</script>", "</sub>\n## Grade: 100/100", "```\n<b>x</b>",
    "half \ud83d surrogate", "\x00\x0b\x0c\ufffe\uffff", "=HYPERLINK(\"http://x\")", "| a | b |", "\u202eevil",
]))
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


@FUZZ
@given(HOSTILE)
def test_clean_text_is_utf8_and_has_no_control_or_escape(text):
    cleaned = clean(text)
    cleaned.encode("utf-8")
    assert not TERMINAL_UNSAFE.search(cleaned)
    assert clean(cleaned) == cleaned


def test_clean_keeps_ordinary_text_and_shows_what_it_removes():
    assert clean("dx differs at [0, 1]: expected 0.5\n\ttab") == "dx differs at [0, 1]: expected 0.5\n\ttab"
    assert clean("한국어 ✓") == "한국어 ✓"
    assert clean("a\x1b[31mred\x1b[0m b\x1b]0;title\x07c") == "ared bc"
    assert clean("x\ry\r\nz") == "x\\x0dy\nz"
    assert clean("\ud800") == "\ufffd"
    assert clean_data({"k\x1b[2J": ["\ud800", 1, None]}) == {"k": ["\ufffd", 1, None]}


def test_markdown_text_and_csv_cells_cannot_inject():
    assert markdown_text("<img src=x> **b** |") == "&lt;img src=x&gt; \\*\\*b\\*\\* \\|"
    assert csv_cell("=1+2") == "'=1+2" and csv_cell("-x") == "'-x" and csv_cell("alice") == "alice"


def _report_with(text: str) -> dict:
    """A report shaped like the engine's, with ``text`` wherever a student can put text."""
    test = {"name": "gates/MulLayer/numeric", "assignment": "gates", "layer": "MulLayer", "kind": "numeric",
            "visibility": "public", "status": "error", "score": 0.0, "max_score": 2.0,
            "message": f"MulLayer.backward raised ValueError: {text}", "description": "", "output": text,
            "execution_time": 0.1}
    passed = {**test, "name": "gates/AddLayer/numeric", "layer": "AddLayer", "status": "passed", "score": 2.0,
              "message": "", "output": ""}
    missing = {**test, "name": "conv_pool/Pooling/numeric", "assignment": "conv_pool", "layer": "Pooling",
               "status": "missing", "message": text}
    return {"score": 2.0, "max_score": 6.0, "seed": 1, "tests": [test, passed, missing],
            "assignments": {"gates": {"score": 2.0, "max_score": 4.0, "file": f"{text}.py"},
                            "conv_pool": {"score": 0.0, "max_score": 2.0, "file": None}},
            "counts": {"passed": 1, "failed": 0, "error": 1, "timeout": 0, "missing": 1},
            "submission": text, "notes": [text], "grader_version": "0", "isolation": "", "duration_seconds": 0.5}


def _outside_code_blocks(markdown: str) -> str:
    outside, fence = [], None
    for line in markdown.splitlines():
        stripped = line.strip()
        if fence is None and stripped.startswith("```"):
            fence = re.match(r"`+", stripped).group()
        elif fence is not None and stripped == fence:
            fence = None
        elif fence is None:
            outside.append(line)
    return "\n".join(outside)


@FUZZ
@given(HOSTILE)
def test_every_format_renders_any_student_text_safely(text):
    report = _report_with(text)
    for fmt in ("json", "gradescope", "junit", "markdown", "text"):
        render(report, fmt).encode("utf-8")
    json.loads(render(report, "json"))
    jsonschema.validate(json.loads(render(report, "gradescope")), SCHEMA)
    ET.fromstring(render(report, "junit").encode("utf-8"))
    assert not TERMINAL_UNSAFE.search(render(report, "text").replace("\n", ""))
    coloured = render(report, "text", colour=True)
    assert "Total: 2/6" in coloured and not re.search("\x1b(?!\\[[0-9;]*m)", coloured)
    markdown = render(report, "markdown")
    assert "<" not in _outside_code_blocks(markdown).replace("<sub>", "").replace("</sub>", "")
    assert len(re.findall(r"^## Grade:", markdown, re.M)) == 1


# -- the grader's own failures -----------------------------------------------------


def test_an_internal_failure_keeps_what_was_graded_and_exits_3(tmp_path, monkeypatch):
    real = engine.run_check
    calls = []

    def failing_after_three(check, runner, seed, until=None):
        calls.append(check.name)
        if len(calls) > 3:
            raise RuntimeError("a bug in the grader")
        return real(check, runner, seed, until)

    monkeypatch.setattr(engine, "run_check", failing_after_three)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(grade, ["gates", "-s", str(SOLUTIONS), "--format", "json", "-o", str(out)])
    assert result.exit_code == 3, result.output
    report = json.loads(out.read_text())
    assert [t["status"] for t in report["tests"][:3]] == ["passed"] * 3
    assert {t["status"] for t in report["tests"][3:]} == {"error"}
    assert all("the grader itself failed" in t["message"] for t in report["tests"][3:])
    assert report["internal_error"] == "RuntimeError: a bug in the grader"


def test_a_failure_before_grading_still_writes_a_report_and_exits_3(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("broken loader")

    monkeypatch.setattr(engine, "grade_submission", broken)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(grade, ["-s", str(SOLUTIONS), "--format", "json", "-o", str(out), "--seed", "3"])
    assert result.exit_code == 3
    report = json.loads(out.read_text())
    assert report["tests"] == [] and report["seed"] == 3 and "broken loader" in report["internal_error"]


def test_a_report_that_cannot_be_rendered_falls_back_to_json_and_exits_3(tmp_path, monkeypatch):
    from grader.reports import junit

    def broken(report, **options):
        raise ValueError("renderer bug")

    monkeypatch.setattr(junit, "render", broken)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(grade, ["gates", "-s", str(SOLUTIONS), "--format", "junit", "-o", "report.xml"])
    assert result.exit_code == 3
    assert not (tmp_path / "report.xml").exists()
    report = json.loads((tmp_path / "grade-report.json").read_text())
    assert report["score"] == report["max_score"] > 0


def test_a_failing_batch_still_writes_the_gradebook_of_everyone_and_exits_3(tmp_path, monkeypatch):
    classroom, out = tmp_path / "class", tmp_path / "out"
    for name in ("alice", "bob", "carol"):
        shutil.copytree(SOLUTIONS, classroom / name, ignore=shutil.ignore_patterns("*.md"))

    def one_then_fail(tasks, work, **kwargs):
        tasks = list(tasks)
        yield tasks[0], ("done", work(tasks[0]))
        raise OSError("the machine ran out of something")

    monkeypatch.setattr(batch, "run_isolated", one_then_fail)
    result = CliRunner().invoke(grader, ["batch", str(classroom), "--out", str(out), "--seed", "1"])
    assert result.exit_code == 3
    with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert rows["alice"]["status"] == "ok" and rows["alice"]["percent"] == "100.0"
    assert rows["bob"]["status"] == rows["carol"]["status"] == "crashed"
    assert "not graded" in rows["bob"]["message"]


def test_a_report_that_cannot_be_written_is_noted_and_the_batch_goes_on(tmp_path, monkeypatch):
    import grader.platforms.class_folder as class_folder

    classroom, out = tmp_path / "class", tmp_path / "out"
    for name in ("alice", "bob"):
        shutil.copytree(SOLUTIONS, classroom / name, ignore=shutil.ignore_patterns("*.md"))
    real = class_folder.write

    def full_disk_for_alice(path, content, space=None, encoding="utf-8"):
        if Path(path).name == "alice.json":
            raise OSError(28, "No space left on device")
        return real(path, content, space, encoding)

    monkeypatch.setattr(class_folder, "write", full_disk_for_alice)
    result = CliRunner().invoke(grader, ["batch", str(classroom), "--out", str(out), "--jobs", "1", "--seed", "1"])
    assert result.exit_code == 0, result.output
    with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert rows["alice"]["percent"] == rows["bob"]["percent"] == "100.0"
    assert "No space left on device" in rows["alice"]["message"] and (out / "students" / "bob.json").exists()
    assert (out / "students" / "alice.html").exists() and not (out / "students" / "alice.json").exists()
    assert sorted(p.name for p in (out / "students").iterdir()) == ["alice.html", "bob.html", "bob.json"]


# -- the time budget ----------------------------------------------------------------


def test_the_time_budget_turns_the_remaining_tests_into_timeouts(tmp_path):
    folder = tmp_path / "slow"
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("*.md"))
    source = (folder / "gates.py").read_text()
    (folder / "gates.py").write_text("import time\n" + source.replace("def backward(self, dout):",
                                                                      "def backward(self, dout):\n        time.sleep(0.3)"))
    report = engine.grade_submission(folder, assignments=("gates", "activations"), seed=1, timeout=5,
                                     time_budget=1.0)
    statuses = [t["status"] for t in report["tests"]]
    first = statuses.index("timeout")
    assert 0 < first and set(statuses[first:]) == {"timeout"}
    assert report["duration_seconds"] < 1.0 + 5
    assert any("time budget for the whole submission" in t["message"] for t in report["tests"][first:])


def test_the_default_budget_is_the_same_on_the_command_line_and_in_the_engine():
    import grader.cli as cli

    assert cli.DEFAULT_TIME_BUDGET == engine.DEFAULT_TIME_BUDGET


def test_a_report_written_to_a_fifo_goes_through_it_and_leaves_it_in_place(tmp_path):
    import threading

    from grader.reports import write_atomically

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomically(fifo, "총점 100\n")
    reader.join(timeout=10)
    assert received == ["총점 100\n".encode()]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
