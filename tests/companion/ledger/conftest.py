import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from companion.ledger import disk, summary
from companion.ledger.model import Decision, DisclosedField, LedgerDraft
from companion.ledger.store import Ledger

# What a hostile page can put in the strings the ledger keeps: markup, script, quotes, control and
# non-BMP characters. The ledger must keep every one exactly.
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> \' " & \x00\u202e 🛒'


def make_draft(
    site="shop.example",
    *,
    decision=Decision.ONCE,
    fields=(("email", "v-email", "fp-email"),),
    purpose="checkout",
    label="Email",
    path="/checkout",
    terms="approved once in the approval window",
) -> LedgerDraft:
    return LedgerDraft(
        site=site,
        origin=f"https://www.{site}",
        path=path,
        frame_origin=f"https://www.{site}",
        purpose=purpose,
        fields=tuple(
            DisclosedField(type=t, label=label, value_id=value_id, fingerprint=fingerprint)
            for t, value_id, fingerprint in fields
        ),
        decision=decision,
        terms=terms,
        browser="chromium",
        request_id="req-1",
    )


def box_change(site="alpha.example", **kwargs) -> LedgerDraft:
    """A pre-ticked opt-in Proffer unticked by the person's preference: a refusal of no particular value."""
    return make_draft(
        site, decision=Decision.NEVER, fields=(("marketing-opt-in", None, None),), label="Offers", **kwargs
    )


def make_undelivered(release, *places, reason="field_changed") -> LedgerDraft:
    """What the companion appends when the page did not take fields ``places`` of the entry ``release``."""
    return LedgerDraft(
        site=release.site,
        origin=release.origin,
        path=release.path,
        frame_origin=release.frame_origin,
        purpose=release.purpose,
        fields=tuple(release.fields[i].model_copy(update={"position": i, "reason": reason}) for i in places),
        decision=Decision.UNDELIVERED,
        terms="released, but not written into the page",
        browser=release.browser,
        request_id=release.request_id,
        release_id=release.id,
    )


def rewrite_summary(folder, key, segment, change) -> None:
    """Let ``change`` edit a segment's summary body, sealed again as Proffer seals one: a summary as an older
    Proffer wrote it."""
    keys = disk.LedgerKeys(key)
    path, aad = summary.summary_path(folder, segment), summary._aad(segment)
    blob = path.read_bytes()
    nonce = blob[: disk.NONCE_BYTES]
    body = json.loads(keys.summary.decrypt(nonce, blob[len(nonce) :], aad))
    change(body)
    path.write_bytes(nonce + keys.summary.encrypt(nonce, json.dumps(body).encode(), aad))


T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


@pytest.fixture
def key():
    return os.urandom(32)


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "ledger"


@pytest.fixture
def ledger(folder, key):
    opened = Ledger.open(folder, key, segment_entries=3)
    yield opened
    opened.close()


def fill(ledger, count, **kwargs):
    return [ledger.append(make_draft(**kwargs), now=at(i)) for i in range(count)]
