"""``--lang`` for every command, and ``--help`` and Click's own words in that language.

The language has to be known before Click parses anything (``--help`` is
printed while parsing), so the root command reads ``--lang`` from its
arguments first, then :func:`grader.lang.choose` does the rest. Help texts
stay English in the source (``N_()`` or docstrings, extracted for the
catalogue) and are translated on every run, so one process can serve both
languages.

Click's own words (``Usage:``, ``Options``, its error messages) are marked
with the standard library's ``gettext`` (Click's changelog, 8.0: "to allow
applications to translate Click's built-in strings"): Click's ``_`` is
:func:`gettext.gettext`, which looks a message up in the process's text
domain, in the language ``$LANGUAGE`` names. So while a root command runs,
the text domain is the grader's catalogue and ``$LANGUAGE`` the language
chosen (:func:`click_speaks`); both are put back afterwards.
"""
from __future__ import annotations

import contextlib
import gettext
import inspect
import os
import sys

import click

import grader.lang as i18n
from grader.cli.helpformat import HelpContext
from grader.lang import N_

LANG_HELP = N_("Language of every message and report: ko (Korean) or en (English) "
               "[default: the course's language, then the locale].")
HELP_HELP = N_("Show this message and exit.")
_ENGLISH = "_grader_english_help"
# Click words the catalogue cannot extract from the newest Click: one it looks up from a variable, and what
# the oldest Click of the range says in other words
CLICK_WORDS_NOT_EXTRACTED = (N_("required"), N_("No such option: {name}"), N_("{name} '{filename}' is a directory."))


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
    return i18n.set_language(requested_language(args))


@contextlib.contextmanager
def click_speaks(language: str):
    """Click's own words in ``language`` until the block ends: the grader's catalogue as the process's
    text domain, and ``$LANGUAGE`` (the one variable :mod:`gettext` reads before the locale's)."""
    domain, before = gettext.textdomain(), os.environ.get("LANGUAGE")
    gettext.bindtextdomain(i18n.DOMAIN, str(i18n.LOCALE_DIR))
    gettext.textdomain(i18n.DOMAIN)
    os.environ["LANGUAGE"] = language
    try:
        yield
    finally:
        gettext.textdomain(domain)
        if before is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = before


def follow_the_course(ctx: click.Context) -> None:
    """After ``--course``: the rest of the run in the language it now speaks (the course's own, unless
    ``--lang`` or ``$GRADER_LANG`` chose one), Click's words and the help texts too."""
    if gettext.textdomain() == i18n.DOMAIN:  # inside click_speaks
        os.environ["LANGUAGE"] = i18n.get_language()
    translate_tree(ctx.find_root().command)


def translate_tree(command: click.Command) -> None:
    """Put ``command`` and its sub-commands' help in the current language, each with ``--lang``."""
    lang_option(command)
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


class LocalizedCommand(click.Command):
    """A command whose help is laid out in terminal columns; as the root, it settles the language
    before parsing its arguments and speaks it until it ends."""

    context_class = HelpContext

    def main(self, args=None, *rest, **extra):
        args = list(sys.argv[1:] if args is None else args)
        language = apply_language(args)
        translate_tree(self)
        with click_speaks(language):
            return super().main(args, *rest, **extra)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """Click's ``--help``, described in the language of this run (Click keeps the option it made first)."""
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = i18n._(HELP_HELP)
        return option


class LocalizedGroup(LocalizedCommand, click.Group):
    """A group of :class:`LocalizedCommand` and of groups like itself."""

    command_class = LocalizedCommand
    group_class = type
