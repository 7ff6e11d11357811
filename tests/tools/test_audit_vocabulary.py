"""tools/audit_vocabulary.py: which strings it reads from a descriptor dump, and which matches it reports."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / "tools"
sys.path.insert(0, str(TOOLS))

import audit_vocabulary  # noqa: E402


def test_every_human_text_and_programmer_name_is_read_normalised(tmp_path):
    dump = tmp_path / "descriptors.jsonl"
    fields = [
        {"label": "Kod  pocztowy:", "placeholder": "", "name": "billingPostCode", "id": "", "value": "never-read"},
        {"aria_label": "E-Mail", "nearby_text": "Telefonnummer", "title": "", "id": "tel_1"},
    ]
    dump.write_text(json.dumps({"page": "p.html", "payload": {"fields": fields}}) + "\n", encoding="utf-8")
    strings = audit_vocabulary.corpus_strings(dump)
    assert {"kod pocztowy", "e mail", "telefonnummer"} <= strings
    assert not any("never" in s for s in strings), "only what the classifier reads"
    assert "" not in strings
    assert len(strings) == 5  # and the two programmer names


def test_only_short_matches_inside_a_longer_word_are_reported(monkeypatch):
    monkeypatch.setattr(audit_vocabulary.vocabulary, "compiled_patterns", lambda: [("postal-code", re.compile("kod"))])
    strings = {"adgangskode", "kod pocztowy", "kod", "kodeks kodeks"}
    found = audit_vocabulary.inner_matches(strings, longest=5)
    assert found == {("postal-code", "kod", "adgangskode"): 1, ("postal-code", "kod", "kodeks"): 2}
    assert audit_vocabulary.inner_matches(strings, longest=2) == {}, "longer matches are left out"
