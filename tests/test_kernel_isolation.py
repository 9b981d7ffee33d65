"""Attacks on the machine, graded through the real CLI as root and as an ordinary user, with and without namespaces.

Four configurations of the judge (``CONFIGS``):

- ``root``: as CI and Gradescope run it, with the kernel's namespaces;
- ``root-refused``: ``unshare`` and namespace flags of ``clone`` refused to
  the judge by a seccomp filter before it starts, as Docker's default
  profile does: only the child's own seccomp filter, Landlock, rlimits and
  its own user id remain;
- ``user``: the judge as ``nobody`` with one supplementary group (the group
  of a bait socket, as a user in the ``docker`` group would be), namespaces
  through a user namespace;
- ``user-refused``: the same, namespaces refused.

For every attack in ``kernel_cases.py`` and every configuration: ``grade``
exits 0 with a report; the attacked layer earns no more than it may, every
other layer full marks; no listener the test opened (TCP, UDP, Unix path,
group-only Unix path, abstract Unix) heard anything; no process of student
code, System V IPC object or file in the judge's temporary folder is left.
"""
from __future__ import annotations

import csv
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from as_user import give_to_user, judge_command, needs_root, wait_until_gone, workspace
from as_user import user_python  # noqa: F401  (a fixture)
from builtin_course import ALL_LAYERS, ASSIGNMENTS, SOLUTIONS
from kernel_cases import KERNEL_CASES

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "adversarial"
SECRET = "BPG_KERNEL_SECRET"
BAIT_GROUP = 64242
IPC_KEYS = (0x42504701, 0x42504702, 0x42504703)  # those tests/adversarial/sysv_ipc uses
CONFIGS = ("root", "root-refused", "user", "user-refused")

REFUSE_NAMESPACES = """
import errno, os, sys
import pyseccomp as s
rules = s.SyscallFilter(s.ALLOW)
rules.add_rule(s.ERRNO(errno.EPERM), "unshare")
for flag in (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000):
    rules.add_rule(s.ERRNO(errno.EPERM), "clone", s.Arg(0, s.MASKED_EQ, flag, flag))
rules.add_rule(s.ERRNO(errno.ENOSYS), "clone3")
rules.load()
entry = sys.argv[1]
os.execv(sys.executable, [sys.executable, "-c", f"from grader.cli import {entry}; {entry}()", *sys.argv[2:]])
"""


# -- listeners that must hear nothing ------------------------------------------------


class Bait:
    """Every kind of listener student code could try to reach, opened by the test."""

    def __init__(self, folder: Path):
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.unix_path = str(folder / "open.sock")
        self.unix = self._unix(self.unix_path)
        os.chmod(self.unix_path, 0o777)
        self.group_path = str(folder / "group.sock")
        self.group = self._unix(self.group_path)
        os.chown(self.group_path, 0, BAIT_GROUP)
        os.chmod(self.group_path, 0o660)
        self.abstract_name = f"bpg-bait-{secrets.token_hex(6)}"
        self.abstract = self._unix("\0" + self.abstract_name)
        for s in (self.tcp, self.udp, self.unix, self.group, self.abstract):
            s.setblocking(False)

    @staticmethod
    def _unix(address: str) -> socket.socket:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(address)
        s.listen()
        return s

    def placeholder(self) -> str:
        return repr({"tcp_port": self.tcp.getsockname()[1], "udp_port": self.udp.getsockname()[1],
                     "unix_path": self.unix_path, "group_path": self.group_path,
                     "abstract_name": self.abstract_name, "root": str(ROOT), "secret": SECRET})

    def heard(self) -> list[str]:
        """What reached any listener since it was opened."""
        reached = []
        for name, listener in (("tcp", self.tcp), ("unix", self.unix), ("group", self.group),
                               ("abstract", self.abstract)):
            try:
                connection, _ = listener.accept()
                connection.close()
                reached.append(name)
            except BlockingIOError:
                pass
        try:
            reached.append(f"udp: {self.udp.recv(100)!r}")
        except BlockingIOError:
            pass
        return reached

    def close(self):
        for s in (self.tcp, self.udp, self.unix, self.group, self.abstract):
            s.close()


@pytest.fixture(scope="module")
def bait():
    folder = Path(tempfile.mkdtemp(prefix="bpg-bait-"))
    os.chmod(folder, 0o755)
    listeners = Bait(folder)
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


def command(config: str, python: str | None, entry: str, arguments: list[str]) -> tuple[list[str], dict]:
    refuse = REFUSE_NAMESPACES if config.endswith("refused") else None
    as_nobody = python if config.startswith("user") else None
    argv, env = judge_command(entry, arguments, as_nobody, groups=(BAIT_GROUP,), program=refuse)
    env.pop("GRADER_NO_NAMESPACES", None)  # each configuration says whether namespaces may be used
    env[SECRET] = "hunter2"
    return argv, env


def run(config: str, python: str | None, folder: Path, arguments: list[str], entry="grade"):
    argv, env = command(config, python, entry, arguments)
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
    user = config.startswith("user")
    python = request.getfixturevalue("user_python") if user else None
    folder = workspace(user)
    try:
        build(name, folder / "submission", bait)
        if user:
            give_to_user(folder / "submission")
        report_path = folder / "out" / "report.json"
        arguments = ["--submission", str(folder / "submission"), "--format", "json", "--output", str(report_path),
                     "--seed", "7", "--timeout", str(case.timeout), "--lang", "en"]

        status, stderr, judge = run(config, python, folder, arguments)

        assert status == 0, stderr[-3000:]
        report = json.loads(report_path.read_text())
        assert sorted(p.name for p in (folder / "out").iterdir()) == ["report.json"]
        attacked = check_marks(report, case.layers, case.earned, case.status)
        shown = [f"{t['message']}\n{t['output']}" for t in attacked]
        assert any(re.search(case.message, text, re.S) for text in shown), shown[:3]
        assert bait.heard() == []
        assert wait_until_gone(judge) == []
        assert ipc_objects_left() == []
        assert list((folder / "tmp").iterdir()) == []
        isolation = report["isolation"]
        assert "seccomp:" in isolation
        if config.endswith("refused"):
            assert "missing: no kernel namespaces (unshare: Operation not permitted)" in isolation
        else:
            assert "own PID namespace" in isolation and "own file system" in isolation, isolation
        if config == "user":  # a fork bomb is bounded in its user namespace, not only as root
            assert "16 processes (counted in its user namespace)" in isolation, isolation
        assert ("missing: no process limit" in isolation) == (config == "user-refused"), isolation
        if name == "scratch_filling" and not config.endswith("refused"):
            filled = re.search(r"filled: (\d+) folders deep, (\d+) files, (\d+) MB", "".join(shown))
            depth, files, megabytes = map(int, filled.groups())
            assert depth + files <= 4096 and megabytes <= 64, filled.group(0)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@needs_root
@pytest.mark.parametrize("config", ["root", "root-refused"])
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
        check_marks(json.loads((out / "b_filler.json").read_text()), {"Pooling"}, "all", None)
        for student in ("a_ipc", "c_ipc"):
            report = json.loads((out / f"{student}.json").read_text())
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
