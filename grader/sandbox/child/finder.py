"""Importing the submission's files in the child, from the texts the judge sent.

:class:`SourceFinder` sits first on ``sys.meta_path``: a module named like
one of the submission's files (or the book's ``common`` helpers, sent with
them) is compiled from its text under the student's file name. A notebook's
cells, Jupyter's or marimo's, are run by the session (``cells.py``,
``marimo_cells.py``).

The book's chapters put ``common`` on the path and import its files by their
bare names: ``sys.path.append('./common/')`` (or ``os.path.join(os.pardir,
'common')``), then ``from functions import sigmoid`` or ``from util import
im2col``. While an entry of ``sys.path`` names a folder called ``common``,
a bare ``functions`` or ``util`` is the ``common.functions`` or
``common.util`` the grader provides; nothing else of the book is (``layers``,
``gradient`` stay stand-ins), and a submission's own ``functions.py`` or
``util.py`` always wins.
"""
import importlib.util
import linecache
import os
import sys

from .standin import NotAvailableError

BOOK_HELPERS = {"functions": "common.functions", "util": "common.util"}


class SourceFinder:
    """Imports modules from source texts the judge sent, compiled under the student's file names."""

    def __init__(self):
        self.sources = {}
        self.marimo = set()  # the modules that are marimo notebooks
        self.session = None  # the Session, for what a notebook's cells need

    def add(self, name, filename, text, cells=None, marimo=False):
        self.sources[name] = (filename, text, cells)
        if marimo:
            self.marimo.add(name)

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.sources:
            helper = BOOK_HELPERS.get(fullname)
            if helper in self.sources and _common_on_path():
                return importlib.util.spec_from_loader(fullname, _Alias(helper), origin=self.sources[helper][0])
            return None
        is_package = any(other.startswith(fullname + ".") for other in self.sources)
        return importlib.util.spec_from_loader(fullname, self, origin=self.sources[fullname][0], is_package=is_package)

    def forget(self):
        """Take every module this finder made out of ``sys.modules`` (the in-process runner's interpreter stays)."""
        for name, module in list(sys.modules.items()):
            loader = getattr(getattr(module, "__spec__", None), "loader", None)
            if name in self.sources or isinstance(loader, _Alias):
                del sys.modules[name]

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        filename, text, cells = self.sources[module.__name__]
        module.__file__ = filename
        if self.session is not None and module.__name__ in self.marimo:
            self.session.run_marimo(module, filename, text)
            return
        if cells is not None and self.session is not None:
            self.session.run_cells(module, filename, cells)
            return
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        try:
            exec(compile(text, filename, "exec", dont_inherit=True), module.__dict__)
        except NotAvailableError as exc:
            if self.session is None:
                raise
            self.session.stopped_by_standin(module.__name__, filename, text, exc)


class _Alias:
    """Loads a bare ``functions`` / ``util`` as the provided book helper it stands for (its names)."""

    def __init__(self, helper):
        self.helper = helper

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        provided = importlib.import_module(self.helper)
        module.__dict__.update({k: v for k, v in vars(provided).items() if not k.startswith("__")})


def _common_on_path():
    """Whether an entry of ``sys.path`` names a folder called ``common`` (``./common/``, ``../common``)."""
    for entry in sys.path:
        if isinstance(entry, str) and entry and os.path.basename(os.path.normpath(entry)) == "common":
            return True
    return False
