"""Attacks on the machine, graded through the real CLI in every configuration of the sandbox this machine can emulate.

The configurations are those of ``sandbox_configs.py`` (SECURITY.md's table):
root or ``nobody`` owning its installation, with or without kernel
namespaces, with or without Landlock, as lab machines, CI, Docker and
Gradescope give them. ``nobody`` is in one supplementary group, that of a
bait socket (as a user in the ``docker`` group would be).

For every attack in ``kernel_cases.py`` and every configuration: ``grade``
exits 0 with a report; the attacked layer earns no more than it may, every
other layer full marks; no listener the test opened (TCP, UDP, Unix path,
group-only Unix path, abstract Unix) heard anything; nothing was created or
changed in any folder anyone may write (``/tmp``, ``/var/tmp``, ``/dev/shm``,
every world-writable folder, an output folder of the judge's user); no process
of student code, System V IPC object or file in the judge's temporary folder
is left. Where a configuration cannot contain an attack, the report's
``isolation`` must say so (``KernelCase.unless``) and only the attacked layer
may gain.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from as_user import give_to_user, needs_root, wait_until_gone, workspace
from as_user import user_python  # noqa: F401  (a fixture)
from builtin_course import ALL_LAYERS, ASSIGNMENTS, SOLUTIONS
from kernel_cases import KERNEL_CASES
from sandbox_configs import CONFIGURATIONS, Bait, judge_argv, owned_installation, world_writable_folders

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "adversarial"
SECRET = "BPG_KERNEL_SECRET"
BAIT_GROUP = 64242
IPC_KEYS = (0x42504701, 0x42504702, 0x42504703)  # those tests/adversarial/sysv_ipc uses
CONFIGS = tuple(CONFIGURATIONS)


@pytest.fixture(scope="module")
def bait():
    folder = Path(tempfile.mkdtemp(prefix="bpg-bait-"))
    os.chmod(folder, 0o755)
    listeners = Bait(folder, world_writable_folders(), BAIT_GROUP)
    yield listeners
    listeners.close()
    shutil.rmtree(folder, ignore_errors=True)


# -- running the grader ----------------------------------------------------------------


def build(case: str, folder: Path, bait: Bait) -> None:
    """Solutions for every module, with the case's patch appended and the bait's addresses filled in."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ASSIGNMENTS:
        text = (SOLUTIONS / f"{name}.py").read_text()
        patch = CASES / case / f"{name}.patch.py"
        if patch.exists():
            text += "\n\n" + patch.read_text().replace("__BAIT__", bait.placeholder())
        (folder / f"{name}.py").write_text(text)


def run(config: str, python: str | None, folder: Path, arguments: list[str], entry="grade"):
    """Run the judge in ``config``; an owner configuration imports a grader that ``nobody`` owns."""
    configuration = CONFIGURATIONS[config]
    installation = owned_installation(folder) if configuration.as_nobody else None
    argv, env = judge_argv(configuration, python, entry, arguments, installation, groups=(BAIT_GROUP,))
    env[SECRET] = "hunter2"
    env.update(TMPDIR=str(folder / "tmp"), HOME=str(folder / "home"))
    process = subprocess.Popen(argv, cwd=folder / "home", env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = process.communicate(timeout=300)
    finally:
        process.kill()
    return process.returncode, stderr, process.pid


def ipc_objects_left() -> list[str]:
    left = []
    for kind in ("shm", "msg", "sem"):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        left += [f"{kind} {line.split()[0]}" for line in lines if int(line.split()[0]) in IPC_KEYS]
    return left


def check_marks(report: dict, layers, earned: str, status: str | None) -> list[dict]:
    by_layer: dict[str, list[dict]] = {}
    for test in report["tests"]:
        by_layer.setdefault(test["layer"], []).append(test)
    assert set(by_layer) == set(ALL_LAYERS)
    for layer, tests in by_layer.items():
        if layer not in layers:
            assert all(t["status"] == "passed" for t in tests), (layer, [t["message"] for t in tests])
            continue
        for test in tests:
            if earned == "all" or test["kind"] == "forward":
                continue
            assert test["status"] != "passed" and test["score"] == 0, test
            if status:
                assert test["status"] == status, test
    return [t for t in report["tests"] if t["layer"] in layers]


# -- the attacks -------------------------------------------------------------------------


@needs_root
@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("name", sorted(KERNEL_CASES))
def test_attack_on_the_machine_is_contained(name, config, bait, request):
    case = KERNEL_CASES[name]
    configuration = CONFIGURATIONS[config]
    python = request.getfixturevalue("user_python") if configuration.as_nobody else None
    folder = workspace(configuration.as_nobody)
    try:
        build(name, folder / "submission", bait)
        if configuration.as_nobody:
            give_to_user(folder / "submission")
        report_path = folder / "out" / "report.json"
        arguments = ["--submission", str(folder / "submission"), "--format", "json", "--output", str(report_path),
                     "--seed", "7", "--timeout", str(case.timeout), "--lang", "en"]

        status, stderr, judge = run(config, python, folder, arguments)

        assert status == 0, stderr[-3000:]
        report = json.loads(report_path.read_text())
        isolation = report["isolation"]
        assert sorted(p.name for p in (folder / "out").iterdir()) == ["report.json"]
        declared = bool(case.unless) and re.search(case.unless, isolation)
        attacked = check_marks(report, case.layers, "all" if declared else case.earned, case.status)
        shown = [f"{t['message']}\n{t['output']}" for t in attacked]
        assert declared or any(re.search(case.message, text, re.S) for text in shown), shown[:3]
        heard = bait.heard()  # where the machine cannot contain the attack (declared), it may have called out
        assert declared or heard == [], heard
        changed = bait.changed_outside()
        assert declared or changed == [], changed
        assert wait_until_gone(judge) == []
        assert ipc_objects_left() == []
        assert list((folder / "tmp").iterdir()) == []
        check_isolation(configuration, isolation)
        if case.then:
            _grade_next_student(case.then, config, python, folder, bait, declared)
        if name == "scratch_filling" and configuration.namespaces:
            filled = re.search(r"filled: (\d+) folders deep, (\d+) files, (\d+) MB", "".join(shown))
            depth, files, megabytes = map(int, filled.groups())
            assert depth + files <= 4096 and megabytes <= 64, filled.group(0)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _grade_next_student(name: str, config: str, python: str | None, folder: Path, bait: Bait, declared) -> None:
    """Grade case ``name`` with a new judge, as the next student of the same machine and installation.

    Where the first student could write the installation (declared: ``grader batch`` refuses such a machine),
    nothing holds for the next one; elsewhere it must be graded as on a fresh machine.
    """
    case = KERNEL_CASES[name]
    build(name, folder / "next", bait)
    if python:
        give_to_user(folder / "next")
    report_path = folder / "out" / "next.json"
    status, stderr, judge = run(config, python, folder, [
        "--submission", str(folder / "next"), "--format", "json", "--output", str(report_path), "--seed", "7",
        "--timeout", str(case.timeout), "--lang", "en"])
    heard = bait.heard()
    if declared:
        return
    assert status == 0, stderr[-3000:]
    attacked = check_marks(json.loads(report_path.read_text()), case.layers, case.earned, case.status)
    shown = [f"{t['message']}\n{t['output']}" for t in attacked]
    assert any(re.search(case.message, text, re.S) for text in shown), shown[:3]
    assert heard == []
    assert wait_until_gone(judge) == []


def check_isolation(configuration, isolation: str) -> None:
    """The report's ``isolation`` names what the configuration gave and what it refused."""
    assert "seccomp:" in isolation
    if configuration.namespaces:
        assert "own PID namespace" in isolation and "own file system" in isolation, isolation
    else:
        assert "missing: no kernel namespaces (unshare: Operation not permitted)" in isolation
    assert ("Landlock v" in isolation) == configuration.landlock, isolation
    if not configuration.as_nobody and not configuration.namespaces:
        assert "own file system root: its scratch folder alone (chroot" in isolation, isolation
    if configuration.as_nobody and configuration.namespaces:  # a fork bomb is bounded in its user namespace
        assert "16 processes (counted in its user namespace)" in isolation, isolation
    no_limit = configuration.as_nobody and not configuration.namespaces
    assert ("missing: no process limit" in isolation) == no_limit, isolation
    exposed = configuration.as_nobody and not configuration.namespaces and not configuration.landlock
    assert ("exposed: student code could" in isolation) == exposed, isolation


@needs_root
@pytest.mark.parametrize("config", ["full-root", "container"])
def test_batch_neighbours_share_no_ipc_scratch_or_processes(config, bait, tmp_path):
    """Two students leave IPC objects for each other, one fills its scratch folder; a classmate grades full."""
    folder = workspace(False)
    try:
        students = folder / "submission"
        for student, case in (("a_ipc", "sysv_ipc"), ("b_filler", "scratch_filling"), ("c_ipc", "sysv_ipc")):
            build(case, students / student, bait)
        shutil.copytree(SOLUTIONS, students / "d_classmate", ignore=shutil.ignore_patterns("*.md"))
        out = folder / "out"
        status, stderr, judge = run(config, None, folder,
                                    ["batch", str(students), "--out", str(out), "--jobs", "2", "--seed", "3",
                                     "--timeout", "10", "--lang", "en"], entry="grader")
        assert status in (0, 1), stderr[-3000:]
        with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
            rows = {row["student"]: row for row in csv.DictReader(f)}
        assert set(rows) == {"a_ipc", "b_filler", "c_ipc", "d_classmate"}
        assert rows["d_classmate"]["score"] == rows["d_classmate"]["max_score"]
        # the filler may run out of time filling a disk (without namespaces) in its own layer, nowhere else
        check_marks(json.loads((out / "students" / "b_filler.json").read_text()), {"Pooling"}, "all", None)
        for student in ("a_ipc", "c_ipc"):
            report = json.loads((out / "students" / f"{student}.json").read_text())
            attacked = check_marks(report, {"Relu"}, "forward", None)
            assert any("found a classmate's segment: False" in t["output"] for t in attacked)
        assert ipc_objects_left() == []
        assert wait_until_gone(judge) == []
        assert list((folder / "tmp").iterdir()) == []
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_no_namespaces_switch_is_honoured_and_reported(tmp_path):
    env = {**os.environ, "GRADER_NO_NAMESPACES": "1"}
    env.pop("GRADER_IN_PROCESS", None)
    report = tmp_path / "report.json"
    result = subprocess.run([sys.executable, "-c", "from grader.cli import grade; grade()", "gates",
                             "--submission", str(SOLUTIONS), "--format", "json", "--output", str(report),
                             "--fail-under", "100"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    isolation = json.loads(report.read_text())["isolation"]
    assert "missing: no kernel namespaces (GRADER_NO_NAMESPACES=1)" in isolation
    assert "own PID namespace" not in isolation
