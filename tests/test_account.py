"""The user ids set aside for student code: a lock file per id, strays killed only where a judge may have left them."""
import os
import subprocess
import time

import pytest

from grader.sandbox import account

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only a judge running as root sets user ids aside")
FREE_UID = 60990  # no entry in /etc/passwd on the machines the tests run on


@pytest.fixture
def lock_folder(tmp_path, monkeypatch):
    """A lock folder of its own, as a fresh container's ``/run`` would give."""
    folder = tmp_path / "uids"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(account, "_lock_folder", lambda: folder)
    return folder


def _process_of(uid: int) -> subprocess.Popen:
    def become():
        os.setgid(uid)
        os.setuid(uid)

    process = subprocess.Popen(["sleep", "60"], preexec_fn=become)
    deadline = time.monotonic() + 5
    while process.pid not in account._processes_of(uid) and time.monotonic() < deadline:
        time.sleep(0.01)
    return process


def test_a_user_id_never_held_here_kills_nothing_and_one_left_uncontained_kills_its_strays(lock_folder, monkeypatch):
    monkeypatch.setattr(account, "UID_BASE", FREE_UID)
    monkeypatch.setattr(account, "SLOTS", 1)
    stray = _process_of(FREE_UID)
    try:
        first = account.reserve_account()
        assert first.uid == FREE_UID
        assert stray.poll() is None, "a lock file made just now has no previous holder whose strays it could be"
        first.release(kill=False)  # a holder that never said its children were contained
        second = account.reserve_account()
        assert stray.wait(5) == -9
        second.release(kill=False)
    finally:
        stray.kill()
        stray.wait()


def test_a_contained_holder_leaves_the_next_one_nothing_to_kill(lock_folder, monkeypatch):
    monkeypatch.setattr(account, "UID_BASE", FREE_UID)
    monkeypatch.setattr(account, "SLOTS", 1)
    first = account.reserve_account()
    first.mark_contained(True)
    first.release(kill=False)
    process = _process_of(FREE_UID)  # not this judge's: it must survive the next reservation
    try:
        account.reserve_account().release(kill=False)
        assert process.poll() is None
    finally:
        process.kill()
        process.wait()


def test_judges_with_lock_folders_of_their_own_rarely_pick_the_same_user_id(tmp_path, monkeypatch):
    picked = set()
    for number in range(8):
        folder = tmp_path / f"container{number}"
        folder.mkdir(mode=0o700)
        monkeypatch.setattr(account, "_lock_folder", lambda folder=folder: folder)
        held = account.reserve_account()
        picked.add(held.uid)
        held.release(kill=False)
    assert len(picked) > 1, picked
    assert all(account.UID_BASE <= uid < account.UID_BASE + account.SLOTS for uid in picked)


def test_two_runners_of_one_judge_never_share_a_user_id(lock_folder):
    held = [account.reserve_account() for _ in range(5)]
    try:
        assert len({a.uid for a in held}) == 5
    finally:
        for a in held:
            a.release(kill=False)
