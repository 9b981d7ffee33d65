"""Translating whole documents paragraph by paragraph: notebooks' text, docstrings, the student README.

A document's message ids are its paragraphs (blocks separated by blank lines),
exactly as written, markup included, as po4a does for documentation: the
translator keeps the markup, and a changed paragraph shows up alone as a new
message. Code is never translated: fenced blocks (````` ``` `````), indented
blocks (four spaces), display math (``$$``, unless it holds words in ``\\text{}``) and blocks without a letter stay
as they are, except the comments in code (``# the batch size``), each a message of its own
(:func:`code_comments`, :func:`translate_comments`); a marker the grader reads (``# not graded``) stays.
A paragraph without a translation stays in the source language,
so a half-translated course still releases.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Callable, Iterator

_FENCE = re.compile(r"^\s*```")
_LETTER = re.compile(r"[^\W\d_]")


def blocks(text: str) -> Iterator[tuple[str, bool]]:
    """``(block, translatable)`` pieces that concatenate back to ``text`` exactly."""
    lines = text.splitlines(keepends=True)
    current: list[str] = []
    in_fence = False

    def flush(translatable: bool):
        if current:
            block = "".join(current)
            yield block, translatable and _is_prose(block)
            current.clear()

    for line in lines:
        if in_fence:
            current.append(line)
            if _FENCE.match(line):
                in_fence = False
                yield from flush(False)
            continue
        if _FENCE.match(line):
            yield from flush(True)
            current.append(line)
            in_fence = True
            continue
        if not line.strip():
            yield from flush(True)
            yield line, False
            continue
        current.append(line)
    yield from flush(not in_fence)


_PLACEHOLDER = re.compile(r"@@\w+@@")


def _is_prose(block: str) -> bool:
    stripped = _PLACEHOLDER.sub("", block).strip()
    if stripped.startswith("$$"):
        return "\\text{" in stripped  # a formula is translated only for the words inside it
    if not _LETTER.search(stripped):
        return False
    return not all(line.startswith(("    ", "\t")) for line in block.splitlines() if line.strip())


def messages(text: str) -> list[str]:
    """The message ids of a document: its translatable paragraphs, without the final newline, and the
    comments of its code blocks."""
    found = []
    for block, translatable in blocks(text):
        if translatable:
            found.append(block.rstrip("\n"))
        elif _is_code(block):
            found.extend(code_comments(block))
    return found


def translate(text: str, gettext: Callable[[str], str]) -> str:
    """``text`` with every translatable paragraph replaced by ``gettext(paragraph)``, and every comment of its
    code blocks by ``gettext(comment)``."""
    out = []
    for block, translatable in blocks(text):
        if translatable:
            body = block.rstrip("\n")
            out.append(gettext(body) + block[len(body):])
        else:
            out.append(translate_comments(block, gettext) if _is_code(block) else block)
    return "".join(out)


def _is_code(block: str) -> bool:
    lines = [line for line in block.splitlines() if line.strip()]
    return bool(lines) and (_FENCE.match(lines[0]) is not None or all(line.startswith(("    ", "\t"))
                                                                      for line in lines))


_MARKERS = ("not graded", "noqa", "type:", "pragma", "fmt:", "your code here")  # read by people and tools: kept


def _comment(line: str) -> tuple[int, str] | None:
    """Where the words of a line's ``# comment`` start, and the words; None for no comment with words.

    A ``#`` inside a string literal is not a comment; a marker (``# not graded``) is left alone.
    """
    quote, escaped = None, False
    for i, char in enumerate(line):
        if quote:
            escaped, quote = (not escaped and char == "\\"), (None if char == quote and not escaped else quote)
        elif char in "'\"":
            quote = char
        elif char == "#":
            marks = re.match(r"#+ +", line[i:])
            words = line[i + marks.end():].rstrip() if marks else ""
            if not _LETTER.search(words) or words.lower().startswith(_MARKERS):
                return None
            return i + marks.end(), words
    return None


def code_comments(code: str) -> list[str]:
    """The words of every comment of ``code`` (Python, or a shell command line), in order."""
    return [found[1] for found in map(_comment, code.splitlines()) if found]


def translate_comments(code: str, gettext: Callable[[str], str]) -> str:
    """``code`` with the words of each comment replaced by ``gettext(words)``; the code is untouched."""
    out = []
    for line in code.splitlines(keepends=True):
        found = _comment(line)
        if found:
            start, words = found
            line = line[:start] + gettext(words) + line[start + len(words):]
        out.append(line)
    return "".join(out)


def source_comments(source: str) -> list[str]:
    """The words of every comment of a Python module (never a ``#`` inside a string or a docstring)."""
    return [words for _, words in _source_comment_lines(source)]


def translate_source_comments(source: str, gettext: Callable[[str], str]) -> str:
    """A Python module with the words of each of its comments in the language of ``gettext``."""
    lines = source.splitlines(keepends=True)
    for row, _words in _source_comment_lines(source):
        lines[row] = translate_comments(lines[row], gettext)
    return "".join(lines)


def _source_comment_lines(source: str) -> list[tuple[int, str]]:
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comment = _comment(token.string)
            if comment:
                found.append((token.start[0] - 1, comment[1]))
    return found


def docstring_nodes(source: str) -> Iterator[tuple[ast.Constant, str]]:
    """``(string node, docstring text)`` of the module's, classes' and functions' docstrings."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                yield first.value, first.value.value


def docstring_messages(source: str) -> list[str]:
    return [m for _, text in docstring_nodes(source) for m in messages(_dedent(text))]


def translate_docstrings(source: str, gettext: Callable[[str], str]) -> str:
    """``source`` with its docstrings translated paragraph by paragraph (code untouched).

    Only triple-quoted docstrings without backslashes are rewritten, so the
    text between the quotes is the docstring itself.
    """
    lines = source.splitlines(keepends=True)
    edits = []
    for node, text in docstring_nodes(source):
        segment = ast.get_source_segment(source, node) or ""
        quote = segment[:3]
        if quote not in ('"""', "'''") or "\\" in segment or not segment.endswith(quote):
            continue
        indent = _indent_of(text)
        translated = translate(_dedent(text), gettext)
        if indent:
            translated = "".join(indent + line if line.strip() and i else line
                                 for i, line in enumerate(translated.splitlines(keepends=True)))
            if text.endswith("\n" + indent):
                translated += indent  # the closing quotes keep their place
        if translated != text and quote not in translated:
            edits.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset,
                          quote + translated + quote))
    for start, start_col, end, end_col, replacement in sorted(edits, reverse=True):
        head = lines[start - 1][:_char_offset(lines[start - 1], start_col)]
        tail = lines[end - 1][_char_offset(lines[end - 1], end_col):]
        lines[start - 1:end] = [head + replacement + tail]
    return "".join(lines)


def _char_offset(line: str, byte_offset: int) -> int:
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _indent_of(text: str) -> str:
    """The indentation of a docstring's continuation lines (its first line has none)."""
    indents = [line[: len(line) - len(line.lstrip())] for line in text.splitlines()[1:] if line.strip()]
    return min(indents, key=len) if indents else ""


def _dedent(text: str) -> str:
    indent = _indent_of(text)
    if not indent:
        return text
    out = []
    for i, line in enumerate(text.splitlines(keepends=True)):
        out.append(line[len(indent):] if i and line.startswith(indent) else line)
    return "".join(out)
