"""Stand-ins for modules the grader cannot or will not provide to student code.

Real submissions import more than they use: a plotting library for a demo,
``dataset.mnist`` for a training loop, ``common.layers`` pasted with the top
of one of the book's files, an editor's stray ``from turtle import forward``.
Refusing the import would cost every class of the file, including those that
never touch it. So such an import succeeds and gives a stand-in module;
anything taken from it (``plt.plot``, ``tqdm``, ``load_mnist``) is a stand-in
too, and only *using* one (calling it, iterating, computing with it) raises
:class:`NotAvailableError`, which says as data what was used and how; the
judge words why it is not there (:func:`standin_kind`). The class that really uses it fails with that message; the
others are graded normally.

What imports normally: the standard library (but not its GUI modules), every
numpy sub-module, scipy when it is installed, the book's ``common.util`` and
``common.functions`` (served with the student's files), and the student's own
files. The book's ``common.layers`` (its classes are the answers), its other
files and data sets, and everything else are stand-ins. ``from x import *``
of a stand-in imports nothing, so it never replaces the student's classes.
"""
import importlib.abc
import importlib.machinery
import sys
import types

STANDIN_GUI_STDLIB = frozenset({"turtle", "turtledemo", "tkinter", "idlelib", "_tkinter"})
STANDIN_PROVIDED_PACKAGES = frozenset({"numpy", "scipy"})
STANDIN_PLOTTING = frozenset({"matplotlib", "seaborn", "plotly", "IPython", "ipywidgets", "graphviz", "PIL", "cv2",
                              "pylab", "bokeh", "google", "import_ipynb", "tqdm", "pandas", "sklearn", "marimo"})
STANDIN_FRAMEWORKS = frozenset({"torch", "torchvision", "tensorflow", "keras", "jax", "cupy", "chainer", "mxnet",
                                "numba"})


class NotAvailableError(RuntimeError):
    """Student code used something the grader does not provide (a stand-in, or the judge's function after its call).

    ``said`` is why, as data (``{"code": "standin", "path": ..., "action": ...}``,
    the codes of ``calls.py``): the judge words it for the student; ``str()``
    is that data too, for student code that prints the error.
    """

    def __init__(self, code, **params):
        self.said = {"code": code, **params}
        super().__init__(" ".join(f"{key}={value}" for key, value in self.said.items()))


def standin_provided(fullname):
    """True when ``fullname`` must be imported for real (it is not a stand-in's to give)."""
    top = fullname.partition(".")[0]
    if top in STANDIN_PROVIDED_PACKAGES:
        return True
    return top in sys.stdlib_module_names and top not in STANDIN_GUI_STDLIB


def standin_kind(fullname):
    """Why ``fullname`` is a stand-in, as data: ``(kind, module)``, which the judge words for the student.

    ``kind`` is ``"book"`` (a file of the book's code), ``"dataset"``,
    ``"screen"`` (a GUI module), ``"tools"`` (plots, progress bars, notebooks,
    data tools), ``"sandbox"`` (provided, but not loadable in the sandbox),
    ``"framework"`` (another deep-learning library) or ``"missing"`` (not
    installed); ``module`` is the top-level module (the book's and data set
    files: its first two parts).
    """
    top = fullname.partition(".")[0]
    if top in ("common", "dataset"):
        return ("book" if top == "common" else "dataset"), ".".join(fullname.split(".")[:2])
    if top in STANDIN_GUI_STDLIB:
        return "screen", top
    if top in STANDIN_PLOTTING:
        return "tools", top
    if standin_provided(top):
        return "sandbox", top
    return ("framework" if top in STANDIN_FRAMEWORKS else "missing"), top


_IMPORT_LINE = None
_NUMPY_LAZY = None
NUMPY_LAZY_SUBMODULES = ("random", "linalg", "testing", "fft", "polynomial", "ma", "dtypes", "exceptions",
                         "ctypeslib", "matlib", "typing", "rec", "char", "strings")
"""numpy submodules that numpy loads only when first used as an attribute (``np.random.randn``)."""


def standin_preloads(texts):
    """The provided modules (standard library, numpy, scipy) that ``texts`` import, for the child to load early.

    A plain text scan (the judge never parses student code): ``import a.b``,
    ``from a.b import c`` (``a.b.c`` too, in case it is a module), and numpy's
    lazily loaded submodules used as attributes (``np.random.randn``, under any
    alias), which numpy would otherwise import from files a confined child no
    longer sees.
    """
    import re

    global _IMPORT_LINE, _NUMPY_LAZY
    if _IMPORT_LINE is None:
        _IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w, \t]+)|import[ \t]+([\w., \t]+))",
                                  re.MULTILINE)
        # any attribute of that name: numpy may have another alias (import numpy as xp); a needless load is harmless
        _NUMPY_LAZY = re.compile(r"\.[ \t]*(" + "|".join(NUMPY_LAZY_SUBMODULES) + r")\b")
    found = []
    for text in texts:
        for name in _NUMPY_LAZY.findall(text):
            if f"numpy.{name}" not in found:
                found.append(f"numpy.{name}")
        for source, names, modules in _IMPORT_LINE.findall(text):
            if source:
                candidates = [source] + [f"{source}.{n.strip()}" for n in names.split(",") if n.strip()]
            else:
                candidates = [part.split()[0] for part in modules.split(",") if part.split()]
            for name in candidates:
                if standin_provided(name) and name not in sys.modules and name not in found:
                    found.append(name)
    return found[:100]


PATH_LIMIT = 500  # characters of a stand-in's path sent to the judge


def _standin_fail(path, action, symbol=None):
    """Raise what using the stand-in ``path`` raises: ``action`` says how it was used (one of ``ACTIONS``)."""
    said = {"symbol": symbol} if symbol else {}
    raise NotAvailableError("standin", path=path[:PATH_LIMIT], action=action, **said)


ACTIONS = ("call", "iterate", "base", "index", "measure", "array", "number", "with", "operator")
OPERATORS = ("+", "-", "*", "/", "//", "@", "**", "%", "abs()", "<", "<=", ">", ">=")


class StandIn:
    """Something taken from a stand-in module: harmless to hold, an error to use."""

    __slots__ = ("_standin_path",)

    def __init__(self, path):
        object.__setattr__(self, "_standin_path", path)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return StandIn(f"{self._standin_path}.{name}")

    def __setattr__(self, name, value):
        pass  # `plt.rcParams = ...`-style configuration changes nothing

    def __call__(self, *args, **kwargs):
        _standin_fail(self._standin_path, "call")

    def __iter__(self):
        _standin_fail(self._standin_path, "iterate")

    def __mro_entries__(self, bases):
        _standin_fail(self._standin_path, "base")

    def __repr__(self):
        return f"<stand-in for {self._standin_path}, which is not available while grading>"

    def __getitem__(self, key):
        _standin_fail(self._standin_path, "index")

    def __len__(self):
        _standin_fail(self._standin_path, "measure")

    def __array__(self, *args, **kwargs):
        _standin_fail(self._standin_path, "array")

    def __float__(self):
        _standin_fail(self._standin_path, "number")

    def __int__(self):
        _standin_fail(self._standin_path, "number")

    def __index__(self):
        _standin_fail(self._standin_path, "number")

    def __enter__(self):
        _standin_fail(self._standin_path, "with")

    def __exit__(self, *exc_info):
        return False


def _standin_operator(symbol):
    def operator(self, *other):
        _standin_fail(self._standin_path, "operator", symbol)
    return operator


for _name, _symbol in (("add", "+"), ("sub", "-"), ("mul", "*"), ("truediv", "/"), ("floordiv", "//"),
                       ("matmul", "@"), ("pow", "**"), ("mod", "%")):
    setattr(StandIn, f"__{_name}__", _standin_operator(_symbol))
    setattr(StandIn, f"__r{_name}__", _standin_operator(_symbol))
for _name, _symbol in (("neg", "-"), ("pos", "+"), ("abs", "abs()"), ("lt", "<"), ("le", "<="), ("gt", ">"),
                       ("ge", ">=")):
    setattr(StandIn, f"__{_name}__", _standin_operator(_symbol))


def standin_path(value):
    """The path of ``value`` if it is a stand-in (``"matplotlib.pyplot.plot"``), else None."""
    if isinstance(value, StandIn):
        return object.__getattribute__(value, "_standin_path")
    if isinstance(value, StandInModule):
        return value.__name__
    return None


class StandInModule(types.ModuleType):
    """The module object of a stand-in: every public attribute is a :class:`StandIn`."""

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return StandIn(f"{self.__name__}.{name}")


class StandInLoader(importlib.abc.Loader):
    def create_module(self, spec):
        module = StandInModule(spec.name)
        module.__all__ = []  # `from x import *` brings in nothing
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


class StandInFinder(importlib.abc.MetaPathFinder):
    """Gives a stand-in for modules the grader will not provide, or, last on the path, cannot.

    With ``everything=False`` it sits before the real finders and answers only
    for what must never be imported for real (an installed matplotlib, the
    book's ``common.layers``); with ``everything=True`` it sits last and
    answers for whatever no one else found (a package that is not installed).
    ``used`` records every stand-in handed out, for the notes.
    """

    def __init__(self, everything, used, own=()):
        self.everything = everything
        self.used = used
        self.own = own  # names served by the student's files and the book's helpers

    def find_spec(self, fullname, path=None, target=None):
        if not self.everything and (standin_provided(fullname) or self._served(fullname)):
            return None
        if fullname not in self.used:
            self.used.append(fullname)
        return importlib.machinery.ModuleSpec(fullname, StandInLoader(), is_package=True)

    def _served(self, fullname):
        return fullname in self.own or any(name.startswith(fullname + ".") for name in self.own)


def install_standins(own_modules):
    """Put the two finders in place (after the student's own finder); returns the list of stand-ins used."""
    used = []
    position = 1 if sys.meta_path else 0
    sys.meta_path.insert(position, StandInFinder(False, used, own_modules))
    sys.meta_path.append(StandInFinder(True, used))
    return used


def remove_standins():
    """Undo :func:`install_standins` (the judge's own interpreter, in the in-process runner)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, StandInFinder)]
    for name in [n for n, m in sys.modules.items() if isinstance(m, StandInModule)]:
        del sys.modules[name]
