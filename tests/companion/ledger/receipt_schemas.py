"""The two schemas a consent receipt is checked against.

- ``kantara-consent-receipt-v1_1-schema.published.json``: the schema the Kantara Initiative published with
  the Consent Receipt Specification v1.1 (github.com/KantaraInitiative/consent-receipt-v-next, file
  ``CR_v1_1/kantara-consent-receipt-v1_1-schema.json`` at commit 3b4e81b588c532bae1fa8e6cdc4808b30ac911a6),
  kept byte for byte. It is JSON Schema draft-04 with ``//`` comment lines at the top, which JSON does not
  allow: ``published()`` drops those lines and nothing else.
- ``kantara-consent-receipt-v1.1.schema.json``: Proffer's stricter reading of the specification's field tables
  (the version string, non-empty identifiers, at least one controller).

A receipt is valid only if it passes both.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

HERE = Path(__file__).parent
PUBLISHED = HERE / "kantara-consent-receipt-v1_1-schema.published.json"
STRICT = HERE / "kantara-consent-receipt-v1.1.schema.json"


@cache
def published() -> dict[str, Any]:
    lines = PUBLISHED.read_text(encoding="utf-8").splitlines()
    return json.loads("\n".join(line for line in lines if not line.lstrip().startswith("//")))


@cache
def strict() -> dict[str, Any]:
    return json.loads(STRICT.read_text(encoding="utf-8"))


def validate_receipt(receipt: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless the receipt is valid against both schemas."""
    jsonschema.Draft4Validator(published()).validate(receipt)
    jsonschema.validate(receipt, strict())
