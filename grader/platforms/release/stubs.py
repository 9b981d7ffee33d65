"""Solution -> stub: the marker convention of ``grader release`` (see the package docstring)."""
from __future__ import annotations

import json
import re

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



def make_stub(source: str, filename: str = "<solution>", translate=None) -> str:
    """Return ``source`` with every solution block replaced by its stub.

    ``translate`` (a ``gettext``) turns each TODO text into the release's language.

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
            text = " ".join(todo) if todo else None
            body = _stub_body(indent, translate(text) if translate and text else text)
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
    return _valid_stub(source, "".join(out), origins, filename)


def _valid_stub(source: str, stub: str, origins: list[int], filename: str) -> str:
    """``stub``, once the solution and the stub made from it are both valid Python."""
    try:
        compile(source, filename, "exec")
    except SyntaxError as exc:
        raise MarkerError(filename, exc.lineno or 0, f"not valid Python: {exc.msg}") from None
    try:
        compile(stub, filename, "exec")
    except SyntaxError as exc:
        lineno = origins[min(exc.lineno or 1, len(origins)) - 1] if origins else 0
        raise MarkerError(filename, lineno,
                          f"the stub made from this file is not valid Python ({exc.msg}); "
                          "does every solution block sit inside a function body?") from None
    return stub


def todo_texts(source: str):
    """``(line, text)`` of every ``### TODO:`` of a solution, joined as the stub shows it."""
    lines = source.splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(TODO_PREFIX) and index and _MARKER.match(lines[index - 1]):
            parts = [stripped[len(TODO_PREFIX):].strip()]
            for following in lines[index + 1:]:
                follow = following.strip()
                if not follow.startswith("###") or _MARKER.match(following) or _TODO_LIKE.match(following):
                    break
                parts.append(follow.lstrip("#").strip())
            yield index + 1, " ".join(parts)


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
