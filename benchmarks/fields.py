"""Field understanding on the development corpus: accuracy, fill precision, false fills, speed.

    python benchmarks/fields.py [--json] [--limit N] [--pages GLOB]
    python benchmarks/fields.py --descriptors-only        # just (re)write .cache/corpus-descriptors.jsonl

Runs the same code path as ``proffer fields``: every corpus page is loaded in headless Chromium, read by
extension/content/extract.js, classified by companion.fields.classify and judged by companion.fields.safety.
The descriptors are cached in .cache/corpus-descriptors.jsonl (written to a temp name, then renamed), so
re-scoring after a classifier change does not reload 998 pages; --fresh reloads them.

Predictions go to .cache/fields-predictions.jsonl as {"page", "doc_index", "prediction"} and are scored by
../shared/corpus/score.py, whose figures are printed (with --json: one JSON object). A field that safety
refuses is predicted as null: the scorer's fill precision then measures what Proffer would really fill.
Also measured: classification time of a 50-field form (median), target <= 5 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from companion.protocol.messages import FillRequestPayload  # noqa: E402

CACHE = ROOT / ".cache"
CORPUS_DIR = CACHE / "forms"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
ARCHIVE = SHARED_CORPUS / "forms-dev.tar.xz"
SCORER = SHARED_CORPUS / "score.py"
DESCRIPTORS = CACHE / "corpus-descriptors.jsonl"
PREDICTIONS = CACHE / "fields-predictions.jsonl"


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
    return {
        "pages": len(pages),
        "extracted": len(pages) - len(failed),
        "failed": failed,
        "control_count_mismatches": mismatched,
        "seconds": round(time.perf_counter() - started, 1),
    }


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--descriptors-only", action="store_true", help="only write the descriptors file")
    parser.add_argument("--fresh", action="store_true", help="reload every page even if descriptors exist")
    args = parser.parse_args(argv)

    corpus = ensure_corpus()
    pages = corpus_pages(corpus)
    if args.descriptors_only or args.fresh or not DESCRIPTORS.is_file():
        summary = dump_descriptors(corpus, pages, DESCRIPTORS)
        print(json.dumps(summary, indent=None if args.json else 2))
        if args.descriptors_only:
            return 0
    raise SystemExit("scoring: not written yet")


if __name__ == "__main__":
    sys.exit(main())
