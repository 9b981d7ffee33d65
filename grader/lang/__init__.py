"""Languages and text: the catalogues, wrapping for the terminal, cleaning what a submission wrote.

May import: nothing of the grader (every other layer uses it).

Korean and English for every word a student or an instructor reads.

Marking a string (any module of the grader)::

    from grader.lang import _, ngettext, N_

    raise click.UsageError(_("{path} holds no sub-folders or .zip files to grade").format(path=folder))
    ngettext("{count} test failed", "{count} tests failed", count).format(count=count)
    STATUS_WORDS = {"passed": N_("passed")}      # marked only; shown later as _(STATUS_WORDS[status])

Rules, because the catalogue is extracted from the source text:

- the English literal goes straight into ``_()``: no f-string, no ``%``, no
  ``+`` and no variable inside it; fill ``{name}`` placeholders with
  ``.format(name=...)`` *after* translation, so the translator can move them;
- one whole sentence per message (never glue translated halves together:
  Korean puts the verb last);
- numbers, arrays, code and identifiers stay in the placeholders, untranslated;
- in Korean, a particle after a placeholder goes inside it, ``{name|을}`` (either
  form of the pair: 은/는, 이/가, 을/를, 와/과, 으로/로), and is chosen from
  how the value is read (:mod:`grader.lang.particles`): "Pooling을",
  "3은", "dx를"; ``tests/test_particles.py`` refuses a fixed particle after a
  placeholder and a wrong one after a literal name;
- call ``_()`` when the text is shown, not at import time: the language is
  chosen after the modules are imported. Constants are marked with ``N_()``.

Enum values and field names of the JSON report (``status``, ``kind``, ...)
are never translated; only the human text is.

The language, first match wins: :func:`set_language` (``--lang``), the
``GRADER_LANG`` environment variable, the course file's language, the locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``), English. A language is available when
``grader/lang/locale/<lang>/LC_MESSAGES/grader.mo`` exists (English needs none).

Catalogues are gettext PO files, ``grader/lang/locale/<lang>/LC_MESSAGES/grader.po``,
compiled to the ``.mo`` next to them that is loaded at run time (the standard
library reads it in well under a millisecond). After changing a ``.po`` file
or adding messages (Babel is in the ``test`` and ``dev`` extras)::

    python -m grader.lang extract     # grader/lang/locale/grader.pot and merge it into every .po
    python -m grader.lang compile     # .po -> .mo

``tests/test_i18n.py`` fails when a message of the code has no translation or
when a ``.mo`` does not match its ``.po``. A course adds its own texts (test
descriptions, hints, notebook texts) with :func:`add_catalogue`, from a ``.mo``
or, without a compile step, a ``.po`` file.
"""
from __future__ import annotations

import functools
import gettext
import os
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import grader.lang.particles as particles

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "grader"
DEFAULT = "en"
ENV = "GRADER_LANG"
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

COURSE_DOMAIN = "course"
HIDDEN_DOMAIN = "hidden"  # texts of the hidden tests: left out of a student release



@dataclass(frozen=True)
class Voice:
    """The language messages are given in, and the course whose catalogue adds its own texts to the grader's."""

    language: str
    course_language: str | None = None
    course_locale: Path | None = None
    explicit: bool = False  # chosen with --lang (set_language): a release then follows it


_voice: ContextVar[Voice | None] = ContextVar("grader_voice", default=None)
"""What this context speaks: set by the command line (and by a grading, for its duration), never by a lower layer."""


def N_(message: str) -> str:
    """Marks a constant for extraction; translate it where it is shown with ``_(constant)``."""
    return message


def _(message: str) -> str:
    """The message in the current language."""
    return _with_particles(_current_translations().gettext(message))


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count`` in the current language."""
    return _with_particles(_current_translations().ngettext(singular, plural, count))


def _with_particles(text: str) -> str:
    """A translation with ``{name|은}`` placeholders, as a template whose ``format`` picks each particle."""
    if "|" in text and particles.holds_particles(text):
        return particles.Template(text)
    return text


def either(items) -> str:
    """``"A or B"``, ``"A, B or C"`` in the current language (``"A, B 또는 C"``); a particle after it follows C."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return _("{items} or {last}").format(items=", ".join(items[:-1]), last=items[-1])


def each(items) -> str:
    """``"A and B"``, ``"A, B and C"`` in the current language (``"A, B와 C"``); a particle after it follows C."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def voice() -> Voice:
    """What this context speaks; where nothing was set, chosen from the environment alone."""
    return _voice.get() or Voice(choose())


def _current_translations() -> gettext.NullTranslations:
    spoken = voice()
    return _translations_of(spoken.language, spoken.course_locale)


@functools.lru_cache(maxsize=64)
def _translations_of(language: str, course_locale) -> gettext.NullTranslations:
    """:func:`translator` for a voice, remembered: every message of a report asks for it."""
    return translator(language, course_locale)


@functools.lru_cache(maxsize=None)
def available_languages() -> tuple[str, ...]:
    """English plus every language with a compiled catalogue."""
    found = {path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return tuple(sorted(found | {DEFAULT}))


def normalize(value: str | None) -> str | None:
    """``ko_KR.UTF-8`` -> ``ko``; None for an empty value or the C/POSIX locale."""
    if not value:
        return None
    code = re.split(r"[_.@\-:]", value.strip(), maxsplit=1)[0].lower()
    return None if code in ("", "c", "posix") else code


def _from_locale() -> str | None:
    for variable in _LOCALE_VARIABLES:
        value = os.environ.get(variable)
        if value:  # the first one set decides, even if it names no language (C)
            return normalize(value)
    return None


def choose(requested: str | None = None, course: str | None = None) -> str:
    """The language to speak: ``requested`` (``--lang``), ``$GRADER_LANG``, ``course``, the locale, English.

    A choice without a catalogue falls through to the next one.
    """
    available = available_languages()
    for candidate in (requested, os.environ.get(ENV), course, _from_locale()):
        code = normalize(candidate)
        if code in available:
            return code
    return DEFAULT


def set_course_language(language: str | None, locale_dir: Path | str | None = None) -> None:
    """The course in use: its language (used when neither ``--lang`` nor ``$GRADER_LANG`` says
    otherwise) and the folder of its own catalogue, ``<locale_dir>/<lang>/LC_MESSAGES/course.po``
    (test descriptions, hints, notebook texts) and ``hidden.po`` (the hidden tests' texts, which a
    student release leaves out), which replace the previous course's."""
    spoken = voice()
    requested = spoken.language if spoken.explicit else None
    locale = Path(locale_dir) if locale_dir else None
    _voice.set(Voice(choose(requested, language), language, locale, spoken.explicit))


def explicit_language() -> str | None:
    """The language set with :func:`set_language` (``--lang``), if any."""
    spoken = _voice.get()
    return spoken.language if spoken is not None and spoken.explicit else None


def set_language(language: str | None) -> str:
    """Speak ``language`` from now on in this context; None goes back to choosing as :func:`choose` does.

    An explicit language is also exported as ``GRADER_LANG``, so that the
    processes this one starts (batch workers, a bundle's autograder run)
    speak it too. Returns the language now spoken.
    """
    spoken = voice()
    if language is None:
        _voice.set(Voice(choose(None, spoken.course_language), spoken.course_language, spoken.course_locale))
        return get_language()
    code = normalize(language)
    if code not in available_languages():
        raise ValueError(f"no catalogue for {language!r}; available: {', '.join(available_languages())}")
    os.environ[ENV] = code
    _voice.set(Voice(code, spoken.course_language, spoken.course_locale, explicit=True))
    return code


def forget() -> None:
    """Speak as the environment alone says, with no course: as a fresh process would."""
    _voice.set(None)


def get_language() -> str:
    """The language messages are currently given in."""
    return voice().language


@contextmanager
def speaking(language: str, course_locale: Path | str | None = None):
    """Speak ``language`` (with that course's catalogue) inside the ``with`` block only."""
    token = _voice.set(Voice(normalize(language) or DEFAULT, None, Path(course_locale) if course_locale else None,
                             explicit=True))
    try:
        yield
    finally:
        _voice.reset(token)


def translator(language: str, course_locale: Path | str | None = None) -> gettext.NullTranslations:
    """The grader's and a course's catalogues for ``language``, whatever the context speaks.

    For what is written in a fixed language, such as a student release in the
    course's language while the messages follow ``--lang``. ``course_locale``
    is a course's ``locale`` folder.
    """
    return _chain(normalize(language) or DEFAULT, Path(course_locale) if course_locale else None)


@functools.lru_cache(maxsize=64)
def _chain(language: str, course_locale: Path | None = None) -> gettext.NullTranslations:
    """The catalogues of ``language``, read once per process: the grader's, then the course's."""
    translations = _catalogue(LOCALE_DIR, DOMAIN, language)
    for domain in (COURSE_DOMAIN, HIDDEN_DOMAIN) if course_locale else ():
        translations.add_fallback(_catalogue(course_locale, domain, language))
    return translations


def _catalogue(directory: Path, domain: str, language: str) -> gettext.NullTranslations:
    if language == DEFAULT:
        return gettext.NullTranslations()
    base = directory / language / "LC_MESSAGES" / domain
    mo, po = base.with_suffix(".mo"), base.with_suffix(".po")
    if mo.is_file():
        with open(mo, "rb") as f:
            return gettext.GNUTranslations(f)
    if po.is_file():
        return POTranslations(po.read_text(encoding="utf-8"))
    return gettext.NullTranslations()


class POTranslations(gettext.NullTranslations):
    """A ``.po`` file read directly, for catalogues shipped without a compiled ``.mo``.

    Understands what PO files hold in practice: ``msgctxt``-free entries,
    ``msgid_plural`` with ``msgstr[n]``, continued strings, ``#, fuzzy`` (skipped,
    as ``msgfmt`` does) and the ``Plural-Forms`` header.
    """

    def __init__(self, text: str):
        super().__init__()
        self._messages: dict[str | tuple[str, int], str] = {}
        self._plural = lambda n: int(n != 1)
        for entry in _po_entries(text):
            if entry.get("fuzzy") or "msgid" not in entry:
                continue
            if entry["msgid"] == "":
                self._read_header(entry.get("msgstr", ""))
            elif "msgid_plural" in entry:
                for key, value in entry.items():
                    if key.startswith("msgstr[") and value:
                        self._messages[(entry["msgid"], int(key[7:-1]))] = value
            elif entry.get("msgstr"):
                self._messages[entry["msgid"]] = entry["msgstr"]

    def _read_header(self, header: str) -> None:
        match = re.search(r"plural=([^;\n]+)", header)
        if match:
            self._plural = gettext.c2py(match.group(1).strip())

    def gettext(self, message):
        translated = self._messages.get(message)
        if translated is not None:
            return translated
        return self._fallback.gettext(message) if self._fallback else message

    def ngettext(self, singular, plural, n):
        translated = self._messages.get((singular, self._plural(n)))
        if translated is not None:
            return translated
        if self._fallback:
            return self._fallback.ngettext(singular, plural, n)
        return singular if n == 1 else plural


def _po_entries(text: str):
    entry: dict = {}
    key = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            if entry:
                yield entry
            entry, key = {}, None
        elif line.startswith("#,"):
            if "fuzzy" in line:
                entry["fuzzy"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and key:
            entry[key] += _po_string(line)
        else:
            keyword, _space, rest = line.partition(" ")
            if keyword.startswith("msgid") and "msgstr" in "".join(entry) and "msgid" in entry:
                yield entry  # a new entry without a blank line between
                entry = {}
            key = keyword
            entry[key] = _po_string(rest)
    if entry:
        yield entry


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _po_string(quoted: str) -> str:
    body = quoted.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)

