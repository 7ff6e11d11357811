"""The demo shop's request handlers: pick the language, render a page, or echo a submitted form.

Every form posts back to its own URL; the answer is the thank-you page listing what the shop received, or,
when a required field is empty, a 422 page naming the missing fields (the browser's own ``required`` check
normally stops that before it is sent). Everything echoed goes through Jinja2's autoescape.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from companion.demo_shop.appkeys import NEWSLETTER_DELAY_MS
from companion.demo_shop.forms import (
    CHECKOUT,
    NEWSLETTER,
    REWARDS_JOIN,
    REWARDS_LOOKUP,
    SIGNUP,
    FormSpec,
    missing_required,
    received,
)
from companion.demo_shop.texts import CALLING_CODES, COUNTRY_CODES, LANGUAGES, SHOP_NAME, TEXTS

BIRTH_YEARS = range(2010, 1919, -1)
# Where each form lives, below /{lang}: the problem page links back there.
FORM_PAGES = {
    CHECKOUT.name: "/checkout",
    SIGNUP.name: "/account/register",
    NEWSLETTER.name: "/",
    REWARDS_LOOKUP.name: "/rewards",
    REWARDS_JOIN.name: "/rewards/join",
}


def _context(request: web.Request, page: str, **extra: Any) -> dict[str, Any]:
    lang = request.match_info["lang"]
    other = next(code for code in LANGUAGES if code != lang)
    path = request.path
    return {
        "lang": lang,
        "t": TEXTS[lang],
        "shop": SHOP_NAME,
        "page": page,
        "other_lang": other,
        "other_lang_name": TEXTS[other]["lang_name"],
        "other_lang_path": f"/{other}{path[len(lang) + 1 :]}",
        "countries": [(code, TEXTS[lang]["countries"][code]) for code in COUNTRY_CODES],
        "birth_years": BIRTH_YEARS,
        "calling_codes": CALLING_CODES,
        "newsletter_delay_ms": None,
        **extra,
    }


async def root(request: web.Request) -> web.StreamResponse:
    # The person's first language decides; the tests always name a language in the URL.
    wanted = request.headers.get("Accept-Language", "").lower()
    lang = "de" if wanted.startswith("de") else "en"
    raise web.HTTPFound(f"/{lang}/")


async def home(request: web.Request) -> web.StreamResponse:
    context = _context(request, "home", newsletter_delay_ms=request.app[NEWSLETTER_DELAY_MS])
    return aiohttp_jinja2.render_template("home.html", request, context)


async def checkout_page(request: web.Request) -> web.StreamResponse:
    return aiohttp_jinja2.render_template("checkout.html", request, _context(request, "checkout"))


async def signup_page(request: web.Request) -> web.StreamResponse:
    return aiohttp_jinja2.render_template("signup.html", request, _context(request, "account"))


async def rewards_page(request: web.Request) -> web.StreamResponse:
    return aiohttp_jinja2.render_template("rewards.html", request, _context(request, "rewards"))


async def rewards_join_page(request: web.Request) -> web.StreamResponse:
    return aiohttp_jinja2.render_template("rewards_join.html", request, _context(request, "rewards"))


async def _posted(request: web.Request) -> dict[str, str]:
    """The first text value of each posted name; uploads are refused, since no form here has one."""
    form = await request.post()
    posted: dict[str, str] = {}
    for name, value in form.items():
        if not isinstance(value, str):
            raise web.HTTPBadRequest(text="This shop accepts no file uploads.\n")
        posted.setdefault(name, value)
    return posted


async def _answer(request: web.Request, form: FormSpec, page: str) -> web.StreamResponse:
    posted = await _posted(request)
    lang = request.match_info["lang"]
    texts = TEXTS[lang]
    labels = texts["labels"][form.name]
    missing = missing_required(form, posted)
    if missing:
        context = _context(
            request,
            page,
            missing=[labels[name] for name in missing],
            form_name=form.name,
            back_path=f"/{lang}{FORM_PAGES[form.name]}",
        )
        return aiohttp_jinja2.render_template("problem.html", request, context, status=422)
    lines = received(form, posted, labels, texts["thanks"])
    context = _context(request, page, lines=lines, form_name=form.name)
    return aiohttp_jinja2.render_template("thanks.html", request, context)


async def checkout_submit(request: web.Request) -> web.StreamResponse:
    return await _answer(request, CHECKOUT, "checkout")


async def signup_submit(request: web.Request) -> web.StreamResponse:
    return await _answer(request, SIGNUP, "account")


async def newsletter_submit(request: web.Request) -> web.StreamResponse:
    return await _answer(request, NEWSLETTER, "home")


async def rewards_lookup_submit(request: web.Request) -> web.StreamResponse:
    return await _answer(request, REWARDS_LOOKUP, "rewards")


async def rewards_join_submit(request: web.Request) -> web.StreamResponse:
    return await _answer(request, REWARDS_JOIN, "rewards")
