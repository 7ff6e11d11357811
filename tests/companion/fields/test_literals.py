"""The literal index that narrows the keyword search: it may only ever rule out kinds that cannot match."""

from __future__ import annotations

import re

import pytest

from companion.fields import text, vocabulary
from companion.fields.literals import LiteralIndex, required_literal, split_alternatives


@pytest.mark.parametrize(
    ("alternative", "literal"),
    [
        ("courriel", "courriel"),
        ("e ?mail", "mail"),  # the "e" may be followed by no space, but "mail" is always there
        ("(?<![a-z])tel(?![a-z])", "tel"),  # lookarounds consume nothing
        ("house ?(no|num|nr)", "house"),  # a group is not a literal
        ("address ?(line)? ?2", "address"),
        ("powt[oó]rz", "powt"),  # a class ends a run
        ("neighbo(u)?rhood", "neighbo"),
        ("тел\\.?$", "тел"),  # an optional escaped dot is not required
        ("ф\\.и\\.о", "ф.и.о"),  # a required escaped dot is
        ("ab+c", "ab"),  # after "b+" the next character need not touch the first b
        ("colou*r", "colo"),
        ("x{2}yz", "yz"),
        ("\\d+", ""),
        ("[0-9]{5}", ""),
        ("名(?!字)", "名"),
    ],
)
def test_required_literal(alternative: str, literal: str) -> None:
    assert required_literal(alternative) == literal
    if literal:  # what the scanner calls required is in a real match of the pattern
        sample = {"e ?mail": "email", "ab+c": "abbbc", "colou*r": "color"}.get(alternative)
        if sample:
            assert re.search(alternative, sample) and literal in sample


def test_split_alternatives_respects_groups_classes_and_escapes() -> None:
    assert split_alternatives("a|b(c|d)|[|]e|f\\|g") == ["a", "b(c|d)", "[|]e", "f\\|g"]


def test_index_rules_out_only_kinds_whose_literals_are_absent() -> None:
    index = LiteralIndex([("email", "e ?mail|courriel"), ("tel", "tel|phone"), ("digits", "\\d+")])
    assert set(index.candidates("adresse courriel")) == {"email", "digits"}  # no literal: always searched
    assert set(index.candidates("telephone")) == {"tel", "digits"}
    assert set(index.candidates("nom")) == {"digits"}


def test_index_keeps_only_the_alternatives_whose_literals_are_present() -> None:
    index = LiteralIndex([("email", "e ?mail|courriel|adresse ?electronique"), ("tel", "tel|phone")])
    possible = index.candidates("adresse courriel")
    assert {alternative.pattern for alternative in possible["email"]} == {"courriel"}
    both = index.candidates("telephone tel")
    assert {alternative.pattern for alternative in both["tel"]} == {"tel", "phone"}


def _phrases() -> list[str]:
    """Strings that exercise every alternative of every kind: its literal alone, inside other words, at the
    edges, plus real labels in many languages."""
    out = [
        "adresse e mail",
        "e mail address",
        "numero de telephone portable",
        "código postal",
        "número de casa",
        "postleitzahl und ort",
        "ημερομηνια γεννησης",
        "почтовый индекс",
        "電話番号",
        "お名前 姓",
        "رقم الهاتف",
        "שם פרטי",
        "card number",
        "house nr",
        "kontonummer",
    ]
    for _kind, pattern in vocabulary.PATTERNS:
        for alternative in split_alternatives(pattern):
            literal = required_literal(alternative)
            plain = re.sub(r"\\(.)|[()?*+\[\]{}^$!<=:|]", r"\1", alternative)
            out += [literal, f"x{literal}y", f"{literal} z", plain, f"my {plain} here"]
    return [text.human(p) for p in out if p]


def test_indexed_search_agrees_with_searching_every_pattern() -> None:
    phrases = _phrases()
    assert len(phrases) > 5000
    vocabulary.kinds_in.cache_clear()
    disagreements = [p for p in phrases if vocabulary.kinds_in(p) != vocabulary.kinds_in_all(p)]
    assert disagreements == []
    # And the index does narrow: on these phrases most kinds are never searched.
    index = vocabulary._index()
    assert sum(len(index.candidates(p)) for p in phrases) < 0.2 * len(phrases) * len(vocabulary.PATTERNS)
    # ... and of the kinds searched, most alternatives are not: each phrase is searched with a handful.
    alternatives = sum(len(split_alternatives(pattern)) for _kind, pattern in vocabulary.PATTERNS)
    searched = sum(len(found) for p in phrases for found in index.candidates(p).values())
    assert searched < 0.01 * len(phrases) * alternatives


def test_every_keyword_alternative_carries_a_literal() -> None:
    """A word written as ``_W + "(vat|tva)"`` has no run of letters every match must contain, so its kind
    would be searched on every string: write each word as an alternative of its own."""
    assert vocabulary._index().always == {}
