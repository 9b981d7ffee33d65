"""What a layer's ``forward`` does while its ``backward`` runs: the counts behind ``finite_difference``.

The exercise is the analytic gradient. A ``backward`` that runs the layer's
own ``forward`` on inputs nudged by a small step, and divides the change,
gets the right numbers without doing it. While a ``backward`` the judge asked
for runs, :class:`ForwardWatch` counts how often the ``forward`` of that
layer's class runs, and how many of those runs had an input that differs
from what the judge last gave that layer's ``forward``. The judge decides
what the counts mean (``grader.judge.engine``); this only counts.

Every route to the function is seen: ``self.forward``, another instance's
``forward``, ``type(self).forward``, the class ``__dict__``, a reference kept
earlier (a closure, a default argument, a module global, ``__wrapped__``).
That is because the function object itself is changed, not the attribute:
its ``__code__`` becomes a small trampoline that reports the call and then
runs the original code (kept in a private copy of the function, which holds
the same globals, closure and defaults). The trampoline is built from a
template with as many free variables as the original has, since a function
only accepts code with the same number.

An input "differs" when a number or array argument of the same size holds
other values than the judge's argument at that position had before the
judge's ``forward`` ran (or after it, if that ``forward`` changed it in
place). Arrays up to ``SNAPSHOT_BYTES`` are copied for that when the judge
calls ``forward`` (a few microseconds for the course's inputs); a larger one
is not copied, and is compared with the judge's array object as it is then.
"""
import types

import numpy as np

SNAPSHOT_BYTES = 1 << 20
_UNWRAP_LIMIT = 8
_HOOK = "\0forward watch hook"  # the template's placeholder constant, replaced by the hook itself


class ForwardWatch:
    """Counts runs of a layer's ``forward`` during the judge's calls of its ``backward``.

    ``is_students(code)`` says whether a function's code is the student's:
    only those functions are ever changed.
    """

    def __init__(self, is_students):
        self._is_students = is_students
        self._originals = {}  # watched function -> (its original code, the copy that runs it)
        self._inputs = {}  # handle -> [_Input], the arguments of the judge's last forward call
        self._counting = None  # the _Runs of the backward running now

    def call(self, handle, obj, method, function, args, kwargs):
        """``function(*args, **kwargs)``, the judge's call of ``obj.method``; returns ``(value, counts)``.

        ``counts`` is ``(runs, changed)`` for a ``backward`` during which the
        class's ``forward`` ran, else None.
        """
        if method == "forward":
            inputs = [_Input(value) for value in (*args, *kwargs.values())]
            value = function(*args, **kwargs)
            for given in inputs:
                given.settle()
            self._inputs[handle] = inputs
            return value, None
        if method != "backward":
            return function(*args, **kwargs), None
        runs = _Runs(self._watch_class(type(obj)), self._inputs.get(handle, ()))
        self._counting = runs
        try:
            value = function(*args, **kwargs)
        finally:
            self._counting = None
        return value, ((runs.runs, runs.changed) if runs.runs else None)

    def forget(self, handle):
        self._inputs.pop(handle, None)

    def close(self):
        """Give every watched function its own code back."""
        for function, (code, _copy) in self._originals.items():
            function.__code__ = code
        self._originals.clear()
        self._inputs.clear()

    def original(self, function):
        """The function whose code a watched ``function`` runs (itself if not watched)."""
        kept = self._originals.get(function)
        return function if kept is None else kept[1]

    def _watch_class(self, cls):
        """The ``forward`` functions of ``cls`` and its bases, each watched from now on.

        A class that cannot be looked at (a metaclass that raises) has none:
        the watch never makes the student's call fail.
        """
        found = set()
        try:
            for klass in cls.__mro__:
                for function in _unwrapped(vars(klass).get("forward")):
                    if function in self._originals or self._watch(function):
                        found.add(function)
        except Exception:
            pass
        return frozenset(found)

    def _watch(self, function):
        code = function.__code__
        if not self._is_students(code):
            return False
        copy = types.FunctionType(code, function.__globals__, function.__name__, function.__defaults__,
                                  function.__closure__)
        copy.__kwdefaults__ = function.__kwdefaults__
        try:
            function.__code__ = _trampoline(code, self._hook(function, copy))
        except (TypeError, ValueError):
            return False
        self._originals[function] = (code, copy)
        return True

    def _hook(self, function, copy):
        def ran(args, kwargs):
            runs = self._counting
            if runs is None or runs.inside or function not in runs.functions:
                return copy(*args, **kwargs)
            runs.count(args[1:], kwargs)  # args[0] is the instance
            runs.inside = True  # a forward that calls forward (super().forward, a decorator) is one run
            try:
                return copy(*args, **kwargs)
            finally:
                runs.inside = False

        return ran


class _Runs:
    """The counts of one backward call."""

    def __init__(self, functions, inputs):
        self.functions, self.inputs = functions, inputs
        self.runs = self.changed = 0
        self.inside = False

    def count(self, args, kwargs):
        self.runs += 1
        if any(given.differs(value) for given, value in zip(self.inputs, (*args, *kwargs.values()))):
            self.changed += 1


class _Input:
    """One argument of the judge's forward call: the object and its values, before and after forward."""

    def __init__(self, value):
        self.value = value
        self.before = _snapshot(value)
        self.after = None

    def settle(self):
        """After forward ran: keep its values too if forward changed the array in place."""
        try:
            if isinstance(self.value, np.ndarray) and self.before is not None and not _equal(self.value, self.before):
                self.after = _snapshot(self.value)
        except Exception:  # forward made it something else (resized it, say): compare with the values before
            pass

    def differs(self, value):
        """Whether ``value`` is a number or array of this input's size with other values."""
        try:
            if not (_numeric(value) and _numeric(self.value)) or np.size(value) != np.size(self.value):
                return False
            kept = [v for v in (self.before, self.after) if v is not None] or [self.value]
            return not any(_equal(value, v) for v in kept)
        except Exception:  # a value that cannot be compared is not counted
            return False


def _numeric(value):
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "iuf"
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _snapshot(value):
    """A copy of a small array, the number itself, or None (compare with the object as it is then)."""
    if isinstance(value, np.ndarray):
        return value.copy() if value.nbytes <= SNAPSHOT_BYTES else None
    return value if _numeric(value) else None


def _equal(a, b):
    """The same values, in any shape; float arrays of different precisions are compared in the lower one.

    Equal arrays of the same shape, what a legitimate backward passes, take the
    fast path; NaN equals NaN only on the slow one.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.size != b.size:
        return False
    if a.shape != b.shape:
        a, b = a.reshape(-1), b.reshape(-1)
    floats = a.dtype.kind == b.dtype.kind == "f"
    if floats and a.dtype != b.dtype:
        low = min(a.dtype, b.dtype, key=lambda d: d.itemsize)
        a, b = a.astype(low), b.astype(low)
    return bool(np.array_equal(a, b) or floats and np.array_equal(a, b, equal_nan=True))


def _unwrapped(attribute):
    """A plain function and the functions its ``__wrapped__`` chain leads to (a decorated forward)."""
    found = []
    while isinstance(attribute, types.FunctionType) and attribute not in found and len(found) < _UNWRAP_LIMIT:
        found.append(attribute)
        attribute = attribute.__dict__.get("__wrapped__")
    return found


def _trampoline(code, hook):
    """Code that calls ``hook(args, kwargs)``, named as ``code`` and with as many free variables."""
    template = _templates.get(len(code.co_freevars)) or _template(len(code.co_freevars))
    names = {"co_name": code.co_name}
    if hasattr(code, "co_qualname"):
        names["co_qualname"] = code.co_qualname
    consts = tuple(hook if type(c) is str and c == _HOOK else c for c in template.co_consts)
    return template.replace(co_consts=consts, **names)


_templates = {}  # number of free variables -> the trampoline's code, with the placeholder _HOOK


def _template(free):
    """``forward(*args, **kwargs)`` returning ``_HOOK(args, kwargs)``, with ``free`` free variables (never read)."""
    names = [f"_{i}" for i in range(free)]
    lines = ["def outer():"]
    if names:
        lines.append(f"    {' = '.join(names)} = None")
    lines.append("    def forward(*args, **kwargs):")
    if names:
        lines.append(f"        if False: {', '.join(names)}")
    lines += [f"        hook = {_HOOK!r}", "        return hook(args, kwargs)", "    return forward"]
    namespace = {}
    exec(compile("\n".join(lines), "<forward watch>", "exec"), namespace)
    _templates[free] = namespace["outer"]().__code__
    return _templates[free]


_template(0)  # the usual one, made once where the program is loaded (before the zygote forks children)
