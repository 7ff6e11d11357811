"""Read the labelled form corpus into (payload, gold) pairs, for training and evaluating the classifier.

Offline only: never imported by the companion. Payloads come from the extension's real extraction
(``.cache/corpus-descriptors.jsonl``, one line per page: {"page", "payload"}) when that dump exists;
otherwise they are rebuilt from the label files' own context (label text, placeholder, aria label,
name, id), which is poorer, and says so on stderr.

Gold classes: the label's WHATWG token where it has one; for the corpus's non-exact mappings an
internal class that the classifier turns into a token by the form's shape (see ``classify.py``):
``password`` (new or current), ``username-or-email``, ``street`` (street name and number),
``house-number``, ``address-extra`` (apartment, floor, building), and ``none`` for the Firefox-AI fields
that hold nothing personal (its unlabelled fillable fields, VAT or id numbers, address look-ups).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from companion.protocol.messages import FieldDescriptor, FillRequestPayload, FormDescriptor, PageInfo

INTERNAL_CLASS = {
    "password": "password",
    "username OR emailAddress": "username-or-email",
    "street": "street",
    "address-streetname": "street",
    "address-housenumber": "house-number",
    "address-extra-housesuffix": "house-number",
    "apartment": "address-extra",
    "floor": "address-extra",
    "building": "address-extra",
    "stair": "address-extra",
    "block": "address-extra",
    "address-extra": "address-extra",
    "reference-point": "address-extra",
    "postal-code-and-city": "postal-code",
    "postal-code-or-suburb": "postal-code",
    "postal-code-lookup": "postal-code",
}


@dataclass
class Page:
    page: str
    site: str
    source: str
    payload: FillRequestPayload
    gold: dict[int, str] = field(default_factory=dict)  # doc_index -> training class
    candidates: dict[int, list[str]] = field(default_factory=dict)  # doc_index -> accepted tokens
    negatives: set[int] = field(default_factory=set)  # Firefox-AI unlabelled fillable fields


def gold_class(record: dict) -> str | None:
    """The training class of one labelled field; None when it should not be trained on."""
    mapping = record["mapping"]
    if mapping in ("negative", "none") and record["original_label"] != "reference-point":
        return "none"
    if record["original_label"] in INTERNAL_CLASS:
        return INTERNAL_CLASS[record["original_label"]]
    if record["whatwg"]:
        return record["whatwg"]
    if record["whatwg_candidates"]:
        return record["whatwg_candidates"][0]
    return None


def site_of(label: dict) -> str:
    """The site a page came from, for holding out whole sites (the sealed set is other sites)."""
    url = label.get("original_url") or ""
    host = urlsplit(url).hostname or ""
    if host:
        parts = host.removeprefix("www.").split(".")
        return ".".join(parts[-3:]) if len(parts[-1]) == 2 and len(parts) > 2 else ".".join(parts[-2:])
    stem = Path(label["page"]).stem
    for suffix in ("_login", "_signup", "_checkout", "_newsletter", "_address", "_payment"):
        stem = stem.split(suffix)[0]
    return stem


def _synthesised_payload(label: dict) -> FillRequestPayload:
    fields = []
    for f in label["fields"]:
        fields.append(
            {
                "index": f["doc_index"],
                "form_index": f.get("form_index"),
                "tag": f["tag"],
                "type": (f["type"] or "text").replace("select-one", "select-one")[:32],
                "name": (f["name"] or "")[:300],
                "id": (f["id"] or "")[:300],
                "autocomplete": (f["autocomplete_attr"] or "")[:300],
                "label": (f.get("label_text") or "")[:2000],
                "aria_label": (f.get("aria_label") or "")[:300],
                "placeholder": (f.get("placeholder") or "")[:300],
                "title": (f.get("title") or "")[:300],
            }
        )
    for f in label.get("unlabelled_fillable_fields", []):
        fields.append(
            {
                "index": f["doc_index"],
                "form_index": f.get("form_index"),
                "tag": f["tag"],
                "type": (f["type"] or "text")[:32],
                "name": (f["name"] or "")[:300],
                "id": (f["id"] or "")[:300],
                "autocomplete": (f["autocomplete_attr"] or "")[:300],
            }
        )
    fields.sort(key=lambda f: f["index"])
    for f in fields:
        if f["form_index"] is None:
            del f["form_index"]
    url = label.get("original_url") or "https://example.invalid/"
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    forms = [
        {"index": fm["form_index"], "id": fm.get("id") or "", "name": fm.get("name") or ""} for fm in label["forms"]
    ]
    return FillRequestPayload.model_validate(
        {
            "page": {"url": url[:8192], "top_origin": origin, "frame_origin": origin},
            "forms": forms,
            "fields": fields,
        }
    )


def _known_keys(payload: dict) -> dict:
    """Drop keys the protocol models do not (yet) know: the extraction may run ahead of this checkout."""
    forms = [{k: v for k, v in f.items() if k in FormDescriptor.model_fields} for f in payload.get("forms", [])]
    fields = [{k: v for k, v in f.items() if k in FieldDescriptor.model_fields} for f in payload.get("fields", [])]
    page = {k: v for k, v in payload["page"].items() if k in PageInfo.model_fields}
    return {"page": page, "forms": forms, "fields": fields}


def load(corpus: Path, descriptors: Path | None = None) -> list[Page]:
    real: dict[str, FillRequestPayload] = {}
    if descriptors and descriptors.exists():
        with descriptors.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    if row.get("payload"):
                        real[row["page"]] = FillRequestPayload.model_validate(_known_keys(row["payload"]))
    else:
        print("note: no extraction dump; payloads rebuilt from the label files", file=sys.stderr)
    pages: list[Page] = []
    for label_path in sorted((corpus / "labels").rglob("*.json")):
        label = json.loads(label_path.read_text(encoding="utf-8"))
        payload = real.get(label["page"]) or (None if real else _synthesised_payload(label))
        if payload is None:
            continue
        page = Page(label["page"], site_of(label), label["source"], payload)
        for f in label["fields"]:
            cls = gold_class(f)
            if cls is not None:
                page.gold[f["doc_index"]] = cls
            page.candidates[f["doc_index"]] = f["whatwg_candidates"]
        if label["source"] == "firefox-ai-form-autofill":
            for f in label.get("unlabelled_fillable_fields", []):
                page.negatives.add(f["doc_index"])
                page.gold[f["doc_index"]] = "none"
        pages.append(page)
    return pages
