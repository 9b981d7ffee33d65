"""`grade --lang ko` says every sentence in Korean; `--lang en` says every sentence in English.

The submissions: the released stubs (every test "not implemented") and one
built from the course's mutants with a bug in every graded name, so every kind of
message a failing layer produces is read. A sentence is Korean when, once
code, identifiers, numbers and array names are taken out, no English word is
left in it.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from builtin_course import COURSE, LAYERS, MUTANTS, RELEASED, SOLUTIONS
import grader.judge.mutants as mutants

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HANGUL = re.compile(r"[\uac00-\ud7a3]")

# Names that stay as they are inside a Korean sentence: the course's code, numpy's and Python's.
CODE_WORDS = set(name for names in LAYERS.values() for name in names) | set(COURSE.names) | {
    "dx", "dy", "dW", "db", "dout", "out", "mask", "col", "arg", "max", "self", "forward", "backward",
    "original", "shape", "lr", "step", "num", "init", "sigmoid", "softmax", "one", "hot", "col2im", "im2col",
    "py", "ipynb", "numpy", "np", "argmax", "exp", "log", "reshape", "asarray", "NaN", "nan", "inf", "TODO",
    "None", "NoneType", "float", "int", "tuple", "list", "ndarray", "float64", "float32", "dtype", "pad",
    "stride", "FN", "FH", "FW", "OH", "OW", "MB", "In", "ReLU", "CNN", "dapple", "dtax", "dorange", "price",
    "dprice", "dall", "apple", "orange", "dw", "dx0", "dw0", "dw1", "dx1", "dw2", "out", "E", "grade", "seed",
    "not", "graded",  # the `# not graded` marker, quoted as written
    "dY", "wx", "dL", "dz", "loss", "x",  # the documents' own formulas and variables
    "Shift", "Enter", "Ctrl", "Cmd", "View", "Cell", "Toolbar", "Tags", "JupyterLab", "Jupyter",  # keys and menus
}


def english_words(text: str) -> list[str]:
    """English words left in ``text`` once code, identifiers, numbers and array names are taken out."""
    text = re.sub(r"`[^`]*`|^\s*```\w*\s*$|</?\w+>", " ", text)
    found = []
    text = re.sub(r'"[^"]*"', " ", text)  # Python's own words, quoted: an exception's message
    for run in re.findall(r"[A-Za-z0-9_.\-/\\\[\]=]+", text):
        run = run.strip(".-")
        if re.search(r"[0-9_./\\\-\[\]=]", run) or len(run) < 2 or run in CODE_WORDS:
            continue  # numbers, snake_case, paths and dotted names: MulLayer.backward, gates.py, x.T
        if re.fullmatch(r"[A-Za-z]+Error|[A-Z][a-z]+[A-Z]\w*|[A-Z]{2,}", run):
            continue  # exception types, CamelCase class names, acronyms (JSON, CSV, BOM)
        found.append(run)
    return found


def _mutated(assignment: str) -> str:
    """The solution of ``assignment`` with the first of the course's mutants of each graded name applied."""
    source = (SOLUTIONS / f"{assignment}.py").read_text(encoding="utf-8")
    for name in LAYERS[assignment]:
        first = next((m for m in MUTANTS if m.name == name), None)
        if first is not None:
            source = mutants.apply(source, first.text, str(first.path))
    return source


@pytest.fixture(scope="module")
def one_bug_per_layer(tmp_path_factory):
    folder = tmp_path_factory.mktemp("buggy")
    for assignment in COURSE.names:
        (folder / f"{assignment}.py").write_text(_mutated(assignment), encoding="utf-8")
    return folder


def _grade(submission: Path, language: str, out: Path) -> dict[str, str]:
    """Every format of one grading run: {"text", "markdown", "junit", "gradescope", "json", "html"}, and
    "written": what ``grade`` says after writing the JSON report."""
    outputs = {}
    for fmt, name in (("text", None), ("markdown", "report.md"), ("junit", "junit.xml"),
                      ("gradescope", "results.json"), ("json", "report.json"), ("html", "report.html")):
        args = [sys.executable, "-m", "grader.cli", "--submission", str(submission), "--seed", "3",
                "--lang", language, "--format", fmt]
        if name:
            args += ["--output", str(out / name)]
        done = subprocess.run(args, cwd=out, capture_output=True, text=True, timeout=300,
                              env=dict(os.environ, COLUMNS="100", GRADER_LANG="en" if language == "ko" else "ko"))
        assert done.returncode in (0, 1), done.stderr[-2000:]
        outputs[fmt] = done.stdout if name is None else (out / name).read_text(encoding="utf-8")
        if fmt == "json":
            outputs["written"] = done.stdout.strip().splitlines()[-1]
    return outputs


class _Visible(HTMLParser):
    """The text a reader sees in an HTML page (tooltips included), styles and scripts left out."""

    def __init__(self):
        super().__init__()
        self.texts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("style", "script")
        self.texts += [value for name, value in attrs if name == "title" and value]

    def handle_endtag(self, tag):
        self._hidden -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._hidden:
            self.texts.append(data)


def _sentences(outputs: dict[str, str]) -> list[tuple[str, str]]:
    """``(format, human text)`` of every sentence a student or instructor reads in each format."""
    found = [("text", line) for line in outputs["text"].splitlines()]
    found += [("markdown", line) for line in outputs["markdown"].splitlines() if not line.startswith("|---")]
    for element in ET.fromstring(outputs["junit"]).iter():
        if element.tag in ("failure", "error"):
            found += [("junit", element.get("message", "")), ("junit", element.text or "")]
    results = json.loads(outputs["gradescope"])
    found.append(("gradescope", results["output"]))
    found += [("gradescope", test["output"]) for test in results["tests"]]
    report = json.loads(outputs["json"])
    found += [("json", test["message"]) for test in report["tests"]]
    found += [("json", test["description"]) for test in report["tests"]]
    found += [("json", note) for note in report.get("notes", [])]
    page = _Visible()
    page.feed(outputs["html"])
    found += [("html", text) for text in page.texts]
    found.append(("written", outputs["written"]))
    return [(fmt, line) for fmt, text in found for line in text.splitlines() if line.strip()]


def _code_lines(line: str) -> bool:
    """Lines of a traceback or of the student's own code, which stay as Python printed them."""
    if re.search(r"\.py:\d+: \w+Warning: ", line):  # a warning your code printed
        return True
    return bool(re.match(r'\s*(File "|\^|\||[A-Za-z_]+Error\b)', line)) or line.startswith(("    ", "  File"))


@pytest.mark.parametrize("which", ["stubs", "one_bug_per_layer"])
def test_every_sentence_is_korean_with_lang_ko(which, one_bug_per_layer, tmp_path):
    submission = RELEASED if which == "stubs" else one_bug_per_layer
    outputs = _grade(submission, "ko", tmp_path)
    sentences = _sentences(outputs)
    report = json.loads(outputs["json"])
    assert report["tests"] and all(t["status"] != "passed" for t in report["tests"] if which == "stubs")
    if which == "one_bug_per_layer":
        failed_layers = {t["layer"] for t in report["tests"] if t["status"] != "passed"}
        assert failed_layers == {m.name for m in MUTANTS}
    english = [(fmt, line, english_words(line)) for fmt, line in sentences
               if not _code_lines(line) and english_words(line)]
    assert not english, "English words in Korean output:\n" + "\n".join(
        f"  [{fmt}] {words}: {line[:160]}" for fmt, line, words in english[:40])
    assert sum(bool(HANGUL.search(line)) for _fmt, line in sentences) > len(report["tests"])
    # field names and enum values never change
    assert {t["status"] for t in report["tests"]} <= {"passed", "failed", "error", "timeout", "missing"}
    assert all(set(t) >= {"name", "assignment", "layer", "kind", "visibility", "status", "message"}
               for t in report["tests"])


def test_lang_en_is_all_english(one_bug_per_layer, tmp_path):
    outputs = _grade(one_bug_per_layer, "en", tmp_path)
    korean = [(fmt, line) for fmt, line in _sentences(outputs) if HANGUL.search(line)]
    assert not korean, "Korean in English output:\n" + "\n".join(f"  [{fmt}] {line[:160]}" for fmt, line in korean)


def test_the_detector_finds_english_and_spares_code():
    assert english_words("dx가 [0, 1]에서 다릅니다: 기댓값 0.5, 실제 값 0.") == []
    assert english_words("MulLayer.backward: x와 y에 대한 손실의 기울기 (dx, dy)를 반환하세요.") == []
    assert english_words("`grade --seed 7`를 실행하세요 (ZeroDivisionError, self.dW, conv_pool.py)") == []
    assert english_words("dx differs at [0, 1]: expected 0.5") == ["differs", "at", "expected"]
    assert english_words("힌트: the sign is flipped.") == ["the", "sign", "is", "flipped"]


@pytest.mark.parametrize("name", COURSE.names)
def test_korean_release_notebooks_run_top_to_bottom_in_a_kernel(name, tmp_path, monkeypatch):
    """The notebook of a Korean release, with the solution pasted in, runs in a real kernel; its text and
    its check cell's report are Korean (the kernel speaks the course's language: no ``--lang`` there)."""
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    from grader.platforms.release import build_assignments, stub_parts

    released = build_assignments(COURSE, [name], language="ko")
    notebook = nbformat.reads(released[f"{name}.ipynb"], as_version=4)
    solution = stub_parts((SOLUTIONS / f"{name}.py").read_text(encoding="utf-8"), LAYERS[name])
    for cell in notebook.cells:
        part = cell.metadata.get("grader", {}).get("part")
        if part:
            cell.source = solution[part]
    nbformat.write(notebook, tmp_path / f"{name}.ipynb")
    markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    assert all(HANGUL.search(text) for text in markdown)
    formulas = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.DOTALL)
    assert not [w for text in markdown for w in english_words(formulas.sub(" ", text))]

    monkeypatch.delenv("GRADER_LANG", raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    client = nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    report = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    assert "총점:" in report and "통과" in report and "✗" not in report, report
    assert not [w for line in report.splitlines() for w in english_words(line)], report


def _english_comments(code: str) -> list[str]:
    from grader.lang.documents import code_comments

    return [words for words in code_comments(code) if english_words(words) and not HANGUL.search(words)]


@pytest.mark.parametrize("name", COURSE.names)
def test_the_korean_stubs_and_notebooks_comment_their_code_in_korean(name):
    """The released stub's comments (``# 형상 (N*OH*OW, FN)``) and the notebook's code cells' are Korean; the
    markers people and tools read (``# YOUR CODE HERE``, ``# not graded``) stay as written."""
    stub = (RELEASED / f"{name}.py").read_text(encoding="utf-8")
    assert "# YOUR CODE HERE" in stub
    notebook = json.loads((RELEASED / f"{name}.ipynb").read_text(encoding="utf-8"))
    cells = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    english = _english_comments(stub) + [words for cell in cells for words in _english_comments(cell)]
    assert not english, english


def test_the_korean_student_readme_comments_its_commands_in_korean():
    from grader.lang import translator
    from grader.platforms.release import classroom

    readme = classroom.student_readme(COURSE, COURSE.assignments, translator("ko", COURSE.locale).gettext)
    from grader.lang.documents import blocks as paragraphs

    blocks = [block for block, prose in paragraphs(readme) if not prose and block.startswith("    ")]
    assert any("source .venv/bin/activate" in block and HANGUL.search(block) for block in blocks)
    assert not [w for block in blocks for w in _english_comments(block)]


def test_every_hint_of_a_course_test_is_marked_for_translation():
    """A ``hint=`` given as a plain string literal is never extracted, so a Korean report shows it in English."""
    import ast

    plain = []
    for path in sorted((ROOT / "courses").glob("*/tests/**/*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                plain += [f"{path.relative_to(ROOT)}:{node.lineno}" for keyword in node.keywords
                          if keyword.arg == "hint" and isinstance(keyword.value, (ast.Constant, ast.JoinedStr))]
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                    and any(getattr(t, "id", "") == "hint" for t in node.targets):
                plain.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not plain, plain


def test_the_stable_softmax_hint_reads_in_korean():
    import grader.lang as lang

    with lang.speaking("ko", COURSE.locale):
        assert HANGUL.search(lang._("subtract each row's maximum before exp, as the stable softmax does."))


def test_the_korean_html_report_names_each_diagnosis_in_korean_and_hides_its_code(tmp_path):
    """"진단: 입력 뒤바뀜 (dx, dy)", not "진단: wrong_values (dx) [wrong=1, size=1]": the code stays in data-code."""
    from builtin_course import mutant_submission
    import grader.lang as lang
    from grader.judge.diagnoses import CODES
    from grader.judge.engine import grade_submission
    from grader.reports.html import render_fragment

    with lang.speaking("ko", COURSE.locale):
        report = grade_submission(mutant_submission(tmp_path, "MulLayer/no_swap"), seed=3)
        page = render_fragment(report)
    visible = _Visible()
    visible.feed(page)
    text = " ".join(visible.texts)
    assert 'data-code="swapped_inputs"' in page and re.search(r"입력 뒤바뀜\s+\(dx, dy\)", text)
    assert not [code for code in CODES if re.search(rf"\b{code}\b", text)]
    assert "[wrong=" not in text and "failed," not in text and "; seed " not in text
