"""Normalising what a page says about a field, so that one keyword table reads every spelling.

Human text (labels, placeholders) and programmer names (``billing_firstName``, ``dwfrm_shipping_zip``,
``ctl00$Main$txtPostCode``) are brought to one form: lower case, Latin accents folded (``Código`` ->
``codigo``; non-Latin scripts are left whole, because folding would break Japanese kana and the like),
camelCase split, every run of punctuation a single space. Framework noise that carries no meaning (``ctl00``,
``dwfrm``, ``txt``, ``input``, long hex or digit runs) is dropped from programmer names so it cannot be
learned as a signal.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# Everything but letters, digits and the marks some scripts write inside a word: Python's \w leaves out
# combining marks, and without them Thai "ชื่อ" (name) would read as two words, "ช อ".
_MARKS = (
    "\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"  # Hebrew points
    "\u0610-\u061a\u064b-\u065f\u0670"  # Arabic vowel marks
    "\u0900-\u0903\u093a-\u094f\u0962\u0963"  # Devanagari vowel signs
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"  # Thai vowels and tone marks
)
_NON_WORD = re.compile(rf"(?:[^\w{_MARKS}]|_)+")
_NOISE = frozenset(
    {
        "ctl00",
        "ctl01",
        "ctl02",
        "dwfrm",
        "txt",
        "tb",
        "tbx",
        "input",
        "inp",
        "field",
        "fld",
        "form",
        "frm",
        "value",
        "val",
        "data",
        "main",
        "content",
        "placeholder",
        "default",
        "required",
        "req",
        "text",
        "the",
        "your",
        "enter",
        "please",
        "optional",
    }
)
_LETTER_DIGIT = re.compile(r"(?<=[A-Za-z])(?=\d)")
_HEX_TAIL = re.compile(r"(?<=[a-z])[0-9a-f]{10,}$")  # "shippingAddressTwo4d5bc1890a9f3df8": a hash glued on
_DIGITS = re.compile(r"\d")
_DIGIT_LETTER = re.compile(r"\d[A-Za-z]")


def fold(text: str) -> str:
    """Lower case with Latin and Greek diacritics removed; other scripts untouched.

    Greek loses its tonos and dialytika because Greek interfaces write labels in capitals without them
    ("ΤΑΧΥΔΡΟΜΙΚΟΣ ΚΩΔΙΚΑΣ" lowers to "ταχυδρομικος", never "ταχυδρομικός"). Turkish "İ" lowers to "i"
    plus a combining dot, which would otherwise split "İlçe" into two words; the dot goes."""
    text = unicodedata.normalize("NFKC", text).lower()
    if text.isascii():
        return text
    out: list[str] = []
    for char in text:
        if "À" <= char <= "ɏ":  # Latin-1 Supplement .. Latin Extended-B: safe to strip the marks
            base = unicodedata.normalize("NFD", char)[0]
            out.append(base if base.isascii() else char)
        elif "Ά" <= char <= "ώ" or "ἀ" <= char <= "ῼ":  # Greek and polytonic Greek with marks
            out.append(unicodedata.normalize("NFD", char)[0])
        elif char == "\u0307" and out and out[-1] == "i":
            continue
        else:
            out.append(char)
    return "".join(out).replace("ß", "ss").replace("ł", "l").replace("ø", "o").replace("æ", "ae")


@lru_cache(maxsize=32768)  # descriptor words recur across forms; never a personal value
def human(text: str) -> str:
    """Normalise label-like text: folded, punctuation collapsed to single spaces, at most 200 chars."""
    if not text:
        return ""
    return _NON_WORD.sub(" ", fold(text[:400])).strip()[:200]


@lru_cache(maxsize=32768)
def identifier(name: str) -> str:
    """Normalise a programmer's name (name, id): camelCase split, framework noise and ids dropped."""
    if not name:
        return ""
    chunks = [_HEX_TAIL.sub("", c) for c in _NON_WORD.sub(" ", name[:200]).split()]
    chunks = [c for c in chunks if c and not _is_generated(c)]
    words = " ".join(_CAMEL.sub(" ", c) for c in chunks).lower().split()
    kept = [_LETTER_DIGIT.sub(" ", w) for w in words if w not in _NOISE]
    return fold(" ".join(kept))


def _is_generated(word: str) -> bool:
    """Machine-made ids (``e82d9235``, ``r19``, ``PYRJ5B6``, ``12``): digits only, mostly digits, or
    several digits with letters after them (``address2`` and ``tel1`` are names, and are kept)."""
    digits = len(_DIGITS.findall(word))
    return digits == len(word) or 2 * digits >= len(word) or (digits >= 2 and _DIGIT_LETTER.search(word) is not None)
