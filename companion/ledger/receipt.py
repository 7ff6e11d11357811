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
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from companion.ledger.model import Decision, LedgerEntry

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
    """The entry records a refusal: nothing was shared, so there is nothing to give a receipt for."""


def consent_receipt(
    entry: LedgerEntry,
    *,
    jurisdiction: str = UNKNOWN,
    principal_id: str = DEFAULT_PRINCIPAL,
    language: str = "en",
) -> dict[str, Any]:
    if not entry.released:
        raise NotADisclosure(f"entry {entry.id} records a refusal ({entry.decision.value}): nothing was shared")
    how = "a standing decision in Proffer" if entry.decision is Decision.ALWAYS else "Proffer's approval window"
    return {
        "version": VERSION,
        "jurisdiction": jurisdiction,
        "consentTimestamp": int(datetime.fromisoformat(entry.time).timestamp()),
        "collectionMethod": f"web form, values released through {how}"
        + (f" ({entry.browser})" if entry.browser else ""),
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
                        "piiCategory": list(dict.fromkeys(f.type for f in entry.fields)),
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
