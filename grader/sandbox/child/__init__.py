"""The child's side of the sandbox: the process that runs student code, and the zygote that forks it.

A real package that imports only the standard library and numpy
(``tests/test_layers.py`` holds it to that): the judge starts it as
``python -I -S -c <boot> ...``, which runs ``grader.sandbox.child`` as
``__main__`` (``__main__.py``); ``grade`` forks it from itself instead
(``grader/sandbox/forked_zygote.py``), which ends the same way. The judge
imports its ``wire`` module, the one both sides speak; nothing here imports
the judge.

    zygote.py         forks a fresh child for each request, once numpy is loaded
    confine.py        what the child does to itself before any student code runs
    namespaces.py     its own network, IPC, PID and mount namespaces (and a keeper if any)
    syscalls.py       the seccomp filter, compiled with the system's libseccomp
    session.py        the requests: load modules, create objects, call, read
    describe.py       an exception of student code, for the judge (its text, place and data)
    results.py        return values in wire form, and why one is not accepted (a code)
    cells.py          notebooks run cell by cell, as Jupyter runs them
    calls.py          course functions handed to student code, and the stand-in that asks the judge
    forward_watch.py  what a layer's forward did during its backward
    standin.py        stand-ins for the modules the grader does not provide
    capture.py        what student code prints, kept up to a limit
    wire.py           the message format both sides speak
    common/           the book's common.util and common.functions, served to student code as text

May import: the standard library and numpy only.
"""
