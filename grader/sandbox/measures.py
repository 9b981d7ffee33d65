"""How student code is confined, as the child reported it, worded here for the report's ``isolation``.

The child sends each measure it took, and each protection this machine could
not give, as data (``child/confine.py``, ``child/namespaces.py``)::

    {"code": "limits", "memory_megabytes": 2048, "file_megabytes": 16, "open_files": 256,
     "cpu_seconds": 60, "processes": 16}
    {"code": "no_pid_namespace", "error": "unshare(PID): Operation not permitted", "missing": true}

Every field is checked before it is worded; a measure that does not check
out is an unexpected greeting. The child sends it before any student code has
run, but it is still read as what it is: data from another process.
"""
from __future__ import annotations

from grader.lang import N_, _
from grader.sandbox.child.wire import WireError
from grader.sandbox.errors import RunnerStartError
from grader.sandbox.words import number, text


def _count_or_none(value):
    return None if value is None else number(value)


def _flag(value):
    if type(value) is not bool:
        raise WireError("the greeting has a malformed measure")
    return value


# code: (its words, {field: check})
MEASURES = {
    "limits": (N_("{memory_megabytes} MB of memory, {file_megabytes} MB files, {open_files} open files, "
                  "{cpu_seconds} s of CPU"),
               {"memory_megabytes": number, "file_megabytes": number, "open_files": number,
                "cpu_seconds": number, "processes": _count_or_none}),
    "namespaces": (N_("own network and IPC namespaces"), {"user_namespace": _flag}),
    "no_namespaces": (N_("no kernel namespaces ({error})"), {"error": text}),
    "private_root": (N_("own file system: a {megabytes} MB tmpfs of {files} files, nothing else visible"),
                     {"megabytes": number, "files": number}),
    "no_private_root": (N_("no private file system ({error}): the machine's files are visible"), {"error": text}),
    "pid_namespace": (N_("own PID namespace: everything it starts ends with it"), {}),
    "no_pid_namespace": (N_("no PID namespace ({error})"), {"error": text}),
    "jail": (N_("own file system root: its scratch folder alone (chroot; on the machine's disk, "
                "{file_megabytes} MB per file)"), {"file_megabytes": number}),
    "no_jail": (N_("no private file system ({error})"), {"error": text}),
    "own_user": (N_("user id {uid} (not root)"), {"uid": number}),
    "processes_in_user_namespace": (N_("{processes} processes (counted in its user namespace)"),
                                    {"processes": number}),
    "no_process_limit": (N_("no process limit (it would count the grader's own processes: only a grader running "
                            "as root, or allowed user namespaces, can give student code one)"), {}),
    "memory_cgroup": (N_("a memory cgroup: {megabytes} MB for all its processes, files in memory and pipes"),
                      {"megabytes": number}),
    "no_memory_cgroup": (N_("no memory cgroup (only a grader running as root, where the machine's cgroups can be "
                            "written, makes one): memory is bounded by process, {megabytes} MB and {pipes} pipes "
                            "per process"), {"megabytes": number, "pipes": number, "processes": _count_or_none}),
    "dies_with_grader": (N_("killed if the grader dies"), {}),
    "landlock": (N_("Landlock v{abi}: files only in its scratch folder, no programs"), {"abi": number}),
    "no_landlock": (N_("no Landlock (the kernel has none)"), {}),
    "groups_kept": (N_("supplementary groups kept (only a grader running as root can drop them)"), {}),
    "seccomp": (N_("seccomp: no sockets, programs, memory files, pipe resizing, ptrace, System V IPC, namespaces, "
                   "mounts, bpf or perf events"), {}),
    "no_seccomp": (N_("no seccomp filter (libseccomp is not installed)"), {}),
    # the portable runner (Windows, macOS): limits one by one, and what it lacks
    "memory_limit": (N_("{megabytes} MB of memory"), {"megabytes": number}),
    "file_limit": (N_("{megabytes} MB files"), {"megabytes": number}),
    "cpu_limit": (N_("{seconds} s of CPU"), {"seconds": number}),
    "job_object": (N_("a Job Object: {megabytes} MB of memory for all its processes"), {"megabytes": number}),
    "no_linux_confinement": (N_("no Linux confinement (no kernel namespaces, seccomp filter or Landlock): student "
                                "code can read and write what the grading user can, and use the network"), {}),
}
# what a measure adds to its words, by field
IN_A_USER_NAMESPACE = N_(" (in a user namespace)")
PROCESSES = N_(", {processes} processes")
UP_TO_PROCESSES = N_(", up to {processes} processes")
PROCESSES_UNBOUNDED = N_(", processes unbounded")
LANDLOCK_TCP = N_(", no TCP")
LANDLOCK_SIGNALS = N_(", no signals outside the sandbox")
MISSING = N_("missing: {measure}")


def checked(measures) -> list[dict]:
    """The child's measures, each checked (a known code, exactly its fields, each of its type); else WireError."""
    if type(measures) is not list or len(measures) > 50:
        raise WireError("the greeting has malformed measures")
    for measure in measures:
        known = MEASURES.get(measure.get("code")) if type(measure) is dict else None
        fields = {"code", *known[1]} if known else set()
        if not known or measure.keys() - {"missing"} != fields or measure.get("missing", True) is not True:
            raise WireError("the greeting has a malformed measure")
        for field, check in known[1].items():
            check(measure[field])
    return measures


def greeting_measures(header: dict) -> list[dict]:
    """The measures of the child's greeting (``{"ready": true, "confined": [...]}``), each :func:`checked`;
    else RunnerStartError (student code may have written anything there)."""
    try:
        if header.keys() != {"ready", "confined"} or header["ready"] is not True:
            raise WireError("not a greeting")
        return checked(header["confined"])
    except WireError:
        raise RunnerStartError(_("the process for student code sent an unexpected greeting")) from None


def worded(measure: dict) -> str:
    """One checked measure in the report's language."""
    words, _fields = MEASURES[measure["code"]]
    said = _(words).format(**measure) + _extra(measure)
    return _(MISSING).format(measure=said) if measure.get("missing") else said


def _extra(measure: dict) -> str:
    code, processes = measure["code"], measure.get("processes")
    if code == "namespaces":
        return _(IN_A_USER_NAMESPACE) if measure["user_namespace"] else ""
    if code == "limits":
        return _(PROCESSES).format(processes=processes) if processes is not None else ""
    if code == "no_memory_cgroup":
        return _(UP_TO_PROCESSES).format(processes=processes) if processes else _(PROCESSES_UNBOUNDED)
    if code == "landlock":
        return (_(LANDLOCK_TCP) if measure["abi"] >= 4 else "") + (_(LANDLOCK_SIGNALS) if measure["abi"] >= 6 else "")
    return ""
