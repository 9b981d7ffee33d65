"""Student material from one source of truth: ``solutions/``.

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

``grader release`` writes the stubs and a notebook per assignment to
``assignments/``; ``--check`` compares instead of writing; ``--out DIR`` also
builds the folder students get.
"""
from __future__ import annotations

import ast
import difflib
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.notebook import NOT_GRADED_TAG
from grader.suites import ASSIGNMENTS

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
TODO_PREFIX = "### TODO:"
LINE_WIDTH = 79

_MARKER = re.compile(r"^\s*#+ (BEGIN|END) SOLUTION\s*$")
_MARKER_LIKE = re.compile(r"^\s*#.*\b(BEGIN|END)[\s_-]*SOLUTION", re.IGNORECASE)
_TODO_LIKE = re.compile(r"^\s*#+\s*TODO:", re.IGNORECASE)


class MarkerError(ValueError):
    """Solution markers that cannot be turned into a stub; the message names file and line."""

    def __init__(self, filename: str, lineno: int, problem: str):
        super().__init__(f"{filename}:{lineno}: {problem}")
        self.filename = filename
        self.lineno = lineno
        self.problem = problem


# ---------------------------------------------------------------------------
# solution -> stub


def make_stub(source: str, filename: str = "<solution>") -> str:
    """Return ``source`` with every solution block replaced by its stub.

    Strict: a marker without its partner, nested or misspelled markers and a
    ``### TODO:`` outside its place raise :class:`MarkerError`; so does a
    result that is not valid Python.
    """
    out: list[str] = []
    origins: list[int] = []  # for each line of the stub, the line of source it comes from
    block_start = 0  # line number of the open BEGIN marker, 0 when outside a block
    indent = ""
    todo: list[str] | None = None  # the TODO text while it is being read
    todo_open = False  # still directly after BEGIN or inside the TODO comment

    for lineno, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = line.strip()
        marker = _MARKER.match(line)
        if marker is None and _MARKER_LIKE.match(line):
            raise MarkerError(filename, lineno,
                              f"malformed marker {stripped!r}: write {BEGIN_SOLUTION!r} or {END_SOLUTION!r}")
        is_todo = stripped.startswith("###") and _TODO_LIKE.match(line) is not None

        if marker and marker.group(1) == "BEGIN":
            if block_start:
                raise MarkerError(filename, lineno,
                                  f"{BEGIN_SOLUTION} inside the block opened on line {block_start}; "
                                  f"close it first with {END_SOLUTION}")
            block_start, indent, todo, todo_open = lineno, line[: len(line) - len(line.lstrip())], None, True
        elif marker:  # END
            if not block_start:
                raise MarkerError(filename, lineno, f"{END_SOLUTION} without a {BEGIN_SOLUTION} before it")
            body = _stub_body(indent, " ".join(todo) if todo else None)
            out.append(body)
            origins.extend([block_start] * body.count("\n"))
            block_start = 0
        elif block_start and todo_open and todo is None and stripped.startswith(TODO_PREFIX):
            todo = [stripped[len(TODO_PREFIX):].strip()]
        elif block_start and todo_open and todo is not None and stripped.startswith("###") and not is_todo:
            todo.append(stripped.lstrip("#").strip())
        elif is_todo:
            where = "a second one in the same block" if todo else f"it belongs directly after {BEGIN_SOLUTION}"
            raise MarkerError(filename, lineno, f"misplaced {TODO_PREFIX}: {where}")
        elif block_start:
            todo_open = False  # a line of the solution: it stays out of the stub
        else:
            out.append(line)
            origins.append(lineno)

    if block_start:
        raise MarkerError(filename, block_start, f"{BEGIN_SOLUTION} is never closed with {END_SOLUTION}")

    try:
        compile(source, filename, "exec")
    except SyntaxError as exc:
        raise MarkerError(filename, exc.lineno or 0, f"not valid Python: {exc.msg}") from None
    stub = "".join(out)
    try:
        compile(stub, filename, "exec")
    except SyntaxError as exc:
        lineno = origins[min(exc.lineno or 1, len(origins)) - 1] if origins else 0
        raise MarkerError(filename, lineno,
                          f"the stub made from this file is not valid Python ({exc.msg}); "
                          "does every solution block sit inside a function body?") from None
    return stub


def _stub_body(indent: str, todo: str | None) -> str:
    """The lines that replace one solution block, indented like its markers."""
    if not todo:
        return f"{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError()\n"
    inner = indent + "    "
    body = "".join(f"{inner}{literal}\n" for literal in _string_literals(todo, LINE_WIDTH - len(inner)))
    return f"{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError(\n{body}{indent})\n"


def _string_literals(text: str, width: int) -> list[str]:
    """Adjacent string literals that concatenate to ``text``, each at most ``width`` long where
    the words allow; a line breaks after a space, which stays at the end of its literal."""
    literals: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and len(json.dumps(candidate + " ", ensure_ascii=False)) > width:
            literals.append(json.dumps(current + " ", ensure_ascii=False))
            candidate = word
        current = candidate
    literals.append(json.dumps(current, ensure_ascii=False))
    return literals


# ---------------------------------------------------------------------------
# stub -> notebook
#
# A notebook is written from a markdown template, solutions/<module>.md. Its
# text becomes markdown cells (a new cell at every "## " heading), and these
# fenced blocks become code cells:
#
#   ```stub:header        the stub's code before its first class (imports, helpers)
#   ```stub:MulLayer      the stub's class MulLayer (the fence holds nothing)
#   ```python             a code cell that is part of the graded module
#   ```python not-graded  a code cell left out of grading (examples)
#
# Every other fence stays inside the markdown. The release appends the cell
# that runs the public tests.

_FENCE = re.compile(r"^```\s*(\S.*?)?\s*$")
_KERNEL = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def stub_parts(stub: str) -> dict[str, str]:
    """Split a stub into notebook cells: ``{"header": imports and helpers, class name: class}``.

    The module docstring is left out (the notebook's text replaces it); code
    after a class stays with that class.
    """
    tree = ast.parse(stub)
    lines = stub.splitlines()
    body = tree.body
    first_lines = {"header": 1}
    if ast.get_docstring(tree) is not None:
        first_lines["header"], body = body[0].end_lineno + 1, body[1:]
    for node in body:
        if isinstance(node, ast.ClassDef):
            first_lines[node.name] = min([node.lineno] + [d.lineno for d in node.decorator_list])
    bounds = list(first_lines.values()) + [len(lines) + 1]
    return {part: "\n".join(lines[start - 1:end - 1]).strip("\n")
            for part, start, end in zip(first_lines, bounds, bounds[1:])}


def _template_cells(template: str, filename: str) -> list[tuple[str, str, str, int]]:
    """``(kind, info, text, line)`` for each cell of a notebook template; kind is "markdown" or "code"."""
    cells: list[tuple[str, str, str, int]] = []
    markdown: list[str] = []
    markdown_start = 1
    code: list[str] | None = None  # lines of the open cell fence
    info, opened_at, in_markdown_fence = "", 0, False

    def flush_markdown(next_line):
        nonlocal markdown_start
        text = "\n".join(markdown).strip("\n")
        if text.strip():
            cells.append(("markdown", "", text, markdown_start))
        markdown.clear()
        markdown_start = next_line

    for lineno, line in enumerate(template.splitlines(), start=1):
        fence = _FENCE.match(line)
        fence_info = (fence.group(1) or "") if fence else ""
        if code is not None:
            if fence and not fence_info:
                cells.append(("code", info, "\n".join(code).strip("\n"), opened_at))
                code = None
                markdown_start = lineno + 1
            else:
                code.append(line)
        elif fence and not in_markdown_fence and _is_cell_fence(fence_info):
            flush_markdown(lineno)
            code, info, opened_at = [], fence_info, lineno
        else:
            if fence:
                in_markdown_fence = not in_markdown_fence
            elif line.startswith("## ") and not in_markdown_fence:
                flush_markdown(lineno)
            markdown.append(line)
    if code is not None:
        raise MarkerError(filename, opened_at, f"the code fence ```{info} is never closed")
    flush_markdown(0)
    return cells


def _is_cell_fence(info: str) -> bool:
    return info.startswith("stub:") or info.split()[:1] == ["python"]


def build_notebook(name: str, stub: str, template: str, template_name: str = "<template>") -> str:
    """The notebook of assignment ``name`` as .ipynb text (nbformat 4.5, validated)."""
    nbformat = _nbformat()
    v4 = nbformat.v4
    parts = stub_parts(stub)
    used: set[str] = set()
    cells = []
    for kind, info, text, lineno in _template_cells(template, template_name) + _check_cells(name):
        if kind == "markdown":
            cells.append(v4.new_markdown_cell(text))
        elif info.startswith("stub:"):
            part = info[len("stub:"):].strip()
            if part not in parts:
                raise MarkerError(template_name, lineno,
                                  f"```{info}: {name}.py has no part {part!r} (it has {', '.join(parts)})")
            if part in used:
                raise MarkerError(template_name, lineno, f"```{info} appears a second time")
            if text.strip():
                raise MarkerError(template_name, lineno, f"```{info} must be empty: the stub fills it")
            used.add(part)
            cells.append(v4.new_code_cell(parts[part], metadata={"grader": {"part": part}}))
        else:
            options = info.split()[1:]
            unknown = set(options) - {NOT_GRADED_TAG}
            if unknown:
                raise MarkerError(template_name, lineno, f"```{info}: unknown option {sorted(unknown)[0]!r}")
            metadata = {"tags": [NOT_GRADED_TAG]} if NOT_GRADED_TAG in options else {}
            cells.append(v4.new_code_cell(text, metadata=metadata))
    missing = [part for part in parts if part not in used]
    if missing:
        raise MarkerError(template_name, 1, f"no ```stub:{missing[0]} cell: the notebook would lack "
                                            f"{missing[0]!r} from {name}.py")

    for number, cell in enumerate(cells, start=1):
        cell["id"] = f"{name}-{number:02d}".replace("_", "-")
    notebook = v4.new_notebook(cells=cells, metadata=_KERNEL)
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def _check_cells(name: str) -> list[tuple[str, str, str, int]]:
    text = (
        "## Check your work\n"
        "\n"
        "The next cell grades this notebook with the public tests and prints one line per\n"
        "test, with what went wrong under each failure. It grades the notebook **as saved**,\n"
        "so save first (Ctrl+S / Cmd+S). It needs the grader installed in this Python\n"
        "(`pip install -e .` in the folder of the course material; see its README).\n"
        "Only the classes and helpers count: the example cells above are not graded."
    )
    code = f'from grader.notebook import run_public_tests\n\nrun_public_tests("{name}")'
    return [("markdown", "", text, 0), ("code", f"python {NOT_GRADED_TAG}", code, 0)]


def _nbformat():
    try:
        import nbformat
    except ImportError:
        raise RuntimeError("building notebooks needs nbformat: pip install 'backprop-grader[notebooks]'") from None
    return nbformat


# ---------------------------------------------------------------------------
# files


@dataclass(frozen=True)
class Course:
    """The folders a release reads from and writes to."""

    root: Path

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def assignments(self) -> Path:
        return self.root / "assignments"


def find_course(start: Path | None = None) -> Course:
    """The course checkout: ``start`` (default: the current folder) if it has ``solutions/``,
    else the checkout this grader package lives in."""
    candidates = [Path(start) if start is not None else Path.cwd(), Path(__file__).resolve().parents[1]]
    for root in candidates:
        if (root / "solutions").is_dir():
            return Course(root.resolve())
    raise FileNotFoundError(
        "no solutions/ folder here: run `grader release` from the course repository "
        "(the folder that holds solutions/ and assignments/)")


def build_stubs(course: Course) -> dict[str, str]:
    """``{"gates.py": stub source, ...}`` for every assignment, from ``solutions/``."""
    stubs = {}
    for name in ASSIGNMENTS:
        path = course.solutions / f"{name}.py"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing")
        source = path.read_text(encoding="utf-8")
        stubs[f"{name}.py"] = make_stub(source, filename=str(path.relative_to(course.root)))
    return stubs


def build_assignments(course: Course) -> dict[str, str]:
    """Every file the release puts in ``assignments/``, by file name: stubs and notebooks."""
    files = {}
    for filename, stub in build_stubs(course).items():
        name = filename[: -len(".py")]
        template = course.solutions / f"{name}.md"
        if not template.is_file():
            raise FileNotFoundError(f"{template} is missing: it holds the text of {name}.ipynb")
        files[filename] = stub
        files[f"{name}.ipynb"] = build_notebook(name, stub, template.read_text(encoding="utf-8"),
                                                str(template.relative_to(course.root)))
    return files


def write_assignments(course: Course) -> list[Path]:
    """Regenerate ``assignments/`` from ``solutions/``; returns the files written."""
    course.assignments.mkdir(exist_ok=True)
    written = []
    for filename, text in build_assignments(course).items():
        path = course.assignments / filename
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def check_release(course: Course | None = None) -> tuple[bool, str]:
    """Whether ``assignments/`` is what ``solutions/`` makes; if not, a unified diff."""
    course = course or find_course()
    diffs = []
    for filename, expected in build_assignments(course).items():
        path = course.assignments / filename
        shown = f"assignments/{filename}"
        if not path.is_file():
            diffs.append(f"{shown} is missing\n")
            continue
        committed = path.read_bytes().decode("utf-8", errors="replace")
        if committed != expected:
            diffs.append("".join(difflib.unified_diff(
                committed.splitlines(keepends=True), expected.splitlines(keepends=True),
                fromfile=f"{shown} (committed)", tofile=f"{shown} (from solutions/)")))
    return not diffs, "".join(d if d.endswith("\n") else d + "\n" for d in diffs)


# ---------------------------------------------------------------------------
# the student release

PACKAGE = Path(__file__).resolve().parent
STUDENT_README = PACKAGE / "templates" / "student_README.md"
_RELEASE_CONTENTS = {"README.md", "pyproject.toml", "assignments", "grader", ".github"}
CLASSROOM_WORKFLOW = PACKAGE / "templates" / "classroom.yml"


def release_student(out_dir: Path | str, course: Course | None = None) -> Path:
    """Write a folder for students: stubs and notebooks, the grader with its public
    tests only, a README and the packaging to ``pip install`` it.

    ``out_dir`` must be empty, missing, or an earlier release (which is replaced).
    Nothing from ``solutions/`` and nothing of the hidden tests goes in.
    """
    course = course or find_course()
    out = Path(out_dir)
    files = build_assignments(course)  # first, so that a broken solution leaves ``out`` alone
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
    hidden = PACKAGE / "suites" / "hidden"
    shutil.copytree(PACKAGE, out / "grader", ignore=lambda folder, names: [
        n for n in names
        if n == "__pycache__" or n.endswith((".pyc", ".pyo")) or Path(folder, n) == hidden
    ])
    shutil.copyfile(STUDENT_README, out / "README.md")
    workflows = out / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copyfile(CLASSROOM_WORKFLOW, workflows / "classroom.yml")
    pyproject = course.root / "pyproject.toml"
    if pyproject.is_file():
        shutil.copyfile(pyproject, out / "pyproject.toml")
    return out


def run_release(out: Path | None = None, check: bool = False) -> int:
    """``grader release``: write ``assignments/`` (and with ``out``, a student release folder),
    or with ``check`` only compare. Returns the exit status: 0 done or up to date,
    1 out of date, 2 cannot release."""
    try:
        course = find_course()
        if check:
            if out is not None:
                print("grader release: --check changes nothing, so it does not take --out", file=sys.stderr)
                return 2
            ok, diff = check_release(course)
            if not ok:
                print(diff, end="")
                print("assignments/ is out of date with solutions/: run `grader release` and commit the result.")
                return 1
            print("assignments/ is up to date with solutions/.")
            return 0
        for path in write_assignments(course):
            print(f"wrote {path.relative_to(course.root)}")
        if out is not None:
            print(f"wrote the student release to {release_student(out, course)}")
        return 0
    except (MarkerError, FileNotFoundError, FileExistsError, RuntimeError) as error:
        print(f"grader release: {error}", file=sys.stderr)
        return 2
