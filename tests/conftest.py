"""Every test speaks English unless it asks for Korean, and every report the tests produce follows the schema.

The built-in course is taught in Korean, so without this the reports these
tests read would be Korean. ``GRADER_LANG`` is exported, so the ``grade``
and ``grader`` processes the tests start speak English too. A Korean test
passes ``--lang ko`` or uses the ``korean`` fixture.

Every JSON report the grader makes while the suite runs is checked against
``docs/report.schema.json`` (``tests/report_schema.py``): in this process
and in the batch's workers as it is made, and in a test's ``tmp_path`` as a
``grade`` or ``grader batch`` process wrote it. A test after which an
invalid report turned up fails, whatever it asserted itself.
"""
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

import report_schema

os.environ["GRADER_LANG"] = "en"


@pytest.fixture(scope="session", autouse=True)
def _report_watch(tmp_path_factory):
    watch = report_schema.Watch(tmp_path_factory.getbasetemp() / "invalid-reports.log")
    with pytest.MonkeyPatch.context() as patch:
        watch.patch(patch)
        yield watch
    found = watch.unread()  # made after the last test: by a fixture's teardown
    if found:
        pytest.fail(f"reports that break docs/report.schema.json:\n{found}", pytrace=False)


@pytest.fixture(autouse=True)
def _every_report_follows_the_schema(request, _report_watch):
    """Fail the test if a report made during it, or written into its ``tmp_path``, breaks the schema."""
    yield
    tmp_path = request.node.funcargs.get("tmp_path")
    if tmp_path is not None:
        for path, report in report_schema.report_files(tmp_path):
            _report_watch.note(report, str(path.relative_to(tmp_path)))
    found = _report_watch.unread()
    if found:
        pytest.fail(f"reports that break docs/report.schema.json:\n{found}", pytrace=False)


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
    """The class of 30 (tests/class_of_30.py) graded once by ``grader batch``: (output folder, every student's
    report as the batch wrote it)."""
    from class_of_30 import build_class
    from grader.platforms.batch import run_batch

    root = tmp_path_factory.mktemp("class")
    submissions = build_class(root / "submissions")
    out = root / "grades"
    summaries = run_batch(submissions, out, seed=4242, jobs=2, timeout=4.0)
    reports = [json.loads((out / "students" / f"{s['student']}.json").read_text(encoding="utf-8")) for s in summaries]
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
