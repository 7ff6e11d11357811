#!/usr/bin/env python3
"""How long the companion takes to understand a form: ``understand()`` on real 50-field forms.

    python3 benchmarks/fields_classify.py [--corpus .cache/forms] [--json]

Forms are the development corpus's pages (rebuilt payloads, or the extension's extraction dump when it
exists), cut or cycled to exactly 50 fields. Two figures, both medians over the pages:
- cold: the keyword cache emptied before each form (a companion that has just started);
- steady: each form classified once after all the others (a companion that has seen some shops; the
  cache holds descriptor words, never personal values).
Target: steady median <= 5 ms on this machine. The CPU-time median and the load average are printed too,
because the machine is shared and wall times swing with the load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from fields_corpus import load  # noqa: E402

from companion.fields import text, vocabulary  # noqa: E402
from companion.fields.classify import understand  # noqa: E402
from companion.fields.model import load_model  # noqa: E402

FIELDS = 50


def fifty(payload):
    fields = list(payload.fields)
    while len(fields) < FIELDS:
        fields.extend(payload.fields)
    chosen = [f.model_copy(update={"index": i}) for i, f in enumerate(fields[:FIELDS])]
    return payload.model_copy(update={"fields": chosen})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / ".cache/forms")
    ap.add_argument("--descriptors", type=Path, default=ROOT / ".cache/corpus-descriptors.jsonl")
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    pages = [p for p in load(args.corpus, args.descriptors) if len(p.payload.fields) >= 10][: args.pages]
    forms = [fifty(p.payload) for p in pages]
    if not forms:
        sys.exit(
            f"fields_classify: no corpus pages under {args.corpus}; run `python benchmarks/fields.py` first, "
            "which unpacks ../shared/corpus there"
        )
    load_model()
    cold = []
    for form in forms:
        vocabulary.kinds_in.cache_clear()
        text.human.cache_clear()
        text.identifier.cache_clear()
        start = time.perf_counter()
        understand(form)
        cold.append(time.perf_counter() - start)
    steady, steady_cpu = [], []
    for form in forms:
        start, start_cpu = time.perf_counter(), time.process_time()
        understand(form)
        steady.append(time.perf_counter() - start)
        steady_cpu.append(time.process_time() - start_cpu)
    result = {
        "forms": len(forms),
        "fields_per_form": FIELDS,
        "cold_median_ms": round(statistics.median(cold) * 1000, 2),
        "steady_median_ms": round(statistics.median(steady) * 1000, 2),
        "steady_p90_ms": round(sorted(steady)[int(len(steady) * 0.9)] * 1000, 2),
        # CPU time of this process: on a shared machine the wall time includes waiting for a core.
        "steady_cpu_median_ms": round(statistics.median(steady_cpu) * 1000, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "target_ms": 5.0,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:18s} {value}")


if __name__ == "__main__":
    main()
