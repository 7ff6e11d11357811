"""Decisions, wallet sites and ledger entries saved under a bare local address, before local sites had their
port.

A bare ``127.0.0.1`` could be any port, and loopback http is filled without asking: they are not migrated to
a guessed port, and the dashboard shows them as stale for the person to decide again on the page itself. The
ledger's entries are history, append-only and chained: kept as recorded, and the site's page says why the
address stands there without a port."""

from companion.decisions import Choice
from companion.vault.model import Membership
from tests.companion.dashboard.test_security import login
from tests.companion.ledger.conftest import make_draft
from tests.companion.test_native_api import fill_at, offer_for, unlocked


async def saved_before_ports(companion):
    """An "always" for email saved under the bare 127.0.0.1, and one under a site with its port."""
    core = await unlocked(companion)
    shop = await fill_at(companion, "http://127.0.0.1:8088")
    email = offer_for(shop, 0)
    core.decisions.set("127.0.0.1", "email", Choice.ALWAYS, purpose=shop["purpose"], value_id=email)
    core.decisions.set("127.0.0.1:9999", "email", Choice.NEVER)
    return core


async def test_a_bare_local_decision_fills_no_port(companion):
    await saved_before_ports(companion)
    for origin in ("http://127.0.0.1:8088", "http://127.0.0.1:80"):
        result = await fill_at(companion, origin)
        assert result["autofilled"] == [] and offer_for(result, 0) is not None  # asked, not filled by a guess


async def test_the_decisions_page_shows_a_bare_local_site_as_stale(companion):
    await saved_before_ports(companion)
    await login(companion)
    page = await (await companion.get("/decisions")).text()
    sections = {
        s[s.index("<h2>") + 4 : s.index("</h2>")]: s for s in page.split('<section class="card site-decisions"')[1:]
    }
    assert set(sections) == {"127.0.0.1", "127.0.0.1:9999"}
    assert 'class="notice stale-site"' in sections["127.0.0.1"] and "apply to no page now" in sections["127.0.0.1"]
    assert "stale-site" not in sections["127.0.0.1:9999"]


async def test_the_wallet_says_a_bare_local_site_matches_no_shop(companion):
    core = await unlocked(companion)
    old = Membership(program="Demo Rewards", number="DR-1", sites=["127.0.0.1", "shop.example"])
    new = Membership(program="Port Rewards", number="PR-2", sites=["127.0.0.1:8088"])
    core.vault.update(core.vault.profile().model_copy(update={"memberships": [old, new]}))
    await login(companion)
    page = await (await companion.get("/vault")).text()
    assert f'id="notes-memberships-{old.id}"' in page
    assert "127.0.0.1 has no port, so it matches no shop" in page and "like 127.0.0.1:8088" in page
    assert f'id="notes-memberships-{new.id}"' not in page and "shop.example has no port" not in page


def local_entry(site):
    """A release at the demo shop on 127.0.0.1:8088, recorded under ``site``."""
    origin = "http://127.0.0.1:8088"
    return make_draft(site).model_copy(update={"origin": origin, "frame_origin": origin})


async def test_the_ledger_says_a_bare_local_site_s_entries_are_from_before_ports(companion):
    core = await saved_before_ports(companion)
    recorded = core.ledger.append(local_entry("127.0.0.1"))  # as an older Proffer recorded it
    core.ledger.append(local_entry("127.0.0.1:8088"))
    await login(companion)
    page = await (await companion.get("/ledger/site?site=127.0.0.1")).text()
    notice = page[page.index('id="site-portless"') : page.index("</p>", page.index('id="site-portless"'))]
    assert "before Proffer told the programs on a local address" in notice and "kept as they were recorded" in notice
    assert "standing decisions below apply to no page now" in notice  # the "always" saved under the bare address
    assert 'id="site-count">1 entry' in page and core.ledger.entry(recorded.id) == recorded  # shown, not rewritten
    with_port = await (await companion.get("/ledger/site?site=127.0.0.1:8088")).text()
    assert 'id="site-count">1 entry' in with_port and "site-portless" not in with_port


def rows_by_site(page, table_id):
    """Each row of the table ``table_id``, by the site its link names."""
    table = page[page.index(f'id="{table_id}"') : page.index("</table>", page.index(f'id="{table_id}"'))]
    rows = table.split("<tr>")[2:]  # past the header row
    return {row[: row.index("</a>")].rsplit(">", 1)[1]: row for row in rows}


async def test_the_sites_list_and_the_grid_mark_a_bare_local_site_as_from_before_ports(companion):
    core = await unlocked(companion)
    core.ledger.append(local_entry("127.0.0.1"))  # as an older Proffer recorded it
    core.ledger.append(local_entry("127.0.0.1:8088"))
    core.ledger.append(make_draft("shop.example"))
    await login(companion)
    note = "local pages, from before sites had a port"
    for path, table in (("/ledger/sites", "sites"), ("/ledger/who-knows-what", "grid")):
        rows = rows_by_site(await (await companion.get(path)).text(), table)
        assert set(rows) == {"127.0.0.1", "127.0.0.1:8088", "shop.example"}, path
        assert 'class="muted portless-note">' + note in rows["127.0.0.1"], path
        assert "portless-note" not in rows["127.0.0.1:8088"] and "portless-note" not in rows["shop.example"], path
    site_page = await (await companion.get("/ledger/site?site=127.0.0.1")).text()
    assert f'id="site-portless"><strong>{note.capitalize()}.</strong>' in site_page  # the same words, from one place
