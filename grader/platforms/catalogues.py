"""Catalogue upkeep with Babel: extract the messages, merge them into the PO files, compile to MO.

Used by ``python -m grader.lang extract|compile`` and by the tests; never on
the grading path (Babel is in the ``test`` and ``dev`` extras only).

Two kinds of catalogue. The grader's (``grader/lang/locale/<lang>/LC_MESSAGES/grader.po``):

- ``_()``, ``N_()`` and ``ngettext()`` calls in the grader's modules;
- the docstrings of the Click commands (they are ``--help``);
- the paragraphs of the student README template;
- Click's own words that ``grade`` and ``grader`` show (``Usage:``,
  ``Options``, its error messages), taken from the installed Click.

A course's (``<course>/locale/<lang>/LC_MESSAGES/course.po``), for each course
shipped in ``courses/``:

- ``_()``, ``N_()`` and ``ngettext()`` calls in its Python files (hints, helpers);
- the first docstring line of every test (its description in the reports);
- the course's and its assignments' titles;
- the solutions' ``### TODO:`` texts and docstrings, and the notebooks' text,
  paragraph by paragraph (see :mod:`grader.lang.documents`).
"""
from __future__ import annotations

import ast
import datetime
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

import grader.lang.documents as i18n_text
from grader.lang import COURSE_DOMAIN, DOMAIN, HIDDEN_DOMAIN, LOCALE_DIR

PACKAGE = Path(__file__).resolve().parents[1]  # the grader package
COURSES = PACKAGE.parent / "courses"
README_TEMPLATE = Path(__file__).parent / "templates" / "student_README.md"
STABLE_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)  # no churn in the files
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
CLICK_MODULES = ("core.py", "exceptions.py", "formatting.py", "types.py", "parser.py", "decorators.py")
COMMENT_TAGS = ("Translators:",)


def code_messages() -> Catalog:
    """Every message of the grader's own code: marked strings and the commands' docstrings."""
    catalog = _new_catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
            PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
            strip_comment_tags=True):
        catalog.add(message, locations=[(f"grader/{filename}", lineno)], auto_comments=comments,
                    context=context)
    for path in sorted(PACKAGE.rglob("*.py")):
        for lineno, docstring in command_docstrings(path):
            catalog.add(docstring, locations=[(f"grader/{path.relative_to(PACKAGE)}", lineno)],
                        auto_comments=["--help text of a command"])
    _add_document(catalog, README_TEMPLATE.read_text(encoding="utf-8"), "grader/platforms/templates/student_README.md")
    return catalog


def course_messages(root: Path) -> Catalog:
    """Every text of the course in ``root`` that students or instructors read."""
    from grader.platforms.release.stubs import make_stub, todo_texts

    catalog = _new_catalog()
    label = root.name
    for filename, lineno, message, comments, context in extract_from_dir(
            root, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
            strip_comment_tags=True):
        catalog.add(message, locations=[(f"{label}/{filename}", lineno)], auto_comments=comments, context=context)
    for path in sorted(root.rglob("*.py")):
        where = f"{label}/{path.relative_to(root)}"
        for lineno, description in test_descriptions(path):
            catalog.add(description, locations=[(where, lineno)],
                        auto_comments=["description of a test (first line of its docstring)"])
    course_file = root / "course.toml"
    if course_file.is_file():
        from grader.judge.course import load

        course = load(root)
        catalog.add(course.title, locations=[(f"{label}/course.toml", 1)], auto_comments=["title of the course"])
        for assignment in course.assignments:
            catalog.add(assignment.title, locations=[(f"{label}/course.toml", 1)],
                        auto_comments=[f"title of the assignment {assignment.module}"])
    for path in sorted((root / "solutions").glob("*.py")):
        where = f"{label}/{path.relative_to(root)}"
        source = path.read_text(encoding="utf-8")
        for lineno, todo in todo_texts(source):
            catalog.add(todo, locations=[(where, lineno)], auto_comments=["the TODO of a stub (its error message)"])
        for message in i18n_text.docstring_messages(source):
            catalog.add(message, locations=[(where, 0)], auto_comments=["a paragraph of a docstring"])
        for comment in i18n_text.source_comments(make_stub(source, filename=where)):
            catalog.add(comment, locations=[(where, 0)], auto_comments=["a comment in the stub's code"])
    for path in sorted((root / "solutions").glob("*.md")) + sorted(root.glob("students.md")):
        _add_document(catalog, _without_comment(path.read_text(encoding="utf-8")), f"{label}/{path.relative_to(root)}")
    return catalog


def _without_comment(text: str) -> str:
    """A leading ``<!-- ... -->`` note for the course's authors is not for students."""
    return text.split("-->", 1)[1] if text.startswith("<!--") else text


def _add_document(catalog: Catalog, text: str, where: str) -> None:
    for message in i18n_text.messages(text):
        catalog.add(message, locations=[(where, 0)], auto_comments=["a paragraph of a document (markdown)"])


def shipped_courses() -> list[Path]:
    return sorted(path.parent for path in COURSES.glob("*/course.toml"))


def click_messages() -> Catalog:
    """Click's own words on the screens of ``grade`` and ``grader``."""
    import click

    catalog = _new_catalog()
    root = Path(click.__file__).parent
    for name in CLICK_MODULES:
        for lineno, message, comments, context in extract_from_file("python", root / name):
            catalog.add(message, locations=[(f"click/{name}", lineno)], auto_comments=["Click"])
    return catalog


def all_messages() -> Catalog:
    catalog = code_messages()
    for message in click_messages():
        if message.id and message.id not in catalog:
            catalog[message.id] = message
    return catalog


def command_docstrings(path: Path):
    """``(line, docstring)`` of every function decorated as a Click command or group."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(_is_command(d) for d in node.decorator_list):
            docstring = ast.get_docstring(node, clean=True)
            if docstring:
                yield node.lineno, docstring


def test_descriptions(path: Path):
    """``(line, first docstring line)`` of every test function (decorated with ``check(...)``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(_is_check(d) for d in node.decorator_list):
            docstring = ast.get_docstring(node, clean=True)
            if docstring:
                yield node.lineno, docstring.splitlines()[0]


def _is_check(decorator) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Name) and target.id == "check") or (
        isinstance(target, ast.Attribute) and target.attr == "check")


def _is_command(decorator) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr in ("command", "group")


def _new_catalog(locale: str | None = None) -> Catalog:
    catalog = Catalog(locale=locale, domain=DOMAIN, project="backprop-grader", charset="utf-8",
                      msgid_bugs_address="", copyright_holder="", fuzzy=False,
                      creation_date=STABLE_DATE, revision_date=STABLE_DATE)
    catalog.last_translator = "backprop-grader"
    catalog.language_team = "Korean" if locale == "ko" else (locale or "")
    return catalog


def po_files() -> list[Path]:
    """Every catalogue: the grader's and the shipped courses'."""
    found = sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    for root in shipped_courses():
        for domain in (COURSE_DOMAIN, HIDDEN_DOMAIN):
            found += sorted((root / "locale").glob(f"*/LC_MESSAGES/{domain}.po"))
    return found


def templates() -> list[tuple[Catalog, Path, str]]:
    """``(messages, locale folder, domain)`` for the grader and every shipped course."""
    found = [(all_messages(), LOCALE_DIR, DOMAIN)]
    for root in shipped_courses():
        public, hidden = split_hidden(course_messages(root))
        found += [(public, root / "locale", COURSE_DOMAIN), (hidden, root / "locale", HIDDEN_DOMAIN)]
    return found


def split_hidden(catalog: Catalog) -> tuple[Catalog, Catalog]:
    """The course's messages for everyone, and those only the hidden tests use (kept from students)."""
    public, hidden = _new_catalog(), _new_catalog()
    for message in catalog:
        if not message.id:
            continue
        only_hidden = all("/tests/hidden/" in f"/{where}" for where, _line in message.locations)
        (hidden if only_hidden else public)[message.id] = message
    return public, hidden


def read_catalog(path: Path) -> Catalog:
    with open(path, "rb") as f:
        return read_po(f)


def extract(languages=("ko",)) -> None:
    """Write each ``.pot`` and merge it into every language's ``.po`` (new messages arrive untranslated).

    A catalogue for each of ``languages`` is created where there is none.
    """
    for template, locale_dir, domain in templates():
        locale_dir.mkdir(exist_ok=True)
        with open(locale_dir / f"{domain}.pot", "wb") as f:
            write_po(f, template, width=100, omit_header=False, sort_output=False, include_lineno=False)
        for language in languages:
            path = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
            if not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "wb") as f:
                    write_po(f, _new_catalog(language))
        for path in sorted(locale_dir.glob(f"*/LC_MESSAGES/{domain}.po")):
            catalog = read_catalog(path)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.creation_date = catalog.revision_date = STABLE_DATE
            with open(path, "wb") as f:
                write_po(f, catalog, width=100, ignore_obsolete=True, include_lineno=False)


def compiled(path: Path) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(path), use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> list[Path]:
    written = []
    for path in po_files():
        mo = path.with_suffix(".mo")
        mo.write_bytes(compiled(path))
        written.append(mo)
    return written


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["extract"]:
        extract()
    elif argv == ["compile"]:
        for path in compile_all():
            print(path)
    else:
        sys.exit("usage: python -m grader.lang extract|compile")
