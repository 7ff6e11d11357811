"""The dashboard admits only the person: Host allowlist, CSRF checks, a session that needs the passphrase."""

import pytest

from companion.appkeys import CORE
from companion.ledger.model import Decision, DisclosedField, LedgerDraft
from tests.companion.conftest import PASSPHRASE


def same_origin(companion):
    return {"Origin": f"http://127.0.0.1:{companion.port}", "Sec-Fetch-Site": "same-origin"}


async def login(companion):
    response = await companion.post(
        "/unlock", data={"passphrase": PASSPHRASE, "next": "/"}, headers=same_origin(companion), allow_redirects=False
    )
    assert response.status == 303, await response.text()
    return response


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "127.0.0.1:1"])
async def test_dns_rebinding_hosts_are_refused(companion, host):
    response = await companion.get("/", headers={"Host": host}, allow_redirects=False)
    assert response.status == 421


async def test_pages_carry_a_strict_csp_and_no_framing(companion):
    companion.app[CORE].create(PASSPHRASE)
    response = await companion.get("/unlock")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost:1"},
    ],
)
async def test_cross_site_state_changes_are_refused(companion, headers):
    core = companion.app[CORE]
    core.create(PASSPHRASE)
    response = await companion.post("/lock", headers=headers, allow_redirects=False)
    assert response.status == 403
    assert core.vault.state == "unlocked"


async def test_without_a_session_pages_redirect_to_unlock(companion):
    companion.app[CORE].create(PASSPHRASE)  # unlocked, but this browser never typed the passphrase
    response = await companion.get("/", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/unlock")


async def test_wrong_passphrase_is_a_clear_error_and_no_session(companion):
    core = companion.app[CORE]
    core.create(PASSPHRASE)
    core.lock()
    response = await companion.post(
        "/unlock", data={"passphrase": "nope", "next": "/"}, headers=same_origin(companion), allow_redirects=False
    )
    assert response.status == 400
    assert "does not open" in (await response.text()) or "passphrase" in (await response.text()).lower()
    assert "proffer_session" not in response.cookies
    assert core.vault.state == "locked"


OFF_SITE = [
    "//evil.example/",
    "/\\evil.example/x",
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "/\r/evil.example/x",
    "/\r\n/evil.example/x",
    "/ /evil.example/x",
    "/\x00/evil.example/x",
    "/\u2028/evil.example/x",
    "/%09/evil.example/x",
    "/%0a/evil.example/x",
    "/%2F/evil.example/x",
    "/%5Cevil.example/x",
    "https://evil.example/",
    "http:/evil.example/",
    "evil.example",
    "/nowhere",
    "/native",
    "/lock",
]


@pytest.mark.parametrize("target", OFF_SITE)
async def test_next_cannot_redirect_off_site(companion, target):
    companion.app[CORE].create(PASSPHRASE)
    response = await companion.post(
        "/unlock",
        data={"passphrase": PASSPHRASE, "next": target},
        headers=same_origin(companion),
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
async def test_unlock_form_carries_no_off_site_next(companion, target):
    companion.app[CORE].create(PASSPHRASE)
    response = await companion.get("/unlock", params={"next": target})
    assert response.status == 200
    assert 'name="next" value="/"' in await response.text()


@pytest.mark.parametrize("target", ["/", "/ledger/sites", "/vault", "/decisions"])
async def test_next_returns_to_the_dashboard_page_asked_for(companion, target):
    companion.app[CORE].create(PASSPHRASE)
    response = await companion.get("/unlock", params={"next": target})
    assert f'name="next" value="{target}"' in await response.text()
    form = {"passphrase": PASSPHRASE, "next": target}
    response = await companion.post("/unlock", data=form, headers=same_origin(companion), allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == target


async def test_a_page_behind_the_session_sends_its_path_and_query_to_unlock(companion):
    companion.app[CORE].create(PASSPHRASE)
    response = await companion.get("/ledger/site", params={"site": "shop.example"}, allow_redirects=False)
    assert response.status == 303
    location = response.headers["Location"]
    assert location.startswith("/unlock?")
    response = await companion.get(location)
    assert 'name="next" value="/ledger/site?site=shop.example"' in await response.text()


async def test_overview_shows_releases_with_shop_strings_escaped(companion):
    core = companion.app[CORE]
    core.create(PASSPHRASE)
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    core.ledger.append(
        LedgerDraft(
            site="shop.example",
            origin="https://shop.example",
            path="/checkout",
            frame_origin="https://shop.example",
            purpose="checkout",
            decision=Decision.ONCE,
            terms="test",
            fields=(DisclosedField(type="email", label=hostile, value_id="email:1", fingerprint="ab"),),
        )
    )
    await login(companion)
    response = await companion.get("/")
    html = await response.text()
    assert response.status == 200 and "shop.example" in html
    assert hostile not in html and "&lt;script&gt;" in html


async def test_lock_ends_every_session(companion):
    companion.app[CORE].create(PASSPHRASE)
    await login(companion)
    assert (await companion.get("/", allow_redirects=False)).status == 200
    response = await companion.post("/lock", headers=same_origin(companion), allow_redirects=False)
    assert response.status == 303
    assert companion.app[CORE].vault.state == "locked"
    assert (await companion.get("/", allow_redirects=False)).status == 303


@pytest.mark.parametrize("headers", [{}, {"Sec-Fetch-Site": "none"}, "same-origin"])
async def test_lock_without_a_session_is_refused_and_locks_nothing(companion, headers):
    companion.app[CORE].create(PASSPHRASE)
    person = companion.session.cookie_jar
    await login(companion)
    session = person.filter_cookies(companion.make_url("/"))["proffer_session"].value
    person.clear()  # the same server, now a client that never typed the passphrase
    headers = same_origin(companion) if headers == "same-origin" else headers
    response = await companion.post("/lock", headers=headers, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/unlock")
    assert companion.app[CORE].vault.state == "unlocked"
    response = await companion.get("/", cookies={"proffer_session": session}, allow_redirects=False)
    assert response.status == 200  # the person's session did not end


async def test_autolock_minutes_are_set_from_the_overview_kept_and_applied(companion, data_dir):
    core = companion.app[CORE]
    core.create(PASSPHRASE)
    await login(companion)
    response = await companion.post(
        "/settings/autolock", data={"autolock_minutes": "5"}, headers=same_origin(companion), allow_redirects=False
    )
    assert response.status == 303
    assert core.vault.autolock_seconds == 300
    assert data_dir.load_settings().autolock_minutes == 5
    assert 'value="5"' in await (await companion.get("/")).text()
    for bad in ("-1", "1441", "soon", ""):
        response = await companion.post(
            "/settings/autolock", data={"autolock_minutes": bad}, headers=same_origin(companion), allow_redirects=False
        )
        assert response.status == 400, bad
        assert "whole number of minutes" in await response.text()
    assert core.vault.autolock_seconds == 300 and data_dir.load_settings().autolock_minutes == 5
    await companion.post("/settings/autolock", data={"autolock_minutes": "0"}, headers=same_origin(companion))
    assert core.vault.autolock_seconds == float("inf")


async def test_autolock_setting_is_a_state_change_refused_cross_site(companion):
    companion.app[CORE].create(PASSPHRASE)
    await login(companion)
    response = await companion.post(
        "/settings/autolock",
        data={"autolock_minutes": "1"},
        headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
        allow_redirects=False,
    )
    assert response.status == 403
    assert companion.app[CORE].vault.autolock_seconds == 15 * 60
