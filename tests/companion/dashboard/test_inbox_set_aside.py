"""Corrections the ledger's inbox set aside are shown, not only logged.

A fill report that comes while the vault is locked waits sealed in the inbox; one that cannot be read back when
the vault opens is renamed ``.unreadable`` and kept. The ledger then lacks that correction and may overstate what
a shop received: the timeline and the integrity page say how many there are and where, without reading them."""

from companion.appkeys import CORE
from tests.companion.conftest import PASSPHRASE
from tests.companion.dashboard.test_security import login
from tests.companion.test_fill_report import inbox_files, released_twice, report, report_held


async def page(companion, path):
    response = await companion.get(path, allow_redirects=False)
    assert response.status == 200, path
    return await response.text()


def notice(html):
    start = html.index('id="inbox-set-aside"')
    return " ".join(html[start : html.index("</p>", start)].split())


async def test_no_notice_while_nothing_is_set_aside(companion):
    core, (first, _) = await released_twice(companion)
    core.lock()
    await report_held(companion, core.data_dir, report(first, refused=[(0, "field_changed")]))
    await login(companion)  # opens the vault: the held report is appended, nothing set aside
    assert core.ledger.query(decision="undelivered").total == 1
    for path in ("/ledger", "/ledger/verify"):
        assert "inbox-set-aside" not in await page(companion, path)


async def test_records_set_aside_are_counted_and_located_on_the_timeline_and_the_integrity_page(companion):
    core, (first, second) = await released_twice(companion)
    core.lock()
    torn = await report_held(companion, core.data_dir, report(first, refused=[(0, "field_changed")]))
    torn.write_bytes(torn.read_bytes()[:-7])  # cut short
    await report_held(companion, core.data_dir, report(second, refused=[(1, "invisible")]))
    await login(companion)
    assert len(inbox_files(core.data_dir, "*.unreadable")) == 1
    for path in ("/ledger", "/ledger/verify"):
        text = notice(await page(companion, path))
        assert "1 correction could not be read" in text and "was set aside" in text, path
        assert "may overstate what some shops received" in text
        assert f"<code>{core.data_dir.inbox_dir}</code>" in text and ".unreadable" in text

    (core.data_dir.inbox_dir / "00000000deadbeef.sealed").write_bytes(b"not a record at all")
    core.lock()
    await login(companion)  # the next open sets this one aside too; the first is still there, never retried
    text = notice(await page(companion, "/ledger"))
    assert "2 corrections could not be read" in text and "were set aside" in text


async def test_an_inbox_that_cannot_be_looked_in_is_said_not_to_be_known(companion, monkeypatch):
    core, _ = await released_twice(companion)
    await login(companion)
    monkeypatch.setattr(companion.app[CORE].inbox, "set_aside", lambda: None)  # as when the folder cannot be listed
    text = notice(await page(companion, "/ledger"))
    assert "could not look in" in text and str(core.data_dir.inbox_dir) in text


async def test_the_notice_needs_the_person_s_session(companion):
    core, (first, _) = await released_twice(companion)
    core.lock()
    torn = await report_held(companion, core.data_dir, report(first, refused=[(0, "field_changed")]))
    torn.write_bytes(b"torn")
    core.unlock(PASSPHRASE)  # the vault is open and the record set aside, but this client has no session
    assert len(inbox_files(core.data_dir, "*.unreadable")) == 1
    for path in ("/ledger", "/ledger/verify"):
        response = await companion.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/unlock"), path
