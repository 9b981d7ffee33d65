"""The child's confinement measures are data: checked field by field, worded by the judge in either language."""
import re

import pytest

from grader.lang import speaking
from grader.sandbox.child.wire import WireError
from grader.sandbox.measures import MEASURES, checked, worded
from grader.sandbox.runner import Runner
from grader.submission.source import ModuleSource

EXAMPLE_FIELDS = {"memory_megabytes": 2048, "file_megabytes": 16, "open_files": 256, "cpu_seconds": 600,
                  "processes": 16, "user_namespace": True, "error": "unshare: Operation not permitted",
                  "megabytes": 64, "files": 4096, "uid": 60001, "abi": 6, "pipes": 256, "seconds": 600}
HANGUL = re.compile("[\uac00-\ud7a3]")


def _example(code):
    return {"code": code, **{field: EXAMPLE_FIELDS[field] for field in MEASURES[code][1]}}


@pytest.mark.parametrize("code", sorted(MEASURES))
def test_every_measure_is_worded_in_english_and_in_korean(code):
    measure = checked([_example(code)])[0]
    with speaking("en"):
        english = worded(measure)
        missing = worded({**measure, "missing": True})
    with speaking("ko"):
        korean = worded(measure)
    assert english and "{" not in english and missing.startswith("missing: ") and english in missing
    assert HANGUL.search(korean) and "{" not in korean, korean
    for field in MEASURES[code][1]:
        if field not in ("user_namespace", "processes", "abi"):
            assert str(EXAMPLE_FIELDS[field]) in english, (field, english)


def test_landlock_says_what_its_version_adds():
    with speaking("en"):
        assert worded({"code": "landlock", "abi": 3}).endswith("no programs")
        assert worded({"code": "landlock", "abi": 4}).endswith("no TCP")
        assert worded({"code": "landlock", "abi": 6}).endswith("no signals outside the sandbox")


@pytest.mark.parametrize("measures", [
    "own PID namespace",  # the old plain words are no longer accepted
    ["own PID namespace"],
    [{"code": "root_for_everyone"}],
    [{"code": "pid_namespace", "extra": 1}],
    [{"code": "own_user"}],
    [{"code": "own_user", "uid": "60001"}],
    [{"code": "own_user", "uid": True}],
    [{"code": "no_namespaces", "error": 7}],
    [{"code": "pid_namespace", "missing": False}],
    [{"code": "namespaces", "user_namespace": 1}],
    [{"code": "seccomp"}] * 51,
])
def test_a_malformed_measure_is_refused(measures):
    with pytest.raises(WireError):
        checked(measures)


def test_a_real_child_reports_its_isolation_in_the_language_of_the_report():
    source = {"gates": ModuleSource("gates", "gates.py", "class MulLayer:\n    pass\n")}
    with Runner(source, timeout=10) as runner:
        runner.new("gates", "MulLayer")
        with speaking("ko"):
            korean = runner.isolation
        with speaking("en"):
            english = runner.isolation
    assert english.startswith("a separate process, 10 s per test; ") and "seccomp" in english
    assert HANGUL.search(korean) and not korean.startswith("a separate process")
    assert korean.count("; ") == english.count("; ")


def test_the_portable_runner_reports_its_limits_as_measures_worded_in_the_language_of_the_report():
    from grader.sandbox.portable import PortableRunner

    source = {"gates": ModuleSource("gates", "gates.py", "class MulLayer:\n    pass\n")}
    with PortableRunner(source, timeout=10) as runner:
        runner.new("gates", "MulLayer")
        codes = [measure["code"] for measure in runner._child.confined]
        with speaking("ko"):
            korean = runner.isolation
        with speaking("en"):
            english = runner.isolation
    assert codes == ["memory_limit", "file_limit", "cpu_limit", "dies_with_grader"]
    assert english.startswith("a separate process, 10 s per test; ") and "MB of memory" in english
    assert english.endswith("and use the network") and "missing: no Linux confinement" in english
    assert HANGUL.search(korean) and "Linux 격리 없음" in korean and "MB of memory" not in korean
    assert korean.count("; ") == english.count("; ")
