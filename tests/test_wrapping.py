"""Korean reports on an 80-column terminal: no line wider than the screen, no word cut in two.

The report is rendered through pyte, a terminal emulator that counts wide
(East Asian) letters as two columns the way real terminals do, so what is
checked is what a student sees.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyte
from wcwidth import wcswidth

from grader.lang.wrapping import display_width, wrap, wrap_block

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile(r"[\uac00-\ud7a3]")

LONG_MESSAGES = [
    "Affine: dW의 형상이 (4, 3)입니다. (3, 4)이어야 합니다. 힌트: dW이(가) 전치된 것 같습니다. 형상이 (3, 4)이어야 "
    "하는데 (4, 3)입니다. dW = x.T @ dout이고, x는 forward에서처럼 (N, D) 형상으로 펼친 것입니다.",
    "Convolution: dx이(가) [0, 1, 2, 3]에서 다릅니다: 기댓값 0.412131, 실제 값 0 (원소 96개 중 54개가 틀림, 최대 "
    "상대 오차 1). 힌트: dx = col2im(dcol): 입력의 각 픽셀은 자신이 들어 있던 모든 윈도우에서 dout과 가중치의 곱을 "
    "모아 더합니다. 패딩 부분은 버리세요.",
    "참고: gates: gates.py을(를) 채점하고 gates.ipynb은(는) 무시했습니다. 이유: 두 파일이 같은 시각에 저장되었고, "
    "그럴 때는 .py 파일을 채점합니다.",
]


def _screen(text: str, columns: int = 80, lines: int = 400) -> list[str]:
    screen = pyte.Screen(columns, lines)
    stream = pyte.Stream(screen)
    stream.feed(text.replace("\n", "\r\n"))
    return [line.rstrip() for line in screen.display]


def _report(messages: list[str]) -> dict:
    tests = [{"name": f"conv_pool/Convolution/numeric_{i}", "assignment": "conv_pool", "layer": "Convolution",
              "kind": "numeric", "visibility": "public", "status": "failed", "score": 0.0, "max_score": 1.0,
              "message": message, "output": ""} for i, message in enumerate(messages)]
    return {"score": 0.0, "max_score": float(len(tests)), "seed": 1, "tests": tests,
            "counts": {"passed": 0, "failed": len(tests)}, "notes": [messages[-1]], "assignments": {}}


def test_widths_agree_with_wcwidth():
    for text in LONG_MESSAGES + ["✓ ✗ ! ⏱ ?", "총점: 0/3 (0.0%)   실패 3   시드 1", "plain ASCII"]:
        assert display_width(text) == wcswidth(text)


def test_a_korean_report_fits_80_columns_and_keeps_every_word_whole(monkeypatch):
    from grader.reports.text import render

    monkeypatch.setenv("GRADER_LANG", "ko")
    import grader.lang as i18n

    i18n.set_language(None)
    text = render(_report(LONG_MESSAGES), width=80)
    shown = _screen(text)
    written = text.splitlines()
    assert len([line for line in shown if line]) == len([line for line in written if line])  # nothing wrapped by the terminal
    assert max(display_width(line) for line in written) <= 80
    assert any(HANGUL.search(line) for line in shown)
    words = {word for message in LONG_MESSAGES for word in message.split()}
    on_screen = {word for line in shown for word in line.split()}
    assert words <= on_screen, sorted(words - on_screen)[:10]  # every word whole, on one line
    continuation = [line for line in written if line.startswith("        ") and HANGUL.search(line)]
    assert continuation  # wrapped lines continue indented under their message


def test_grade_on_an_80_column_terminal_through_the_cli(tmp_path):
    """The real command, its width taken from the terminal (COLUMNS), on a submission with long messages."""
    (tmp_path / "gates.py").write_text("class MulLayer:\n    pass\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "grader.cli", "--submission", str(tmp_path / "gates.py"),
                           "--lang", "ko", "--seed", "1"], cwd=tmp_path, capture_output=True, text=True,
                          env=dict(os.environ, COLUMNS="80"), timeout=120)
    assert done.returncode in (0, 1), done.stderr
    shown = _screen(done.stdout)
    assert max(display_width(line) for line in done.stdout.splitlines()) <= 80
    assert len([line for line in shown if line]) == len([line for line in done.stdout.splitlines() if line])
    assert any(HANGUL.search(line) for line in shown)


def test_wrap_breaks_only_at_spaces_and_indents_continuations():
    text = "가나다라마바사 " * 12 + "supercalifragilistic_identifier_longer_than_the_line_itself_by_far_and_more x"
    lines = wrap(text, 30, "  ", "    ")
    assert all(display_width(line) <= 30 for line in lines[:-2])
    assert all(line.startswith("    ") for line in lines[1:])
    assert " ".join(line.strip() for line in lines).split() == text.split()
    assert wrap_block("a\n  b c", 80) == "a\n  b c"


# What a reader must see on one line, found independently of the wrapper: a backquoted span, a bracket's
# content, and a formula (words joined by operators).
CODE_SPANS = re.compile(r"``[^`\n]+``|`[^`\n]+`|\([^()\n]*\)|\[[^\[\]\n]*\]|\S+(?: (?:<-|->|=|==|<=|>=|<|>|\+|-|\*|/|@|\*\*) \S+)+")


def _catalogue_messages() -> list[str]:
    from grader.platforms.catalogues import po_files, read_catalog

    found = set()
    for po in po_files():
        for message in read_catalog(po):
            for text in (message.id, message.string):
                for one in (text if isinstance(text, tuple) else (text,)):
                    found.update(line for line in (one or "").splitlines() if CODE_SPANS.search(line))
    return sorted(found)


def test_a_formula_or_a_bracket_is_never_broken_across_lines():
    text = "힌트: 경사 하강법은 x <- x - lr * grad 로 갱신하고, MulLayer.backward는 (dx, dy)를 반환합니다."
    for width in range(24, 60):
        lines = wrap(text, width)
        assert any("x <- x - lr * grad" in line for line in lines), (width, lines)
        assert any("(dx, dy)를" in line for line in lines), (width, lines)
    assert wrap("a (b c d e f g h i j k l m n o p q r s t) z", 12)[0] == "a (b c d e f"  # wider than a line


def test_no_catalogue_message_breaks_a_code_span_at_any_width_from_40_to_120():
    messages = _catalogue_messages()
    assert len(messages) > 100
    broken = []
    for text in messages:
        for width in range(40, 121):
            lines = [line.strip() for line in wrap(text, width, "    ", "      ")]
            for span in CODE_SPANS.findall(text):
                if display_width(span) <= width - 6 and not any(span in line for line in lines):
                    broken.append((width, span, text[:80]))
                    break
    assert not broken, broken[:10]
