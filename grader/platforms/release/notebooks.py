"""Stub -> notebook: a notebook per assignment, from its markdown template."""
from __future__ import annotations

import ast
import re

import grader.lang.documents as i18n_text
from grader.lang import N_
from grader.submission.notebook import NOT_GRADED_TAG

from grader.platforms.release.stubs import MarkerError

# A notebook is written from a markdown template, solutions/<module>.md. Its
# text becomes markdown cells (a new cell at every "## " heading), and these
# fenced blocks become code cells:
#
#   ```stub:header        the stub's code before its first class or graded function (imports, helpers)
#   ```stub:NAME          the stub's class NAME, or its graded function NAME (the fence holds nothing)
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


def stub_parts(stub: str, functions=()) -> dict[str, str]:
    """Split a stub into notebook cells: ``{"header": imports and helpers, class name: class}``.

    Top-level functions named in ``functions`` (the graded ones) get a cell
    of their own too; other functions stay with the part before them. The
    module docstring is left out (the notebook's text replaces it); code
    after a class stays with that class.
    """
    tree = ast.parse(stub)
    lines = stub.splitlines()
    body = tree.body
    first_lines = {"header": 1}
    if ast.get_docstring(tree) is not None:
        first_lines["header"], body = body[0].end_lineno + 1, body[1:]
    for node in body:
        if isinstance(node, ast.ClassDef) or (isinstance(node, ast.FunctionDef) and node.name in functions):
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


def build_notebook(name: str, stub: str, template: str, template_name: str = "<template>",
                   functions=(), translate=None, course: dict | None = None) -> str:
    """The notebook of assignment ``name`` as .ipynb text (nbformat 4.5, validated); ``functions``
    are the graded functions, each a cell of its own; ``translate`` (a ``gettext``) puts its text
    in the release's language, paragraph by paragraph. ``course`` (title, digest, and the course
    file's path relative to the notebook) goes in the notebook's metadata, where its check cell
    finds the course it was released from."""
    import nbformat

    v4 = nbformat.v4
    parts = stub_parts(stub, functions)
    used: set[str] = set()
    cells = []
    for kind, info, text, lineno in _template_cells(template, template_name) + _check_cells(name):
        if kind == "markdown":
            cells.append(v4.new_markdown_cell(i18n_text.translate(text, translate) if translate else text))
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
            code = i18n_text.translate_comments(text, translate) if translate else text
            cells.append(v4.new_code_cell(code, metadata=metadata))
    missing = [part for part in parts if part not in used]
    if missing:
        raise MarkerError(template_name, 1, f"no ```stub:{missing[0]} cell: the notebook would lack "
                                            f"{missing[0]!r} from {name}.py")

    for number, cell in enumerate(cells, start=1):
        cell["id"] = f"{name}-{number:02d}".replace("_", "-")
    notebook = v4.new_notebook(cells=cells, metadata={**_KERNEL, **({"grader": {"course": course}} if course else {})})
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


CHECK_HEADING = N_("## Check your work")
CHECK_TEXT = N_(
    "The next cell grades this notebook with the public tests and prints one line per\n"
    "test, with what went wrong under each failure. It grades the notebook **as saved**,\n"
    "so save first (Ctrl+S / Cmd+S). It needs the grader installed in this Python\n"
    "(`pip install -e .` in the folder of the course material; see its README).\n"
    "Only the classes, functions and helpers count: the example cells above are tagged `not-graded`\n"
    "and are not run when grading (tag your own extra cells the same way, or start them\n"
    "with `# not graded`). You may also work in one notebook for a whole chapter and\n"
    "hand in that notebook: each graded class is found wherever you defined it.")


def _check_cells(name: str) -> list[tuple[str, str, str, int]]:
    text = f"{CHECK_HEADING}\n\n{CHECK_TEXT}"
    code = f'from grader.platforms.jupyter import run_public_tests\n\nrun_public_tests("{name}")'
    return [("markdown", "", text, 0), ("code", f"python {NOT_GRADED_TAG}", code, 0)]
