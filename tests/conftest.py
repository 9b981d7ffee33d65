"""Every test speaks English unless it asks for Korean.

The built-in course is taught in Korean, so without this the reports these
tests read would be Korean. ``GRADER_LANG`` is exported, so the ``grade``
and ``grader`` processes the tests start speak English too. A Korean test
passes ``--lang ko`` or uses the ``korean`` fixture.
"""
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

os.environ["GRADER_LANG"] = "en"


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch):
    import grader.lang as i18n

    monkeypatch.setenv("GRADER_LANG", "en")
    i18n.forget()
    yield
    i18n.forget()


@pytest.fixture
def korean(monkeypatch):
    """Speak Korean in this test's process and in the processes it starts."""
    import grader.lang as i18n

    monkeypatch.setenv("GRADER_LANG", "ko")
    i18n.forget()
    yield
    i18n.forget()


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """The class of 30 (tests/class_of_30.py) graded once by ``grader batch``: (output folder, reports)."""
    from class_of_30 import build_class
    from grader.platforms.batch import run_batch

    root = tmp_path_factory.mktemp("class")
    submissions = build_class(root / "submissions")
    out = root / "grades"
    reports = run_batch(submissions, out, seed=4242, jobs=2, timeout=4.0)
    return out, reports


@pytest.fixture
def small_disk():
    """A 64 MB tmpfs of the test's own, unmounted afterwards: mounting needs root, which CI has."""
    folder = Path(tempfile.mkdtemp(prefix="bpg-disk-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)]).returncode != 0:
            subprocess.run(["umount", "--lazy", str(folder)], check=True)
        folder.rmdir()
