"""The Gradescope bundle, unpacked into a temporary root and run the way Gradescope runs it.

Gradescope unpacks the zip into ROOT/source, runs setup.sh once, copies
run_autograder to ROOT, then runs it per submission with the student's
files in ROOT/submission. Here ROOT is a temporary folder (AUTOGRADER_ROOT),
and the venv sees this machine's numpy, click and scipy (--system-site-packages,
pip without an index), so no network is needed.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from builtin_course import COURSE, MAX_SCORE, MUTANTS, SOLUTIONS, copy_course_with_a_buggy_test, max_score, mutated
from grader.cli import grader

HERE = Path(__file__).parent
SCHEMA = json.loads((HERE / "schemas" / "gradescope_results.schema.json").read_text())
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)


def _base_versions() -> list[str] | None:
    """numpy, click and scipy as the base interpreter (the one a --system-site-packages venv sees) has them."""
    code = "import importlib.metadata as m; print(*(m.version(name) for name in ('numpy', 'click', 'scipy')))"
    found = subprocess.run([BASE_PYTHON, "-c", code], capture_output=True, text=True)
    if found.returncode:
        return None
    return [f"{name}=={version}" for name, version in zip(("numpy", "click", "scipy"), found.stdout.split())]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    pins = _base_versions()
    if pins is None:
        pytest.fail(f"{BASE_PYTHON} has no numpy, click and scipy to install the bundle from without a network")
    args = ["bundle", "gradescope", "--out", str(out)] + [f"--pin={p}" for p in pins]
    result = CliRunner().invoke(grader, args)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def root(bundle, tmp_path_factory):
    """An autograder root after Gradescope's image build: source unpacked, setup.sh run."""
    root = tmp_path_factory.mktemp("autograder")
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    env = _env(root, AUTOGRADER_PYTHON=BASE_PYTHON, GRADER_VENV_OPTIONS="--system-site-packages --without-pip",
               PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True,
                           timeout=120)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "is ready" in setup.stdout
    return root


def _env(root: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "GRADER_")) or k == "GRADER_LANG"}
    return {**env, "AUTOGRADER_ROOT": str(root), **extra}


def run_autograder(root: Path, files: dict[str, str] | Path | None) -> dict:
    """Put a submission in place, run run_autograder, return the parsed results.json."""
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    if isinstance(files, Path):
        shutil.copytree(files, submission)
    elif files is not None:
        submission.mkdir()
        for name, text in files.items():
            (submission / name).write_text(text)
    done = subprocess.run([str(root / "run_autograder")], env=_env(root), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    return results


def test_bundle_holds_the_scripts_the_grader_and_the_hidden_suite_but_no_solutions(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        requirements = archive.read("requirements.txt").decode().splitlines()
    assert {"setup.sh", "run_autograder", "requirements.txt", "grader/judge/engine.py"} <= set(names)
    assert "courses/backprop/course.toml" in names
    assert any(name.startswith("courses/backprop/tests/hidden/") for name in names)
    assert not any(name.startswith("solutions/") or "/solutions/" in name for name in names)
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    assert [r.split("==")[0] for r in requirements] == ["numpy", "click", "scipy", 'tomli>=1.1; python_version < "3.11"']


def test_bundle_ships_no_mutant(bundle):
    assert len(MUTANTS) > 20 and (COURSE.root / "mutants").is_dir()
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        texts = [archive.read(name).decode("utf-8", "replace") for name in names]
    assert not [name for name in names if "mutants/" in name]
    for mutant in MUTANTS:
        assert not [name for name, text in zip(names, texts) if mutant.description in text], mutant.id


def test_bundle_installs_scipy_and_needs_no_binding_for_the_seccomp_filter(bundle, root):
    found = subprocess.run([str(root / "venv" / "bin" / "python"), "-I", "-c",
                            "import scipy.signal; from grader.sandbox.child import syscalls; print(len(syscalls.load_seccomp()))"],
                           capture_output=True, text=True, env=_env(root))
    assert found.returncode == 0 and int(found.stdout) > 0, found.stderr


def test_bundle_is_byte_identical_when_built_twice(tmp_path):
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    for out in (first, second):
        assert CliRunner().invoke(grader, ["bundle", "gradescope", "--out", str(out)]).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_bundle_refuses_an_unknown_pin(tmp_path):
    result = CliRunner().invoke(grader, ["bundle", "gradescope", "--out", str(tmp_path / "a.zip"),
                                         "--pin", "torch==2.0"])
    assert result.exit_code == 2
    assert "depends only on numpy, click" in result.output


def test_correct_submission_gets_full_marks_with_hidden_tests_after_publishing(root):
    results = run_autograder(root, SOLUTIONS)
    assert results["score"] == results["extra_data"]["max_score"] == MAX_SCORE
    visibilities = {t["visibility"] for t in results["tests"]}
    assert visibilities == {"visible", "after_published"}
    assert all(t["status"] == "passed" for t in results["tests"])


def test_marimo_notebooks_uploaded_to_gradescope_get_full_marks_on_what_they_hold(root):
    """marimo is not installed in the autograder's venv: the notebooks are still graded, as notebooks."""
    marimo = HERE / "marimo"
    submission = {"gates.py": (marimo / "layers_setup.py").read_text(encoding="utf-8"),
                  "ch05_layers.py": (marimo / "layers_in_cells.py").read_text(encoding="utf-8")}
    results = run_autograder(root, submission)
    held = [t for t in results["tests"] if t["name"].split("/")[0] in ("gates", "affine_softmax", "conv_pool")]
    assert {t["name"].split("/")[0] for t in held} == {"gates", "affine_softmax", "conv_pool"}
    assert all(t["status"] == "passed" for t in held), [t["output"][:300] for t in held if t["status"] != "passed"]
    assert sum(t["score"] for t in held) == max_score("gates", "affine_softmax", "conv_pool")


def test_syntax_error_is_graded_with_a_message_and_other_modules_count(root):
    submission = {f"{name}.py": (SOLUTIONS / f"{name}.py").read_text() for name in ("gates", "conv_pool")}
    submission["gates.py"] = submission["gates.py"].replace("def backward(self, dout):", "def backward(self, dout)", 1)
    results = run_autograder(root, submission)
    gates = [t for t in results["tests"] if t["name"].startswith("gates/")]
    conv = [t for t in results["tests"] if t["name"].startswith("conv_pool/")]
    assert all(t["status"] == "failed" for t in gates)
    assert any("SyntaxError" in t["output"] or "syntax" in t["output"].lower() for t in gates)
    assert all(t["status"] == "passed" for t in conv)
    assert results["score"] == sum(t["max_score"] for t in conv)


def test_empty_submission_scores_zero_and_names_the_missing_files(root):
    results = run_autograder(root, {})
    assert results["score"] == 0
    assert results["tests"] and all(t["status"] == "failed" for t in results["tests"])
    output = results["tests"][0]["output"]  # in the course's language: the names are what matter
    assert "gates.py" in output and "gates.ipynb" in output and "MulLayer" in output


def test_missing_submission_folder_still_writes_results(root):
    results = run_autograder(root, None)
    assert results["score"] == 0 and results["tests"] == []
    assert "tell the course staff" in results["output"]


def test_run_autograder_writes_results_even_when_python_cannot_start(bundle, tmp_path):
    with zipfile.ZipFile(bundle) as archive:
        archive.extract("run_autograder", tmp_path)
    script = tmp_path / "run_autograder"
    script.chmod(0o755)
    (tmp_path / "submission").mkdir()
    done = subprocess.run([str(script)], env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    # written into the script when the bundle was built, in the course's language
    assert results["score"] == 0 and "채점하지 못했습니다" in results["output"]


@pytest.fixture(scope="module")
def week_one_root(tmp_path_factory):
    """The autograder of a week-1 Gradescope assignment that asks for gates.py only."""
    pins = _base_versions()
    if pins is None:
        pytest.fail(f"{BASE_PYTHON} has no numpy, click and scipy to install the bundle from without a network")
    out = tmp_path_factory.mktemp("week1") / "autograder.zip"
    result = CliRunner().invoke(grader, ["bundle", "gradescope", "--out", str(out), "--assignment", "gates",
                                         *[f"--pin={p}" for p in pins]])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        shipped = archive.read("courses/backprop/course.toml").decode()
        hidden = [n for n in archive.namelist() if n.startswith("courses/backprop/tests/hidden/") and n.endswith(".py")]
    assert shipped.count("[[assignment]]") == 1 and 'module = "gates.py"' in shipped
    assert sorted(hidden) == ["courses/backprop/tests/hidden/__init__.py", "courses/backprop/tests/hidden/gates.py"]
    return _set_up(out, tmp_path_factory.mktemp("week1-autograder"))


def _set_up(bundle: Path, root: Path) -> Path:
    """``root`` after Gradescope's image build from ``bundle``: source unpacked, setup.sh run."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    env = _env(root, AUTOGRADER_PYTHON=BASE_PYTHON, GRADER_VENV_OPTIONS="--system-site-packages --without-pip",
               PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True,
                           timeout=120)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    return root


def test_week_one_bundle_gives_full_marks_for_gates_alone(week_one_root):
    results = run_autograder(week_one_root, {"gates.py": (SOLUTIONS / "gates.py").read_text()})
    assert results["score"] == results["extra_data"]["max_score"] == max_score("gates")
    assert results["tests"] and all(t["status"] == "passed" for t in results["tests"])
    assert all(t["name"].startswith("gates/") for t in results["tests"])


@pytest.fixture(scope="module")
def buggy_root(tmp_path_factory):
    """The autograder of a course one of whose public tests fails inside the grader on a wrong MulLayer."""
    from grader.platforms.coursecheck import certificates

    course = copy_course_with_a_buggy_test(tmp_path_factory.mktemp("buggy-course"))
    # grader check refuses this course (its mutation analysis makes the test fail inside the grader): a
    # certificate that says otherwise stands for a slip the check cannot see, to test what a student then reads
    certificates.keep(certificates.Certificate(course.title, certificates.course_digest(course),
                                               certificates.grader_digest(), [], [], []))
    out = tmp_path_factory.mktemp("buggy") / "autograder.zip"
    built = subprocess.run([sys.executable, "-c", "from grader.cli.launch import grader; grader()", "--course",
                            str(course.root), "bundle", "gradescope", "--out", str(out), "--assignment", "gates",
                            *[f"--pin={p}" for p in _base_versions() or ()]], capture_output=True, text=True,
                           timeout=120)
    assert built.returncode == 0, built.stdout + built.stderr
    return _set_up(out, tmp_path_factory.mktemp("buggy-autograder"))


def test_run_autograder_exits_0_with_valid_results_saying_the_grader_failed_on_a_test(buggy_root):
    wrong = mutated("MulLayer/no_swap")
    results = run_autograder(buggy_root, {"gates.py": wrong})  # exit status 0 and valid results.json
    failing = "gates/MulLayer/looked_up_in_a_table"
    assert results["extra_data"]["internal_error"] == f"KeyError: (2.0, 3.0) (in test {failing})"
    assert "The grader itself failed on some tests of this submission: this is not a problem with your code." \
        in results["output"]
    failed = next(t for t in results["tests"] if t["name"] == failing)
    assert failed["extra_data"]["status"] == "error" and failed["score"] == 0
    assert any(t["status"] == "passed" for t in results["tests"])  # what was graded is kept


def _set_up_in_a_container(bundle, folder: Path, *refused: str) -> tuple[Path, subprocess.CompletedProcess]:
    """setup.sh run as root where the kernel refuses ``refused``, as Docker's default profile does."""
    from sandbox_configs import refusing

    root = folder / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    env = _env(root, AUTOGRADER_PYTHON=BASE_PYTHON, GRADER_VENV_OPTIONS="--system-site-packages --without-pip",
               PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", TMPDIR=str(folder))
    setup = subprocess.run(refusing(["bash", str(root / "source" / "setup.sh")], *refused), env=env,
                           capture_output=True, text=True, timeout=120)
    return root, setup


@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope builds and runs the bundle as root")
def test_a_bundle_set_up_without_namespaces_or_landlock_passes_its_probe_and_grades_full_marks(bundle, tmp_path):
    from sandbox_configs import refusing

    root, setup = _set_up_in_a_container(bundle, tmp_path, "namespaces", "landlock")
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "Student code is confined on this machine" in setup.stdout
    assert "own file system root: its scratch folder alone (chroot" in setup.stdout
    shutil.copytree(SOLUTIONS, root / "submission", ignore=shutil.ignore_patterns("*.md"))
    done = subprocess.run(refusing([str(root / "run_autograder")], "namespaces", "landlock"), env=_env(root),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == MAX_SCORE, results


@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope builds and runs the bundle as root")
def test_the_image_build_fails_where_student_code_could_write_outside_its_folder(bundle, tmp_path):
    """Without namespaces, Landlock or chroot, student code could leave files in /tmp: setup.sh stops the build."""
    root, setup = _set_up_in_a_container(bundle, tmp_path, "namespaces", "landlock", "chroot")
    assert setup.returncode != 0
    assert "--allow-exposure temporary" in setup.stderr, setup.stdout + setup.stderr
