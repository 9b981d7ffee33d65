"""The catalogues: complete, compiled, chosen in the documented order, cheap to load."""
from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import grader.lang as i18n
import grader.lang.particles as particles
from grader.platforms.catalogues import (all_messages, code_messages, compiled, course_messages, po_files, read_catalog,
                                shipped_courses, split_hidden)

ROOT = Path(__file__).resolve().parents[1]
KO_PO = ROOT / "grader" / "lang" / "locale" / "ko" / "LC_MESSAGES" / "grader.po"
PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*(?:![rs])?(?::[^{}]*)?\}|%\([a-z]+\)s")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _ids(message):
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message):
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _untranslated(messages, po: Path):
    korean = read_catalog(po)
    missing, fuzzy = [], []
    for message in messages:
        if not message.id:
            continue
        entry = korean.get(message.id)
        if entry is None or not all(_strings(entry)):
            missing.append(_ids(message)[0])
        elif entry.fuzzy:
            fuzzy.append(_ids(message)[0])
    assert not missing, (f"{len(missing)} messages have no Korean translation; run `python -m grader.lang "
                         f"extract`, translate them in {po.relative_to(ROOT)}, then `python -m grader.lang "
                         "compile`:\n" + "\n".join(missing))
    assert not fuzzy, "fuzzy (unchecked) translations:\n" + "\n".join(fuzzy)


def test_every_message_of_the_code_has_a_korean_translation():
    _untranslated(code_messages(), KO_PO)


@pytest.mark.parametrize("course", shipped_courses(), ids=lambda path: path.name)
def test_every_text_of_a_shipped_course_has_a_korean_translation(course):
    public, hidden = split_hidden(course_messages(course))
    assert len(public) > 20 and len(hidden) > 5  # descriptions, hints, TODOs, titles at least
    _untranslated(public, course / "locale" / "ko" / "LC_MESSAGES" / "course.po")
    _untranslated(hidden, course / "locale" / "ko" / "LC_MESSAGES" / "hidden.po")


def test_the_words_click_shows_are_korean_too():
    korean = read_catalog(KO_PO)
    for word in ("Usage:", "Options", "Commands", "Show this message and exit.", "Error: {message}",
                 "Invalid value for {param_hint}: {message}", "default: {default}", "required"):
        assert HANGUL.search(korean.get(word).string), word
    untranslated = [m.id for m in all_messages() if m.id and (korean.get(m.id) is None
                                                            or not all(_strings(korean.get(m.id))))]
    assert not untranslated


@pytest.mark.parametrize("po", po_files(), ids=lambda path: path.parts[-5] if "courses" in path.parts else "grader")
def test_translations_keep_every_placeholder(po):
    for message in read_catalog(po):
        if not message.id or not all(_strings(message)):
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(_ids(message))))
        for string in _strings(message):
            got = set(PLACEHOLDER.findall(particles.strip(string)))  # {name|은} is the placeholder {name}
            assert got <= wanted, (message.id, got - wanted)
            if not isinstance(message.id, tuple):
                assert got == wanted, (message.id, wanted - got)


def test_the_compiled_catalogues_match_their_po_files():
    assert po_files()
    for po in po_files():
        mo = po.with_suffix(".mo")
        assert mo.is_file(), f"{mo} is missing: run `python -m grader.lang compile`"
        with open(mo, "rb") as f:
            shipped = gettext.GNUTranslations(f)._catalog
        import io
        fresh = gettext.GNUTranslations(io.BytesIO(compiled(po)))._catalog
        assert shipped == fresh, f"{mo} is out of date: run `python -m grader.lang compile`"


def test_a_po_file_alone_translates_as_its_compiled_form(tmp_path):
    directory = tmp_path / "ko" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    (directory / "course.po").write_text(KO_PO.read_text(encoding="utf-8"), encoding="utf-8")
    from_po = i18n._catalogue(tmp_path, "course", "ko")
    from_mo = i18n._catalogue(KO_PO.parents[2], "grader", "ko")
    assert isinstance(from_po, i18n.POTranslations)
    for message in read_catalog(KO_PO):
        if message.id and not isinstance(message.id, tuple):
            assert from_po.gettext(message.id) == from_mo.gettext(message.id)
    assert from_po.ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 3) \
        == from_mo.ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 3)


def test_a_course_catalogue_translates_what_the_grader_does_not(tmp_path, monkeypatch):
    directory = tmp_path / "ko" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    (directory / "course.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "the dropout mask scales dout"\nmsgstr "드롭아웃 마스크가 dout의 크기를 바꿉니다"\n',
        encoding="utf-8")
    i18n.set_course_language("ko", tmp_path)
    i18n.set_language("ko")
    assert i18n._("the dropout mask scales dout") == "드롭아웃 마스크가 dout의 크기를 바꿉니다"
    assert i18n._("Usage:") == "사용법:"
    i18n.set_language("en")
    assert i18n._("the dropout mask scales dout") == "the dropout mask scales dout"


@pytest.mark.parametrize("environment, course, requested, expected", [
    ({}, None, None, "en"),
    ({"LANG": "ko_KR.UTF-8"}, None, None, "ko"),
    ({"LANG": "ko_KR.UTF-8", "LC_ALL": "C"}, None, None, "en"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "ko_KR.UTF-8"}, None, None, "ko"),
    ({"LANG": "fr_FR.UTF-8"}, None, None, "en"),
    ({"LANG": "en_US.UTF-8"}, "ko", None, "ko"),
    ({"LANG": "ko_KR.UTF-8"}, "en", None, "en"),
    ({"GRADER_LANG": "en"}, "ko", None, "en"),
    ({"GRADER_LANG": "ko"}, "en", "en", "en"),
    ({}, "ko", "en", "en"),
])
def test_the_language_is_chosen_in_the_documented_order(monkeypatch, environment, course, requested, expected):
    for variable in ("GRADER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    assert i18n.choose(requested, course) == expected


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="available: en, ko"):
        i18n.set_language("xx")


def _run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, env=dict(os.environ, COLUMNS="80", **(env or {})), timeout=120)


def test_help_follows_the_language():
    korean = _run("--lang", "ko", "--help").stdout
    assert "사용법: " in korean and "역전파" in korean and "이 도움말을 보여 주고 끝냅니다." in korean
    english = _run("--help", env={"GRADER_LANG": "en"}).stdout
    assert "Usage: " in english and "Show this message and exit." in english
    assert not HANGUL.search(english)


def test_the_built_in_course_speaks_korean_unless_told_otherwise():
    env = {"GRADER_LANG": "", "LANG": "en_US.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
    assert "사용법:" in _run("--help", env=env).stdout
    assert "Usage:" in _run("--help", "--lang", "en", env=env).stdout


def test_the_language_can_come_before_or_after_the_sub_command():
    runner = CliRunner()
    from grader.cli import grader

    for args in (["--lang", "ko", "batch", "--help"], ["batch", "--lang=ko", "--help"]):
        result = runner.invoke(grader, args, env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        assert "제출물 폴더를 채점합니다" in result.output and "--lang" in result.output
    english = runner.invoke(grader, ["batch", "--help", "--lang", "en"])
    assert "Grade a folder of submissions" in english.output and not HANGUL.search(english.output)


def test_usage_errors_follow_the_language():
    result = _run("--lang", "ko", "gatez")
    assert result.returncode == 2
    assert "오류:" in result.stderr and "'gatez'" in result.stderr


def test_korean_help_fits_80_columns_and_never_breaks_a_word():
    from grader.lang.wrapping import display_width

    korean = _run("--lang", "ko", "--help").stdout
    assert max(display_width(line) for line in korean.splitlines()) <= 80
    assert "grade-\n" not in korean


def test_plain_grade_never_imports_babel_and_loads_the_catalogues_fast():
    probe = ("import sys, time\n"
             "import grader.lang as i18n\n"
             "from grader.judge.course import default\n"
             "course = default()\n"
             "i18n.set_course_language(course.language, course.locale)\n"
             "times = []\n"
             "for _round in range(5):\n"
             "    start = time.perf_counter()\n"
             "    i18n.set_language('ko'); i18n._('Usage:'); i18n._('Gradient check.')\n"
             "    times.append(time.perf_counter() - start)\n"
             "from grader.cli import grade\n"
             "try:\n"
             "    grade.main(['gates', '-s', 'solutions', '--format', 'json', '-o', '-'], standalone_mode=False)\n"
             "finally:\n"
             "    print('babel' in sys.modules, min(times), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    imported, elapsed = result.stderr.split()[-2:]
    assert imported == "False"
    assert float(elapsed) < 0.005  # the grader's and the course's catalogues, read from their .mo files


def test_a_release_and_a_bundle_carry_the_course_language_or_lang(tmp_path):
    runner = CliRunner()
    from builtin_course import copy_course
    from grader.cli import grader

    course = copy_course(tmp_path / "copy")  # `grader release` also rewrites the course's own release folder
    for args, language in (([], "ko"), (["--lang", "en"], "en")):
        args = [*args, "--course", str(course.root)]
        bundle = tmp_path / f"bundle-{language}.zip"
        result = runner.invoke(grader, [*args, "bundle", "gradescope", "--out", str(bundle)])
        assert result.exit_code == 0, result.output
        import zipfile

        with zipfile.ZipFile(bundle) as archive:
            course_file = archive.read("courses/backprop/course.toml").decode()
            script = archive.read("run_autograder").decode()
        assert f'language = "{language}"' in course_file
        assert bool(HANGUL.search(script)) == (language == "ko")
        release = tmp_path / f"release-{language}"
        result = runner.invoke(grader, [*args, "release", "--out", str(release), "--assignment", "gates"])
        assert result.exit_code == 0, result.output
        readme = (release / "README.md").read_text(encoding="utf-8")
        stub = (release / "assignments" / "gates.py").read_text(encoding="utf-8")
        workflow = (release / ".github" / "workflows" / "classroom.yml").read_text(encoding="utf-8")
        shipped = (release / "courses" / "backprop" / "course.toml").read_text(encoding="utf-8")
        assert f'language = "{language}"' in shipped
        if language == "ko":
            assert "## 준비" in readme and "x와 y에 대한 손실의 기울기" in stub and "채점기 설치" in workflow
        else:
            assert "## Setting up" in readme and "with respect to x and y" in stub and "Install the grader" in workflow
            assert not HANGUL.search(stub.split('"""', 2)[1])


def test_the_childs_notes_reach_the_report_in_its_language(monkeypatch):
    from grader.sandbox.child.wire import WireError
    from grader.sandbox.notes import note_text

    note = {"code": "cell_stopped", "file": "ch05.ipynb", "cell": 5, "count": 5, "seconds": 0.5, "graded": False,
            "trailing": False}
    monkeypatch.setenv("GRADER_LANG", "ko")
    i18n.set_language(None)
    assert note_text(note) == ("ch05.ipynb", "ch05.ipynb 셀 5 (In [5]): 0.5초 뒤에 멈췄습니다. 채점 대상을 하나도 정의하지 않습니다.")
    with pytest.raises(WireError):  # a note the grader never writes is refused, not shown as the child wrote it
        note_text("something the templates do not know")
    monkeypatch.setenv("GRADER_LANG", "en")
    i18n.set_language(None)
    assert note_text(note)[1] == "ch05.ipynb, cell 5 (In [5]) stopped after 0.5 s: it defines nothing graded."


