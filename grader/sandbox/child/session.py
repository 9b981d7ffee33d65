"""The child: runs student code on the judge's requests.

The zygote forks it and calls :func:`main` with its two pipes and its
settings. It confines itself (``confine.py``: limits, user, Landlock, import
guard), says it is ready, then answers one request at a time:

    load  {"name", "modules": [{"name", "filename", "text", "student", "cells"}]}
          make the given sources importable, then import ``name``; each
          ``text`` is ``$text`` (its bytes a buffer); a notebook's ``text`` is
          its cells' sources back to back and ``cells`` an int64 array of
          rows ``(number, In [n] or -1, length in characters)``
    new   {"handle", "module", "class", "args", "kwargs"}   create an object
    call  {"handle", "method", "args", "kwargs"}            call a method
    get   {"handle", "attr"}                                read an attribute
    define {"name", "filename", "text"}   run course code (functions the tests pass
          to student code) into a module of the session's own, not importable
    call_function {"module", "function", "args", "kwargs", "callables", "ask", "echo"}
          call a module-level function; ``callables`` ({"module", "args":
          {index: name}, "kwargs": {key: name}}) puts functions of a defined
          module in place of the ``None`` placeholders at those positions;
          ``ask`` ([global, ...]) makes those globals of the student's module
          stand-ins that ask the judge during the call (its own version of
          another graded function: a question goes out and its answer comes
          in before the reply, see ``child/calls.py``); ``echo`` lists
          positions of arguments to send back after the call, as they are then

    probe {"read": [paths], "write": [paths]}   which of them this confined process can
          read, and which it can write (``confine.probe_access``), before any student code runs

    sequence {"handle", "steps": [{"call", "args", "kwargs"} | {"get"}]}
          call methods and read attributes of one object in order, in one
          round trip; replies ``"values"`` (one per step done) and, if a
          step failed, ``"stopped"`` with its error

A reply to ``call`` or ``sequence`` in which a ``backward`` ran the forward of
its layer's class carries ``"forward_runs"``: ``[[step, runs, changed], ...]``
(``forward_watch.py``; the step is 0 for ``call``).

Any request may carry ``"drop": [handles]`` to forget objects. Every reply
carries what the student printed (and any warnings) during the request as
``"output"`` (and ``"output_cut"``, how many characters of it were not kept),
the request's ``"seq"`` number back, and either ``"value"`` or an ``"error"``
describing what went wrong.

:class:`Session` does the work without any I/O of its own, so the judge's
in-process debug mode reuses it.
"""
import builtins
import importlib
import inspect
import os
import sys
import types
import warnings

from .wire import Decoder, WireClosed, read_message, write_message
from .confine import ConfinementError, confine, probe_access
from .standin import NotAvailableError, install_standins, remove_standins, standin_path
from .cells import cell_label, defined_after, raised_at, run_notebook, split_cells
from .finder import SourceFinder
from .marimo_cells import marimo_cells, prepare_marimo
from .describe import describe_safely
from .results import encode_result, encode_results, type_name
from .capture import Capture
from .calls import (
    call_asking_the_judge,
    define_course_module,
    judge_line,
    place_course_functions,
)
from .forward_watch import ForwardWatch


class Session:
    """Objects created by the student's code, and the requests that act on them."""

    def __init__(self):
        self.capture = Capture()
        self.finder = SourceFinder()
        self.student_files = set()
        self.modules = {}
        self.objects = {}
        self.defined = {}
        self.ask_judge = None  # how a stand-in asks the judge during a request (child/calls.py)
        self.graded = ()
        self.cell_seconds = None
        self.notes = []  # for the judge, sent with the next reply
        self.places = {}  # compiled file name of a cell -> (notebook, cell number, In [n])
        self.unreached = {}  # module -> {graded name: where it is defined, below where its file or cell stopped}
        self.no_dout = set()  # the classes whose backward was called without the test's dout (noted once each)
        self.own_classes = {}  # (module, name) -> the last class of that name the student's code defined there
        self.watch = ForwardWatch(lambda code: code.co_filename in self.student_files)
        self.finder.session = self
        sys.meta_path.insert(0, self.finder)
        self.standins = install_standins(self.finder.sources)
        self._build_class = builtins.__build_class__
        builtins.__build_class__ = self._record_class

    def close(self):
        """Undo what the session did to this interpreter (used when it is the judge's own)."""
        if self.finder in sys.meta_path:
            sys.meta_path.remove(self.finder)
        remove_standins()
        self.watch.close()
        if builtins.__build_class__ == self._record_class:
            builtins.__build_class__ = self._build_class
        self.finder.forget()
        self.objects.clear()

    def handle(self, request: dict, buffers: list):
        """Answer one request: returns the reply header and its buffers. Never raises."""
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self.capture
        try:
            try:
                for handle in request.get("drop", ()):
                    self.objects.pop(handle, None)
                    self.watch.forget(handle)
                reply = getattr(self, "_op_" + request["op"])(request, buffers)
            except BaseException as exc:
                reply = {"ok": False, "error": self._describe_safely(exc)}
            if self.notes:
                reply["notes"], self.notes = self.notes[:200], []
            value, out = reply.pop("value", None), []
            if "results" in reply:
                reply["values"], out = encode_results(reply.pop("results"))
            elif reply["ok"]:
                reply["value"], out = encode_result(value)
        finally:
            sys.stdout, sys.stderr = saved
        reply["output"], cut = self.capture.take()
        if cut:
            reply["output_cut"] = cut  # characters printed but not kept: the judge words the mark
        reply["seq"] = request.get("seq")  # which request this answers
        return reply, out

    def _op_load(self, request, buffers):
        decoder = Decoder(buffers, allow_plain=True)
        for module in request["modules"]:
            text = decoder.value(module["text"])
            cells = split_cells(text, decoder.value(module["cells"]).tolist()) if "cells" in module else None
            self.finder.add(module["name"], module["filename"], "" if cells is not None else text, cells,
                            module.get("marimo") is True)
            if module["student"]:
                self.student_files.add(module["filename"])
        decoder.finish()
        del buffers[:]  # the sources are kept as text; their bytes are not needed any more
        self.graded = tuple(request.get("graded", ()))
        seconds = request.get("cell_seconds")
        self.cell_seconds = float(seconds) if isinstance(seconds, (int, float)) and seconds > 0 else None
        name = request["name"]
        if name not in self.modules:
            self.modules[name] = importlib.import_module(name)
        return {"ok": True}

    def run_cells(self, module, filename, cells, prepare=None):
        """Run a notebook's cells in ``module`` as Jupyter would (``cells.py``); notes go to the judge."""
        for cell in cells:
            self.places[cell_label(filename, cell["number"], cell.get("count"), cell.get("name"))] = (
                filename, cell["number"], cell.get("count"))
        run = run_notebook(module.__dict__, filename, cells, self.graded, self.student_files, self._describe_safely,
                           self.cell_seconds, prepare)
        self.notes.extend(run.notes)
        self.unreached.setdefault(module.__name__, {}).update(run.unreached)

    def run_marimo(self, module, filename, text):
        """Run a marimo notebook's cells in ``module`` in marimo's order (``marimo_cells.py``), as Jupyter cells."""
        self.run_cells(module, filename, marimo_cells(text, filename), prepare_marimo)

    def stopped_by_standin(self, name, filename, text, exc):
        """A file's top level used a stand-in (``load_mnist()`` in a demo): keep what was defined above it.

        Only this error is forgiven, because it comes from the grading
        machine lacking a module, not from the student's code; any other
        exception at the top level of a file still fails its import. The
        graded names the file defines below that line are kept as not reached.
        """
        stop = raised_at(filename, self._describe_safely(exc))
        self.notes.append({"code": "file_stopped", "file": filename, **stop})
        if stop["line"] is not None:
            unreached = self.unreached.setdefault(name, {})
            for graded, line in defined_after(text, filename, stop["line"], self.graded).items():
                unreached[graded] = {"file": filename, "line": line, "cell": None, "count": None, "name": None,
                                     "stopped": stop}

    def _missing(self, module, name):
        """The error reply for a name the module lacks: not reached (its file or cell stopped above it), or missing."""
        where = self.unreached.get(module.__name__, {}).get(name)
        if where is not None and name not in module.__dict__:
            return {"ok": False, "error": {"kind": "not_reached", **where}}
        return {"ok": False, "error": {"kind": "missing"}}

    def _record_class(self, func, name, *bases, **kwargs):
        """``builtins.__build_class__``, remembering every class student code defines at the top of a file."""
        cls = self._build_class(func, name, *bases, **kwargs)
        try:
            module = getattr(func, "__module__", None)
            if module in self.finder.sources and func.__qualname__ == name and name in self.graded:
                self.own_classes[(module, name)] = cls
        except Exception:
            pass
        return cls

    def _op_new(self, request, buffers):
        args, kwargs = _decode_arguments(request, buffers)
        module, name = self.modules[request["module"]], request["class"]
        cls = module.__dict__.get(name, _MISSING)
        own = self.own_classes.get((module.__name__, name))
        if own is not None and own is not cls and not self._is_students(cls):
            # a later `from common.layers import *` (or `import ... as Relu`) rebound the name
            path = standin_path(cls)
            self.notes.append({"code": "own_class", "name": name, "standin": path,
                               "type": None if path else type_name(cls)})
            cls = own
        if cls is _MISSING:
            return self._missing(module, name)
        self.objects[request["handle"]] = cls(*args, **kwargs)
        return {"ok": True, "found": self._place_of(cls, module)}

    def _is_students(self, obj):
        return isinstance(obj, type) and getattr(obj, "__module__", None) in self.finder.sources

    def _place_of(self, cls, module):
        """Where the class (or function) was defined: its file, and for a notebook its cell and In [n]."""
        code = getattr(cls, "__code__", None) if isinstance(cls, types.FunctionType) else None
        for value in vars(cls).values() if isinstance(cls, type) else ():
            code = getattr(self.watch.original(getattr(value, "__func__", value)), "__code__", None)
            if code is not None:
                break
        label = code.co_filename if code is not None else getattr(module, "__file__", "")
        if label in self.places:
            filename, number, count = self.places[label]
            return {"file": filename, "cell": number, "count": count}
        return {"file": label if label in self.student_files else getattr(module, "__file__", "")}

    def _op_call(self, request, buffers):
        args, kwargs = _decode_arguments(request, buffers)
        handle = request["handle"]
        reply, runs = self._watched_call(handle, self.objects[handle], request["method"], args, kwargs)
        if runs:
            reply["forward_runs"] = [[0, *runs]]
        return reply

    def _watched_call(self, handle, obj, method, args, kwargs):
        """The reply to calling a method of an object, and what its forward did (``forward_watch.py``)."""
        target = _attribute(obj, method)
        refused = _refusal(target)
        if refused:
            return refused, None
        if method == "backward" and len(args) == 1 and not kwargs and _takes_nothing(target):
            args = ()  # `def backward(self)`: a loss layer the student's own network calls without dout
            if type(obj).__name__ not in self.no_dout:
                self.no_dout.add(type(obj).__name__)
                self.notes.append({"code": "no_dout", "name": type(obj).__name__[:200]})
        value, runs = self.watch.call(handle, obj, method, target, args, kwargs)
        return {"ok": True, "value": value}, runs

    def _op_sequence(self, request, buffers):
        decoder = Decoder(buffers, allow_plain=True)
        steps = [(step, decoder.value({"$seq": step.get("args", [])}),
                  {key: decoder.value(value) for key, value in step.get("kwargs", {}).items()})
                 for step in request["steps"]]
        decoder.finish()
        handle, results, forward_runs = request["handle"], [], []
        obj = self.objects[handle]
        done = {"ok": True, "results": results}
        for index, (step, args, kwargs) in enumerate(steps):
            runs = None
            try:
                if "get" in step:
                    reply = _value_reply(_attribute(obj, step["get"]))
                else:
                    reply, runs = self._watched_call(handle, obj, step["call"], args, kwargs)
            except BaseException as exc:
                reply = {"ok": False, "error": self._describe_safely(exc)}
            if runs:
                forward_runs.append([index, *runs])
            if not reply["ok"]:
                done["stopped"] = reply["error"]
                break
            results.append(reply["value"])
        if forward_runs:
            done["forward_runs"] = forward_runs
        return done

    def _op_define(self, request, buffers):
        self.defined[request["name"]] = define_course_module(request)
        return {"ok": True}

    def _op_call_function(self, request, buffers):
        args, kwargs = _decode_arguments(request, buffers)
        args = list(args)
        given = place_course_functions(self.defined, request, args, kwargs)
        student = self.modules[request["module"]]
        function = _attribute(student, request["function"])
        if function is _MISSING:
            return self._missing(student, request["function"])
        refused = _refusal(function)
        if refused:
            return refused
        result = call_asking_the_judge(student, request, given, self.ask_judge, lambda: function(*args, **kwargs))
        echo = request.get("echo") or []
        found = self._place_of(function, student)
        if echo:
            return {"ok": True, "value": (result, *(args[i] for i in echo)), "found": found}
        return {"ok": True, "value": result, "found": found}

    def _op_probe(self, request, buffers):
        """What this confined process can reach of the paths the judge names (``confine.probe_access``)."""
        return {"ok": True, "value": probe_access(request["read"][:500], request["write"][:500])}

    def _op_get(self, request, buffers):
        return _value_reply(_attribute(self.objects[request["handle"]], request["attr"]))

    def _describe_safely(self, exc):
        return describe_safely(exc, self.student_files, self.standins)

_MISSING = object()


def _attribute(obj, name):
    try:
        return getattr(obj, name)
    except AttributeError as exc:
        if exc.name == name and exc.obj is obj:
            return _MISSING
        raise


def _refusal(target):
    """The error reply for something that cannot be called (missing, or not a function); None if it can."""
    if target is _MISSING:
        return {"ok": False, "error": {"kind": "missing"}}
    if not callable(target):
        return {"ok": False, "error": {"kind": "not_callable", "type": type(target).__name__}}
    return None


def _takes_nothing(method):
    """Whether the bound ``method`` takes no argument at all (``def backward(self)``), from its signature."""
    function = getattr(method, "__func__", None)
    if type(function) is types.FunctionType and not {"__wrapped__", "__signature__"} & function.__dict__.keys():
        code = function.__code__  # a plain method: its code says what its signature would, at a fraction of the cost
        starred = code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
        return code.co_argcount == 1 and not code.co_kwonlyargcount and not starred
    try:
        return not inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def _value_reply(value):
    return {"ok": False, "error": {"kind": "missing"}} if value is _MISSING else {"ok": True, "value": value}


def _decode_arguments(request, buffers):
    decoder = Decoder(buffers, allow_plain=True)
    args = decoder.value({"$seq": request["args"]})
    kwargs = {key: decoder.value(value) for key, value in request["kwargs"].items()}
    decoder.finish()
    return args, kwargs



def main(argv):
    """Confine this process, then serve requests until the judge closes its end.

    Exit status 70 means a protocol failure or a failed confinement (which the
    judge is told about first).
    """
    import json

    read_fd, write_fd = int(argv[1]), int(argv[2])
    try:
        measures = confine(json.loads(argv[3]))
    except ConfinementError as exc:
        write_message(write_fd, {"ready": False, "problem": exc.problem})
        os._exit(70)
    try:
        serve(read_fd, write_fd, measures)
    finally:
        os._exit(70)


def serve(read_fd: int, write_fd: int, measures: list) -> None:
    """Greet the judge with the measures taken, then answer its requests; ends the process when it closes its
    end (an exception is the caller's exit status 70)."""
    warnings.simplefilter("default")
    session = Session()
    session.ask_judge = judge_line(read_fd, write_fd)
    sys.stdout = sys.stderr = session.capture
    write_message(write_fd, {"ready": True, "confined": measures})
    while True:
        try:
            request, buffers = read_message(read_fd)
        except WireClosed:
            os._exit(0)
        write_message(write_fd, *session.handle(request, buffers))
