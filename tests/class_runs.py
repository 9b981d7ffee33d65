"""A small mixed class and ``grader batch`` / ``grader merge`` run as separate processes, as a job engine runs them.

Used by the shard, merge and kept-results tests.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from builtin_course import SOLUTIONS, write_mutant

MODULES = ("gates", "activations", "affine_softmax", "conv_pool")
GRADER = [sys.executable, "-c", "from grader.cli.launch import grader; grader()"]
TIMINGS = re.compile(r'"(execution_time|duration_seconds)": [0-9.e-]+')
CHILD_USER = re.compile(r"user id \d+")  # each machine's (each process's) own unused user id


def solutions(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for path in SOLUTIONS.glob("*.py"):
        shutil.copy(path, folder)
    return folder


def mixed_class(root: Path) -> Path:
    """Correct, buggy, zipped, empty and unreadable submissions, and a Korean name written decomposed (NFD)."""
    solutions(root / "alice")
    write_mutant(solutions(root / "bob"), "Relu/no_mask")
    write_mutant(solutions(root / "chen"), "Affine/db_mean")
    built = solutions(root / "build" / "carol")
    with zipfile.ZipFile(root / "carol.zip", "w") as archive:
        for path in built.iterdir():
            archive.write(path, f"carol/{path.name}")
    shutil.rmtree(root / "build")
    solutions(root / "\u1100\u1175\u11b7\u1106\u1175\u11ab\u1109\u116e")  # 김민수, decomposed as macOS writes it
    write_mutant(solutions(root / "dana"), "MulLayer/forgets_dout")
    (root / "nobody").mkdir()
    (root / "garbage.zip").write_bytes(b"this is not a zip file")
    return root


def grader(*arguments, cwd=None, check=True, env=None) -> subprocess.CompletedProcess:
    done = subprocess.run([*GRADER, *map(str, arguments)], capture_output=True, text=True, cwd=cwd, timeout=600,
                          env=env)
    assert not check or done.returncode == 0, done.stderr
    return done


def batch(submissions: Path, out: Path, *extra, **options) -> subprocess.CompletedProcess:
    return grader("batch", submissions, "--out", out, "--timeout", "3", "--jobs", "1", *extra, **options)


def start_batch(submissions: Path, out: Path, *extra, env=None, new_session=False) -> subprocess.Popen:
    return subprocess.Popen([*GRADER, "batch", str(submissions), "--out", str(out), "--timeout", "3", "--jobs", "1",
                             *map(str, extra)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=new_session)


def class_files(out: Path) -> dict[str, bytes]:
    """Every file a batch writes for the class (its kept results aside), the timings of the reports and the child's
    user id left out."""
    found = {}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out).as_posix()
        if path.is_dir() or relative.startswith(".batch/"):
            continue
        content = path.read_bytes()
        if relative.startswith("students/"):
            text = CHILD_USER.sub("user id N", content.decode("utf-8"))
            content = TIMINGS.sub(r'"\1": 0', text).encode("utf-8")
        found[relative] = content
    return found


def shard_record(folder: Path) -> dict:
    return json.loads((folder / "shard.json").read_text(encoding="utf-8"))
