"""The help layout (grader/cli/helpformat.py) keeps Click's rules, counting columns instead of characters.

Where the two cannot differ (ASCII words, no hyphen, no word longer than the
line), its pages are Click's own formatter's, character for character; with
Korean, hyphens and long words, every line fits and every word stays whole.
"""
from __future__ import annotations

import click
from hypothesis import given, settings, strategies as st

from grader.cli.helpformat import WideHelpFormatter, fill
from grader.lang.wrapping import display_width

WORD = st.text(alphabet="abcdefghij.,'[]", min_size=1, max_size=9)
SPACES = st.sampled_from([" ", " ", " ", "  "])


@st.composite
def paragraph(draw, korean=False):
    words = draw(st.lists(WORD if not korean else st.sampled_from(["채점합니다", "grade-report.json", "x"]),
                          min_size=1, max_size=25))
    text = "".join(word + draw(SPACES) for word in words).rstrip()
    lines = [" " * draw(st.sampled_from([0, 0, 2, 4])) + line for line in text.split("  ")]
    if not korean and draw(st.booleans()):  # kept line for line (so Korean ones are left out)
        return "\b\n" + "\n".join(lines)
    return "\n".join(lines)


def texts(korean=False):
    return st.lists(paragraph(korean), min_size=1, max_size=4).map("\n\n".join)


@settings(max_examples=300, deadline=None)
@given(texts(), st.integers(20, 90), st.sampled_from(["", "  ", "    "]))
def test_paragraphs_are_laid_out_as_click_lays_them_out(text, width, indent):
    assert fill(text, width, indent) == click.wrap_text(text, width, indent, indent, preserve_paragraphs=True)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(WORD.map(lambda word: "--" + word), texts()), min_size=1, max_size=6),
       st.integers(50, 100), st.sampled_from([" ".join(["[OPTIONS]"] * n) for n in (1, 3, 12)]))
def test_a_page_is_click_s_own_page_where_columns_and_characters_agree(rows, width, usage):
    pages = []
    for formatter in (click.HelpFormatter(width=width), WideHelpFormatter(width=width)):
        formatter.write_usage("grader batch", usage)
        formatter.write_text(rows[0][1])
        with formatter.section("Options"):
            formatter.write_dl(rows)
        pages.append(formatter.getvalue())
    assert pages[0] == pages[1]


@settings(max_examples=100, deadline=None)
@given(texts(korean=True), st.integers(40, 90))
def test_korean_lines_fit_and_keep_every_word_whole(text, width):
    formatter = WideHelpFormatter(width=width)
    formatter.write_usage("채점기", "[옵션]... " * 8)
    formatter.write_text(text)
    with formatter.section("옵션"):
        formatter.write_dl([("--보고서 경로", text), ("-h, --help", "")])
    page = formatter.getvalue()
    assert max(display_width(line) for line in page.splitlines()) <= width
    assert page.split().count("grade-report.json") == 2 * text.split().count("grade-report.json")
    assert page.split().count("채점합니다") == 2 * text.split().count("채점합니다")
