"""A cheap first pass before the keyword regexes: which parts of which patterns *could* match a string.

Every keyword pattern is an alternation of small regexes (``e ?mail``, ``t[eé]l[eé]fono``, ``_w("tel")``).
Each alternative has a run of plain letters that any match of it must contain (``mail``, ``l``,
``tel``): the longest run of literal characters at its top level that no quantifier makes optional.
An alternative can only match a string that contains its run, so a scan for the runs (a dict lookup per
position of the string) rules out most kinds, and most alternatives of the rest, before any regex runs.
The alternatives left are then searched one by one: a string holds a match of ``a|b|c`` exactly when it
holds a match of one of them, and a small regex is much quicker to search than a kind's whole
alternation (some have eighty alternatives, each tried at every position).

This is an exact filter, not a heuristic: the regexes still decide, and an alternative with no required
literal (say ``\\d+``) is always searched. ``tests/companion/fields/test_literals.py`` checks that
filtered and unfiltered searches agree.

The scanner reads the subset of regex syntax the keyword tables use (literals, escapes, classes,
groups, lookarounds, anchors, quantifiers); anything else simply ends a run, which is always safe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_OPTIONAL = frozenset("?*{")  # quantifiers that allow the atom before them to be absent


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern (``a|b(c|d)|e`` -> ``a``, ``b(c|d)``, ``e``)."""
    out, current, depth, in_class, i = [], [], 0, False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            current.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            out.append("".join(current))
            current = []
            i += 1
            continue
        current.append(char)
        i += 1
    out.append("".join(current))
    return out


def _atoms(alternative: str) -> list[tuple[str | None, str]]:
    """The alternative as (literal char or None, quantifier) pairs; None is any non-literal atom.
    Zero-width items (anchors, lookarounds) become (None, "") too: they break a run, harmlessly."""
    atoms: list[tuple[str | None, str]] = []
    i, n = 0, len(alternative)
    while i < n:
        char = alternative[i]
        if char == "\\" and i + 1 < n:
            escaped = alternative[i + 1]
            # "\." is a dot; an escaped letter or digit is a class, an anchor or a back-reference
            atom, i = (None if escaped.isalnum() else escaped), i + 2
        elif char == "[":
            end = alternative.find("]", i + 2)  # "[]..." would hold a literal "]"; the tables have none
            atom, i = None, (end + 1 if end >= 0 else n)
        elif char == "(":
            depth, j = 1, i + 1
            while j < n and depth:
                if alternative[j] == "\\":
                    j += 1
                elif alternative[j] == "(":
                    depth += 1
                elif alternative[j] == ")":
                    depth -= 1
                j += 1
            atom, i = None, j
        elif char in ".^$|)":
            atom, i = None, i + 1
        else:
            atom, i = char, i + 1
        quantifier = ""
        if i < n and alternative[i] in "?*+{":
            quantifier = alternative[i]
            if quantifier == "{":
                close = alternative.find("}", i)
                i = close + 1 if close >= 0 else n
            else:
                i += 1
            if i < n and alternative[i] in "?+":  # lazy or possessive marker
                i += 1
        atoms.append((atom, quantifier))
    return atoms


def required_literal(alternative: str) -> str:
    """The longest run of characters every match of ``alternative`` contains ("" when there is none)."""
    best, run = "", ""
    for atom, quantifier in _atoms(alternative):
        if atom is None or quantifier[:1] in _OPTIONAL:
            run = ""
        elif quantifier == "+":  # one or more: the character is there, but what follows may not touch it
            run += atom
            best = max(best, run, key=len)
            run = ""
            continue
        else:
            run += atom
        best = max(best, run, key=len)
    return best


class LiteralIndex:
    """Maps a string to the kinds whose patterns could match it, each with the alternatives that could.

    Runs are found by their first three characters (two for two-character runs): a dict lookup or two per
    position of the string. Single-character runs (``名``, ``m``) are found among the characters present.
    Alternatives that have no run at all are always candidates."""

    def __init__(self, patterns: Iterable[tuple[str, str]]) -> None:
        self.always: dict[str, set[re.Pattern[str]]] = {}
        self.by_prefix: dict[str, list[tuple[str, str, re.Pattern[str]]]] = {}
        self.by_char: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        for kind, pattern in patterns:
            for alternative in split_alternatives(pattern):
                literal, compiled = required_literal(alternative), re.compile(alternative)
                if not literal:
                    self.always.setdefault(kind, set()).add(compiled)
                elif len(literal) == 1:
                    self.by_char.setdefault(literal, []).append((kind, compiled))
                else:
                    self.by_prefix.setdefault(literal[:3], []).append((literal, kind, compiled))

    def candidates(self, text: str) -> dict[str, set[re.Pattern[str]]]:
        """Each kind that could match ``text``, with the alternatives of its pattern whose runs it holds."""
        found = {kind: set(alternatives) for kind, alternatives in self.always.items()}
        by_prefix = self.by_prefix
        for i in range(len(text) - 1):
            for entries in (by_prefix.get(text[i : i + 3]), by_prefix.get(text[i : i + 2])):
                if entries:
                    for literal, kind, compiled in entries:
                        if text.startswith(literal, i):
                            found.setdefault(kind, set()).add(compiled)
        by_char = self.by_char
        for char in set(text) & by_char.keys():
            for kind, compiled in by_char[char]:
                found.setdefault(kind, set()).add(compiled)
        return found
