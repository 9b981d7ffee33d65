"""Jupyter notebooks as submissions, and the public tests from inside Jupyter.

A notebook is graded as the Python module its code cells make, joined in
order. What only IPython understands (``%matplotlib inline``, ``!pip install
...``, ``%%bash`` cells, ``np.dot?``) is left out, with a note saying so; the
outputs stored in the notebook are never looked at, so a notebook is graded
on its code, not on what it printed. Cells tagged ``not-graded`` (the
examples and the test cell of the released notebooks) are left out silently.

The notebook file is read as plain JSON, so grading a notebook needs no
Jupyter package. Formats 4 (today's) and 3 (IPython 2 era) are read.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

NOT_GRADED_TAG = "not-graded"

# IPython syntax that is not Python: line magics, shell escapes, their assigned
# forms (`files = !ls`), and help requests (`np.dot?`, `??Relu`).
_IPYTHON_LINE = re.compile(
    r"""^\s*(?:
        [%!]                                   # %magic, !shell
      | [\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[%!]    # x = !ls, x = %time f()
      | \?{1,2}[\w.]+\s*$                      # ?name
      | [\w.]+\?{1,2}\s*$                      # name?
    )""",
    re.VERBOSE,
)
_CELL_MAGIC = re.compile(r"^\s*%%(\w+)")
# cell magics whose body is ordinary Python run in the notebook's namespace
_PYTHON_CELL_MAGICS = ("time", "capture")
_MAX_LISTED = 5


def notebook_to_source(raw: bytes, filename: str) -> tuple[str, tuple[str, ...]]:
    """The Python source made by the code cells of the notebook ``raw``, and notes for the student.

    Raises ``ValueError`` with a message for the student when ``raw`` is not a
    notebook the grader can read.
    """
    cells = _code_cells(_load(raw, filename), filename)
    parts, skipped, notes = [], [], []
    for number, source in cells:
        magic = _CELL_MAGIC.match(source)
        if magic and magic.group(1) not in _PYTHON_CELL_MAGICS:
            notes.append(f"{filename}: cell {number} was not graded: it is a %%{magic.group(1)} cell, "
                         "which only Jupyter can run.")
            continue
        lines = source.splitlines()
        if magic:  # keep the Python under %%time / %%capture
            first = next(i for i, line in enumerate(lines) if line.strip())
            skipped.append((number, first + 1, lines[first].strip()))
            lines[first] = "pass  # not graded: " + lines[first].strip()
        elif not _compiles(source):
            for i, line in enumerate(lines):
                if _IPYTHON_LINE.match(line):
                    skipped.append((number, i + 1, line.strip()))
                    indent = line[: len(line) - len(line.lstrip())]
                    lines[i] = f"{indent}pass  # not graded: {line.strip()}"
        text = "\n".join(lines)
        problem = _syntax_problem(text)
        if problem:
            notes.append(f"{filename}: cell {number} is not valid Python ({problem}).")
        parts.append(f"# cell {number}\n{text}\n")

    if skipped:
        listed = "; ".join(f"cell {c} line {l}: {text}" for c, l, text in skipped[:_MAX_LISTED])
        more = f"; and {len(skipped) - _MAX_LISTED} more" if len(skipped) > _MAX_LISTED else ""
        notes.insert(0, f"{filename}: skipped {len(skipped)} IPython-only "
                        f"line{'s' if len(skipped) > 1 else ''} (magics, shell commands): {listed}{more}.")
    if not parts:
        notes.append(f"{filename} has no code cells to grade.")
    return "\n".join(parts), tuple(notes)


def _load(raw: bytes, filename: str) -> dict:
    advice = (f"Open {filename} in Jupyter to check it; if Jupyter cannot open it either, "
              "copy your code into a .py file and submit that.")
    try:
        notebook = json.loads(raw)
    except UnicodeDecodeError:
        raise ValueError(f"{filename} is not a Jupyter notebook: it is not text. {advice}") from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{filename} is not a valid notebook: its JSON is broken at line {error.lineno}, "
            f"column {error.colno} ({error.msg}). {advice}") from None
    if not isinstance(notebook, dict) or "nbformat" not in notebook:
        raise ValueError(f"{filename} is JSON but not a Jupyter notebook (it has no nbformat version). {advice}")
    return notebook


def _code_cells(notebook: dict, filename: str) -> list[tuple[int, str]]:
    """``(cell number, source)`` of every code cell to grade, numbered from 1 over all cells."""
    version = notebook.get("nbformat")
    if version == 4:
        cells, key = notebook.get("cells"), "source"
    elif version == 3:  # cells live in worksheets and keep their code under "input"
        worksheets = notebook.get("worksheets") or []
        cells = [c for w in worksheets if isinstance(w, dict) for c in (w.get("cells") or [])]
        key = "input"
    else:
        raise ValueError(
            f"{filename} uses notebook format {version!r}, which the grader cannot read (it reads "
            "formats 3 and 4). Open it in a current Jupyter, save it, and submit it again.")
    if not isinstance(cells, list):
        raise ValueError(f"{filename} is not a valid notebook: it has no list of cells.")

    found = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        tags = (cell.get("metadata") or {}).get("tags") or ()
        if NOT_GRADED_TAG in tags:
            continue
        source = cell.get(key, "")
        if isinstance(source, list):
            source = "".join(str(part) for part in source)
        if not isinstance(source, str):
            raise ValueError(f"{filename} is not a valid notebook: cell {number} has no readable source.")
        found.append((number, source))
    return found


def _compiles(source: str) -> bool:
    return _syntax_problem(source) is None


def _syntax_problem(source: str) -> str | None:
    try:
        compile(source, "<cell>", "exec")
    except SyntaxError as error:
        return f"line {error.lineno}: {error.msg}"
    except ValueError as error:  # e.g. null bytes
        return str(error)
    return None


# ---------------------------------------------------------------------------
# the last cell of a released notebook


def run_public_tests(assignment: str, notebook: str | Path | None = None, *, seed: int | None = None) -> None:
    """Grade the saved notebook with the public tests and print the report.

    Jupyter keeps edits in the browser until the notebook is saved, so this
    grades the file on disk, exactly as it would be submitted, and warns when
    a class that ran in this session is not what the file holds.
    """
    from .engine import grade_submission
    from .reports import render

    path = Path(notebook if notebook is not None else f"{assignment}.ipynb")
    if not path.is_file():
        print(f"Cannot find {path.resolve()}. Save the notebook, or pass its file name: "
              f"run_public_tests({assignment!r}, 'my_notebook.ipynb')")
        return
    _warn_if_unsaved(path)
    report = grade_submission(path, assignments=(assignment,), suite="public", seed=seed)
    from .reports.html import show_in_notebook

    text = render(report, "text")
    if not show_in_notebook(report, text):
        print(text, end="")
    print("These are the public tests; hidden tests run when your work is collected.")


def _warn_if_unsaved(path: Path) -> None:
    """Warn when a class as defined in this kernel is not what the saved file holds."""
    try:
        ran = get_ipython().user_ns.get("In", [])  # noqa: F821 (defined inside IPython only)
    except NameError:
        return
    try:
        saved, _ = notebook_to_source(path.read_bytes(), path.name)
    except ValueError:
        return
    latest = {}  # class name -> the last cell that defined it in this session
    for cell in ran[:-1]:  # the last one is this very cell
        for name in re.findall(r"^class\s+(\w+)", cell, re.MULTILINE):
            latest[name] = cell
    saved_code = _normalise(saved)
    if any(_normalise(cell) not in saved_code for cell in latest.values()):
        print(f"Warning: the classes you ran in this session differ from the saved {path.name}. "
              "Save the notebook (Ctrl+S / Cmd+S) and run this cell again; "
              "the file on disk is what gets graded.\n")


def _normalise(code: str) -> str:
    return "\n".join(line.rstrip() for line in code.strip().splitlines())
