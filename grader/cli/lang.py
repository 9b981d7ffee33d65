"""``--lang`` for every command, and ``--help`` and Click's own words in that language.

The language has to be known before Click parses anything (``--help`` is
printed while parsing), so the root command reads ``--lang`` from its
arguments first, then :func:`grader.lang.choose` does the rest. Help texts
stay English in the source (``N_()`` or docstrings, extracted for the
catalogue) and are translated on every run, so one process can serve both
languages. Click's own words (``Usage:``, ``Options``, its error messages)
are routed through the same catalogue.
"""
from __future__ import annotations

import inspect

import click

import grader.lang as i18n
from grader.lang import N_
from grader.lang.wrapping import fit_click_to_wide_letters

LANG_HELP = N_("Language of every message and report: ko (Korean) or en (English) "
               "[default: the course's language, then the locale].")
_ENGLISH = "_grader_english_help"
CLICK_WORDS_WITHOUT_LITERAL = (N_("required"),)  # Click translates this one from a variable


def lang_option(command: click.Command) -> click.Command:
    """Give ``command`` a ``--lang`` option (read before parsing by the root command)."""
    if not any(param.name == "lang" for param in command.params):
        command.params.append(click.Option(["--lang"], type=click.Choice(["ko", "en"]), expose_value=False,
                                           is_eager=True, help=LANG_HELP))
    return command


def requested_language(args) -> str | None:
    """The value of the last ``--lang`` in ``args`` (``--lang ko`` or ``--lang=ko``), if any."""
    found = None
    args = list(args)
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            found = args[index + 1]
        elif arg.startswith("--lang="):
            found = arg.split("=", 1)[1]
    return found if found in ("ko", "en") else None


def _read_course() -> None:
    """Read the default course's language and catalogue into :mod:`grader.lang` (``--course`` later replaces
    them with its own, when it is parsed)."""
    from grader.judge.course import CourseError, default

    try:
        course = default()
    except CourseError:  # reported by the command that needs the course
        return
    i18n.set_course_language(course.language, course.locale)


def apply_language(args) -> str:
    """Choose the language for this run from ``args``, the environment, the course and the locale."""
    _read_course()
    requested = requested_language(args)
    language = i18n.set_language(requested) if requested else i18n.set_language(None)
    _route_click_messages()
    fit_click_to_wide_letters()
    return language


def translate_tree(command: click.Command) -> None:
    """Put ``command`` and its sub-commands' help in the current language, each with ``--lang``."""
    lang_option(command)
    if hasattr(command, "_help_option"):
        command._help_option = None  # Click builds it again, in the language now spoken
    _translate(command, "help")
    _translate(command, "short_help")
    for param in command.params:
        _translate(param, "help")
    for sub in getattr(command, "commands", {}).values():
        translate_tree(sub)


def _translate(obj, attribute: str) -> None:
    english = getattr(obj, _ENGLISH + attribute, None)
    if english is None:
        english = getattr(obj, attribute, None)
        setattr(obj, _ENGLISH + attribute, english)
    if english:
        setattr(obj, attribute, i18n._(inspect.cleandoc(english)))


def _route_click_messages() -> None:
    """Click's modules bind ``gettext`` at import time; point them at the grader's catalogue."""
    import importlib

    for name in ("core", "exceptions", "formatting", "types", "parser", "decorators"):
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = i18n._
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext


class LocalizedCommand(click.Command):
    """A root command that settles the language before parsing its arguments."""

    def make_context(self, info_name, args, parent=None, **extra):
        if parent is None:
            apply_language(args)
            translate_tree(self)
        return super().make_context(info_name, args, parent=parent, **extra)


class LocalizedGroup(click.Group):
    """A root group that settles the language before parsing, for itself and every sub-command."""

    def make_context(self, info_name, args, parent=None, **extra):
        if parent is None:
            apply_language(args)
            translate_tree(self)
        return super().make_context(info_name, args, parent=parent, **extra)
