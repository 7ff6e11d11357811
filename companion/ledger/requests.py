"""Requests the person can send a shop: access (GDPR Art. 15, CCPA right to know) and erasure (GDPR Art. 17,
CCPA right to delete), listing exactly what the ledger says the shop was given, and when.

The text lists what ``Ledger.disclosures`` says the shop was given, and nothing else: released entries only
(refusals gave the shop nothing), less every field an "undelivered" entry says the page did not take — the
same count as the dashboard's grid and site pages. ``build_request`` therefore takes the ledger, not entries:
raw entries would list values the page never took, and the command line once did. For each disclosure it
gives the date and time (UTC), the page, the purpose and the field types with the labels the shop itself
used — so the shop can find the records, and the person can see the request is complete. Values are not included: the
ledger does not keep them, and the person may not want to repeat them in an email; they can add what
identifies them in the signature lines.

``mailto_link`` builds an RFC 6068 link. Mail clients truncate long links (some at ~2,000 characters), so
when the full text would not fit, the link carries a shorter body that lists each field type with its
first and last date, and says the full list follows; the full text is always there to copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict

from companion.ledger.model import Disclosure
from companion.ledger.store import Ledger

RequestKind = Literal["access", "erasure"]
MAILTO_BODY_LIMIT = 1800  # characters of encoded body, under common mail-client limits


class ShopRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: RequestKind
    site: str
    subject: str
    body: str  # the full text, ready to copy
    short_body: str  # the same request with a per-field-type summary instead of every disclosure
    disclosures: int  # how many ledger entries it lists


INTRO = {
    "access": (
        "I am writing to request access to the personal data you hold about me, under Article 15 of the General "
        "Data Protection Regulation (GDPR) and, where it applies, my right to know under the California Consumer "
        "Privacy Act (CCPA, Cal. Civ. Code § 1798.110).\n\n"
        "Please confirm whether you process personal data about me and send me a copy of it, together with the "
        "purposes of the processing, the categories of data, the recipients or categories of recipients it was "
        "disclosed to, how long it will be kept, and where it came from if not from me."
    ),
    "erasure": (
        "I am writing to request that you erase the personal data you hold about me, under Article 17 of the "
        "General Data Protection Regulation (GDPR) and, where it applies, my right to delete under the California "
        "Consumer Privacy Act (CCPA, Cal. Civ. Code § 1798.105).\n\n"
        "Please erase it without undue delay, tell any recipients you disclosed it to, and confirm to me when it "
        "is done. Where you must keep some of it by law, please tell me which data and on what basis."
    ),
}
SUBJECT = {
    "access": "Data access request (GDPR Art. 15 / CCPA right to know): {site}",
    "erasure": "Erasure request (GDPR Art. 17 / CCPA right to delete): {site}",
}
OUTRO = (
    "GDPR Article 12(3) gives you one month to answer; the CCPA, 45 days. My records above come from the "
    "disclosure ledger I keep of what I share with shops.\n\n"
    "Name: {name}\nContact: {contact}\nDate: {today}"
)


def build_request(
    kind: RequestKind,
    site: str,
    ledger: Ledger,
    *,
    name: str = "",
    contact: str = "",
    today: date | None = None,
) -> ShopRequest:
    """The request for ``site``, listing what the ledger says its pages took (``Ledger.disclosures``)."""
    if kind not in INTRO:
        raise ValueError("kind is 'access' or 'erasure'")
    given = ledger.disclosures(site)
    head = f"To the data protection officer of {site},\n\n{INTRO[kind]}\n\n"
    tail = OUTRO.format(
        name=name or "[your name]",
        contact=contact or "[the email or phone you used with this shop]",
        today=(today or date.today()).isoformat(),
    )
    if given:
        listed = f"According to my records, I gave {site} the following ({len(given)} times):\n\n"
        listed += "\n".join(_line(e) for e in given) + "\n\n"
        summary = f"According to my records, I gave {site}:\n\n" + _summary(given) + "\n\n"
        summary += "The full list of each time, with pages and purposes, follows below or on request.\n\n"
    else:
        listed = summary = f"My records show no data given to {site} through Proffer; please check all the same.\n\n"
    return ShopRequest(
        kind=kind,
        site=site,
        subject=SUBJECT[kind].format(site=site),
        body=head + listed + tail,
        short_body=head + summary + tail,
        disclosures=len(given),
    )


def _line(entry: Disclosure) -> str:
    fields = ", ".join(f"{f.type} (“{f.label}”)" if f.label else f.type for f in entry.fields)
    when = entry.time[:16].replace("T", " ") + " UTC"
    return f"- {when}, on {entry.origin}{entry.path}, for {entry.purpose}: {fields}"


def _summary(given: Sequence[Disclosure]) -> str:
    spans: dict[str, list[Any]] = {}  # field type -> [first, last, times]
    for entry in given:
        stamp = entry.time
        for field_type in {f.type for f in entry.fields}:
            span = spans.get(field_type)
            if span is None:
                spans[field_type] = [stamp, stamp, 1]
                continue
            if stamp < span[0]:
                span[0] = stamp
            elif stamp > span[1]:
                span[1] = stamp
            span[2] += 1
    return "\n".join(
        f"- {t}: {n} time{'s' if n != 1 else ''}, first {first[:10]}, last {last[:10]}"
        for t, (first, last, n) in sorted(spans.items())
    )


def mailto_link(to: str, request: ShopRequest) -> str:
    """An RFC 6068 ``mailto:`` link; the shorter body when the full one would be too long for mail clients."""
    if not to or any(c in to for c in "\r\n?&") or "@" not in to:
        raise ValueError("the shop's address should be one email address")
    body = quote(request.body, safe="") if fits_mail_link(request) else quote(request.short_body, safe="")
    return f"mailto:{quote(to, safe='@')}?subject={quote(request.subject, safe='')}&body={body}"


def fits_mail_link(request: ShopRequest) -> bool:
    """Whether the full text fits a mail link; if not, ``mailto_link`` carries ``short_body``."""
    # Encoding never shortens a text, so a body already too long as text is not encoded (at thousands of
    # disclosures that alone took tens of milliseconds).
    return len(request.body) <= MAILTO_BODY_LIMIT and len(quote(request.body, safe="")) <= MAILTO_BODY_LIMIT
