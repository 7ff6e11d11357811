"""The prompt preferences in the dashboard: shown with the standing decisions, changed by the person only."""

from companion.appkeys import CORE
from companion.decisions import EnrollmentChoice, MarketingChoice, NewsletterChoice, PromptPreferences
from tests.companion.conftest import PASSPHRASE
from tests.companion.dashboard.test_security import login, same_origin


async def test_the_decisions_page_shows_the_defaults(companion):
    companion.app[CORE].create(PASSPHRASE)
    await login(companion)
    page = await (await companion.get("/decisions")).text()
    assert 'id="prompt-preferences"' in page
    assert '<option value="untick" selected>' in page and '<option value="ask" selected>' in page


async def test_the_person_changes_them_once_for_every_site(companion):
    core = companion.app[CORE]
    core.create(PASSPHRASE)
    await login(companion)
    form = {"marketing": "leave", "enrollment": "decline", "newsletter": "never", "back_site": ""}
    response = await companion.post(
        "/prompt-preferences", data=form, headers=same_origin(companion), allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == "/decisions"
    assert core.decisions.preferences() == PromptPreferences(
        marketing=MarketingChoice.LEAVE, enrollment=EnrollmentChoice.DECLINE, newsletter=NewsletterChoice.NEVER
    )
    page = await (await companion.get("/decisions")).text()
    assert '<option value="leave" selected>' in page and '<option value="never" selected>' in page


async def test_nonsense_and_cross_site_posts_change_nothing(companion):
    core = companion.app[CORE]
    core.create(PASSPHRASE)
    await login(companion)
    bad = {"marketing": "subscribe-me", "enrollment": "ask", "newsletter": "ask"}
    response = await companion.post("/prompt-preferences", data=bad, headers=same_origin(companion))
    assert response.status == 400
    forged = {"marketing": "leave", "enrollment": "ask", "newsletter": "ask"}
    response = await companion.post(
        "/prompt-preferences", data=forged, headers={"Origin": "https://shop.example"}, allow_redirects=False
    )
    assert response.status == 403
    assert core.decisions.preferences() == PromptPreferences()
