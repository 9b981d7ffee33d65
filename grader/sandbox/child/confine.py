"""What the child does to itself before any student code runs.

The child calls :func:`confine` once, first thing, and reports back the list
of measures it took; they are, in order:

1. resource limits: memory (address space), file size, no core dumps, CPU
   time, and, when it runs under its own user id, the number of processes;
2. loading numpy and the standard modules student code commonly uses, while
   the files are still readable (afterwards they may not be);
3. ``PR_SET_NO_NEW_PRIVS``, so no program it starts can gain privileges;
4. when started as root: giving up root for good, to a user id of its own
   (``setgroups([])``, ``setresgid``, ``setresuid``, then checking root cannot
   be regained);
5. ``PR_SET_PDEATHSIG``, so it is killed if the judge dies (set after 4,
   because changing user clears it);
6. Landlock, where the kernel has it: no file can be opened outside the
   scratch directory, no program can be run, no TCP connection made, and no
   signal sent to a process outside the sandbox;
7. an import guard: from now on only modules already loaded, the standard
   library, numpy and scipy (readable under Landlock, read-only), the
   student's own and the book's ``common`` can be imported for real; the
   child's stand-in finder (``standin.py``) answers for everything else, so
   a submission behaves the same on every machine.

Anything the grader asked for that fails (giving up root) stops the child
with :class:`ConfinementError`, whose ``problem`` says which as data for the
judge to word (``grader/sandbox/words.py``); a protection the kernel lacks
(Landlock on an old kernel or on macOS) is skipped and left out of the report.
"""
import ctypes
import importlib
import os
import signal
import stat
import struct
import sys
try:
    import resource
except ImportError:  # Windows, where only the portable child (portable.py) runs: no rlimit
    resource = None

from .standin import STANDIN_PROVIDED_PACKAGES, standin_provided
from .namespaces import _PR_SET_PDEATHSIG, drop_capabilities, enter_namespaces, forget_parent, parent_gone
from .syscalls import load_seccomp, refuse_syscalls

# Loaded before the sandbox closes; student code can import these, and
# everything they import in turn, but nothing else from the installation.
PRELOAD_NUMPY = ("numpy",)  # its lazily loaded submodules only when a submission uses them (standin_preloads)
PRELOAD_STDLIB = (
    "abc", "array", "bisect", "collections", "collections.abc", "contextlib", "copy", "ctypes",
    "dataclasses", "datetime", "decimal", "encodings.ascii", "encodings.latin_1", "enum",
    "fractions", "functools", "heapq", "itertools", "json", "logging", "math", "numbers",
    "operator", "os", "pickle", "pprint", "random", "re", "statistics", "string", "struct",
    "sys", "textwrap", "time", "traceback", "types", "typing", "warnings", "weakref",
)

PROCESS_LIMIT_IN_NAMESPACE = 16
OPEN_FILES = 256
_PR_SET_NO_NEW_PRIVS = 38
_SYS_LANDLOCK_CREATE_RULESET = 444  # the same number on every Linux architecture
_SYS_LANDLOCK_ADD_RULE = 445
_SYS_LANDLOCK_RESTRICT_SELF = 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1
_FS_EXECUTE = 1 << 0
_FS_READ_FILE = 1 << 2
_FS_READ_DIR = 1 << 3
_QUIET_OPEN = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)  # none on Windows


class ConfinementError(RuntimeError):
    """The child could not take a measure the grader requires: a problem of the grading machine."""

    def __init__(self, code, **params):
        self.problem = {"code": code, **params}
        super().__init__(" ".join(f"{key}={value}" for key, value in self.problem.items()))


class ImportGuard:
    """A ``sys.meta_path`` finder that refuses every import reaching it but the provided ones.

    It sits after the finder serving the student's modules and before the
    standard ones, so an import gets here only when the module is neither
    loaded already nor part of the submission. The standard library, numpy
    and scipy pass on to the standard finders.
    """

    def find_spec(self, fullname, path=None, target=None):
        if standin_provided(fullname):
            return None
        raise ModuleNotFoundError(f"{fullname} is not available to student code", name=fullname)


def confine(settings: dict) -> list:
    """Take every measure of the module docstring; return them as data (``{"code": ..., fields}``, with
    ``"missing": True`` for a protection this machine could not give), for the judge to word."""
    done, missing = [_limit_resources(settings)], []
    in_cgroup = _join_cgroup(settings.get("cgroup"))
    for name in PRELOAD_NUMPY + PRELOAD_STDLIB:
        if name not in sys.modules:  # forked from the zygote, all are: touching them copies their pages
            importlib.import_module(name)
    _preload_for_submission(settings.get("preload") or ())
    load_seccomp(settings.get("protect") or ())
    account = settings.get("account")
    isolated, refused = enter_namespaces(os.getcwd(), account, settings["parent"],
                                         settings.get("namespaces", True), settings.get("zygote"))
    done += isolated
    missing += refused
    if account is not None and not _taken("private_root", isolated):
        jailed = _enter_jail(settings.get("jail"))
        (done if jailed["code"] == "jail" else missing).append(jailed)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if sys.platform.startswith("linux"):
        _prctl(libc, _PR_SET_NO_NEW_PRIVS, 1)
    processes = _give_up_privileges(account, isolated, done, missing)
    (done if in_cgroup else missing).append(_memory_bound(settings["memory_mb"], in_cgroup, processes))
    if sys.platform.startswith("linux"):
        _prctl(libc, _PR_SET_PDEATHSIG, signal.SIGKILL)
        # the judge (or the zygote or keeper it dies with in its PID namespace) died before the line above
        in_pid_namespace = _taken("pid_namespace", isolated)
        if parent_gone() or (not in_pid_namespace and os.getppid() != settings["parent"]):
            os._exit(0)
        forget_parent()
        done.append({"code": "dies_with_grader"})
        done.append(_landlock(libc, ".", _readable_roots()) or {"code": "no_landlock"})
    if account is None and os.name == "posix" and os.getgroups():
        missing.append({"code": "groups_kept"})
    done.append({"code": "seccomp"} if refuse_syscalls() else {"code": "no_seccomp"})
    sys.meta_path.insert(0, ImportGuard())
    return done + [{**measure, "missing": True} for measure in missing]


def _taken(code, measures) -> bool:
    return any(measure["code"] == code for measure in measures)


def _give_up_privileges(account, isolated, done, missing):
    """Root given up for the child's own user id, or a user namespace's capabilities; returns its process limit."""
    if account is not None:
        _drop_privileges(*account)
        done.append({"code": "own_user", "uid": account[0]})
        return resource.getrlimit(resource.RLIMIT_NPROC)[0]
    if isolated:
        drop_capabilities()
    if isolated and _limit_processes_in_user_namespace(isolated):
        done.append({"code": "processes_in_user_namespace", "processes": PROCESS_LIMIT_IN_NAMESPACE})
        return PROCESS_LIMIT_IN_NAMESPACE
    missing.append({"code": "no_process_limit"})
    return None


def _join_cgroup(procs):
    """Join the memory cgroup the judge made for this child (while still root); False if there is none."""
    if not procs:
        return False
    try:
        with open(procs, "w", encoding="ascii") as file:
            file.write(str(os.getpid()))
    except OSError as exc:
        raise ConfinementError("cgroup", error=str(exc.strerror or exc)) from None
    return True


def _memory_bound(megabytes, in_cgroup, processes):
    if in_cgroup:
        return {"code": "memory_cgroup", "megabytes": megabytes}
    return {"code": "no_memory_cgroup", "megabytes": megabytes, "pipes": OPEN_FILES, "processes": processes}


def _preload_for_submission(names):
    """Import the provided modules the submission's files mention (scipy.signal, glob...), while readable.

    Only library code runs here (names the import guard would let through);
    one that fails to load is left for the student's import to report.
    """
    for name in names[:100]:
        if isinstance(name, str) and standin_provided(name):
            try:
                importlib.import_module(name)
            except BaseException:
                pass


def _enter_jail(jail):
    """Make the child's own folder its root (``chroot``), for a root judge without a private root file system.

    The folder holds only the scratch folder, so no file of the machine (the
    grader, the course, classmates, ``/tmp``, ``/proc``) can be named any
    more. Done while still root; once the child gives up root it cannot
    ``chroot`` again (and the seccomp filter refuses it besides).
    """
    if not jail:
        return {"code": "no_jail", "error": "no folder to make its root"}
    inside = "/" + os.path.relpath(os.getcwd(), jail)
    try:
        os.chroot(jail)
        os.chdir(inside)
    except OSError as exc:
        return {"code": "no_jail", "error": f"chroot: {exc.strerror}"}
    os.environ.update(HOME=inside, TMPDIR=inside)
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = None
    return {"code": "jail", "file_megabytes": 16}


def _limit_resources(settings):
    """Lower soft and hard limits, so student code cannot raise them again.

    Past the soft CPU limit the process gets SIGXCPU. The process limit counts
    every process of the user, so it is only set when the child has a user id
    of its own (as root, it takes effect when the child gives up root).
    """
    memory, files = settings["memory_mb"] << 20, settings["file_mb"] << 20
    cpu, processes = settings["cpu_seconds"], settings.get("processes")
    limits = [
        (resource.RLIMIT_AS, memory, memory),
        (resource.RLIMIT_FSIZE, files, files),
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_CPU, cpu, cpu + 5),
        (resource.RLIMIT_NOFILE, OPEN_FILES, OPEN_FILES),  # bounds its pipes' buffers too
    ]
    if processes is not None:
        limits.append((resource.RLIMIT_NPROC, processes, processes))
    for which, soft, hard in limits:
        current = resource.getrlimit(which)[1]
        if current != resource.RLIM_INFINITY:
            soft, hard = min(soft, current), min(hard, current)
        resource.setrlimit(which, (soft, hard))
    return {"code": "limits", "memory_megabytes": settings["memory_mb"], "file_megabytes": settings["file_mb"],
            "open_files": OPEN_FILES, "cpu_seconds": cpu, "processes": processes}


def _limit_processes_in_user_namespace(isolated) -> bool:
    """Bound a fork bomb when the child shares the judge's user id but has a user namespace of its own.

    The kernel counts ``RLIMIT_NPROC`` per user id *and user namespace*, so
    the limit reaches only this child's processes (and its keeper, if any), never
    the judge's or another child's.
    """
    if not any(measure.get("user_namespace") for measure in isolated):
        return False
    resource.setrlimit(resource.RLIMIT_NPROC, (PROCESS_LIMIT_IN_NAMESPACE, PROCESS_LIMIT_IN_NAMESPACE))
    return True


def _drop_privileges(uid, gid):
    try:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    except OSError as exc:
        raise ConfinementError("user_switch", uid=uid, error=str(exc)) from None
    try:
        os.setuid(0)
    except PermissionError:
        pass
    else:
        raise ConfinementError("root_regained")
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups():
        raise ConfinementError("user_not_taken", uid=uid)


def _prctl(libc, option, value):
    if libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) != 0:
        raise ConfinementError("prctl", option=option, error=os.strerror(ctypes.get_errno()))


def _readable_roots():
    """Folders student code may read (never write): the standard library, numpy, and scipy when installed.

    Reading them lets student code import any of their modules lazily; none
    of them holds anything of the grader's.
    """
    import importlib.util

    stdlib = os.path.dirname(os.__file__)
    roots = {stdlib, os.path.join(stdlib, "lib-dynload")}
    for package in sorted(STANDIN_PROVIDED_PACKAGES):
        try:
            spec = importlib.util.find_spec(package)
        except Exception:  # an unreadable folder on sys.path, a broken installation
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            roots.add(location)
            roots.add(location.rstrip(os.sep) + ".libs")  # the wheels' bundled shared libraries
            roots.add(os.path.join(os.path.dirname(location), package + ".libs"))
    return sorted(root for root in roots if os.path.isdir(root))


def _landlock(libc, scratch, readable=()):
    """Restrict the process with Landlock; returns a description, or "" if the kernel has none.

    Rights the kernel's Landlock version knows are all handled (denied), then
    every file right but execution is given back beneath ``scratch``. Version
    4 adds TCP bind/connect (denied), version 6 scopes abstract Unix sockets
    and signals to the sandbox.
    """
    abi = libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                       ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    if abi < 1:
        return ""
    fs_rights = (1 << 13) - 1  # version 1: execute ... make_sym
    for version, bit in ((2, 13), (3, 14), (5, 15)):  # refer, truncate, ioctl_dev
        if abi >= version:
            fs_rights |= 1 << bit
    net_rights = 0b11 if abi >= 4 else 0  # bind_tcp, connect_tcp
    scoped = 0b11 if abi >= 6 else 0  # abstract unix sockets, signals
    fields = [fs_rights] + ([net_rights] if abi >= 4 else []) + ([scoped] if abi >= 6 else [])
    attr = struct.pack(f"<{len(fields)}Q", *fields)
    ruleset = libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.c_char_p(attr), ctypes.c_size_t(len(attr)),
                           ctypes.c_uint32(0))
    if ruleset < 0:
        return ""
    folder = os.open(scratch, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        rule = struct.pack("<Qi", fs_rights & ~_FS_EXECUTE, folder)
        if libc.syscall(_SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_LANDLOCK_RULE_PATH_BENEATH),
                        ctypes.c_char_p(rule), ctypes.c_uint32(0)) != 0:
            return ""
        for root in readable:
            if not _landlock_allow(libc, ruleset, root, _FS_READ_FILE | _FS_READ_DIR):
                return ""
        if libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            return ""
    finally:
        os.close(folder)
        os.close(ruleset)
    return {"code": "landlock", "abi": abi}


def _landlock_allow(libc, ruleset, path, rights):
    """Add a rule granting ``rights`` beneath ``path``; False if the kernel refused it."""
    try:
        folder = os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return True  # nothing there to read
    try:
        rule = struct.pack("<Qi", rights, folder)
        return libc.syscall(_SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_LANDLOCK_RULE_PATH_BENEATH),
                            ctypes.c_char_p(rule), ctypes.c_uint32(0)) == 0
    finally:
        os.close(folder)


def probe_access(read, write):
    """``(readable, writable)``: the positions of the paths this process, confined, could read, and could write.

    Asked by the judge before any student code runs, so the answer is the
    kernel's, not student code's. Nothing is changed: a folder is written by
    making and removing an empty folder in it, a file by opening it for
    appending; special files are opened without blocking and never read.
    """
    readable = [i for i, path in enumerate(read) if isinstance(path, str) and _can_read(path)]
    writable = [i for i, path in enumerate(write) if isinstance(path, str) and _can_write(path)]
    return readable, writable


def _can_read(path):
    try:
        fd = os.open(path, os.O_RDONLY | _QUIET_OPEN)
    except OSError:
        return False
    try:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            os.listdir(fd)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _can_write(path):
    if os.path.isdir(path):
        trial = os.path.join(path, f".grader-probe-{os.getpid()}")
        try:
            os.mkdir(trial, 0o700)
        except FileExistsError:
            return True
        except OSError:
            return False
        try:
            os.rmdir(trial)
        except OSError:
            pass
        return True
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | _QUIET_OPEN)
    except OSError:
        return False
    os.close(fd)
    return True
