#!/usr/bin/env python3
"""Score the shipped classifier on the development corpus (in-sample: the weights were trained on it).

    python3 tools/eval_fields.py [--weights PATH] [--threshold T] [--predictions OUT.jsonl] [--json]

For the honest figure on unseen sites, use ``tools/train_fields.py`` (cross-validation by site).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from fields_corpus import load  # noqa: E402
from train_fields import predictions, score  # noqa: E402

from companion.fields.model import WEIGHTS_PATH, load_model  # noqa: E402
from companion.tokens import WHATWG_TOKENS as TOKENS  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / ".cache/forms")
    ap.add_argument("--descriptors", type=Path, default=ROOT / ".cache/corpus-descriptors.jsonl")
    ap.add_argument("--weights", type=Path, default=WEIGHTS_PATH)
    ap.add_argument("--threshold", type=float)
    ap.add_argument("--predictions", type=Path)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    model = load_model(args.weights)
    if args.threshold is not None:
        model = dataclasses.replace(model, threshold=args.threshold)
    pages = load(args.corpus, args.descriptors)
    preds = predictions(pages, model)
    if args.predictions:
        args.predictions.write_text("".join(json.dumps(p) + "\n" for p in preds), encoding="utf-8")
    result = score(args.corpus, preds)
    # Firefox-AI leaves password boxes unlabelled, so the scorer counts a recognised password there as a
    # false fill. Proffer never fills secrets (the safety layer refuses them), so this second figure
    # scores only what could be filled: secrets (passwords, one-time codes) and cards left out.
    secrets = {(p.page, f.index) for p in pages for f in p.payload.fields if f.type == "password"}
    refusable = {"current-password", "new-password", "one-time-code"} | {t for t in TOKENS if t.startswith("cc-")}
    fillable = [
        {
            **r,
            "prediction": None
            if (r["page"], r["doc_index"]) in secrets or r["prediction"] in refusable
            else r["prediction"],
        }
        for r in preds
    ]
    result["fillable_only"] = {k: v for k, v in score(args.corpus, fillable).items() if k != "per_type"}
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(
        f"lenient {result['lenient_accuracy']}  strict {result['strict_accuracy']}  "
        f"fill precision {result['fill_precision']}  "
        f"false fills {result['false_fills_on_negatives']}/{result['negatives']}"
    )
    f = result["fillable_only"]
    print(
        f"fillable types only (secrets and cards as None): lenient {f['lenient_accuracy']}  "
        f"fill precision {f['fill_precision']}  false fills {f['false_fills_on_negatives']}/{f['negatives']}"
    )
    for token, row in result["per_type"].items():
        print(
            f"  {token:26s} n={row['n']:5d} recall={row['recall']} "
            f"predicted={row['predicted']} precision={row['precision']}"
        )


if __name__ == "__main__":
    main()
