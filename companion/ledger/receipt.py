"""A Kantara Initiative Consent Receipt (v1.1.0) for one disclosure in the ledger.

The receipt is the person's own evidence of what they agreed to share, with whom, when and why, in the
format of the Kantara Consent Receipt Specification v1.1 (KI-CR-v1.1.0). Mapping from a ledger entry:

==========================  ==========================================  ===================================
Kantara v1.1                 from the entry                               ISO/IEC TS 27560 counterpart
==========================  ==========================================  ===================================
consentReceiptID             entry id (UUID v4)                           record identifier
consentTimestamp             entry time, seconds since the epoch          event time
collectionMethod             how it was decided (approval window, or a    notice / collection method
                             standing decision) and the browser
piiPrincipalId               caller's choice; a pseudonym by default      PII principal identifier
piiControllers[0]            the site (registrable domain) and its        PII controller
                             origin as URL
services[0].purposes[0]      form purpose, its Kantara category, the      purpose, PII categories,
                             field types as PII categories, termination   duration / withdrawal
jurisdiction, language       caller's choice                              jurisdiction, language
==========================  ==========================================  ===================================

What the ledger cannot know is said plainly rather than invented: the shop's contact email, phone and
postal address are "unknown", the policy URL is the site's origin (where its policy is published), and
``thirdPartyDisclosure`` is false because the page did not declare any sharing (nothing claims it did not
happen). Only released entries get a receipt: a refusal disclosed nothing, so there is no consent to show.

A release the page partly did not take (an "undelivered" entry names it, with a reason per field) was not
collected whole. Kantara's ``piiCategory`` is what was collected, so it lists only the types the page took,
and ``collectionMethod`` — how the data was collected, free text — ends with which fields the page did not
take and why; no key outside the specification is added. A release whose page took none of its values gets
no receipt, like a refusal. The corrections are a required argument (``Ledger.undelivered``), so no caller
can forget them; a release with none gets exactly the receipt it always had.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from companion.ledger.model import Decision, LedgerEntry, why_not_taken

VERSION = "KI-CR-v1.1.0"
UNKNOWN = "unknown"
DEFAULT_PRINCIPAL = "urn:proffer:principal:self"

# Kantara v1.1 purpose categories, by Proffer's form purposes.
PURPOSE_CATEGORIES = {
    "checkout": "Contracted Service",
    "account-signup": "Core Function",
    "login": "Core Function",
    "loyalty-signup": "Personalized Experience",
    "newsletter": "Marketing",
    "contact": "Contact Requested",
}
TERMINATION = {
    Decision.ONCE: "Given once, for this form only; Proffer will ask again next time.",
    Decision.ALWAYS: "Given under a standing decision, until the person revokes it in Proffer.",
}


class NotADisclosure(ValueError):
    """The entry records a refusal, or a release its page took none of: nothing was collected, so there is
    nothing to give a receipt for."""


def consent_receipt(
    entry: LedgerEntry,
    undelivered: Sequence[LedgerEntry],
    *,
    jurisdiction: str = UNKNOWN,
    principal_id: str = DEFAULT_PRINCIPAL,
    language: str = "en",
) -> dict[str, Any]:
    """The receipt for ``entry``; ``undelivered``: the "undelivered" entries naming it (``Ledger.undelivered``)."""
    if not entry.released:
        raise NotADisclosure(f"entry {entry.id} records a refusal ({entry.decision.value}): nothing was shared")
    missing = _not_taken(entry, undelivered)
    if len(missing) == len(entry.fields):
        raise NotADisclosure(f"the page took none of the values entry {entry.id} released: nothing was collected")
    how = "a standing decision in Proffer" if entry.decision is Decision.ALWAYS else "Proffer's approval window"
    method = f"web form, values released through {how}" + (f" ({entry.browser})" if entry.browser else "")
    if missing:
        method += "; not taken by the page, so not collected: " + ", ".join(
            f"{entry.fields[place].type} ({why_not_taken(reason)})" for place, reason in sorted(missing.items())
        )
    return {
        "version": VERSION,
        "jurisdiction": jurisdiction,
        "consentTimestamp": int(datetime.fromisoformat(entry.time).timestamp()),
        "collectionMethod": method,
        "consentReceiptID": entry.id,
        "language": language,
        "piiPrincipalId": principal_id,
        "piiControllers": [
            {
                "piiController": entry.site,
                "onBehalf": False,
                "contact": UNKNOWN,
                "address": {},
                "email": UNKNOWN,
                "phone": UNKNOWN,
                "piiControllerUrl": entry.origin,
            }
        ],
        "policyUrl": entry.origin,
        "services": [
            {
                "service": f"{entry.origin}{entry.path}",
                "purposes": [
                    {
                        "purpose": entry.purpose,
                        "purposeCategory": [PURPOSE_CATEGORIES.get(entry.purpose, "Core Function")],
                        "consentType": "EXPLICIT",
                        "piiCategory": list(
                            dict.fromkeys(f.type for i, f in enumerate(entry.fields) if i not in missing)
                        ),
                        "primaryPurpose": True,
                        "termination": TERMINATION[entry.decision],
                        "thirdPartyDisclosure": False,
                    }
                ],
            }
        ],
        "sensitive": False,
        "spiCat": [],
    }


def _not_taken(entry: LedgerEntry, undelivered: Sequence[LedgerEntry]) -> dict[int, str]:
    """Position of each field of ``entry`` its page did not take -> why; the first report of a field counts,
    as in the ledger's index."""
    missing: dict[int, str] = {}
    for correction in undelivered:
        if correction.decision is not Decision.UNDELIVERED or correction.release_id != entry.id:
            raise ValueError(f"entry {correction.id} does not correct entry {entry.id}")
        for f in correction.fields:
            if f.position is not None and f.reason and 0 <= f.position < len(entry.fields):
                missing.setdefault(f.position, f.reason)
    return missing
