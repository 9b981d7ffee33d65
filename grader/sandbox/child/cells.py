"""Running a notebook in the child the way Jupyter does: one code cell at a time.

The judge sends the code cells as text (it never compiles student code); here
each cell is turned from IPython into Python, compiled and run in the
notebook's module namespace, in order. Whatever goes wrong in one cell (not
Python 3, an exception, a plot without matplotlib, a failing self-test) is a
note naming the cell as Jupyter shows it (its number among code cells and its
``In [n]``) and the line with its text; the next cell runs anyway, so every
problem is reported in one run and every graded class defined anywhere is
graded. A note is data, which the judge words (``grader/sandbox/notes.py``):
``{"code": ..., "file", "cell", "count", ...}``, the codes being those of
:data:`NOTES`.

Cells that define no graded name (training loops, plots, demos) do not
need to finish for grading: each is stopped after ``CELL_SECONDS``, and the
cells after the last one defining a graded name share ``TRAILING_SECONDS``.
Cells that define graded names run under the judge's own time limit.
"""
import ast
import linecache
import re
import signal
import time

CELL_SECONDS = 2.0
TRAILING_SECONDS = 0.5
CELLS_LISTED = 6

# IPython's automagics: a line starting with one of these words, not used as a
# Python name, is a magic command (`ls -l`, `pwd`, `cd ..`, `pip install x`).
AUTOMAGICS = frozenset(
    "alias autocall automagic bookmark cat cd clear colors conda config cp dhist dirs doctest_mode ed edit env "
    "gui hist history killbgscripts ldir less lf lk ll load load_ext loadpy logoff logon logstart logstate logstop "
    "ls lsmagic lx macro magic man matplotlib mkdir more mv notebook page pastebin pdb pdef pdoc pfile pinfo "
    "pinfo2 pip popd pprint precision prun psearch psource pushd pwd pycat pylab quickref recall rehashx "
    "reload_ext rep rerun reset reset_selective rm rmdir run save sc set_env store sx system tb time timeit "
    "unalias unload_ext who who_ls whos xdel xmode".split())
_MAGIC_LINE = re.compile(r"^(\s*)(?:[%!]|[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[%!])")
_HELP_LINE = re.compile(r"^\s*(?:\?{1,2}[\w.]+|[\w.]+\?{1,2})\s*$")
_AUTOMAGIC_LINE = re.compile(r"^([A-Za-z_]\w*)(\s*)(.*)$")
_NOT_AUTOMAGIC_REST = re.compile(r"(?:[-+*/%&|^<>@]?=(?!=)|:|,|;|is\b|in\b|not\b|and\b|or\b|if\b|for\b)")
_TIMED_LINE = re.compile(r"^(\s*)%{1,2}(?:time|timeit)\b(?:\s+-\S+(?:\s+\d+)?)*\s+(\S.*)$")
_CELL_MAGIC = re.compile(r"^\s*%%(\w+)")
_PYTHON_CELL_MAGICS = ("time", "timeit", "capture", "prun")


NOTES = ("cell_raised", "cell_not_needed", "cell_stopped", "cell_magic", "cell_not_python", "cell_not_compiled",
         "cell_exit", "lines_skipped")


class CellTimeLimit(BaseException):
    """Raised into a cell that ran past its bound (a BaseException, so ``except Exception`` lets it through)."""


class CellRun:
    """Notes and findings of running one notebook's cells."""

    def __init__(self, filename):
        self.filename = filename
        self.notes = []
        self.skipped_lines = []
        self.defined = {}  # graded name -> (cell label, cell number, In [n])
        self.unreached = {}  # name -> where it is defined and where its cell stopped before it (not_reached)


def cell_label(filename, number, count, name=None):
    """The file name a cell's code is compiled under (what its tracebacks show)."""
    shown = f" (In [{count}])" if isinstance(count, int) else f" ({name})" if name else ""
    return f"{filename}, cell {number}{shown}"


def _cell_note(code, cell, filename, **params):
    """A note about ``cell`` of the notebook ``filename``, as data."""
    return {"code": code, "file": filename, "cell": cell["number"], "count": cell.get("count"),
            "name": cell.get("name"), **params}


def split_cells(text, rows):
    """A notebook's cells as the judge sent them: their sources back to back in ``text``, and ``rows`` of
    ``(number, In [n] or -1, length)`` (``sandbox/sources.py``)."""
    if any(length < 0 for _, _, length in rows) or sum(length for _, _, length in rows) != len(text):
        raise ValueError("notebook cells do not add up to the text sent")
    cells, start = [], 0
    for number, count, length in rows:
        cells.append({"number": number, "count": None if count < 0 else count, "source": text[start : start + length]})
        start += length
    return cells


def run_notebook(namespace, filename, cells, graded, student_files, describe, graded_seconds=None, prepare=None):
    """Run ``cells`` (dicts with ``number``, ``count``, ``source``) in ``namespace``; returns a :class:`CellRun`.

    ``describe(exception)`` gives the child's usual error description, so a
    cell's error reads like any other (type, message, line). A cell defining
    a graded name is stopped after ``graded_seconds`` (the judge's time limit).
    ``prepare(run, cell, namespace)`` turns a cell into ``(label, code, {name: line it defines})`` or None
    (a Jupyter cell's IPython text by default; a marimo cell is already parsed, ``marimo_cells.py``).
    """
    run = CellRun(filename)
    prepared = [(prepare or _prepare)(run, cell, namespace) for cell in cells]
    last_graded = max((i for i, p in enumerate(prepared) if p and p[2].keys() & set(graded)), default=-1)
    trailing_left = TRAILING_SECONDS
    for index, (cell, ready) in enumerate(zip(cells, prepared)):
        if ready is None:
            continue
        label, code, names = ready
        student_files.add(label)
        defines_graded = bool(names.keys() & set(graded))
        if defines_graded:
            limit = graded_seconds
        elif index > last_graded:
            limit = trailing_left
        else:
            limit = CELL_SECONDS
        if limit is not None and limit <= 0.001:
            run.notes.append(_cell_note("cell_not_needed", cell, filename))
            continue
        before = {name: namespace.get(name) for name in graded}
        started = time.monotonic()
        raised = len(run.notes)
        stopped = _run_cell(run, cell, label, code, namespace, limit, describe)
        _not_reached(run, cell, names, namespace, graded, run.notes[raised:])
        if index > last_graded and not defines_graded:
            trailing_left -= time.monotonic() - started
        if stopped:
            run.notes.append(_cell_note("cell_stopped", cell, filename, seconds=limit, graded=defines_graded,
                                        trailing=index > last_graded))
        for name in graded:
            value = namespace.get(name)
            if value is not before[name] and isinstance(value, type):
                run.defined[name] = (label, cell["number"], cell.get("count"))
    if run.skipped_lines:
        run.notes.insert(0, {"code": "lines_skipped", "file": filename, "count": len(run.skipped_lines),
                             "lines": run.skipped_lines[:CELLS_LISTED]})
    return run


def _prepare(run, cell, namespace):
    """``(label, code object, names the cell defines)``, or None when the cell is skipped (with a note)."""
    label = cell_label(run.filename, cell["number"], cell.get("count"))
    source = cell["source"]
    magic = _CELL_MAGIC.match(source)
    lines = source.split("\n")
    if magic and magic.group(1) not in _PYTHON_CELL_MAGICS:
        run.notes.append(_cell_note("cell_magic", cell, run.filename, magic=magic.group(1)))
        return None
    starts = _statement_starts(source)
    for i, line in enumerate(lines):
        if starts is not None and i + 1 not in starts:
            continue  # inside a string or a bracket: never a magic
        replacement = _python_line(line, namespace, first=(i == 0 and bool(magic)))
        if replacement is not None:
            run.skipped_lines.append([cell["number"], cell.get("count"), i + 1, line.strip()])
            lines[i] = replacement
    text = "\n".join(lines)
    linecache.cache[label] = (len(text), None, [line + "\n" for line in lines], label)
    try:
        tree = ast.parse(text, label)
        code = compile(tree, label, "exec", dont_inherit=True)
    except SyntaxError as error:
        line = error.lineno if isinstance(error.lineno, int) else None
        shown = error.text.strip() if isinstance(error.text, str) and error.text.strip() else None
        run.notes.append(_cell_note("cell_not_python", cell, run.filename, message=str(error.msg), line=line,
                                    text=shown, python2=bool(re.search(r"^\s*print\s+[^\s(=]", text, re.M))))
        return None
    except (ValueError, MemoryError, RecursionError) as error:
        run.notes.append(_cell_note("cell_not_compiled", cell, run.filename, error=type(error).__name__))
        return None
    return label, code, defined_lines(tree.body)


def _not_reached(run, cell, names, namespace, graded, notes):
    """Keep the graded names ``cell`` defines below the line where it raised, which it never reached."""
    raised = [note for note in notes if note["code"] == "cell_raised" and note["line"] is not None]
    if not raised:
        return
    stop = raised[0]
    for name, line in names.items():
        if name in graded and line > stop["line"] and name not in namespace:
            run.unreached[name] = {"file": run.filename, "line": line, "cell": cell["number"],
                                   "count": cell.get("count"), "name": cell.get("name"),
                                   "stopped": {"line": stop["line"], "text": stop["text"], "error": stop["error"]}}


def defined_after(text, filename, line, names):
    """``{name: line}`` of the top-level definitions of ``names`` in the file ``text`` below ``line``."""
    try:
        tree = ast.parse(text, filename)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return {}
    return {name: at for name, at in defined_lines(tree.body).items() if name in names and at > line}


def _statement_starts(source):
    """Line numbers where a statement begins (so not inside a string or brackets), or None if unknown."""
    import io
    import tokenize

    starts, expect = set(), True
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL):
                expect = True
            elif token.type in (tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT, tokenize.ENCODING):
                continue
            elif expect:
                starts.add(token.start[0])
                expect = False
    except (tokenize.TokenError, SyntaxError, ValueError):
        if not starts:
            return None
    return starts


def _python_line(line, namespace, first):
    """The Python to run instead of an IPython-only ``line``, or None if ``line`` is Python."""
    indent = line[: len(line) - len(line.lstrip())]
    if first and _CELL_MAGIC.match(line):
        return f"{indent}pass"
    timed = _TIMED_LINE.match(line)
    if timed:
        return timed.group(1) + timed.group(2)
    if _MAGIC_LINE.match(line) or _HELP_LINE.match(line):
        return f"{indent}pass"
    automagic = _AUTOMAGIC_LINE.match(line)  # column 0 only, as IPython checks
    if automagic and automagic.group(1) in AUTOMAGICS and automagic.group(1) not in namespace:
        space, rest = automagic.group(2), automagic.group(3)
        if not rest or (space and not _NOT_AUTOMAGIC_REST.match(rest)):
            return "pass"
    return None


def defined_lines(statements):
    """The names a block of top-level ``statements`` defines, each with the line of its first definition."""
    names = {}
    for node in statements:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            found = [node.name]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found = [(alias.asname or alias.name).split(".")[0] for alias in node.names]
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found = [n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)]
        else:
            continue
        for name in found:
            names.setdefault(name, node.lineno)
    return names


_ARMED = [False]  # whether the alarm may still stop the cell (a late alarm must never hit the grader's code)


def _alarm(signum, frame):
    if _ARMED[0]:
        _ARMED[0] = False
        raise CellTimeLimit()


def _run_cell(run, cell, label, code, namespace, limit, describe):
    """Run one cell; returns True if it was stopped at its time bound."""
    undo = []
    try:
        try:
            if limit is not None:
                _arm(limit, undo)
            exec(code, namespace)
        finally:
            _ARMED[0] = False
            for step in reversed(undo):
                step()
    except CellTimeLimit:
        return True
    except SystemExit as exc:
        run.notes.append(_cell_note("cell_exit", cell, run.filename, value=_shown(exc.code)))
    except BaseException as exc:
        run.notes.append(_cell_note("cell_raised", cell, run.filename, **raised_at(label, describe(exc))))
    return False


def _arm(limit, undo):
    """Raise :class:`CellTimeLimit` in this thread after ``limit`` seconds; what undoes it goes to ``undo``.

    An interval timer's SIGALRM where there is one; on Windows, which has
    none, a timer thread interrupts the main thread (SIGINT, handled here).
    Not in the judge's own interpreter, where this is not the main thread.
    """
    alarm = getattr(signal, "SIGALRM", None)
    try:
        previous = signal.signal(alarm or signal.SIGINT, _alarm)
    except (ValueError, OSError):  # not the main thread (the judge's own interpreter)
        return
    undo.append(lambda: signal.signal(alarm or signal.SIGINT, previous))
    _ARMED[0] = True
    if alarm is not None:
        undo.append(lambda: signal.setitimer(signal.ITIMER_REAL, 0))
        signal.setitimer(signal.ITIMER_REAL, limit)
        return
    import _thread
    import threading

    timer = threading.Timer(limit, lambda: _ARMED[0] and _thread.interrupt_main(signal.SIGINT))
    timer.daemon = True
    undo.append(timer.cancel)
    timer.start()


def raised_at(filename, error):
    """Where in ``filename`` (a file, or a cell's compiled name) an error described by the session was raised,
    and the error: the fields of a note about it."""
    where = error.get("where")
    line = where[1] if where and where[0] == filename else None
    text = error.get("line") if line is not None and error.get("line") else None
    told = {key: error[key] for key in ("type", "message", "said", "undefined") if key in error}
    return {"line": line, "text": text, "error": told}


def _shown(value):
    try:
        return repr(value)[:2000]
    except BaseException:
        return f"<{type(value).__name__}>"
