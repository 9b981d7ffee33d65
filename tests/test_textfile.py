"""Student files as editors save them: encodings, line ends, links and special files."""
import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.submission.files import UnreadableFile, decode_source, read_bytes

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
KOREAN = "# 곱셈 계층: 순전파와 역전파\n"


def _gates(comment=KOREAN):
    return comment + (SOLUTIONS / "gates.py").read_text()


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("utf-8"),
    lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    lambda t: t.encode("cp949"),
    lambda t: t.encode("euc-kr"),
    lambda t: t.encode("utf-16"),
    lambda t: t.encode("utf-16-le"),
    lambda t: ("# -*- coding: euc-kr -*-\n" + t).encode("euc-kr"),
], ids=["utf8", "bom", "crlf", "cp949", "euc-kr", "utf16-bom", "utf16-no-bom", "coding-line"])
def test_every_common_encoding_reads_back_the_same_text(encode):
    text, _ = decode_source(encode(_gates()), "gates.py")
    assert KOREAN.strip() in text and "\r" not in text and "class MulLayer" in text


def test_cp949_is_read_with_a_note_naming_the_encoding():
    _, notes = decode_source(_gates().encode("cp949"), "gates.py")
    assert "Korean Windows encoding (CP949/EUC-KR)" in notes[0]


def test_latin1_is_refused_naming_the_encoding_and_how_to_save():
    with pytest.raises(UnreadableFile, match=r"not UTF-8 text \(byte 0xe9 on line 1\); it looks like Latin-1 or "
                                             r"Windows-1252\. Save it as UTF-8"):
        decode_source("# résultat\nx = 1\n".encode("latin-1"), "gates.py")


def test_links_fifos_and_large_files_are_refused(tmp_path):
    target = tmp_path / "real.py"
    target.write_text("x = 1\n")
    (tmp_path / "link.py").symlink_to(target)
    os.mkfifo(tmp_path / "pipe.py")
    with pytest.raises(UnreadableFile, match="symbolic link"):
        read_bytes(tmp_path / "link.py")
    with pytest.raises(UnreadableFile, match=r"not a regular file \(it is a named pipe \(FIFO\)\)"):
        read_bytes(tmp_path / "pipe.py")
    with pytest.raises(UnreadableFile, match="more than the 1 KB"):
        (tmp_path / "big.py").write_text("#" * 5000)
        read_bytes(tmp_path / "big.py", limit=1024)
    assert read_bytes(target) == b"x = 1\n"


@pytest.mark.parametrize("encoding", ["cp949", "utf-16", "utf-8-sig"])
def test_a_windows_saved_file_with_korean_comments_scores_full_marks(tmp_path, encoding):
    text = _gates().replace("        dx = dout * self.y\n", "        dx = dout * self.y  # y를 곱한다\n")
    (tmp_path / "gates.py").write_bytes(text.replace("\n", "\r\n").encode(encoding))
    result = subprocess.run([sys.executable, "-m", "grader.cli", "gates", "--submission", str(tmp_path / "gates.py"),
                             "--format", "json", "-o", "-", "--seed", "3"], capture_output=True, text=True, cwd=tmp_path)
    report = json.loads(result.stdout)
    assert report["score"] == report["max_score"] > 0, result.stdout[-2000:]


def test_a_symlinked_module_is_refused_on_its_own_tests_only(tmp_path):
    solutions = ROOT / "courses" / "backprop" / "solutions"
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "gates.py").symlink_to(solutions / "gates.py")
    (folder / "activations.py").write_text((solutions / "activations.py").read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "grader.cli", "gates", "activations", "--submission", str(folder),
                             "--format", "json", "-o", "-", "--seed", "3", "--lang", "en"],
                            capture_output=True, text=True, cwd=tmp_path)
    report = json.loads(result.stdout)
    gates = [t for t in report["tests"] if t["assignment"] == "gates"]
    assert gates and all(t["score"] == 0 and "gates.py is a symbolic link" in t["message"] for t in gates)
    activations = [t for t in report["tests"] if t["assignment"] == "activations"]
    assert activations and all(t["status"] == "passed" for t in activations)


@pytest.mark.parametrize("raw, words", [
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": 5}]}', "code cell 1 has no readable source"),
    (b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": ["a", 1]}]}', "code cell 1 has no readable source"),
    (b'{"nbformat": [4], "cells": []}', "uses notebook format 'unknown'"),
    (b'{"nbformat": 3, "worksheets": {"cells": 1}}', "has no code cells"),
])
def test_hostile_notebooks_are_refused_with_a_message_never_an_exception(tmp_path, raw, words):
    from grader.submission import read_module

    (tmp_path / "gates.ipynb").write_bytes(raw)
    source = read_module("gates", tmp_path / "gates.ipynb")
    assert words in (source.problem or " ".join(source.notes))


def test_a_cell_that_would_exhaust_the_judges_memory_is_never_compiled_in_the_judge(tmp_path, monkeypatch):
    import builtins

    from grader.submission import read_module

    cell = "x = " + "(" * 200_000 + ")" * 200_000
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1, "source": cell}]}
    (tmp_path / "gates.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    calls = []
    real_compile = builtins.compile
    monkeypatch.setattr(builtins, "compile", lambda *a, **k: calls.append(a) or real_compile(*a, **k))
    source = read_module("gates", tmp_path / "gates.ipynb")
    assert source.problem is None and len(source.cells) == 1
    assert not calls
