"""A Windows Job Object for the portable child: a memory limit for all its processes, all killed with it.

Loaded only on Windows (``portable.py``), through ``ctypes``: the job limits
the memory committed by every process in it together, and is made with
``KILL_ON_JOB_CLOSE``, so the child and everything it started end when the
judge closes the job or dies. The child is put in the job right after it
starts, while it loads numpy: it runs no student code before the judge's
first request.
"""
from __future__ import annotations

import ctypes
from ctypes import wintypes

_JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9
_LIMIT_JOB_MEMORY = 0x00000200
_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000
_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400


class _IoCounters(ctypes.Structure):
    _fields_ = [(name, ctypes.c_ulonglong) for name in (
        "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
        "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]


class _BasicLimits(ctypes.Structure):
    _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                ("LimitFlags", wintypes.DWORD), ("MinimumWorkingSetSize", ctypes.c_size_t),
                ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", wintypes.DWORD),
                ("Affinity", ctypes.c_size_t), ("PriorityClass", wintypes.DWORD),
                ("SchedulingClass", wintypes.DWORD)]


class _ExtendedLimits(ctypes.Structure):
    _fields_ = [("BasicLimitInformation", _BasicLimits), ("IoInfo", _IoCounters),
                ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]


class JobObject:
    """The job holding one child process (a ``subprocess.Popen``), limited to ``memory_mb`` in all."""

    def __init__(self, process, memory_mb: int):
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.CreateJobObjectW.restype = wintypes.HANDLE
        self._kernel32 = kernel32
        self._handle = kernel32.CreateJobObjectW(None, None)
        if not self._handle:
            raise ctypes.WinError(ctypes.get_last_error())
        limits = _ExtendedLimits()
        limits.BasicLimitInformation.LimitFlags = (_LIMIT_JOB_MEMORY | _LIMIT_KILL_ON_JOB_CLOSE
                                                   | _LIMIT_DIE_ON_UNHANDLED_EXCEPTION)
        limits.JobMemoryLimit = memory_mb << 20
        if not kernel32.SetInformationJobObject(wintypes.HANDLE(self._handle), _JOB_OBJECT_EXTENDED_LIMIT_INFORMATION,
                                                ctypes.byref(limits), ctypes.sizeof(limits)):
            self.close()
            raise ctypes.WinError(ctypes.get_last_error())
        if not kernel32.AssignProcessToJobObject(wintypes.HANDLE(self._handle),
                                                 wintypes.HANDLE(int(process._handle))):
            self.close()
            raise ctypes.WinError(ctypes.get_last_error())

    def terminate(self) -> None:
        """Kill every process of the job."""
        if self._handle:
            self._kernel32.TerminateJobObject(wintypes.HANDLE(self._handle), 1)

    def close(self) -> None:
        """Close the job (which kills what is left in it)."""
        if self._handle:
            self._kernel32.CloseHandle(wintypes.HANDLE(self._handle))
            self._handle = None
