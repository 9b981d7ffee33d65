"""Removing a scratch folder student code has shaped (runner/scratch.py): deep, locked, linked out."""
import os

from grader.sandbox.scratch import remove_tree


def test_a_3000_deep_tree_with_locked_folders_is_removed_without_following_links(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the scratch folder's")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    top = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY)
    folder = top
    for _ in range(3000):  # deeper than PATH_MAX allows to name, and than Python's recursion limit
        os.mkdir("d", dir_fd=folder)
        inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=folder)
        if folder != top:
            os.close(folder)
        folder = inner
    os.symlink(str(outside), "link", dir_fd=folder)
    os.close(folder)
    os.close(top)
    (scratch / "locked").mkdir()
    (scratch / "locked" / "file").write_text("x")
    os.chmod(scratch / "locked", 0)
    os.symlink(str(outside / "keep.txt"), scratch / "link.txt")

    assert remove_tree(str(scratch)) is True
    assert not scratch.exists()
    assert (outside / "keep.txt").read_text() == "not the scratch folder's"


def test_a_missing_folder_or_a_file_is_no_error(tmp_path):
    assert remove_tree(str(tmp_path / "never-made")) is True
    (tmp_path / "plain").write_text("x")
    assert remove_tree(str(tmp_path / "plain")) is True
    assert not (tmp_path / "plain").exists()
