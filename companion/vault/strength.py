"""A passphrase strength estimate, the same in the dashboard's live meter and here where it is enforced.

Deliberately simple and predictable (the dashboard's ``static/vault-setup.js`` computes the same figure):
characters after collapsing runs of one repeated character to two, times log2 of the size of the
character classes used, halved when the passphrase contains a notoriously common password. It says "too
weak" to the obvious mistakes (short, one repeated key, digits only, "password1") without pretending to be
a cracking model; the Argon2id cost does the rest.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MIN_BITS = 40
COMMON = ("password", "passwort", "motdepasse", "123456", "qwerty", "azerty", "letmein", "iloveyou", "proffer")
VERDICTS = ((MIN_BITS, "too weak"), (60, "fair"), (80, "good"))


@dataclass(frozen=True)
class Strength:
    bits: float
    verdict: str  # "too weak", "fair", "good", "strong"
    advice: str

    @property
    def acceptable(self) -> bool:
        return self.bits >= MIN_BITS


def estimate(passphrase: str) -> Strength:
    collapsed = re.sub(r"(.)\1{2,}", r"\1\1", passphrase)
    pool = 0
    if re.search(r"[a-z]", collapsed):
        pool += 26
    if re.search(r"[A-Z]", collapsed):
        pool += 26
    if re.search(r"[0-9]", collapsed):
        pool += 10
    if re.search(r"[ -/:-@\[-`{-~]", collapsed):
        pool += 33
    if re.search(r"[^\x00-\x7f]", collapsed):
        pool += 100
    bits = len(collapsed) * math.log2(pool) if pool else 0.0
    if any(word in passphrase.lower() for word in COMMON):
        bits /= 2
    verdict = next((name for limit, name in VERDICTS if bits < limit), "strong")
    advice = (
        "Use four or more unrelated words, or a long sentence only you would write."
        if bits < 60
        else "Good. Keep it somewhere safe: Proffer cannot recover a forgotten passphrase."
    )
    return Strength(round(bits, 1), verdict, advice)
