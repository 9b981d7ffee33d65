"""Catalogue upkeep with Babel: extract the messages, merge them into the PO files, compile to MO.

Used by ``python -m grader.i18n extract|compile`` and by the tests; never on
the grading path (Babel is in the ``test`` and ``dev`` extras only).

Messages come from three places:

- ``_()``, ``N_()`` and ``ngettext()`` calls in the grader's modules;
- the docstrings of the Click commands (they are ``--help``);
- Click's own words that ``grade`` and ``grader`` show (``Usage:``,
  ``Options``, its error messages), taken from the installed Click.
"""
from __future__ import annotations

import ast
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .i18n import DOMAIN, LOCALE_DIR

PACKAGE = Path(__file__).parent
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
    return catalog


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


def _is_command(decorator) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr in ("command", "group")


def _new_catalog(locale: str | None = None) -> Catalog:
    return Catalog(locale=locale, domain=DOMAIN, project="backprop-grader", charset="utf-8",
                   msgid_bugs_address="", copyright_holder="")


def po_files() -> list[Path]:
    return sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read_catalog(path: Path) -> Catalog:
    with open(path, "rb") as f:
        return read_po(f)


def extract() -> None:
    """Write ``grader.pot`` and merge it into every language's ``.po`` (new messages arrive untranslated)."""
    template = all_messages()
    LOCALE_DIR.mkdir(exist_ok=True)
    with open(LOCALE_DIR / f"{DOMAIN}.pot", "wb") as f:
        write_po(f, template, width=100, omit_header=False, sort_output=False)
    for path in po_files():
        catalog = read_catalog(path)
        catalog.update(template, no_fuzzy_matching=True)
        with open(path, "wb") as f:
            write_po(f, catalog, width=100, ignore_obsolete=True)


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
        sys.exit("usage: python -m grader.i18n extract|compile")
