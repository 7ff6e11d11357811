"""Field understanding on the development corpus: accuracy, fill precision, false fills, speed.

    python benchmarks/fields.py [--json] [--limit N] [--pages GLOB]
    python benchmarks/fields.py --descriptors-only        # just (re)write .cache/corpus-descriptors.jsonl

Runs the same code path as ``proffer fields``: every corpus page is loaded in headless Chromium, read by
extension/content/extract.js, classified by companion.fields.classify and judged by companion.fields.safety.
The descriptors are cached in .cache/corpus-descriptors.jsonl (written to a temp name, then renamed), so
re-scoring after a classifier change does not reload 998 pages. They are reloaded when extract.js changed
since they were written (a stamp holds its sha256), or with --fresh; --reuse scores stale ones anyway.

Predictions go to .cache/fields-predictions.jsonl as {"page", "doc_index", "prediction"} and are scored by
../shared/corpus/score.py, whose figures are printed (with --json: one JSON object). A field that safety
refuses is predicted as null: the scorer's fill precision then measures what Proffer would really fill.
Also measured: classification time of a 50-field form (median), target <= 5 ms; and the page's purpose
against what DuckDuckGo named each of its test pages ("etsy_signup.html": a sign-up form), the only purpose
labels the corpus has.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from companion.fields.runner import extraction_source  # noqa: E402
from companion.protocol.messages import FillRequestPayload  # noqa: E402

CACHE = ROOT / ".cache"
CORPUS_DIR = CACHE / "forms"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
ARCHIVE = SHARED_CORPUS / "forms-dev.tar.xz"
SCORER = SHARED_CORPUS / "score.py"
DESCRIPTORS = CACHE / "corpus-descriptors.jsonl"
# Which extraction scripts wrote the descriptors: a changed extraction makes them stale.
DESCRIPTORS_STAMP = CACHE / "corpus-descriptors.stamp.json"
PREDICTIONS = CACHE / "fields-predictions.jsonl"
# The last word of a DuckDuckGo test page's name, when it names one purpose plainly, and Proffer's purpose
# for it. Other names ("change-password", "payment-form", "contact") are not read.
NAMED_PURPOSES = {"login": "login", "signup": "account-signup", "checkout": "checkout", "newsletter": "newsletter"}
_NAMED_PAGE = re.compile(r"^ddg-test-forms/.+_([a-z]+)\.html$")


def ensure_corpus() -> Path:
    if (CORPUS_DIR / "manifest.jsonl").is_file():
        return CORPUS_DIR
    if not ARCHIVE.is_file():
        raise SystemExit(f"corpus archive not found: {ARCHIVE}")
    CACHE.mkdir(exist_ok=True)
    print(f"unpacking {ARCHIVE} into {CACHE} ...", file=sys.stderr)
    with tarfile.open(ARCHIVE, "r:xz") as archive:
        archive.extractall(CACHE, filter="data")
    return CORPUS_DIR


def corpus_pages(corpus: Path) -> list[dict]:
    with (corpus / "manifest.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def dump_descriptors(corpus: Path, pages: list[dict], out: Path) -> dict:
    """Extract every page and write {"page", "payload"} lines to `out` atomically. Returns a summary."""
    from companion.fields.runner import run_pages

    by_target = {str(corpus / "pages" / page["page"]): page for page in pages}
    temp = out.with_name(out.name + f".tmp-{os.getpid()}")
    failed: list[dict] = []
    mismatched: list[dict] = []
    started = time.perf_counter()
    with temp.open("w", encoding="utf-8") as sink:
        for result in run_pages(by_target, progress=True):
            page = by_target[result.target]
            if result.payload is None:
                failed.append({"page": page["page"], "error": result.error})
                continue
            line = {"page": page["page"], "payload": result.payload.model_dump(mode="json")}
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
            expected = _expected_controls(corpus, page)
            if expected is not None and expected != len(result.payload.fields):
                mismatched.append({"page": page["page"], "expected": expected, "found": len(result.payload.fields)})
        sink.flush()
        os.fsync(sink.fileno())
    temp.replace(out)
    if out == DESCRIPTORS:
        DESCRIPTORS_STAMP.write_text(json.dumps({"extract_js_sha256": extract_js_digest()}), encoding="utf-8")
    return {
        "pages": len(pages),
        "extracted": len(pages) - len(failed),
        "failed": failed,
        "control_count_mismatches": mismatched,
        "seconds": round(time.perf_counter() - started, 1),
    }


def extract_js_digest() -> str:
    return hashlib.sha256(extraction_source().encode("utf-8")).hexdigest()


def descriptors_current() -> bool:
    """True when the cached descriptors were written by the extract.js on disk now."""
    try:
        stamp = json.loads(DESCRIPTORS_STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return DESCRIPTORS.is_file() and stamp.get("extract_js_sha256") == extract_js_digest()


def _expected_controls(corpus: Path, page: dict) -> int | None:
    label_file = page.get("label_file")
    if not label_file:
        return None
    labels = json.loads((corpus / label_file).read_text(encoding="utf-8"))
    return (labels.get("chromium") or {}).get("n_controls")


def read_descriptors(path: Path) -> Iterator[tuple[str, FillRequestPayload]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            yield record["page"], FillRequestPayload.model_validate(record["payload"])


def predict(descriptors: Path, predictions: Path, as_filled: Path) -> dict:
    """Classify and judge every page exactly as `proffer fields` does; write two prediction files.

    `predictions` holds each control's type (what the classifier says); `as_filled` holds the type only
    where the safety rules would let a value in (what Proffer would actually fill).
    """
    from companion.commands.fields import judge_payload, load_understand
    from companion.tokens import PROFFER_TOKENS

    understand = load_understand()
    pages = controls = fillable = 0
    purposes: dict[str, str] = {}
    started = time.perf_counter()
    with predictions.open("w", encoding="utf-8") as typed, as_filled.open("w", encoding="utf-8") as filled:
        for page, payload in read_descriptors(descriptors):
            judged = judge_payload(payload, understand)
            pages += 1
            purposes[page] = judged["purpose"]
            for field in judged["fields"]:
                controls += 1
                fillable += field["fillable"]
                # The corpus labels WHATWG types only: Proffer's own tokens (loyalty numbers, consent boxes)
                # are measured by benchmarks/loyalty.py, not scored here as fills of unlabelled fields.
                token = None if field["type"] in PROFFER_TOKENS else field["type"]
                line = {"page": page, "doc_index": field["index"], "prediction": token}
                typed.write(json.dumps(line) + "\n")
                line["prediction"] = token if field["fillable"] else None
                filled.write(json.dumps(line) + "\n")
    seconds = time.perf_counter() - started
    return {
        "pages": pages,
        "controls": controls,
        "fillable": fillable,
        "seconds": round(seconds, 2),
        "purpose": purpose_agreement(purposes),
    }


def purpose_agreement(purposes: dict[str, str]) -> dict:
    """Per page name ("login", "signup", ...): how many such pages, how many Proffer gave that purpose, and
    what it said of the others."""
    found: dict[str, Counter] = {name: Counter() for name in NAMED_PURPOSES}
    for page, purpose in purposes.items():
        named = _NAMED_PAGE.match(page)
        if named and named.group(1) in NAMED_PURPOSES:
            found[named.group(1)][purpose] += 1
    return {
        name: {
            "pages": sum(said.values()),
            "agree": said[NAMED_PURPOSES[name]],
            "otherwise": {p: n for p, n in said.most_common() if p != NAMED_PURPOSES[name]},
        }
        for name, said in found.items()
    }


def score(corpus: Path, predictions: Path) -> dict:
    done = subprocess.run(
        [sys.executable, str(SCORER), str(corpus), str(predictions), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(done.stdout)


def classification_speed(descriptors: Path, size: int = 50, repeats: int = 50) -> dict:
    """Median time to classify (and judge) one `size`-field form taken from the corpus."""
    from companion.commands.fields import judge_payload, load_understand
    from companion.fields.classify import understand as classify

    understand = load_understand()
    form = None
    for _page, payload in read_descriptors(descriptors):
        by_form: dict[int | None, list] = {}
        for field in payload.fields:
            by_form.setdefault(field.form_index, []).append(field)
        big = [fields for fields in by_form.values() if len(fields) >= size]
        if big:
            fields = big[0][:size]
            form = payload.model_copy(update={"fields": fields})
            break
    if form is None:
        return {"error": f"no corpus form has {size} fields"}
    classify(form)  # warm: the model loads once per process
    timings = {"classify_ms": [], "classify_and_judge_ms": []}
    for _ in range(repeats):
        t0 = time.perf_counter()
        classify(form)
        t1 = time.perf_counter()
        judge_payload(form, understand)
        t2 = time.perf_counter()
        timings["classify_ms"].append((t1 - t0) * 1000)
        timings["classify_and_judge_ms"].append((t2 - t1) * 1000)
    return {
        "fields": size,
        "repeats": repeats,
        **{f"median_{k}": round(statistics.median(v), 3) for k, v in timings.items()},
        "target_ms": 5.0,
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_report(report: dict) -> None:
    typed, filled = report["score"], report["score_as_filled"]
    print(
        f"pages {report['run']['pages']}, controls {report['run']['controls']}, "
        f"fillable {report['run']['fillable']} ({report['run']['seconds']} s to classify and judge)"
    )
    print(f"labelled fields                  {typed['labelled_fields']}")
    print(f"lenient accuracy                 {_fmt(typed['lenient_accuracy'])}   (target >= 0.95)")
    print(f"strict accuracy                  {_fmt(typed['strict_accuracy'])}")
    print(f"fill precision (types)           {_fmt(typed['fill_precision'])}   (target >= 0.99)")
    print(f"false fills on unlabelled fields {typed['false_fills_on_negatives']}/{typed['negatives']}   (target <= 1%)")
    print(
        f"as filled (after safety): fill precision {_fmt(filled['fill_precision'])}, "
        f"false fills {filled['false_fills_on_negatives']}/{filled['negatives']}"
    )
    named = report["run"]["purpose"]
    agree, pages = sum(v["agree"] for v in named.values()), sum(v["pages"] for v in named.values())
    if pages:
        each = ", ".join(f"{name} {v['agree']}/{v['pages']}" for name, v in named.items())
        print(f"page purpose as DuckDuckGo names its pages: {agree}/{pages} ({agree / pages:.3f}): {each}")
    speed = report["speed"]
    if "error" in speed:
        print(f"speed: {speed['error']}")
    else:
        print(
            f"classify a {speed['fields']}-field form: median {speed['median_classify_ms']} ms, "
            f"with safety {speed['median_classify_and_judge_ms']} ms   (target <= 5 ms)"
        )
    print(f"{'type':28s} {'n':>6s} {'recall':>7s} {'predicted':>9s} {'precision':>9s}")
    for token, c in typed["per_type"].items():
        print(f"{token:28s} {c['n']:6d} {_fmt(c['recall']):>7s} {c['predicted']:9d} {_fmt(c['precision']):>9s}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--descriptors-only", action="store_true", help="only write the descriptors file")
    parser.add_argument("--fresh", action="store_true", help="reload every page even if descriptors are current")
    parser.add_argument(
        "--reuse", action="store_true", help="score the cached descriptors even if extract.js changed since"
    )
    args = parser.parse_args(argv)

    corpus = ensure_corpus()
    report: dict = {}
    stale = not descriptors_current() and not (args.reuse and DESCRIPTORS.is_file())
    if args.descriptors_only or args.fresh or stale:
        report["extraction"] = dump_descriptors(corpus, corpus_pages(corpus), DESCRIPTORS)
        if args.descriptors_only:
            print(json.dumps(report["extraction"], indent=None if args.json else 2))
            return 0
    as_filled = PREDICTIONS.with_name("fields-predictions-as-filled.jsonl")
    report["run"] = predict(DESCRIPTORS, PREDICTIONS, as_filled)
    report["score"] = score(corpus, PREDICTIONS)
    report["score_as_filled"] = score(corpus, as_filled)
    report["speed"] = classification_speed(DESCRIPTORS)
    if args.json:
        print(json.dumps(report))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
