"""Loyalty and marketing prompts on the development corpus: how many Proffer finds, where, and what its
default preferences would do there.

    python benchmarks/loyalty.py [--json] [--sample N] [--seed S] [--reuse]

Reads the corpus pages the way a fill does (extension/content/extract.js in headless Chromium, cached in
.cache/corpus-descriptors.jsonl exactly as benchmarks/fields.py caches them), classifies them with
companion.fields.classify and plans the prompts with companion.prompts under the default preferences
(untick marketing, ask about enrolment and newsletters) and under the strict ones (decline enrolment,
never fill newsletters). The corpus labels WHATWG types only, so nothing here is scored against labels:
the figures are counts, and `--sample N` prints N found prompts of each kind (page, label, state) for a
person to read and judge. Reading such a sample is the measure of precision; see the numbers last read
in docs/ARCHITECTURE.md ("Marketing and loyalty prompts").

Kinds counted:
- fields: membership-number (loyalty and rewards numbers, "phone number for rewards"), loyalty-enroll
  boxes, marketing-opt-in boxes (and how many arrive pre-ticked), marketing-opt-out twins, terms boxes;
- forms: loyalty-lookup, loyalty-enrollment, newsletter (and how many sit in a pop-up or dialog), and the
  newsletter forms whose own words speak of newsletters or offers (what the "never" preference acts on);
- pages that carry at least one of these, by the language/country code in the page's name.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fields import (  # noqa: E402
    DESCRIPTORS,
    corpus_pages,
    descriptors_current,
    dump_descriptors,
    ensure_corpus,
    read_descriptors,
)

from companion.decisions import EnrollmentChoice, NewsletterChoice, PromptPreferences  # noqa: E402

FIELD_KINDS = ("membership-number", "loyalty-enroll", "marketing-opt-in", "marketing-opt-out", "terms-accept")
FORM_KINDS = ("loyalty-lookup", "loyalty-enrollment", "newsletter")
STRICT = PromptPreferences(enrollment=EnrollmentChoice.DECLINE, newsletter=NewsletterChoice.NEVER)
_COUNTRY = re.compile(r"(?:^|/)(?:QA_)?([A-Z]{2})_")


def country_of(page: str) -> str:
    """The country/language code Firefox-AI's page names start with; the DuckDuckGo snippets are "ddg"."""
    if "ddg-test-forms" in page:
        return "ddg"
    found = _COUNTRY.search(page)
    return found.group(1) if found else "?"


def measure(descriptors: Path) -> tuple[dict, dict[str, list[dict]]]:
    from companion.fields.classify import understand
    from companion.fields.safety import assess_page
    from companion.prompts import plan_prompts, speaks_of_marketing

    fields = collections.Counter()
    forms = collections.Counter()
    pages_with = collections.Counter()
    by_country: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    actions = {"default": collections.Counter(), "strict": collections.Counter()}
    found: dict[str, list[dict]] = collections.defaultdict(list)
    pages = 0
    for page, payload in read_descriptors(descriptors):
        pages += 1
        understanding = understand(payload)
        descriptors_by_index = {f.index: f for f in payload.fields}
        forms_by_index = {f.index: f for f in payload.forms}
        kinds_here: set[str] = set()
        for seen in understanding.fields:
            if seen.type not in FIELD_KINDS:
                continue
            descriptor = descriptors_by_index[seen.index]
            fields[seen.type] += 1
            if seen.type.startswith("marketing") and descriptor.checked:
                fields[seen.type + " (pre-ticked)"] += 1
            kinds_here.add(seen.type)
            found[seen.type].append(
                {
                    "page": page,
                    "index": seen.index,
                    "label": seen.label,
                    "checked": descriptor.checked,
                    "visible": descriptor.visible,
                }
            )
        for form_index, purpose in understanding.form_purposes.items():
            if purpose not in FORM_KINDS:
                continue
            form = forms_by_index.get(form_index)
            forms[purpose] += 1
            if form is not None and form.in_dialog:
                forms[purpose + " (in a dialog)"] += 1
            kinds_here.add("form:" + purpose)
            if purpose == "newsletter" and speaks_of_marketing(form):
                # What the "never fill newsletters" preference acts on: a lone email box alone is not enough.
                forms["newsletter sign-up (its words say so)"] += 1
                kinds_here.add("form:newsletter sign-up")
                found["form:newsletter sign-up"].append(
                    {
                        "page": page,
                        "form": form_index,
                        "heading": form.heading or form.submit_text,
                        "in_dialog": form.in_dialog,
                    }
                )
            found["form:" + purpose].append(
                {
                    "page": page,
                    "form": form_index,
                    "heading": form.heading if form else "",
                    "in_dialog": bool(form and form.in_dialog),
                }
            )
        if kinds_here - {"terms-accept"}:
            pages_with["any loyalty or marketing prompt"] += 1
            by_country[country_of(page)]["pages"] += 1
        for kind in kinds_here:
            pages_with[kind] += 1
            by_country[country_of(page)][kind] += 1
        if kinds_here:
            safety = assess_page(payload, {f.index: f.type for f in understanding.fields})
            for name, preferences in (("default", PromptPreferences()), ("strict", STRICT)):
                plan = plan_prompts(payload, understanding, safety, preferences)
                for handled in plan.handled:
                    actions[name][f"{handled.action} {handled.kind}"] += 1
    report = {
        "pages": pages,
        "fields": dict(sorted(fields.items())),
        "forms": dict(sorted(forms.items())),
        "pages_with": dict(sorted(pages_with.items())),
        "countries": {c: dict(n) for c, n in sorted(by_country.items(), key=lambda kv: -kv[1]["pages"])},
        "actions": {name: dict(sorted(c.items())) for name, c in actions.items()},
    }
    return report, found


def print_report(report: dict) -> None:
    print(f"corpus pages read: {report['pages']}")
    print(f"pages with a loyalty or marketing prompt: {report['pages_with'].get('any loyalty or marketing prompt', 0)}")
    print("\nfields found")
    for kind, n in report["fields"].items():
        print(f"  {kind:34s} {n:5d}   on {report['pages_with'].get(kind.split(' ')[0], 0)} pages")
    print("\nforms found")
    for kind, n in report["forms"].items():
        print(f"  {kind:34s} {n:5d}   on {report['pages_with'].get('form:' + kind.split(' ')[0], 0)} pages")
    print("\npages with prompts, by country code in the page name (ddg: DuckDuckGo's snippets, mostly English)")
    print("  " + ", ".join(f"{c} {n['pages']}" for c, n in report["countries"].items() if n.get("pages")))
    for name in ("default", "strict"):
        print(f"\nwhat the {name} preferences would do (visible, same-origin prompts only)")
        for action, n in report["actions"][name].items():
            print(f"  {action:40s} {n:5d}")


def print_sample(found: dict[str, list[dict]], n: int, seed: int) -> None:
    rng = random.Random(seed)
    for kind, items in sorted(found.items()):
        chosen = rng.sample(items, min(n, len(items)))
        print(f"\n--- sample of {len(chosen)} of {len(items)} {kind} ---")
        for item in chosen:
            what = item.get("label") or item.get("heading") or ""
            state = ""
            if "checked" in item:
                state = f" [{'ticked' if item['checked'] else 'unticked'}{'' if item['visible'] else ', hidden'}]"
            elif item.get("in_dialog"):
                state = " [dialog]"
            print(f"  {item['page'][-48:]:48s} {what[:110]!r}{state}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="print N found prompts of each kind")
    parser.add_argument("--seed", type=int, default=7, help="seed for --sample (default 7)")
    parser.add_argument("--reuse", action="store_true", help="use cached descriptors even if extract.js changed")
    args = parser.parse_args(argv)

    corpus = ensure_corpus()
    if not descriptors_current() and not (args.reuse and DESCRIPTORS.is_file()):
        dump_descriptors(corpus, corpus_pages(corpus), DESCRIPTORS)
    report, found = measure(DESCRIPTORS)
    if args.json:
        print(json.dumps(report))
    else:
        print_report(report)
    if args.sample:
        print_sample(found, args.sample, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
