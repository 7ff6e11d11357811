"""The decision store answers lookups from its query cache, and every kind of change is seen at once."""

import os

from companion.decisions import Choice, DecisionStore
from companion.vault.crypto import Sealer

KEY = os.urandom(32)


def store(tmp_path) -> DecisionStore:
    return DecisionStore(tmp_path / "decisions.json", Sealer(lambda purpose: KEY, "decisions"))


def test_lookups_follow_set_revoke_and_forget_even_when_cached(tmp_path):
    decisions = store(tmp_path)
    site, types = "shop.example", [f"type-{n}" for n in range(40)]  # more than TinyDB's default cache of 10
    for t in types:
        assert decisions.lookup(site, t, "checkout") is None  # cached as "nothing"
    record = decisions.set(site, "type-3", Choice.ALWAYS, value_id="v1")
    assert decisions.lookup(site, "type-3", "checkout") == record
    decisions.set(site, "type-3", Choice.NEVER, purpose="newsletter")
    assert decisions.lookup(site, "type-3", "newsletter").choice is Choice.NEVER
    assert decisions.lookup(site, "type-3", "checkout") == record
    assert decisions.revoke(record.id)
    assert decisions.lookup(site, "type-3", "checkout") is None
    decisions.set(site, "type-5", Choice.ALWAYS, value_id="v2")
    assert decisions.lookup(site, "type-5", "checkout") is not None
    assert decisions.forget_site(site) == 2
    assert all(decisions.lookup(site, t, p) is None for t in types for p in ("checkout", "newsletter"))
    decisions.close()


def test_decisions_survive_a_reopen(tmp_path):
    decisions = store(tmp_path)
    decisions.set("shop.example", "email", Choice.ALWAYS, value_id="v1")
    decisions.close()
    again = store(tmp_path)
    assert again.lookup("shop.example", "email", "checkout").value_id == "v1"
