"""An exception raised by student code, described for the judge: its type, text, place, traceback and data.

Runs in the child (this package: the standard library and numpy only). Only
the student's own frames are kept. What the grader knows of the exception
beyond its text travels as data for the judge to word
(``grader/sandbox/words.py``): ``said`` (why the grader's own stand-in
refused), ``undefined`` (a name that an import from a stand-in of the book's
files did not define), ``module`` (a module that could not be imported) and
``skipped`` (how many earlier frames are left out).
"""
import traceback
import unicodedata  # noqa: F401  (traceback needs it for non-ASCII lines; loaded before the sandbox closes)

from .standin import NotAvailableError

MESSAGE_LIMIT = 2_000
TRACEBACK_FRAMES = 12


def describe_safely(exc, student_files, standins):
    """:func:`describe`, or the exception's type alone if even that fails."""
    try:
        return describe(exc, student_files, standins)
    except BaseException:
        name = safe_text(type(exc).__name__)
        return {"kind": "exception", "type": name, "message": "", "where": None, "traceback": ""}


def describe(exc, student_files, standins):
    """The exception as the student should see it: their own frames only (those of ``student_files``).

    Each part is worked out on its own, so a part that cannot be (a
    traceback line the formatter chokes on) never costs the others.
    ``standins`` are the names of the stand-in modules handed out.
    """
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in student_files]
    skipped = max(len(frames) - TRACEBACK_FRAMES, 0)
    lines = _format_frames(frames[skipped:])
    error = {
        "kind": "exception",
        "type": safe_text(type(exc).__name__),
        "message": safe_text(exc)[:MESSAGE_LIMIT],
        "where": [frames[-1].filename, frames[-1].lineno] if frames else None,
    }
    if skipped:
        error["skipped"] = skipped  # earlier frames of the student's not shown
    if frames and isinstance(frames[-1].line, str) and frames[-1].line.strip():
        error["line"] = frames[-1].line.strip()[:MESSAGE_LIMIT]
    error.update(_about(exc, standins))
    if isinstance(exc, SystemExit):
        error["message"] = "" if exc.code is None else safe_text(exc.code, repr)[:MESSAGE_LIMIT]
    if isinstance(exc, SyntaxError):
        error["message"] = safe_text(exc.msg)[:MESSAGE_LIMIT]
        error["where"] = [str(exc.filename), exc.lineno] if isinstance(exc.lineno, int) else None
        error["text"] = (exc.text or "").rstrip()[:MESSAGE_LIMIT]
    try:
        lines += traceback.format_exception_only(type(exc), exc)
    except BaseException:
        lines.append(f"{error['type']}: {error['message']}\n")
    error["traceback"] = "".join(lines)[-4 * MESSAGE_LIMIT :]
    return error


def _about(exc, standins):
    """What the grader knows of ``exc`` beyond its text, as data for the judge to word."""
    about = {}
    said = getattr(exc, "said", None) if isinstance(exc, NotAvailableError) else None
    if type(said) is dict and all(type(k) is str and type(v) is str and len(v) <= MESSAGE_LIMIT
                                  for k, v in said.items()):
        about["said"] = dict(said)  # a stand-in or the judge's function refused: why
    name = getattr(exc, "name", None)
    if isinstance(exc, NameError) and type(name) is str:
        books = [m for m in standins if m.count(".") == 1 and m.split(".")[0] in ("common", "dataset")]
        if books:  # imported from a stand-in of the book's files, which defined nothing
            about["undefined"] = {"name": name[:MESSAGE_LIMIT], "modules": books[:20]}
    if isinstance(exc, ImportError) and type(name) is str:
        about["module"] = name[:MESSAGE_LIMIT]  # the module that could not be imported
    return about


def _format_frames(frames):
    try:
        return traceback.format_list(frames)
    except BaseException:
        return [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n    {(f.line or "").strip()}\n' for f in frames]


def safe_text(obj, convert=str):
    try:
        return convert(obj)
    except BaseException:
        return f"<{type(obj).__name__} that cannot be shown>"

