"""Every file the grader writes: each string escaped for where it goes, each student's files their own.

A class whose folder names are spreadsheet formulas, invisible format
characters, names of the grader's own files, names that differ only by case
or Unicode form, names Windows reserves, separators and over-long names, and
one student whose code prints and raises every invisible character, is graded
by ``grader batch``; then every file written is read back.
"""
from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from builtin_course import SOLUTIONS
from grader.reports import classroom, render
from grader.lang.sanitize import clean, csv_cell
from test_adversarial import build_submission

# every control, format, line and paragraph separator character but tab and newline
INVISIBLE_CHARACTERS = "".join(chr(code) for code in range(0x110000) if chr(code) not in "\t\n"
                               and unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp"))
INVISIBLE = re.compile("[%s]" % re.escape(INVISIBLE_CHARACTERS))
FORMULAS = ("=HYPERLINK(\"evil.example\",\"x\")", "+1+2", "-3+4", "@SUM(A1)", "\t=cmd", " =1+1", "\uff1d1+1")
GRADED = ("class-report", "Alice")  # correct submissions
HIDING = "\u061cmallory\u202e"  # prints and raises every invisible character
ODD = ("alice", "e\u0301", "\u00e9", "CON", "nul.tar", "a:b\\c", "x" * 200, "gradebook.csv", "students",
       "\uff41lice")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(output folder, gradebook rows by student, what grader batch printed)."""
    root = tmp_path_factory.mktemp("odd")
    classroom_folder, out = root / "class", root / "out"
    for name in GRADED:
        shutil.copytree(SOLUTIONS, classroom_folder / name, ignore=shutil.ignore_patterns("*.md", "__pycache__"))
    build_submission("format_characters", classroom_folder / HIDING)
    for name in FORMULAS + ODD:
        (classroom_folder / name).mkdir()  # nothing to grade: a broken row, and reports that say why
    command = [sys.executable, "-c", "from grader.cli import grader; grader()", "batch", str(classroom_folder),
               "--out", str(out), "--jobs", "2", "--seed", "3", "--lang", "en"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    return out, rows, result.stdout + result.stderr


def _cells(path: Path, encoding: str) -> list[str]:
    with open(path, newline="", encoding=encoding) as f:
        return [cell for row in csv.reader(f) for cell in row]


def test_no_cell_of_the_gradebook_or_the_class_report_starts_a_formula(graded):
    out, rows, _ = graded
    for path, encoding in ((out / "class-report.csv", "utf-8"), (out / "gradebook.csv", "utf-8-sig")):
        cells = _cells(path, encoding)
        starting = [c for c in cells if unicodedata.normalize("NFKC", c.lstrip()[:1]) in ("=", "+", "-", "@")]
        assert starting == [], (path.name, starting)
        assert not [c for c in cells if "\t" in c], path.name
        shown = {c for c in cells if c.startswith("'")}
        assert {"'" + name.replace("\t", " ") for name in FORMULAS} <= shown, (path.name, shown)


def test_no_file_or_message_shows_an_invisible_character(graded):
    out, rows, printed = graded
    written = [p for p in out.rglob("*") if p.is_file()]
    for path in written:
        text = path.read_text(encoding="utf-8-sig")
        found = INVISIBLE.search(text)
        assert not found, (path.name, found)
    assert not INVISIBLE.search(printed)
    assert len([p for p in written if ".batch" not in p.parts]) == 3 + 2 * len(rows)  # kept results aside
    shown = clean(HIDING)
    assert shown == "\\u061cmallory\\u202e" and shown in rows
    report = json.loads((out / rows[shown]["json_report"]).read_text(encoding="utf-8"))
    messages = [t["message"] for t in report["tests"] if t["layer"] == "MulLayer" and t["status"] == "error"]
    assert messages and all("\\u061cevil\\u202e" in m and "\\u2066" in m for m in messages)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if "id" in attrs:
            self.ids.add(attrs["id"])


def _page(path: Path) -> _Links:
    page = _Links()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _comparable(path: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", path).casefold())


def html_text(text) -> str:
    return html.escape(clean(text), quote=True)


def test_every_student_has_files_of_their_own_beside_the_graders(graded):
    out, rows, _ = graded
    assert {p.name for p in out.iterdir()} == {"gradebook.csv", "class-report.csv", "class-report.html", "students",
                                               ".batch"}
    files = [row[kind] for row in rows.values() for kind in ("json_report", "html_report")]
    assert len({_comparable(f) for f in files}) == len(files) == 2 * len(rows)
    for student, row in rows.items():
        assert row["json_report"].startswith("students/") and row["html_report"].startswith("students/")
        report = json.loads((out / row["json_report"]).read_text(encoding="utf-8"))
        assert csv_cell(report["student"]) == student and f"{report['score']:g}" == row["score"]
        html = (out / row["html_report"]).read_text(encoding="utf-8")
        assert html_text(report["submission"]) in html, student
    assert float(rows["Alice"]["percent"]) == float(rows["class-report"]["percent"]) == 100.0
    assert rows["alice"]["status"] == "broken"
    assert "student-table" in _page(out / "class-report.html").ids
    assert "student-table" not in _page(out / rows["class-report"]["html_report"]).ids


def test_the_class_report_links_each_student_to_their_own_report(graded):
    out, rows, _ = graded
    page = _page(out / "class-report.html")
    assert {unquote(link) for link in page.links} == {row["html_report"] for row in rows.values()}
    html = (out / "class-report.html").read_text(encoding="utf-8")
    for row in rows.values():
        student = json.loads((out / row["json_report"]).read_text(encoding="utf-8"))["student"]
        link = re.escape(html_text(next(href for href in page.links if unquote(href) == row["html_report"])))
        assert re.search(rf'<a href="{link}">{re.escape(html_text(student))}</a>', html), student


# -- one rule per sink ---------------------------------------------------------------


def test_every_control_format_and_unassigned_character_is_escaped_and_nothing_else():
    wrong = []
    for code in range(0x110000):
        character = chr(code)
        category = unicodedata.category(character)
        hidden = (category[0] == "C" or category in ("Zl", "Zp")) and character not in "\t\n"
        cleaned = clean(character)
        if category == "Cs":  # half a character: the replacement character stands for it
            expected = cleaned == "\ufffd"
        else:  # hidden ones written out in ASCII: \xNN, \uNNNN or \UNNNNNNNN
            expected = cleaned.startswith("\\") and cleaned.isascii() if hidden else cleaned == character
        if not expected:
            wrong.append((hex(code), category, cleaned))
    assert wrong == []


def _report_with(text: str) -> dict:
    test = {"name": "gates/MulLayer/numeric", "assignment": "gates", "layer": "MulLayer", "kind": "numeric",
            "visibility": "public", "status": "error", "score": 0.0, "max_score": 2.0,
            "message": f"MulLayer.backward raised ValueError: {text}", "description": "", "output": text,
            "execution_time": 0.1, "diagnosis": {"code": "exception", "array": text, "params": {}}}
    return {"score": 0.0, "max_score": 2.0, "seed": 1, "tests": [test], "student": text,
            "assignments": {"gates": {"score": 0.0, "max_score": 2.0, "file": f"{text}.py"}},
            "counts": {"passed": 0, "failed": 0, "error": 1, "timeout": 0, "missing": 0},
            "submission": text, "notes": [text], "grader_version": "0", "isolation": "", "duration_seconds": 0.5}


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "junit", "gradescope", "html"])
def test_no_report_format_shows_an_invisible_character(fmt):
    text = render(_report_with(INVISIBLE_CHARACTERS), fmt)
    assert not INVISIBLE.search(text)
    assert "\\u061c" in text


def test_the_class_report_escapes_what_it_is_given_whatever_the_caller_did():
    report = {**_report_with("x"), "student": "<b>\u061c=bold</b>", "status": "ok", "status_message": "\u202e"}
    data = classroom.figures([report])
    html, table = "".join(classroom.html_pieces(data)), "".join(classroom.csv_pieces(data))
    assert "<b>" not in html and "&lt;b&gt;\\u061c=bold&lt;/b&gt;" in html and not INVISIBLE.search(html)
    assert not INVISIBLE.search(table) and "<b>\\u061c=bold</b>" in table


def test_each_sink_rule_escapes_its_own_syntax():
    from grader.lang.sanitize import html_text, markdown_text, xml_text

    assert html_text("<a href=\"x\">&\u061c") == "&lt;a href=&quot;x&quot;&gt;&amp;\\u061c"
    assert markdown_text("<img> **b** | [x](y)\u202e") == "&lt;img&gt; \\*\\*b\\*\\* \\| \\[x\\](y)\\\\u202e"
    assert xml_text("a\x00b\ufffe\u2028") == "a\\x00b\\ufffe\\u2028"
    assert [csv_cell(c) for c in ("=1", " =1", "\t=1", "\uff1d1", "+1", "-1", "@A", "a=1", "")] == \
        ["'=1", "' =1", "' =1", "'\uff1d1", "'+1", "'-1", "'@A", "a=1", ""]
