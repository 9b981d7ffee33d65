"""``grader bundle jobs``: a folder that grades a class as a job array on the engines schools already run.

The folder holds the grader, its course (hidden tests included, solutions
left out, the certificate of its check carried as the Gradescope bundle's is), the pinned dependencies and, for each engine, the files that run
``grader batch --shard`` once per job and ``grader merge`` after them::

    run-grader                    grader from this folder (its copy and its course)
    requirements.txt              numpy, click (and scipy), pinned as in the Gradescope bundle
    .github/workflows/grade.yml   GitHub Actions: an N-shard matrix (fail-fast: false) and a merge job
    .gitlab-ci.yml                GitLab CI: a parallel: N job and a merge stage
    slurm/grade.sbatch            Slurm: an array of N tasks; slurm/merge.sbatch, slurm/submit.sh
    kubernetes/grade-job.yaml     Kubernetes: an Indexed Job on shared storage; kubernetes/merge-job.yaml
    Dockerfile, .dockerignore     the image of the Kubernetes Jobs, built from this folder

Every recipe grades ``submissions/`` (``/data/submissions`` on Kubernetes)
with one seed, recorded in the recipes, so every shard draws the same cases.
The recipes live in ``grader/platforms/templates/jobs/`` (without leading
dots, so the package ships them); each says in its comments which sandbox
configuration of SECURITY.md it gives student code.
"""
from __future__ import annotations

from pathlib import Path

import grader.judge.course as courses
from grader.judge.course import Course
from grader.lang import _
from grader.platforms.bundle import BundleError, TOML_READER, _package_files, pins
from grader.platforms.coursecheck import certificates, ensure_checked
from grader.platforms.release import copy_course, release_language

TEMPLATES = Path(__file__).parent / "templates" / "jobs"
# where each template goes in the folder, and whether it is a program
RECIPES = {
    "run-grader": ("run-grader", True),
    ".github/workflows/grade.yml": ("github-grade.yml", False),
    ".gitlab-ci.yml": ("gitlab-ci.yml", False),
    "slurm/grade.sbatch": ("slurm-grade.sbatch", True),
    "slurm/merge.sbatch": ("slurm-merge.sbatch", True),
    "slurm/submit.sh": ("slurm-submit.sh", True),
    "kubernetes/grade-job.yaml": ("kubernetes-grade-job.yaml", False),
    "kubernetes/merge-job.yaml": ("kubernetes-merge-job.yaml", False),
    "Dockerfile": ("Dockerfile", False),
    ".dockerignore": ("dockerignore", False),
}


def build_jobs(out: Path | str, *, shards: int, seed: int, pin_overrides=(), course: Course | None = None,
               assignments=None) -> Path:
    """Write the folder to ``out`` (which must not exist or be empty) and return it."""
    course = course or courses.default()
    out = Path(out)
    if "hidden" not in course.visibilities():
        raise BundleError(_("this copy of the course has no hidden tests ({folder}); "
                            "build the bundle from the course staff's repository").format(folder=course.tests / "hidden"))
    if out.exists() and any(out.iterdir()):
        raise BundleError(_("{folder} is not empty: give a new folder for the job recipes").format(folder=out))
    checked = ensure_checked(course)  # CourseRefused: nothing is written
    requirements = "\n".join([*pins(pin_overrides), TOML_READER]) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    for name, path in _package_files():
        _write(out / name, path.read_bytes())
    shipped = copy_course(course, out / "courses", assignments, hidden=True, language=release_language(course))
    certificates.carry(checked, courses.load(shipped))  # its jobs verify what they grade without solutions
    values = {"COURSE": shipped.name, "SHARDS": str(shards), "SEED": str(seed),
              "SHARD_LIST": ", ".join(str(i) for i in range(1, shards + 1))}
    for target, (template, program) in RECIPES.items():
        text = (TEMPLATES / template).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(f"@@{key}@@", value)
        _write(out / target, text.encode("utf-8"), program)
    _write(out / "requirements.txt", requirements.encode("utf-8"))
    return out


def _write(path: Path, data: bytes, program: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o755 if program else 0o644)

