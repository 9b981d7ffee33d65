"""Student material from one source of truth: the course's ``solutions/``.

Course staff write each assignment once, as a working module whose answers
sit between solution markers, the convention nbgrader uses::

    def backward(self, dout):
        ### BEGIN SOLUTION
        ### TODO: Square.backward: return dx, the gradient of the loss with
        ###   respect to x, with the shape of dout.
        dx = 2 * self.x * dout
        return dx
        ### END SOLUTION

The markers are comments, so the solution runs and grades as it is. In the
stub, everything from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` becomes::

        # YOUR CODE HERE
        raise NotImplementedError(
            "Square.backward: return dx, the gradient of the loss with "
            "respect to x, with the shape of dout."
        )

The message comes from the optional ``### TODO:`` comment that directly
follows ``### BEGIN SOLUTION``; further ``###`` lines continue it. Without
one the stub raises a bare ``NotImplementedError()``, as nbgrader's does.
Everything outside the markers (docstrings, forward code, helpers, comments)
is copied unchanged.

``grader release`` writes the stubs and a notebook per assignment of the
course file to the course's release folder (``assignments/``); ``--check``
compares instead of writing; ``--out DIR`` also builds the folder students get;
``--assignment NAME`` limits all of it to those assignments (a weekly release).
"""
from __future__ import annotations

import dataclasses
import difflib
import os
import re
import shutil
import sys
from pathlib import Path

import grader.judge.course as courses
import grader.lang.documents as i18n_text
from grader.lang import _
from grader.judge.course import Course, CourseError
from grader.judge.mutants import FOLDER as MUTANTS

from grader.platforms.release.classroom import classroom_workflow, student_readme
from grader.platforms.release.notebooks import build_notebook, stub_parts
from grader.platforms.release.stubs import MarkerError, make_stub

__all__ = ["Course", "MarkerError", "build_assignments", "build_notebook", "build_stubs", "check_release",
           "find_course", "make_stub", "release_student", "run_release", "stub_parts", "write_assignments"]

# ---------------------------------------------------------------------------
# files


def find_course(start: Path | None = None) -> Course:
    """The course in use (``--course``, ``GRADER_COURSE`` or the built-in one); ``start`` is
    a course folder to use instead."""
    return courses.load(start) if start is not None and (Path(start) / courses.COURSE_FILE).is_file() \
        else courses.default()


def build_stubs(course: Course, assignments=None, language: str | None = None) -> dict[str, str]:
    """``{"gates.py": stub source, ...}`` for the chosen assignments, from ``solutions/``,
    their TODOs and docstrings in ``language`` (default: :func:`release_language`)."""
    gettext = _gettext(course, language)
    stubs = {}
    for assignment in course.select(assignments):
        path = course.solutions / assignment.module
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing")
        source = path.read_text(encoding="utf-8")
        stub = make_stub(source, filename=str(path.relative_to(course.root)), translate=gettext)
        stubs[assignment.module] = i18n_text.translate_source_comments(i18n_text.translate_docstrings(stub, gettext),
                                                                       gettext)
    return stubs


def _gettext(course: Course, language: str | None):
    import grader.lang as i18n

    return i18n.translator(language or release_language(course), course.root / "locale").gettext


def notebook_course(course: Course, course_file: str | None = None) -> dict:
    """What a released notebook says of its course: the title, the digest, and ``course_file``, the course
    file's path relative to the notebook (default: from the course's release folder). Never an absolute path."""
    from grader.platforms.coursecheck.certificates import course_digest

    if course_file is None:
        course_file = Path(os.path.relpath(course.file, course.release_folder)).as_posix()
    return {"title": course.title, "digest": course_digest(course), "file": course_file}


def build_assignments(course: Course, assignments=None, language: str | None = None,
                      course_file: str | None = None) -> dict[str, str]:
    """Every file the release puts in ``assignments/``, by file name: stubs and notebooks,
    written in ``language`` (default: :func:`release_language`); ``course_file``: the course file's
    path from the notebooks (default: from the course's release folder)."""
    gettext = _gettext(course, language)
    meta = notebook_course(course, course_file)
    files = {}
    for filename, stub in build_stubs(course, assignments, language).items():
        name = filename[: -len(".py")]
        template = course.solutions / f"{name}.md"
        if not template.is_file():
            raise FileNotFoundError(f"{template} is missing: it holds the text of {name}.ipynb")
        files[filename] = stub
        files[f"{name}.ipynb"] = build_notebook(name, stub, template.read_text(encoding="utf-8"),
                                                str(template.relative_to(course.root)),
                                                functions=course.assignment(name).graded, translate=gettext,
                                                course=meta)
    return files


def write_assignments(course: Course, assignments=None) -> list[Path]:
    """Regenerate the release folder from ``solutions/``; returns the files written."""
    course.release_folder.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, text in build_assignments(course, assignments).items():
        path = course.release_folder / filename
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def check_release(course: Course | None = None, assignments=None) -> tuple[bool, str]:
    """Whether the release folder is what ``solutions/`` makes; if not, a unified diff."""
    course = course or find_course()
    diffs = []
    for filename, expected in build_assignments(course, assignments).items():
        path = course.release_folder / filename
        shown = f"{course.release_folder.name}/{filename}"
        if not path.is_file():
            diffs.append(f"{shown} is missing\n")
            continue
        committed = path.read_bytes().decode("utf-8", errors="replace")
        if _without_digest(committed) != _without_digest(expected):
            diffs.append("".join(difflib.unified_diff(
                committed.splitlines(keepends=True), expected.splitlines(keepends=True),
                fromfile=f"{shown} (committed)", tofile=f"{shown} (from solutions/)")))
    return not diffs, "".join(d if d.endswith("\n") else d + "\n" for d in diffs)


_DIGEST = re.compile(r'"digest": "[0-9a-f]*"')


def _without_digest(text: str) -> str:
    """A release file without its notebooks' course digest: a changed test or reference leaves the notebooks
    up to date (``grader release`` writes the new digest)."""
    return _DIGEST.sub('"digest": ""', text)


# ---------------------------------------------------------------------------
# the student release

PACKAGE = Path(__file__).resolve().parents[2]  # the grader package
_RELEASE_CONTENTS = {"README.md", "pyproject.toml", "assignments", "grader", "courses", ".github"}
_NEVER_COPIED = ("__pycache__", ".pytest_cache")


def _ignore_compiled(folder, names):
    return [n for n in names if n in _NEVER_COPIED or n.endswith((".pyc", ".pyo"))]


def release_language(course: Course) -> str:
    """The language a release or a bundle is written in and speaks: ``--lang``, else the course's."""
    import grader.lang as i18n

    return i18n.explicit_language() or course.language


def copy_course(course: Course, destination: Path, assignments=None, *, hidden: bool,
                language: str | None = None) -> Path:
    """The course as it ships in a release or a bundle: no solutions and no mutants (each is an
    answer by contrast), hidden tests only if asked, and a course file that names only the chosen
    assignments (and ``language``, if given)."""
    chosen = course.select(assignments)
    names = {a.name for a in chosen}

    def ignore(folder, entries):
        here = Path(folder)
        skipped = _ignore_compiled(folder, entries)
        if here == course.root:
            skipped += [e for e in entries if e in ("solutions", course.release_folder.name)
                        and (here / e).resolve() in (course.solutions.resolve(), course.release_folder)]
            skipped += [e for e in entries if e == MUTANTS]
        if here == course.tests:
            skipped += [e for e in entries if e == "hidden" and not hidden]
        if here.parent.parent == course.root / "locale" and not hidden:  # locale/<lang>/LC_MESSAGES
            skipped += [e for e in entries if e.startswith("hidden.")]
        if here == course.root / "locale" and not hidden:
            skipped += [e for e in entries if e == "hidden.pot"]
        if here.parent == course.tests:
            skipped += [e for e in entries if e.endswith(".py") and e != "__init__.py" and e[:-3] not in names]
        return skipped

    target = destination / course.root.name
    shutil.copytree(course.root, target, ignore=ignore)
    release = Path("..") / ".." / "assignments"
    shipped = dataclasses.replace(course, language=language) if language else course
    (target / courses.COURSE_FILE).write_text(courses.to_toml(shipped, chosen, release=release.as_posix()),
                                              encoding="utf-8", newline="\n")
    return target


def release_student(out_dir: Path | str, course: Course | None = None, assignments=None) -> Path:
    """Write a folder for students: stubs and notebooks, the grader with the course's public
    tests only, a README and the packaging to ``pip install`` it.

    ``out_dir`` must be empty, missing, or an earlier release (which is replaced).
    Nothing from ``solutions/`` and nothing of the hidden tests goes in.
    """
    course = course or find_course()
    out = Path(out_dir)
    files = build_assignments(course, assignments,  # first, so that a broken solution leaves ``out`` alone
                              course_file=f"../courses/{course.root.name}/{courses.COURSE_FILE}")
    if out.exists():
        if not out.is_dir():
            raise FileExistsError(f"{out} is a file, not a folder")
        present = {p.name for p in out.iterdir()}
        if present and not present <= _RELEASE_CONTENTS:
            raise FileExistsError(f"{out} holds files that are not from a release ({', '.join(sorted(present - _RELEASE_CONTENTS))}); "
                                  "choose an empty or new folder")
        shutil.rmtree(out)
    (out / "assignments").mkdir(parents=True)

    for filename, text in files.items():
        (out / "assignments" / filename).write_text(text, encoding="utf-8", newline="\n")
    shutil.copytree(PACKAGE, out / "grader", ignore=_ignore_compiled)
    (out / "courses").mkdir()
    language = release_language(course)
    copy_course(course, out / "courses", assignments, hidden=False, language=language)
    chosen = course.select(assignments)
    gettext = _gettext(course, language)
    (out / "README.md").write_text(student_readme(course, chosen, gettext), encoding="utf-8", newline="\n")
    workflows = out / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "classroom.yml").write_text(classroom_workflow(course, chosen, gettext), encoding="utf-8",
                                             newline="\n")
    pyproject = PACKAGE.parent / "pyproject.toml"
    if pyproject.is_file():
        shutil.copyfile(pyproject, out / "pyproject.toml")
    return out


def run_release(out: Path | None = None, check: bool = False, assignments=None, course: Course | None = None) -> int:
    """``grader release``: write the release folder (and with ``out``, a student release folder),
    or with ``check`` only compare. Returns the exit status: 0 done or up to date,
    1 out of date, 2 cannot release (a course that failed its check, ``grader check``, included)."""
    from grader.platforms.coursecheck import CourseRefused, ensure_checked

    try:
        course = course or find_course()
        if check:
            if out is not None:
                print("grader release: " + _("--check changes nothing, so it does not take --out"), file=sys.stderr)
                return 2
            ok, diff = check_release(course, assignments)
            if not ok:
                print(diff, end="")
                print(_("{folder}/ is out of date with solutions/: run `grader release` and commit the "
                        "result.").format(folder=course.release_folder.name))
                return 1
            print(_("{folder}/ is up to date with solutions/.").format(folder=course.release_folder.name))
            return 0
        ensure_checked(course)  # nothing of a course reaches students before it passed its check
        for path in write_assignments(course, assignments):
            print(_("wrote {path}").format(path=_shown(path)))
        if out is not None:
            print(_("wrote the student release to {path}").format(path=release_student(out, course, assignments)))
        return 0
    except CourseRefused as refused:
        print(refused, file=sys.stderr)
        return 2
    except (MarkerError, CourseError, FileNotFoundError, FileExistsError, RuntimeError) as error:
        print(f"grader release: {error}", file=sys.stderr)
        return 2



def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
