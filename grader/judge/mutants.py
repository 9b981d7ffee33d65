'''Mutants: a course's known mistakes, each a small patch over one module of its solutions.

A course keeps them in ``mutants/<Name>/<mistake>.py``: ``<Name>`` is a graded
name (a class or a function) and ``<mistake>`` says in a few words what goes
wrong. A mutant is Python that holds only what the student got wrong, written
as they would have written it::

    """Stack.pop returns the oldest item instead of the newest.

    Diagnosis: wrong_values
    """


    class Stack:
        def pop(self):
            return self.items.pop(0)

The docstring's first line says what the mistake is; an optional line
``Diagnosis: <code>`` names the diagnosis the grader should give it. The rest
goes into the solution module by name (:func:`apply`), so the mutant follows
every edit of the solution outside what it replaces, and the module it makes
is the one a student would submit, each definition where the solution has it:

- a function (or ``NAME = ...``) replaces the solution's one of that name;
- a class of the solution's name is merged: each method (or attribute) it
  holds replaces the solution class's one of that name, the others stay;
  one the class lacks goes at its end;
- a name the solution lacks (a helper of the mistake) goes just before the
  first definition the mutant changes;
- an import the solution lacks goes after its imports; the others are dropped.

Standard library only, and nothing from the rest of the grader but its words,
so that the project's tests, its golden reports and a course author's checks
all assemble mutants alike.
'''
from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from grader.lang import _

FOLDER = "mutants"  # <course>/mutants/<Name>/<mistake>.py
DIAGNOSIS = re.compile(r"^Diagnosis:\s*(\w+)\s*$", re.MULTILINE)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_IMPORTS = (ast.Import, ast.ImportFrom)


class MutantError(ValueError):
    """A mutant that cannot be assembled; the message names the file and the line."""


@dataclass(frozen=True)
class Mutant:
    path: Path

    @property
    def name(self) -> str:
        """The graded name the mistake is in: the folder."""
        return self.path.parent.name

    @property
    def mistake(self) -> str:
        return self.path.stem

    @property
    def id(self) -> str:
        return f"{self.name}/{self.mistake}"

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def docstring(self) -> str:
        return ast.get_docstring(_parse(self.text, str(self.path))) or ""

    @property
    def description(self) -> str:
        """The docstring's first line: what the student got wrong ("" without a docstring)."""
        return self.docstring.strip().split("\n", 1)[0].strip()

    @property
    def diagnosis(self) -> str | None:
        """The diagnosis code the mutant declares (``Diagnosis: scaled``), if it declares one."""
        declared = DIAGNOSIS.search(self.docstring)
        return declared.group(1) if declared else None


def find(course_root: Path | str) -> list[Mutant]:
    """The mutants of the course in ``course_root``, sorted by name and mistake."""
    return [Mutant(path) for path in sorted(Path(course_root, FOLDER).glob("*/*.py"))]


def module_defining(name: str, solutions: Path | str, where: str = "") -> Path:
    """The one module of ``solutions`` that defines ``name`` at its top level."""
    found = [path for path in sorted(Path(solutions).glob("*.py"))
             if name in _named(_parse(path.read_text(encoding="utf-8"), str(path)).body)]
    if len(found) != 1:
        raise MutantError(_("{file}: {count} modules of {folder} define {name}; a mutant's folder must be a "
                            "name that exactly one solution module defines").format(
            file=where or name, count=len(found), folder=solutions, name=name))
    return found[0]


def assemble(mutant: Mutant, solutions: Path | str, module: str | None = None) -> tuple[str, str]:
    """``(file name, text)`` of the module a student making this mistake submits: the solution
    module (``module``, else the one that defines the mutant's name) with the mutant applied."""
    path = Path(solutions, module) if module else module_defining(mutant.name, solutions, str(mutant.path))
    return path.name, apply(path.read_text(encoding="utf-8"), mutant.text, str(mutant.path))


def submission(mutant: Mutant, solutions: Path | str, folder: Path | str, module: str | None = None) -> Path:
    """Write into ``folder`` every module of ``solutions``, the mutated one in place of its solution."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    filename, text = assemble(mutant, solutions, module)
    for path in sorted(Path(solutions).glob("*.py")):
        shutil.copyfile(path, folder / path.name)
    (folder / filename).write_text(text, encoding="utf-8")
    return folder


def apply(solution: str, mutant: str, where: str = "mutant") -> str:
    """The text of ``solution`` with the definitions of ``mutant`` put in by name (see the module's doc)."""
    lines = _lines(solution)
    tree, patch = _parse(solution, "solution"), _parse(mutant, where)
    mutant_lines = _lines(mutant)
    edits, changed, added, imports = [], [], [], []
    existing = _named(tree.body)
    for node in _body(patch):
        if isinstance(node, _IMPORTS):
            if not any(ast.dump(node) == ast.dump(other) for other in tree.body if isinstance(other, _IMPORTS)):
                imports.append(_segment(mutant_lines, node))
            continue
        name = _name(node)
        if name is None:
            raise MutantError(_("{file}, line {line}: a mutant holds only definitions (def, class, NAME = ...) "
                                "and imports, and this statement is neither").format(file=where, line=node.lineno))
        target = existing.get(name)
        if target is None:
            added.append(_segment(mutant_lines, node))
            continue
        changed.append(_start(target))
        if isinstance(node, ast.ClassDef) and isinstance(target, ast.ClassDef):
            edits += _merged_class(target, node, lines, mutant_lines, where)
        else:
            edits.append((_start(target), _end(lines, target), _segment(mutant_lines, node)))
    if imports:
        after = _after_imports(tree)
        edits.insert(0, (after + 1, after, [line for segment in imports for line in segment]))
    if added:
        before = min(changed, default=len(lines) + 1)
        edits.append((before, before - 1, [line for segment in added for line in segment + ["", ""]]))
    return _edited(lines, edits)


def _merged_class(target: ast.ClassDef, patch: ast.ClassDef, lines: list[str], mutant_lines: list[str],
                  where: str) -> list:
    """The edits that put each member of the mutant's class in place of the solution class's one."""
    bases = [ast.dump(base) for base in patch.bases]
    if (bases and bases != [ast.dump(base) for base in target.bases]) or patch.keywords or patch.decorator_list:
        raise MutantError(_("{file}, line {line}: write the class as `class {name}:` with only the members "
                            "that change; its bases and decorators stay the solution's").format(
            file=where, line=patch.lineno, name=patch.name))
    members = _named(target.body)
    indent = target.body[0].col_offset
    edits = []
    for node in _body(patch):
        name = _name(node)
        if name is None:
            raise MutantError(_("{file}, line {line}: a class of a mutant holds only methods and attributes "
                                "(def, NAME = ...), and this statement is neither").format(
                file=where, line=node.lineno))
        text = _indented(_segment(mutant_lines, node), node.col_offset, indent)
        if name in members:
            edits.append((_start(members[name]), _end(lines, members[name]), text))
        else:
            end = _end(lines, target)
            edits.append((end + 1, end, [""] + text))
    return edits


def _edited(lines: list[str], edits: list) -> str:
    """``lines`` with each ``(first, last, new lines)`` edit (1-based, inclusive; ``last = first - 1``
    inserts before ``first``) made; edits at the same place keep the order they were made in."""
    lines = list(lines)
    order = sorted(range(len(edits)), key=lambda i: (edits[i][0], edits[i][1] >= edits[i][0], i))
    for i in reversed(order):
        first, last, new = edits[i]
        lines[first - 1:last] = new
    return "\n".join(lines).rstrip("\n") + "\n"


def _parse(text: str, where: str) -> ast.Module:
    try:
        return ast.parse(text)
    except SyntaxError as error:
        raise MutantError(_("{file}, line {line}: this is not valid Python ({error})").format(
            file=where, line=error.lineno, error=error.msg)) from None


def _lines(text: str) -> list[str]:
    """The lines of ``text`` as the parser counts them (``\\r\\n``, ``\\r`` and ``\\n`` end a line)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _body(module_or_class) -> list[ast.stmt]:
    """The statements of a mutant or of one of its classes, without the docstring and without a
    definition that a later one of the same name replaces (as Python would)."""
    body = module_or_class.body[1:] if _has_docstring(module_or_class) else module_or_class.body
    last = _named(body)
    return [node for node in body if _name(node) is None or last[_name(node)] is node]


def _has_docstring(module_or_class) -> bool:
    body = module_or_class.body
    return bool(body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
        and isinstance(body[0].value.value, str)


def _name(node: ast.stmt) -> str | None:
    """The name a statement defines: a def, a class or an assignment to one name."""
    if isinstance(node, _DEFINITIONS):
        return node.name
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return targets[0].id if len(targets) == 1 and isinstance(targets[0], ast.Name) else None


def _named(body: list[ast.stmt]) -> dict[str, ast.stmt]:
    """Each name ``body`` defines, with the statement that defines it last (the one Python keeps)."""
    return {name: node for node in body if (name := _name(node)) is not None}


def _start(node: ast.stmt) -> int:
    """The first line of a statement, its decorators included."""
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


def _end(lines: list[str], node: ast.stmt) -> int:
    """The last line of a statement, with the comments indented into it that follow its code
    (a solution's ``### END SOLUTION``)."""
    end = node.end_lineno
    while end < len(lines) and lines[end].lstrip().startswith("#") \
            and len(lines[end]) - len(lines[end].lstrip()) > node.col_offset:
        end += 1
    return end


def _segment(lines: list[str], node: ast.stmt) -> list[str]:
    return lines[_start(node) - 1:_end(lines, node)]


def _indented(segment: list[str], found: int, wanted: int) -> list[str]:
    """A class member's lines moved from indentation ``found`` to ``wanted``."""
    if found == wanted:
        return segment
    cut, pad = " " * found, " " * wanted
    return [pad + line[found:] if line.startswith(cut) else line for line in segment]


def _after_imports(tree: ast.Module) -> int:
    """The line after which a new import goes: the last top-level import, else the docstring, else 0."""
    imports = [node.end_lineno for node in tree.body if isinstance(node, _IMPORTS)]
    if imports:
        return max(imports)
    return tree.body[0].end_lineno if _has_docstring(tree) else 0
