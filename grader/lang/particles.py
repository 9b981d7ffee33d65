"""Korean particles chosen from the word they follow: 은/는, 이/가, 을/를, 와/과, 으로/로.

A Korean particle depends on how the word before it ends when read aloud:
after a final consonant (받침) 은, 이, 을, 과, 으로; after a vowel 는, 가,
를, 와, 로; and 로 also after ㄹ ("파일로"). The words a message fills in are
mostly not Korean (``dx``, ``Pooling``, ``3``, ``scipy==1.17.1``), so
:func:`final` reads them as a Korean reader says them:

- Hangul: the last syllable's final consonant.
- Numbers, Sino-Korean as read in mathematics (3 삼, 10 십, 1000 천): an
  integer by its last non-zero digit, or by its unit when it ends in zeros
  (10 십, 200 이백, 3000 삼천, 10000 만, 10^8 억); the digits after a decimal
  point or in a version one by one (0.25 -> 오, 1.17.1 -> 일); a fraction
  ``a/b`` is "b분의 a", so ``a`` decides.
- Latin letters: a word of one or two letters without a vowel letter, or
  written in capitals (``dx``, ``db``, ``W``, ``HTML``, ``CSV``), is spelled
  letter by letter, and only L (엘), M (엠), N (엔) and R (알) end in a
  consonant. A longer word is read as the English word (the last part of
  ``SoftmaxWithLoss``, ``gradient_descent``, ``gates.py``):
  -ng 응 (Pooling 풀링), -m, -n, -l, and a silent e after them (Affine 아핀,
  module 모듈, frame 프레임) end in a consonant; -k, -ck and -ic 크/ㄱ
  (stack 스택, numeric 뉴메릭); -p and -b after a vowel ㅂ (step 스텝, zip 집);
  -t after a vowel ㅅ (dout 디아웃, format 포맷) but after a consonant 트
  (gradient 그레이디언트, test 테스트); everything else ends in a vowel
  (-r 레이어, -s 로스, -x 엑스, -d 드, -y 파이, -e 코드).
- Closing brackets, quotes and punctuation are skipped: ``(dx, dy)`` is read
  as ``dy``, ``backward()`` as ``backward``.

A word that gives no reading (only symbols) gets both forms, ``이(가)``.

In a catalogue (``.po``), a translator writes the particle inside the
placeholder, either form of the pair: ``{batch|는} 배치 크기입니다`` prints
"3은 배치 크기입니다" and "4는 배치 크기입니다". English messages are unchanged;
:func:`grader.lang._` returns a Korean text holding such placeholders as a
:class:`Template`, whose ``format`` fills them (:func:`fill` does the same for
any string).
"""
from __future__ import annotations

import re
import string

# particle -> (after a final consonant, after a vowel); 으로/로 has its own rule for ㄹ
PAIRS = {"은": ("은", "는"), "는": ("은", "는"), "이": ("이", "가"), "가": ("이", "가"), "을": ("을", "를"),
         "를": ("을", "를"), "과": ("과", "와"), "와": ("과", "와"), "으로": ("으로", "로"), "로": ("으로", "로")}
BOTH = {"은": "은(는)", "이": "이(가)", "을": "을(를)", "과": "와(과)", "으로": "(으)로"}

NONE, RIEUL, OTHER = "", "ㄹ", "ㅇ"  # no final consonant; ㄹ; any other (its exact kind never matters)
_DIGIT_FINAL = {"0": OTHER, "1": RIEUL, "2": NONE, "3": OTHER, "4": NONE, "5": NONE, "6": OTHER, "7": RIEUL,
                "8": RIEUL, "9": NONE}  # 영 일 이 삼 사 오 육 칠 팔 구
_SPELLED_FINAL = {"l": RIEUL, "m": OTHER, "n": OTHER, "r": RIEUL}  # 엘 엠 엔 알; every other letter's name ends in a vowel
_VOWELS = set("aeiouy")
# words (and the words ending in them) that the rules read wrong: 타입, 체크, 비트, 엑시트
_EXCEPTIONS = {"type": OTHER, "check": NONE, "bit": NONE, "exit": NONE}
_TRAILING = string.punctuation.replace("%", "").replace(")", "") + " \t\u00b7\u2026\u3002\u3001\u300d\u300f\uff09"
_PLACEHOLDER = re.compile(r"\{(\w+)((?:![rsa])?(?::[^{}|]*)?)\|(" + "|".join(sorted(PAIRS, key=len, reverse=True))
                          + r")\}")


def final(word: str) -> str | None:
    """How ``word`` ends when read in Korean: ``""`` (a vowel), ``"ㄹ"``, ``"ㅇ"`` (another consonant), or None."""
    text = str(word).rstrip(_TRAILING)
    if text.endswith(")"):
        return _bracketed(text)
    if not text:
        return None
    last = text[-1]
    if last == "%":  # 퍼센트
        return NONE
    if "\uac00" <= last <= "\ud7a3":
        jong = (ord(last) - 0xAC00) % 28
        return NONE if jong == 0 else RIEUL if jong == 8 else OTHER
    if "\u3131" <= last <= "\u314e":  # a consonant letter alone (ㄱ): read as one
        return RIEUL if last == "ㄹ" else OTHER
    if last.isdigit() and last.isascii():
        return _number_final(text)
    if last.isascii() and last.isalpha():
        return _latin_final(text)
    return None


def _bracketed(text: str) -> str | None:
    """A word and its gloss in brackets, ``파일(gates.py)`` or ``backward(dout)``, is read by the word (Korean
    spelling ignores the gloss); a bracket standing alone, ``(dx, dy)``, by what it holds."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            before = text[:i]
            if before and not before[-1].isspace() and before[-1] not in "([{":
                return final(before)
            return final(text[i + 1:-1])
    return final(text[:-1])


def choose(word: str, particle: str) -> str:
    """The form of ``particle`` (either form of a pair: ``"은"`` or ``"는"``) that follows ``word``."""
    after_consonant, after_vowel = PAIRS[particle]
    ending = final(word)
    if ending is None:
        return BOTH[after_consonant]
    if after_consonant == "으로":
        return "로" if ending in (NONE, RIEUL) else "으로"
    return after_vowel if ending == NONE else after_consonant


def attach(word, particle: str) -> str:
    """``word`` followed by the right form of ``particle``: ``attach("Pooling", "를")`` is ``"Pooling을"``."""
    return f"{word}{choose(str(word), particle)}"


def _number_final(text: str) -> str:
    digits = re.search(r"[0-9]+$", text).group()
    before = text[: len(text) - len(digits)]
    fraction = re.search(r"([0-9]+)/$", before)
    if fraction:  # a/b is read "b분의 a"
        return _number_final(fraction.group(1))
    if before.endswith("^"):  # x^2: 제곱
        return OTHER
    if re.search(r"[0-9]\.$", before):  # decimals and versions: digit by digit
        return _DIGIT_FINAL[digits[-1]]
    value = digits.lstrip("0") or "0"
    zeros = len(value) - len(value.rstrip("0"))
    if zeros == 0 or value == "0":
        return _DIGIT_FINAL[value[-1]]
    return NONE if 12 <= zeros < 16 else OTHER  # 십 백 천, 만, 억; 조 (10^12) ends in a vowel


def _latin_final(text: str) -> str:
    run = re.search(r"[A-Za-z]+$", text).group()
    parts = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", run)  # SoftmaxWithLoss -> Loss, dW -> W, ReLU -> LU
    word = parts[-1] if parts else run
    lower = word.lower()
    if not _VOWELS & set(lower) or (word.isupper() and len(word) < 3):  # spelled: dx, db, W, HTML, csv, ID
        return _SPELLED_FINAL.get(lower[-1], NONE)
    for exception, ending in _EXCEPTIONS.items():
        if lower.endswith(exception):  # dtype as type
            return ending
    return _english_final(lower)


def _english_final(word: str) -> str:
    """The last sound of an English word as Korean writes it (see the module docstring)."""
    if word.endswith("ng"):
        return OTHER
    if len(word) >= 3 and word[-1] == "e" and word[-2] in "lmn":
        return RIEUL if word[-2] == "l" else OTHER
    last, before = word[-1], word[-2] if len(word) > 1 else ""
    after_vowel = before in _VOWELS
    if last in "mn":
        return OTHER
    if last == "l":
        return RIEUL
    if last == "k":
        return OTHER if after_vowel or before == "c" else NONE
    if last == "c":
        return OTHER if before == "i" else NONE
    if last == "t" and after_vowel and len(word) > 2 and word[-3] in _VOWELS and word[-3:-1] != "ou":
        return NONE  # a long vowel: root 루트, wait 웨이트 (but out 아웃)
    if last in "pbt":
        return OTHER if after_vowel else NONE
    return NONE


def fill(template: str, *args, **values) -> str:
    """``template.format(*args, **values)``, with ``{name|은}`` placeholders followed by the right particle."""
    if "|" not in template:
        return str.format(template, *args, **values)

    def one(match: re.Match) -> str:
        name, spec, particle = match.groups()
        word = str.format("{" + name + spec + "}", *args, **values)
        return attach(word, particle).replace("{", "{{").replace("}", "}}")

    return str.format(_PLACEHOLDER.sub(one, template), *args, **values)


def holds_particles(text: str) -> bool:
    return "|" in text and _PLACEHOLDER.search(text) is not None


def strip(text: str) -> str:
    """``text`` with each ``{name|은}`` written as the plain ``{name}``, for tools that read placeholders."""
    return _PLACEHOLDER.sub(lambda m: "{" + m.group(1) + m.group(2) + "}", text)


class Template(str):
    """A translated message holding ``{name|은}`` placeholders: ``format`` chooses each particle."""

    __slots__ = ()

    def format(self, *args, **values) -> str:  # noqa: A003 - str.format, with particles
        return fill(self, *args, **values)
