"""A Korean reader's review as a test: the book's words, and none of the words we do not use.

``grader/lang/glossary.toml`` lists the terms of 밑바닥부터 시작하는 딥러닝 that the
grader and the course use, and the words to avoid (상관 alone, 학급, 이긴 원소,
"stride 2" in a Korean sentence, 이(가) ...). Checked over every Korean message of
the catalogues, the released stubs and notebooks, the student README, and the
words of the reports (their labels and the diagnoses' names).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from builtin_course import COURSE, RELEASED
import grader.lang as lang
from grader.platforms.catalogues import po_files, read_catalog

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = tomllib.loads((ROOT / "grader" / "lang" / "glossary.toml").read_text(encoding="utf-8"))
AVOID = [(re.compile(entry["pattern"]), entry["use"]) for entry in GLOSSARY["avoid"]]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def words_to_avoid(text: str) -> list[str]:
    """``"상관 -> 교차상관"`` for each word of the glossary's [[avoid]] in the Korean lines of ``text``."""
    found = []
    for line in text.splitlines():
        if HANGUL.search(line):
            found += [f"{m.group()!r} -> {use}  [{line.strip()[:90]}]" for pattern, use in AVOID
                      for m in pattern.finditer(line)]
    return found


def test_the_glossary_names_the_books_terms_and_catches_what_it_forbids():
    terms = {entry["ko"] for entry in GLOSSARY["term"]}
    assert {"순전파", "역전파", "기울기", "국소적 미분", "형상", "교차상관", "원-핫", "수강생 전체 보고서"} <= terms
    for wrong in ("입력과 기울기의 상관입니다", "학급 보고서", "기울기를 이긴 원소로", "최대 풀링, stride 2.",
                  "{what}이(가) 틀렸습니다", "json 보고서를 저장했습니다", "교차 상관"):
        assert words_to_avoid(wrong), wrong
    for right in ("입력과 기울기의 교차상관입니다", "순서와 상관없이", "수강생 전체 보고서", "stride=2인 Convolution",
                  "JSON 보고서를 저장했습니다", "최댓값 원소로"):
        assert not words_to_avoid(right), right


@pytest.mark.parametrize("po", po_files(), ids=lambda path: f"{path.parts[-5]}-{path.stem}")
def test_every_korean_message_uses_the_books_words(po):
    found = []
    for message in read_catalog(po):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in filter(None, strings):
            found += words_to_avoid(string)
    assert not found, "\n".join(found)


def test_the_released_stubs_and_notebooks_use_the_books_words():
    files = sorted(RELEASED.glob("*.py")) + sorted(RELEASED.glob("*.ipynb"))
    assert len(files) == 2 * len(COURSE.names)
    found = [f"{path.name}: {problem}" for path in files for problem in words_to_avoid(path.read_text(encoding="utf-8"))]
    assert not found, "\n".join(found)


def test_the_student_readme_uses_the_books_words():
    from grader.platforms.release import classroom

    readme = classroom.student_readme(COURSE, COURSE.assignments, lang.translator("ko", COURSE.locale).gettext)
    assert HANGUL.search(readme)
    assert not words_to_avoid(readme), words_to_avoid(readme)


def test_the_reports_words_use_the_books_words():
    from grader.judge.diagnoses import CODES, describe
    from grader.reports.html import labels

    with lang.speaking("ko", COURSE.locale):
        texts = list(labels().values()) + [lang._("Class report")]
        texts += [part for code in CODES for part in describe(code)]
    assert all(HANGUL.search(text) for text in texts)
    found = [problem for text in texts for problem in words_to_avoid(text)]
    assert not found, "\n".join(found)
