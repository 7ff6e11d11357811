#!/usr/bin/env python3
"""List keyword matches that sit inside a longer word, for a person to review.

    python3 tools/audit_vocabulary.py [--descriptors .cache/corpus-descriptors.jsonl] [--min 2] [--longest 5]

A short word in ``companion/fields/vocabulary.py`` that is not anchored also matches inside other words:
Swedish "inte" (not) inside "Intercom", Polish "kod" inside Danish "adgangskode" (password). This reads
every label, placeholder, title, nearby text and programmer name the extension extracted from the
development corpus (``benchmarks/fields.py`` writes that dump), and prints, most frequent first, each
kind, the letters that matched, and the word they matched inside. Many are right (German compounds:
"Telefonnummer"); the wrong ones are fixed by anchoring the word where its language writes it alone,
never by matching one page.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from companion.fields import text, vocabulary  # noqa: E402

HUMAN_TEXT = ("label", "aria_label", "placeholder", "title", "nearby_text")
PROGRAMMER_NAMES = ("name", "id")


def corpus_strings(descriptors: Path) -> set[str]:
    """Every distinct normalised string the classifier reads, over the whole dump."""
    strings: set[str] = set()
    with descriptors.open(encoding="utf-8") as lines:
        for line in lines:
            for field in json.loads(line)["payload"]["fields"]:
                strings.update(text.human(field[k]) for k in HUMAN_TEXT if field.get(k))
                strings.update(text.identifier(field[k]) for k in PROGRAMMER_NAMES if field.get(k))
    strings.discard("")
    return strings


def _word_around(string: str, start: int, end: int) -> str:
    while start > 0 and string[start - 1].isalpha():
        start -= 1
    while end < len(string) and string[end].isalpha():
        end += 1
    return string[start:end]


def inner_matches(strings: set[str], longest: int) -> Counter[tuple[str, str, str]]:
    """(kind, matched letters, the word around them) for matches of at most ``longest`` characters that
    have a letter just before or just after them."""
    found: Counter[tuple[str, str, str]] = Counter()
    for kind, compiled in vocabulary.compiled_patterns():  # folded like the text they read
        for string in strings:
            for match in compiled.finditer(string):
                start, end = match.span()
                if not 0 < end - start <= longest:
                    continue
                inside = (start > 0 and string[start - 1].isalpha()) or (end < len(string) and string[end].isalpha())
                if inside:
                    found[kind, match.group(0), _word_around(string, start, end)] += 1
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--descriptors", type=Path, default=ROOT / ".cache/corpus-descriptors.jsonl")
    ap.add_argument("--min", type=int, default=2, help="leave out what occurs fewer times than this")
    ap.add_argument("--longest", type=int, default=5, help="longest match to report, in characters")
    args = ap.parse_args()
    if not args.descriptors.exists():
        sys.exit(f"{args.descriptors} is missing: run `python benchmarks/fields.py` once to write it")
    strings = corpus_strings(args.descriptors)
    print(f"{len(strings)} distinct strings", file=sys.stderr)
    for (kind, letters, word), count in inner_matches(strings, args.longest).most_common():
        if count < args.min:
            break
        print(f"{count:5d}  {kind:18s} {letters!r:10s} inside {word!r}")


if __name__ == "__main__":
    main()
