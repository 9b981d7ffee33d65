"""Every attack on the judge, graded as one class by ``grader batch`` in every configuration of the sandbox.

``test_adversarial.py`` grades each submission of ``tests/adversarial/`` with
``grade`` as root (and some as ``nobody``); ``test_kernel_isolation.py``
grades the attacks on the machine in every configuration. Here the others
(numbers, judge input, report output, crashes, imports, secrets) are graded
in every other configuration of ``sandbox_configs.py`` too, all at once, as a
class next to two correct classmates: the batch must not refuse a machine
that confines student code (and refuses one that does not, unless every
exposure is accepted by name); every classmate gets full marks; each attack
earns no more than it may, or the report's ``isolation`` says the machine
cannot contain it.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess

import pytest

from as_user import boot_clock, give_to_user, needs_root, orphaned_student_processes, workspace
from as_user import user_python  # noqa: F401  (a fixture)
from builtin_course import ALL_LAYERS, SOLUTIONS
from sandbox_configs import CONFIGURATIONS, judge_argv, owned_installation
from test_adversarial import CASES_EXPECTED, TIMEOUT, build_submission

# cases whose own time limits, options or course a class of the built-in course cannot give
SWEPT = {name: case for name, case in CASES_EXPECTED.items()
         if case.timeout == TIMEOUT and not case.args and case.course is None}
# what the report's isolation says where a configuration cannot contain a case that "needs" something
STATED = {"root": r"missing: no process limit", "landlock": r"exposed: student code could read",
          "confined": r"exposed: student code could"}
EVERY_EXPOSURE = ("course", "classmates", "output", "installation", "temporary")


def _run_batch(config, python, folder, extra=()):
    configuration = CONFIGURATIONS[config]
    installation = owned_installation(folder) if configuration.as_nobody else None
    arguments = ["batch", str(folder / "submission"), "--out", str(folder / "out"), "--jobs", "2", "--seed", "7",
                 "--timeout", str(TIMEOUT), "--lang", "en", *extra]
    argv, env = judge_argv(configuration, python, "grader", arguments, installation)
    env.update(TMPDIR=str(folder / "tmp"), HOME=str(folder / "home"), BPG_TEST_SECRET="hunter2")
    return subprocess.run(argv, cwd=folder / "home", env=env, capture_output=True, text=True, timeout=900)


def _report(folder, student: str) -> dict:
    found = [p for p in (folder / "out").rglob(f"{student}.json")]
    assert len(found) == 1, (student, found)
    return json.loads(found[0].read_text(encoding="utf-8"))


def _check_case(name: str, report: dict) -> None:
    case = CASES_EXPECTED[name]
    stated = case.needs and re.search(STATED[case.needs], report["isolation"])
    by_layer: dict[str, list[dict]] = {}
    for test in report["tests"]:
        by_layer.setdefault(test["layer"], []).append(test)
    assert set(by_layer) == set(ALL_LAYERS), name
    for layer, tests in by_layer.items():
        if layer not in case.layers:
            assert all(t["status"] == "passed" for t in tests), (name, layer, [t["message"] for t in tests])
            continue
        for test in tests:
            allowed = stated or case.earned == "all" or (case.earned == "forward" and test["kind"] == "forward")
            if not allowed:
                assert test["status"] != "passed" and test["score"] == 0, (name, test)
    shown = [f"{t['message']}\n{t['output']}" for t in report["tests"] if t["layer"] in case.layers]
    assert stated or any(re.search(case.message, text, re.S) for text in shown), (name, shown[:3])


@needs_root
@pytest.mark.parametrize("config", [name for name in CONFIGURATIONS if name != "full-root"])
def test_every_attack_of_a_class_is_contained_or_declared_in_every_configuration(config, request):
    configuration = CONFIGURATIONS[config]
    python = request.getfixturevalue("user_python") if configuration.as_nobody else None
    folder = workspace(configuration.as_nobody)
    try:
        for name in SWEPT:
            build_submission(name, folder / "submission" / name)
        for classmate in ("alice", "zed"):
            shutil.copytree(SOLUTIONS, folder / "submission" / classmate, ignore=shutil.ignore_patterns("*.md"))
        if configuration.as_nobody:
            give_to_user(folder)
        exposed = configuration.as_nobody and not configuration.namespaces and not configuration.landlock

        if exposed:  # a machine that cannot keep student code from the grader's files is refused ...
            refused = _run_batch(config, python, folder)
            assert refused.returncode == 2, refused.stderr[-3000:]
            for kind in EVERY_EXPOSURE[:2] + EVERY_EXPOSURE[3:]:
                assert f"--allow-exposure {kind}" in refused.stderr, refused.stderr
            with open(folder / "out" / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
                refused_rows = list(csv.DictReader(f))  # nobody graded, and the gradebook says why
            assert {row["status"] for row in refused_rows} == {"not_graded"}
            assert len(refused_rows) == len(SWEPT) + 2 and all("--allow-exposure" in r["message"] for r in refused_rows)
        started = boot_clock()
        # ... unless every exposure is accepted by name
        accepted = [arg for kind in EVERY_EXPOSURE for arg in ("--allow-exposure", kind)] if exposed else []
        graded = _run_batch(config, python, folder, accepted)

        assert graded.returncode == 0, graded.stderr[-3000:]
        with open(folder / "out" / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
            rows = {row["student"]: row for row in csv.DictReader(f)}
        assert set(rows) == {*SWEPT, "alice", "zed"}
        for classmate in ("alice", "zed"):
            assert rows[classmate]["status"] == "ok" and rows[classmate]["percent"] == "100.0", rows[classmate]
        for name in SWEPT:
            _check_case(name, _report(folder, name))
        assert orphaned_student_processes(started) == []
        # where student code may leave files in temporary folders (declared), a fake report may stay there
        assert exposed or list((folder / "tmp").iterdir()) == []
    finally:
        shutil.rmtree(folder, ignore_errors=True)
