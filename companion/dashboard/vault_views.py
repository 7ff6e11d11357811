"""The vault in the dashboard: first-run creation, editing every item, vCard import, passphrase change.

Views only translate: a form becomes a dict shaped like ``VaultProfile``'s JSON, the vault validates it
(``VaultProfile.parse``) and writes it; validation problems come back as ``location: message`` lines,
which are shown next to the form they belong to, with what the person typed kept in the fields.

Each item is edited through its own small form posting to ``/vault/{section}/{item_id}`` (``new`` to add;
``main`` for the single birthday and organization), so one bad field never loses other edits. The forms
themselves are described once, in ``SECTIONS``; the template renders any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy

from companion.appkeys import CORE, run_on_worker
from companion.dashboard.security import start_session
from companion.dashboard.views import login_required
from companion.sites import portless
from companion.vault import InvalidProfile, InvalidVcard, VaultError, VaultExists, VaultProfile, WrongPassphrase
from companion.vault.geo import COUNTRIES

MAX_VCARD_BYTES = 900 * 1024  # under the app's request cap, with room for the multipart framing


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: str = "text"  # text, email, tel, number, select
    options: tuple[tuple[str, str], ...] = ()
    autocomplete: str = "off"  # the dashboard must never be autofilled by the browser from itself


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    inputs: tuple[Input, ...]
    single: bool = False  # one item ("main") instead of a list
    hint: str = ""


COUNTRY_OPTIONS = (("", "(unknown)"), *sorted(((c.code, c.name) for c in COUNTRIES.values()), key=lambda o: o[1]))
ADDRESS_KINDS = tuple((k, k.capitalize()) for k in ("home", "work", "shipping", "billing", "other"))

SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        Section(
            "names",
            "Names",
            (
                Input("label", "Label (legal, professional…)"),
                Input("honorific_prefix", "Title (Dr, Ms…)"),
                Input("given", "Given name"),
                Input("additional", "Middle name(s)"),
                Input("family", "Family name"),
                Input("honorific_suffix", "Suffix (Jr., PhD…)"),
                Input("nickname", "Nickname"),
                Input("full", "Full name as you write it (optional)"),
            ),
        ),
        Section(
            "emails", "Emails", (Input("label", "Label (home, work…)"), Input("address", "Email address", "email"))
        ),
        Section(
            "phones",
            "Phones",
            (
                Input("label", "Label (mobile, home, work…)"),
                Input("country_code", "Country code (+44)"),
                Input("national", "Number", "tel"),
                Input("extension", "Extension"),
            ),
        ),
        Section(
            "addresses",
            "Addresses",
            (
                Input("label", "Kind", "select", ADDRESS_KINDS),
                Input("recipient", "Recipient, if not you"),
                Input("line1", "Street and number"),
                Input("line2", "Line 2"),
                Input("line3", "Line 3"),
                Input("postal_code", "Postal code"),
                Input("city", "City"),
                Input("region", "State / county / region"),
                Input("district", "District"),
                Input("country", "Country", "select", COUNTRY_OPTIONS),
            ),
            hint="Shipping and billing addresses are offered first on the matching parts of a checkout.",
        ),
        Section(
            "memberships",
            "Memberships",
            (
                Input("program", "Program"),
                Input("number", "Member number"),
                Input("sites", "Shop sites, separated by commas (shop.example)"),
                Input("email", "Email it is registered with"),
                Input("phone", "Phone it is registered with"),
            ),
            hint="Offered when a shop on one of its sites asks for a loyalty or member number.",
        ),
        Section(
            "birthday",
            "Birthday",
            (
                Input("year", "Year (optional)", "number"),
                Input("month", "Month", "number"),
                Input("day", "Day", "number"),
            ),
            single=True,
        ),
        Section(
            "organization",
            "Work",
            (Input("name", "Organization"), Input("title", "Job title")),
            single=True,
        ),
    )
}


@dataclass
class FormView:
    section: Section
    item_id: str
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        return f"/vault/{self.section.key}/{self.item_id}"

    @property
    def dom_id(self) -> str:
        return f"{self.section.key}-{self.item_id}"


# --- item <-> form values ----------------------------------------------------------------------------------


def _to_form(section: str, item: dict[str, Any]) -> dict[str, str]:
    values = {k: "" if v is None else str(v) for k, v in item.items() if not isinstance(v, list)}
    if section == "addresses":
        lines = item.get("lines", [])
        values |= {f"line{i + 1}": lines[i] if i < len(lines) else "" for i in range(3)}
    if section == "memberships":
        values["sites"] = ", ".join(item.get("sites", []))
    return values


def _from_form(section: str, form: MultiDictProxy, item_id: str) -> dict[str, Any]:
    names = [i.name for i in SECTIONS[section].inputs]
    values = {name: str(form.get(name, "")).strip() for name in names}
    if section == "addresses":
        values["lines"] = [values.pop(f"line{i}") for i in (1, 2, 3)]
        values["lines"] = [line for line in values["lines"] if line] or [""]
    if section == "memberships":
        values["sites"] = [s for s in values["sites"].replace(" ", ",").split(",") if s]
    if section == "birthday":
        return {k: (v if v else None) if k == "year" else v for k, v in values.items()}
    if not SECTIONS[section].single and item_id != "new":
        values["id"] = item_id
    return values


def _notes(section: str, item: dict[str, Any]) -> list[str]:
    """What the person should know about a saved item: a membership site from before local sites had a port."""
    if section != "memberships":
        return []
    return [
        f"{site} has no port, so it matches no shop: local addresses are now told apart by port. Proffer does "
        f"not guess which one; write the shop's, like {site}:8088."
        for site in item.get("sites", [])
        if portless(site)
    ]


def _views(profile: VaultProfile, failed: FormView | None = None) -> dict[str, list[FormView]]:
    data = profile.model_dump()
    views: dict[str, list[FormView]] = {}
    for key, section in SECTIONS.items():
        if section.single:
            current = data[key]
            forms = [FormView(section, "main", _to_form(key, current) if current else {})]
        else:
            forms = [FormView(section, item["id"], _to_form(key, item), notes=_notes(key, item)) for item in data[key]]
            forms.append(FormView(section, "new", {}))
        if failed is not None and failed.section.key == key:
            forms = [failed if f.item_id == failed.item_id else f for f in forms]
        views[key] = forms
    return views


# --- pages -------------------------------------------------------------------------------------------------


async def setup_form(request: web.Request) -> web.StreamResponse:
    if request.app[CORE].vault.state != "absent":
        raise web.HTTPSeeOther("/vault")
    return aiohttp_jinja2.render_template("vault_setup.html", request, {"error": None})


async def setup(request: web.Request) -> web.StreamResponse:
    core = request.app[CORE]
    form = await request.post()
    passphrase, again = str(form.get("passphrase", "")), str(form.get("confirm", ""))
    error = None
    if passphrase != again:
        error = "The two passphrases differ."
    else:
        try:
            await run_on_worker(request.app, core.create, passphrase)
        except VaultExists:
            raise web.HTTPSeeOther("/unlock") from None
        except VaultError as exc:
            error = str(exc)[:1].upper() + str(exc)[1:]
    if error:
        response = aiohttp_jinja2.render_template("vault_setup.html", request, {"error": error})
        response.set_status(400)
        return response
    response = web.HTTPSeeOther("/vault?welcome=1")
    start_session(request, response)
    raise response


@login_required
async def vault_page(request: web.Request) -> web.StreamResponse:
    profile = await run_on_worker(request.app, request.app[CORE].vault.profile)
    return _render(request, profile, welcome=request.query.get("welcome") == "1")


def _render(
    request: web.Request,
    profile: VaultProfile,
    *,
    failed: FormView | None = None,
    notice: str | None = None,
    problems: list[str] | None = None,
    welcome: bool = False,
    status: int = 200,
) -> web.StreamResponse:
    response = aiohttp_jinja2.render_template(
        "vault_edit.html",
        request,
        {
            "sections": _views(profile, failed),
            "notice": notice,
            "problems": problems or [],
            "welcome": welcome,
        },
    )
    response.set_status(status)
    return response


@login_required
async def save_item(request: web.Request) -> web.StreamResponse:
    section_key, item_id = request.match_info["section"], request.match_info["item_id"]
    section = SECTIONS.get(section_key)
    if section is None:
        raise web.HTTPNotFound(text="no such part of the vault")
    form = await request.post()
    vault = request.app[CORE].vault
    profile: VaultProfile = await run_on_worker(request.app, vault.profile)
    data = profile.model_dump()
    item = _from_form(section_key, form, item_id)
    # Fields the form does not show (an address's subdistrict, say) are kept as they are.
    if section.single:
        data[section_key] = {**(data[section_key] or {}), **item}
        location = section_key
    else:
        ids = [existing["id"] for existing in data[section_key]]
        if item_id == "new":
            data[section_key].append(item)
            location = f"{section_key}.{len(ids)}"
        elif item_id in ids:
            data[section_key][ids.index(item_id)] = {**data[section_key][ids.index(item_id)], **item}
            location = f"{section_key}.{ids.index(item_id)}"
        else:
            raise web.HTTPNotFound(text="that item is no longer in the vault")
    try:
        updated = VaultProfile.parse(data)
        await run_on_worker(request.app, vault.update, updated)
    except InvalidProfile as exc:
        failed = FormView(section, item_id, {k: str(v) for k, v in form.items()}, _problems_for(exc, location))
        return _render(request, profile, failed=failed, status=400)
    raise web.HTTPSeeOther(f"/vault#{section_key}")


def _problems_for(exc: InvalidProfile, location: str) -> list[str]:
    """The problems of one item, with the item's own place stripped: ``address: not an email…``."""
    mine = []
    for problem in exc.problems:
        where, _, message = problem.partition(": ")
        if where == location or where.startswith(location + "."):
            field_name = where[len(location) :].lstrip(".").split(".")[0]
            mine.append(f"{field_name.replace('_', ' ')}: {message}" if field_name else message)
        else:
            mine.append(problem)
    return mine


@login_required
async def delete_item(request: web.Request) -> web.StreamResponse:
    section_key, item_id = request.match_info["section"], request.match_info["item_id"]
    section = SECTIONS.get(section_key)
    if section is None:
        raise web.HTTPNotFound(text="no such part of the vault")
    vault = request.app[CORE].vault

    def delete() -> None:
        data = vault.profile().model_dump()
        if section.single:
            data[section_key] = None
        else:
            data[section_key] = [item for item in data[section_key] if item["id"] != item_id]
        vault.update(VaultProfile.parse(data))

    await run_on_worker(request.app, delete)
    raise web.HTTPSeeOther(f"/vault#{section_key}")


@login_required
async def import_vcard(request: web.Request) -> web.StreamResponse:
    vault = request.app[CORE].vault
    form = await request.post()
    upload = form.get("vcard")
    raw = upload.file.read(MAX_VCARD_BYTES + 1) if hasattr(upload, "file") else b""
    notice, problems, status = None, [], 200
    if not raw:
        problems, status = ["Choose a .vcf file to import."], 400
    elif len(raw) > MAX_VCARD_BYTES:
        problems, status = ["That file is too large to be one contact card."], 400
    else:
        try:
            summary = await run_on_worker(request.app, vault.import_vcard, raw.decode("utf-8", "replace"))
        except (InvalidVcard, InvalidProfile) as exc:
            problems, status = [str(exc)], 400
        else:
            added = ", ".join(f"{n} {kind}" for kind, n in summary.added.items()) or "nothing new"
            notice = f"Imported: {added}." + (" Left out: " + "; ".join(summary.skipped) if summary.skipped else "")
    profile = await run_on_worker(request.app, vault.profile)
    return _render(request, profile, notice=notice, problems=problems, status=status)


@login_required
async def change_passphrase(request: web.Request) -> web.StreamResponse:
    vault = request.app[CORE].vault
    form = await request.post()
    old, new, again = (str(form.get(k, "")) for k in ("current", "passphrase", "confirm"))
    notice, problems, status = None, [], 200
    if new != again:
        problems, status = ["The two new passphrases differ; nothing was changed."], 400
    else:
        try:
            await run_on_worker(request.app, vault.change_passphrase, old, new)
            notice = "Passphrase changed. Use the new one from now on."
        except WrongPassphrase:
            problems, status = ["The current passphrase is not right; nothing was changed."], 400
        except VaultError as exc:
            problems, status = [str(exc)], 400
    profile = await run_on_worker(request.app, vault.profile)
    return _render(request, profile, notice=notice, problems=problems, status=status)


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/vault/setup", setup_form)
    app.router.add_post("/vault/setup", setup)
    app.router.add_get("/vault", vault_page)
    app.router.add_post("/vault/import", import_vcard)
    app.router.add_post("/vault/passphrase", change_passphrase)
    app.router.add_post("/vault/{section}/{item_id}/delete", delete_item)
    app.router.add_post("/vault/{section}/{item_id}", save_item)
