"""``grader bundle jobs``: the recipes for GitHub Actions, GitLab CI, Slurm and Kubernetes pass their platform's own
checker, and their commands, run here with each platform's variables set, grade the class in shards and merge it
into the gradebook of one batch."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from class_runs import grader, mixed_class

HERE = Path(__file__).parent
K8S_JOB_SCHEMA = HERE / "schemas" / "kubernetes-v1.30-job-batch-v1.json"
VENV_BIN = Path(sys.executable).parent
SHARDS, SEED = 4, 7
CLASS_FILES = ("gradebook.csv", "class-report.csv", "class-report.html")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The recipes' folder with a class in submissions/, and the class graded by one unsharded batch."""
    root = tmp_path_factory.mktemp("jobs")
    grader("bundle", "jobs", "--out", root / "jobs", "--shards", SHARDS, "--seed", SEED)
    mixed_class(root / "jobs" / "submissions")
    run(["./run-grader", "batch", "submissions", "--out", str(root / "whole"), "--seed", str(SEED)], root / "jobs")
    return root / "jobs", root / "whole"


@pytest.fixture
def workspace(bundle, tmp_path):
    """A fresh copy of the recipes' folder, as a job's checkout is."""
    shutil.copytree(bundle[0], tmp_path / "jobs", symlinks=True)
    return tmp_path / "jobs"


def run(command, cwd, env=None, shell=False):
    """Run a recipe's command as its engine would, with this interpreter for the grader and a ``sudo`` that runs
    the command as it is (the tests already run as root)."""
    bin_dir = Path(cwd).parent / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "sudo").write_text('#!/bin/sh\nexec "$@"\n')
    (bin_dir / "sudo").chmod(0o755)
    environ = {**os.environ, "GRADER_PYTHON": sys.executable, **(env or {}),
               "PATH": f"{bin_dir}:{VENV_BIN}:{os.environ['PATH']}"}
    done = subprocess.run(command, cwd=cwd, env=environ, shell=shell, executable="/bin/bash" if shell else None,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (command, done.stdout, done.stderr)
    return done


def same_as_one_batch(graded: Path, whole: Path):
    for name in CLASS_FILES:
        assert (graded / name).read_bytes() == (whole / name).read_bytes(), name
    assert sorted(p.name for p in (graded / "students").iterdir()) == \
        sorted(p.name for p in (whole / "students").iterdir())


def checker(*arguments, expect_ok=True):
    done = subprocess.run([str(VENV_BIN / arguments[0]), *map(str, arguments[1:])], capture_output=True, text=True)
    assert (done.returncode == 0) == expect_ok, done.stdout + done.stderr
    return done


# --- the platforms' own checkers -----------------------------------------------------------------------------------

def test_the_github_workflow_passes_actionlint_and_the_github_workflow_schema(bundle, tmp_path):
    workflow = bundle[0] / ".github" / "workflows" / "grade.yml"
    checker("actionlint", workflow)
    checker("check-jsonschema", "--builtin-schema", "vendor.github-workflows", workflow)
    broken = tmp_path / "broken.yml"  # the checkers do refuse a workflow whose job says nowhere to run
    broken.write_text(workflow.read_text().replace("    runs-on: ubuntu-24.04\n", "", 1))
    checker("actionlint", broken, expect_ok=False)
    checker("check-jsonschema", "--builtin-schema", "vendor.github-workflows", broken, expect_ok=False)


def test_the_gitlab_pipeline_passes_the_gitlab_ci_schema(bundle, tmp_path):
    pipeline = bundle[0] / ".gitlab-ci.yml"
    checker("check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", pipeline)
    broken = tmp_path / "broken.yml"
    broken.write_text(pipeline.read_text().replace("parallel: 4", "parallel: many"))
    checker("check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", broken, expect_ok=False)


def test_the_kubernetes_jobs_pass_the_kubernetes_schema(bundle, tmp_path):
    jobs = [bundle[0] / "kubernetes" / name for name in ("grade-job.yaml", "merge-job.yaml")]
    checker("check-jsonschema", "--schemafile", K8S_JOB_SCHEMA, *jobs)
    broken = tmp_path / "broken.yaml"  # strict: a misspelt field is refused
    broken.write_text(jobs[0].read_text().replace("completionMode:", "completionsMode:"))
    checker("check-jsonschema", "--schemafile", K8S_JOB_SCHEMA, broken, expect_ok=False)


def test_the_slurm_scripts_and_run_grader_parse_in_bash(bundle):
    for script in ("slurm/grade.sbatch", "slurm/merge.sbatch", "slurm/submit.sh", "run-grader"):
        subprocess.run(["bash", "-n", str(bundle[0] / script)], check=True)
        assert os.access(bundle[0] / script, os.X_OK), script


def test_each_recipe_is_a_job_array_whose_merge_runs_even_when_a_shard_failed(bundle):
    folder = bundle[0]
    workflow = yaml.safe_load((folder / ".github/workflows/grade.yml").read_text())
    shard = workflow["jobs"]["shard"]
    assert shard["strategy"]["fail-fast"] is False and shard["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    assert workflow["jobs"]["merge"]["if"] == "${{ !cancelled() }}" and workflow["jobs"]["merge"]["needs"] == "shard"
    uploads = [s for s in shard["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["with"]["include-hidden-files"] is True
    pipeline = yaml.safe_load((folder / ".gitlab-ci.yml").read_text())
    assert pipeline["grade"]["parallel"] == SHARDS and pipeline["merge"]["when"] == "always"
    assert pipeline["grade"]["artifacts"]["when"] == "always"
    assert f"#SBATCH --array=1-{SHARDS}" in (folder / "slurm/grade.sbatch").read_text()
    assert "afterany" in (folder / "slurm/submit.sh").read_text()
    job = yaml.safe_load((folder / "kubernetes/grade-job.yaml").read_text())
    assert job["spec"]["completionMode"] == "Indexed" and job["spec"]["completions"] == SHARDS
    assert "COPY . /opt/grader" in (folder / "Dockerfile").read_text()


# --- the recipes' commands, run here -------------------------------------------------------------------------------

def test_the_github_matrix_and_merge_job_run_as_written(bundle, workspace):
    workflow = yaml.safe_load((workspace / ".github/workflows/grade.yml").read_text())  # YAML 1.1: on is True
    seed = workflow[True]["workflow_dispatch"]["inputs"]["seed"]["default"]
    steps = [s for s in workflow["jobs"]["shard"]["steps"] if "run" in s and "pip install" not in s["run"]]
    for index in workflow["jobs"]["shard"]["strategy"]["matrix"]["shard"]:
        for step in steps:
            env = {k: v.replace("${{ matrix.shard }}", str(index)).replace("${{ inputs.seed }}", seed)
                   for k, v in step.get("env", {}).items()}
            run(step["run"], workspace, {**env, "GITHUB_ACTIONS": "true", "CI": "true"}, shell=True)
    (workspace / "shards").rename(workspace / "uploaded")  # upload-artifact, then download-artifact (shard-*)
    (workspace / "shards").mkdir()
    for folder in (workspace / "uploaded").iterdir():
        folder.rename(workspace / "shards" / f"shard-{folder.name}")
    merge = [s for s in workflow["jobs"]["merge"]["steps"] if "run" in s and "pip install" not in s["run"]]
    for step in merge:
        run(step["run"], workspace, {"GITHUB_ACTIONS": "true", "CI": "true"}, shell=True)
    same_as_one_batch(workspace / "graded", bundle[1])


def test_the_gitlab_parallel_jobs_and_merge_stage_run_as_written(bundle, workspace):
    pipeline = yaml.safe_load((workspace / ".gitlab-ci.yml").read_text())
    variables = {**pipeline["variables"], "GITLAB_CI": "true", "CI": "true"}
    for index in range(1, pipeline["grade"]["parallel"] + 1):
        env = {**variables, "CI_NODE_INDEX": str(index), "CI_NODE_TOTAL": str(pipeline["grade"]["parallel"])}
        for line in pipeline["grade"]["script"]:
            if "pip install" not in line:
                run(line, workspace, env, shell=True)
    for line in pipeline["merge"]["script"]:
        if "pip install" not in line:
            run(line, workspace, variables, shell=True)
    same_as_one_batch(workspace / "graded", bundle[1])


def test_the_slurm_array_and_merge_scripts_run_as_written(bundle, workspace):
    for task in range(1, SHARDS + 1):
        env = {"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": str(SHARDS),
               "SLURM_ARRAY_TASK_COUNT": str(SHARDS), "SLURM_SUBMIT_DIR": str(workspace), "SLURM_CPUS_PER_TASK": "1"}
        run(["bash", str(workspace / "slurm/grade.sbatch")], workspace / "slurm", env)  # sbatch runs a copy
    run(["bash", str(workspace / "slurm/merge.sbatch")], workspace / "slurm", {"SLURM_SUBMIT_DIR": str(workspace)})
    same_as_one_batch(workspace / "graded", bundle[1])


def test_the_kubernetes_indexed_job_and_merge_job_run_as_written(bundle, workspace, tmp_path):
    data = tmp_path / "data"  # the shared volume
    shutil.copytree(workspace / "submissions", data / "submissions")

    def container(name):
        spec = yaml.safe_load((workspace / "kubernetes" / name).read_text())["spec"]["template"]["spec"]
        assert spec["automountServiceAccountToken"] is False
        (box,) = spec["containers"]
        assert box["command"][:2] == ["/bin/sh", "-c"]
        script = box["command"][2].replace("/opt/grader/", f"{workspace}/").replace("/data/", f"{data}/")
        return script, {e["name"]: e["value"] for e in box.get("env", [])}

    script, env = container("grade-job.yaml")
    for index in range(SHARDS):
        run(["/bin/sh", "-c", script], workspace, {**env, "JOB_COMPLETION_INDEX": str(index)})
    script, env = container("merge-job.yaml")
    run(["/bin/sh", "-c", script], workspace, env)
    same_as_one_batch(data / "graded", bundle[1])
