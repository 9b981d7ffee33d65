"""Korean particles follow the word before them: "Pooling을", "3은", "python3이", "dx를", "im2col로".

The catalogues write a particle after a placeholder inside it (``{batch|는}``) and
:mod:`grader.lang.particles` chooses the form from how the value is read; every
identifier the course and the grader print has its reading checked here, and every
Korean message is checked for a fixed particle after a placeholder, a doubled form
("이(가)") or a wrong particle after a name written in the message itself.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from builtin_course import COURSE, LAYERS
import grader.lang as lang
from grader.lang.particles import attach, choose, fill, final
from grader.platforms.catalogues import po_files, read_catalog

ROOT = Path(__file__).resolve().parents[1]

# how each name is read, as "은" (it ends in a consonant) or "는" (a vowel); "로" also after ㄹ (marked "ㄹ")
READINGS = {
    # the graded names
    "MulLayer": "는", "AddLayer": "는", "Relu": "는", "Sigmoid": "는", "Affine": "은", "SoftmaxWithLoss": "는",
    "Convolution": "은", "Pooling": "은", "numerical_gradient": "는", "gradient_descent": "는",
    "SigmoidWithLoss": "는",
    # the assignments' files
    "gates.py": "는", "activations.py": "는", "affine_softmax.py": "는", "conv_pool.py": "는", "learning.py": "는",
    "gates.ipynb": "는", "activations.ipynb": "는", "affine_softmax.ipynb": "는", "conv_pool.ipynb": "는",
    "learning.ipynb": "는",
    # the arrays and values the tests name
    "dx": "는", "dy": "는", "dW": "는", "db": "는", "dz": "는", "dout": "ㅅ", "dtax": "는", "dapple": "ㄹ",
    "dapple_num": "은", "dapple_price": "는", "dall_price": "는", "dorange": "는", "dorange_num": "은",
    "dorange_price": "는", "dw0": "은", "dw1": "ㄹ", "dw2": "는", "dx0": "은", "dx1": "ㄹ", "dE/dW1": "ㄹ",
    "dL/db": "는", "dL/dw": "는", "E": "는", "loss": "는", "out": "ㅅ", "price": "는", "apple_price": "는",
    "orange_price": "는", "MulLayer.forward(100, 2)": "는", "AddLayer.forward(200, 450)": "는",
    "numerical_gradient(f, x)": "는", "a = sigmoid(z)": "는", "dL/dw = dz * x": "는", "(dx, dy)": "는",
    "self.dW": "는", "self.db": "는", "x": "는", "W": "는", "b": "는", "t": "는",
    # what the grader names: files, formats, packages, helpers, numbers
    "grade-report.json": "은", "report.html": "ㄹ", "junit.xml": "ㄹ", "results.json": "은",
    "gradebook.csv": "는", "class-report.html": "ㄹ", "submission.zip": "은", "JSON": "은", "HTML": "ㄹ",
    "CSV": "는", "JUnit": "은", "Gradescope": "는", "numpy": "는", "scipy==1.17.1": "ㄹ", "python3": "은",
    "Python 3.11": "ㄹ", "Jinja2": "는", "nbformat": "은", "matplotlib": "은", "im2col": "ㄹ", "col2im": "은",
    "NotImplementedError": "는", "backward": "는", "forward": "는", "sys.exit(3)": "는", "dtype": "은",
    "CP949": "는", "EUC-KR": "ㄹ", "UTF-8": "ㄹ", "UTF-16": "은", "NAME": "은", "ID": "는",
    "0": "은", "1": "ㄹ", "2": "는", "3": "은", "4": "는", "5": "는", "6": "은", "7": "ㄹ", "8": "ㄹ", "9": "는",
    "10": "은", "20": "은", "100": "은", "1000": "은", "10000": "은", "0.5": "는", "1e-05": "는", "1/2": "ㄹ",
    "x^2": "은", "50%": "는", "root": "는",
}


def _expected(reading: str, particle: str) -> str:
    after_consonant = {"은": "은", "을": "을", "이": "이", "과": "과", "로": "으로"}[particle]
    after_vowel = {"은": "는", "을": "를", "이": "가", "과": "와", "로": "로"}[particle]
    if particle == "로":
        return "로" if reading in ("는", "ㄹ") else "으로"
    return after_vowel if reading == "는" else after_consonant


@pytest.mark.parametrize("word", sorted(READINGS))
@pytest.mark.parametrize("particle", ["은", "을", "이", "과", "로"])
def test_each_name_the_grader_prints_takes_the_particle_its_reading_asks_for(word, particle):
    assert attach(word, particle) == word + _expected(READINGS[word], particle)


def _printed_names() -> set[str]:
    """Every name the course's tests and helpers print: graded names, files, and the values they check."""
    names = {name for graded in LAYERS.values() for name in graded}
    names |= {f"{a}.{ext}" for a in COURSE.names for ext in ("py", "ipynb")}
    for path in sorted(COURSE.root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r'(?:expect_close|check_gradient|unpack|as_array)\(\s*"([^"]+)"', text))
        names |= {n for n in re.findall(r'"(d[A-Za-z]\w*)"', text) if n != "document"}
    return names


def test_every_name_the_course_prints_has_a_checked_reading():
    names = _printed_names()
    assert {"Pooling", "dtax", "dw0", "dE/dW1", "conv_pool.ipynb"} <= names
    unread = sorted(n for n in names if n not in READINGS)
    assert not unread, f"add how these are read to READINGS: {unread}"
    assert all(final(n) is not None for n in names)


def test_the_issue_examples_read_right():
    assert fill("{batch|는} 배치 크기입니다", batch=3) == "3은 배치 크기입니다"
    assert fill("{batch|는} 배치 크기입니다", batch=4) == "4는 배치 크기입니다"
    assert attach("Pooling", "를") == "Pooling을" and attach("scipy==1.17.1", "를") == "scipy==1.17.1을"
    assert attach("python3", "가") == "python3이"
    assert attach("파일", "으로") == "파일로" and attach("책", "로") == "책으로" and attach("im2col", "으로") == "im2col로"


def test_a_value_with_no_reading_gets_both_forms_and_braces_in_values_stay_as_they_are():
    assert choose("…", "이") == "이(가)" and choose("", "로") == "(으)로"
    assert fill("{x|을} 보세요 {y}", x="{a}", y="{b}") == "{a}를 보세요 {b}"
    assert fill("{n:>4|이}", n=3) == "   3이"


def test_a_korean_message_with_a_particle_placeholder_is_filled_through_the_usual_format(monkeypatch):
    with lang.speaking("ko"):
        text = lang._("every entry is 1/{batch} of the right value, and {batch} is the batch size: "
                      "sum over the batch instead of averaging.")
        assert "{batch|는}" in text
        assert "3은 배치 크기" in text.format(batch=3) and "4는 배치 크기" in text.format(batch=4)
        assert lang.either(["Affine", "SoftmaxWithLoss"]) == "Affine 또는 SoftmaxWithLoss"
    with lang.speaking("en"):
        assert lang.either(["Affine", "SoftmaxWithLoss", "Pooling"]) == "Affine, SoftmaxWithLoss or Pooling"


# -- the catalogues -------------------------------------------------------------------------------

PARTICLE = re.compile(r"(으로|로|은|는|이|가|을|를|와|과)(?![\uac00-\ud7a3])")
FIXED_AFTER_PLACEHOLDER = re.compile(r"\}(으로|로|은|는|이|가|을|를|와|과)(?![\uac00-\ud7a3])")
DOUBLED = re.compile(r"이\(가\)|을\(를\)|은\(는\)|와\(과\)|과\(와\)|\(으\)로")


def _word_before(text: str, end: int) -> str:
    """The word a particle at ``end`` follows, brackets and what they hold included."""
    depth, start = 0, end
    while start > 0:
        char = text[start - 1]
        depth += {")": 1, "]": 1, "(": -1, "[": -1}.get(char, 0)
        if char.isspace() and depth <= 0:
            break
        start -= 1
    return text[start:end]


def wrong_particles(text: str) -> list[str]:
    """Each particle in ``text`` that does not fit the word before it, when that word is not Korean."""
    problems = [f"fixed particle after a placeholder: ...{text[max(0, m.start() - 15):m.end()]}"
                for m in FIXED_AFTER_PLACEHOLDER.finditer(text)]
    problems += [f"doubled form {m.group()}" for m in DOUBLED.finditer(text)]
    for match in PARTICLE.finditer(text):
        word = _word_before(text, match.start())
        if not word or "{" in word or "}" in word or word[-1] in "([" or re.search(r"[\uac00-\ud7a3]$", word):
            continue
        if final(word) is not None and choose(word, match.group(1)) != match.group(1):
            problems.append(f"{word}{match.group(1)} should be {word}{choose(word, match.group(1))}")
    return problems


def test_the_checker_finds_each_kind_of_wrong_particle():
    assert wrong_particles("{batch}는 배치 크기") and wrong_particles("gates.py을(를) 채점")
    assert wrong_particles("python3가 있는") and wrong_particles("Pooling를 보세요")
    assert not wrong_particles("{batch|는} 배치 크기, Pooling을, 파일(gates.py)과 폴더(이 컴퓨터)")


@pytest.mark.parametrize("po", po_files(), ids=lambda path: f"{path.parts[-5]}-{path.stem}")
def test_every_korean_message_chooses_its_particles_from_the_word_before_them(po):
    problems = []
    for message in read_catalog(po):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in filter(None, strings):
            problems += [f"{problem}  [{string[:60]}]" for problem in wrong_particles(string)]
    assert not problems, "\n".join(problems)


def test_clicks_own_messages_hold_no_particle_placeholder():
    """Click reads its words from the compiled catalogue through the standard library's gettext and formats
    them itself, so ``{value!r|은}`` would reach str.format: Click's messages carry the particle on a Korean
    noun instead ("{value!r} 값은")."""
    from grader.cli.lang import CLICK_WORDS_NOT_EXTRACTED
    from grader.lang.particles import holds_particles

    po = next(path for path in po_files() if path.stem == "grader")
    clicks = [message for message in read_catalog(po) if message.id and (
        any(where.startswith("click/") for where, _line in message.locations)
        or message.id in CLICK_WORDS_NOT_EXTRACTED)]
    assert len(clicks) > 20
    held = [message.string for message in clicks
            if any(holds_particles(s) for s in (message.string if isinstance(message.string, tuple)
                                                 else (message.string,)))]
    assert not held, held
