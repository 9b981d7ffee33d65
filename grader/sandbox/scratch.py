"""Removing a child's scratch folder: without recursion, without following links, without raising.

Student code controls what is in the folder: a tree thousands of levels deep
(``shutil.rmtree`` recurses and raises ``RecursionError``; paths outgrow
``PATH_MAX``), folders without permissions, symbolic links out of it. This
walks it with two open folders at a time: every folder found inside a folder
of the top level is moved up to the top level under a fresh name, so no path
ever grows, and everything else is unlinked where it is.
"""
from __future__ import annotations

import os
import stat

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
MAX_STEPS = 100_000


def remove_tree(path: str) -> bool:
    """Delete ``path`` and everything in it; True when it is gone. Never raises."""
    try:
        top = os.open(path, _DIRECTORY)
    except OSError:
        return _unlink_or_rmdir(path)
    try:
        _empty(top)
    except (OSError, ValueError):
        pass
    finally:
        os.close(top)
    return _unlink_or_rmdir(path)


def _unlink_or_rmdir(path: str) -> bool:
    for remove in (os.rmdir, os.unlink):
        try:
            remove(path)
            return True
        except FileNotFoundError:
            return True
        except OSError:
            continue
    return False


def _empty(top: int) -> None:
    moved, before = 0, None
    for _ in range(MAX_STEPS):
        names = sorted(os.listdir(top))
        if not names or names == before:  # empty, or nothing more can be removed
            return
        before = names
        for name in names:
            if not _is_folder(name, top):
                _quietly(os.unlink, name, dir_fd=top)
                continue
            _quietly(os.chmod, name, 0o700, dir_fd=top, follow_symlinks=False)
            try:
                inner = os.open(name, _DIRECTORY, dir_fd=top)
            except OSError:
                continue
            try:
                for child in os.listdir(inner):
                    if _is_folder(child, inner):
                        moved += 1
                        _quietly(os.rename, child, f".up{moved}", src_dir_fd=inner, dst_dir_fd=top)
                    else:
                        _quietly(os.unlink, child, dir_fd=inner)
            finally:
                os.close(inner)
            _quietly(os.rmdir, name, dir_fd=top)


def _is_folder(name: str, folder: int) -> bool:
    try:
        return stat.S_ISDIR(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _quietly(action, *args, **kwargs) -> None:
    try:
        action(*args, **kwargs)
    except OSError:
        pass
