"""Stand-ins for modules the grader cannot or will not provide to student code.

Real submissions import more than they use: a plotting library for a demo,
``dataset.mnist`` for a training loop, ``common.layers`` pasted with the top
of one of the book's files, an editor's stray ``from turtle import forward``.
Refusing the import would cost every class of the file, including those that
never touch it. So such an import succeeds and gives a stand-in module;
anything taken from it (``plt.plot``, ``tqdm``, ``load_mnist``) is a stand-in
too, and only *using* one (calling it, iterating, computing with it) raises
:class:`NotAvailableError`, whose message names what was used and why it is
not there. The class that really uses it fails with that message; the
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
                              "pylab", "bokeh", "google", "import_ipynb", "tqdm", "pandas", "sklearn"})
STANDIN_FRAMEWORKS = frozenset({"torch", "torchvision", "tensorflow", "keras", "jax", "cupy", "chainer", "mxnet",
                                "numba"})


class NotAvailableError(RuntimeError):
    """Student code used something from a module the grader does not provide."""


def standin_provided(fullname):
    """True when ``fullname`` must be imported for real (it is not a stand-in's to give)."""
    top = fullname.partition(".")[0]
    if top in STANDIN_PROVIDED_PACKAGES:
        return True
    return top in sys.stdlib_module_names and top not in STANDIN_GUI_STDLIB


def standin_reason(fullname):
    """Why ``fullname`` is a stand-in, for the student who used it."""
    top = fullname.partition(".")[0]
    if top == "common":
        fullname = ".".join(fullname.split(".")[:2])
        return (f"{fullname} is a file of the book's code, which the grader does not provide (common.layers "
                "holds the answers): write what you use yourself; common.util and common.functions are provided")
    if top == "dataset":
        fullname = ".".join(fullname.split(".")[:2])
        return f"{fullname} loads a data set, and there are no data sets while grading: only your classes are graded"
    if top in STANDIN_GUI_STDLIB:
        return f"{top} draws on a screen, and there is no screen while grading"
    if top in STANDIN_PLOTTING:
        return f"{top} is not available while grading (plots, progress bars, notebooks and data tools are not needed)"
    if standin_provided(top):
        return f"{top} cannot be loaded inside the grader's sandbox (the assignments do not need it)"
    if top in STANDIN_FRAMEWORKS:
        return f"{top} is not available while grading: use numpy"
    return f"{top} is not installed for grading: use numpy and the standard library"


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


def _standin_fail(path, action):
    raise NotAvailableError(f"{path} cannot be {action}: {standin_reason(path)}")


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
        _standin_fail(self._standin_path, "used")

    def __iter__(self):
        _standin_fail(self._standin_path, "iterated over")

    def __mro_entries__(self, bases):
        _standin_fail(self._standin_path, "a base class")

    def __repr__(self):
        return f"<stand-in for {self._standin_path}, which is not available while grading>"

    def __getitem__(self, key):
        _standin_fail(self._standin_path, "indexed")

    def __len__(self):
        _standin_fail(self._standin_path, "measured")

    def __array__(self, *args, **kwargs):
        _standin_fail(self._standin_path, "used as an array")

    def __float__(self):
        _standin_fail(self._standin_path, "used as a number")

    def __int__(self):
        _standin_fail(self._standin_path, "used as a number")

    def __index__(self):
        _standin_fail(self._standin_path, "used as a number")

    def __enter__(self):
        _standin_fail(self._standin_path, "used in a with statement")

    def __exit__(self, *exc_info):
        return False


def _standin_operator(symbol):
    def operator(self, *other):
        _standin_fail(self._standin_path, f"used with {symbol}")
    return operator


for _name, _symbol in (("add", "+"), ("sub", "-"), ("mul", "*"), ("truediv", "/"), ("floordiv", "//"),
                       ("matmul", "@"), ("pow", "**"), ("mod", "%")):
    setattr(StandIn, f"__{_name}__", _standin_operator(_symbol))
    setattr(StandIn, f"__r{_name}__", _standin_operator(_symbol))
for _name, _symbol in (("neg", "-"), ("pos", "+"), ("abs", "abs()"), ("lt", "<"), ("le", "<="), ("gt", ">"),
                       ("ge", ">=")):
    setattr(StandIn, f"__{_name}__", _standin_operator(_symbol))


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
