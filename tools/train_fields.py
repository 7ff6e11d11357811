#!/usr/bin/env python3
"""Train the field classifier's weights on the development corpus, and report honest held-out figures.

    python3 tools/train_fields.py [--corpus .cache/forms] [--descriptors .cache/corpus-descriptors.jsonl]
                                  [--folds 5] [--out companion/fields/weights.json] [--json]
    python3 tools/train_fields.py --cv-only --folds-dir .cache/folds   # reuse fold models for rule changes

1. Every page becomes a payload (the extension's real extraction dump when present) and every labelled
   field a training row of named features (``companion/fields/features.py``).
2. Cross-validation by *site*: each fold's sites are held out whole, a model is trained on the others,
   and the held-out pages are classified by the real ``understand()``. The pooled held-out predictions are
   scored with the corpus's own scorer: that is the figure to quote, because the sealed set is other sites.
3. A final model is trained on everything and written as sparse JSON; its (in-sample) score is printed
   too, clearly marked.

Model: multinomial logistic regression, L2-regularised, full-batch Adam, numpy (offline only). Features
seen on fewer than ``--min-sites`` different sites are dropped before training, so one site's names are
never learned as a rule. numpy comes with the ``train`` extra: ``pip install -e '.[train]'``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import importlib.util
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from fields_corpus import Page, load  # noqa: E402

from companion.fields.classify import understand  # noqa: E402
from companion.fields.features import is_weighed, payload_features  # noqa: E402
from companion.fields.model import LinearModel  # noqa: E402
from companion.fields.safety import assess_page  # noqa: E402
from companion.tokens import PROFFER_TOKENS  # noqa: E402

SCORER = ROOT.parent / "shared" / "corpus" / "score.py"  # the corpus's own scorer, beside the checkout
# What turns the corpus into training rows: fold models saved under one version of it are stale under another.
FEATURE_CODE = tuple(
    ROOT / path
    for path in (
        "companion/fields/features.py",
        "companion/fields/vocabulary.py",
        "companion/fields/text.py",
        "companion/fields/literals.py",
        "companion/tokens.py",
        "tools/fields_corpus.py",
        "tools/train_fields.py",
    )
)


# DuckDuckGo's scheme has no type for a company's name, so its test forms mark every company box
# "unknown". That says what its autofill fills, not that the box asks for nothing: trained as "nothing",
# such boxes taught the model that "Company name" may be no field (Mozilla labels them `organization`).
# They are left out of training. Boxes about the company that are not its name ("Company VAT",
# "Organization type") name other kinds (vocabulary.EXPLAINED_BY) and are still trained as nothing.
DUCKDUCKGO = "ddg-test-forms"


# Evidence groups dropped in augmented copies of each row: the model must also decide from the label
# alone, from the programmer names alone, or without its neighbours, because real forms often lack one.
# (Tried: giving a copy the "i:none"/"h:none" marker a real field without that evidence carries. Held out
# by site it cost 0.4 points of lenient accuracy for 0.1 of fill precision, and lost label-only Slavic
# forms while winning others: not kept.)
DROPPED_GROUPS = (("i:", "w:", "ac:", "x:"), ("h:", "near:", "ac:", "x:"), ("prev", "next", "form:", "pos:"))


def samples_of(pages: list[Page], augment: bool = True) -> list[tuple[str, list[str], str, float]]:
    rows = []
    for page in pages:
        analysed = payload_features(page.payload)
        for field, (evidence, all_feats) in zip(page.payload.fields, analysed, strict=True):
            cls = page.gold.get(field.index)
            if cls is None or (field.tag == "input" and field.type in ("hidden", "submit", "button")):
                continue
            if cls == "none" and page.source == DUCKDUCKGO and "organization" in evidence.kinds:
                continue  # a company box DuckDuckGo cannot name: see DUCKDUCKGO
            feats = [f for f in all_feats if is_weighed(f)]
            rows.append((page.site, feats, cls, 1.0))
            # A reduced copy per dropped group, each weighing 1/len(DROPPED_GROUPS) of a row: together no
            # more than the row itself. (One copy per row, the group taking turns, made every training hang
            # on the order of the rows: a change to one page's features shifted the copies of every page
            # read after it.)
            if augment:
                for group in DROPPED_GROUPS:
                    kept = [f for f in feats if not f.startswith(group)]
                    if len(kept) < len(feats) and any(f.startswith(("h:", "i:", "ac:", "w:", "opt:")) for f in kept):
                        rows.append((page.site, kept, cls, 1.0 / len(DROPPED_GROUPS)))
    return rows


def train(rows: list[tuple[str, list[str], str, float]], args: argparse.Namespace) -> dict:
    classes = sorted({cls for _, _, cls, _ in rows})
    class_index = {c: i for i, c in enumerate(classes)}
    sites: dict[str, set[str]] = defaultdict(set)
    for site, feats, _cls, _weight in rows:
        for f in feats:
            sites[f].add(site)
    vocab = sorted(f for f, s in sites.items() if len(s) >= args.min_sites)
    feature_index = {f: i for i, f in enumerate(vocab)}

    # Identical rows (same kept features, same class) are merged, their weights summed: far fewer to score.
    counts: dict[tuple[tuple[int, ...], str], float] = defaultdict(float)
    for _, feats, cls, weight in rows:
        kept = tuple(sorted({feature_index[f] for f in feats if f in feature_index}))
        counts[(kept, cls)] += weight
    unique = list(counts.items())
    row_ids, col_ids = [], []
    for r, ((kept, _cls), _weight) in enumerate(unique):
        for col in kept or (0,):
            row_ids.append(r)
            col_ids.append(col)
    rows_a, cols_a = np.array(row_ids), np.array(col_ids)
    n, v, c = len(unique), len(vocab), len(classes)
    y = np.zeros((n, c), dtype=np.float32)
    y[np.arange(n), [class_index[cls] for (_, cls), _ in unique]] = 1.0
    row_weight = np.array([weight for _, weight in unique], dtype=np.float32)[:, None] / sum(counts.values())
    by_col = np.argsort(cols_a, kind="stable")
    cols_sorted = cols_a[by_col]
    col_starts = np.flatnonzero(np.r_[True, cols_sorted[1:] != cols_sorted[:-1]])
    used_cols = cols_sorted[col_starts]

    weights, bias = np.zeros((v, c), dtype=np.float32), np.zeros(c, dtype=np.float32)
    m_w, v_w, m_b, v_b = np.zeros_like(weights), np.zeros_like(weights), np.zeros(c), np.zeros(c)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, args.iters + 1):
        logits = _row_sums(weights, rows_a, cols_a, n) + bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) * row_weight
        grad_w = np.zeros_like(weights)
        grad_w[used_cols] = np.add.reduceat(g[rows_a[by_col]], col_starts, axis=0)
        grad_w += args.l2 * weights
        grad_b = g.sum(axis=0)
        for param, grad, m, s in ((weights, grad_w, m_w, v_w), (bias, grad_b, m_b, v_b)):
            m *= beta1
            m += (1 - beta1) * grad
            s *= beta2
            s += (1 - beta2) * grad * grad
            param -= args.lr * (m / (1 - beta1**step)) / (np.sqrt(s / (1 - beta2**step)) + eps)
        if step % 50 == 0:
            loss = -float(np.log(p[y > 0] + 1e-9).mean())
            print(f"  step {step}: loss {loss:.4f}", file=sys.stderr)

    sparse = {}
    for f, i in feature_index.items():
        pairs = [[j, round(float(w), 3)] for j, w in enumerate(weights[i]) if abs(w) >= args.prune]
        if pairs:
            sparse[f] = pairs
    return {
        "format": 1,
        "classes": classes,
        "bias": [round(float(b), 3) for b in bias],
        "threshold": args.threshold,
        "weights": sparse,
        "trained_on": {
            "rows": len(rows),
            "unique_rows": n,
            "features": len(sparse),
            "min_sites": args.min_sites,
            "l2": args.l2,
        },
    }


def _row_sums(weights: np.ndarray, rows_a: np.ndarray, cols_a: np.ndarray, n: int) -> np.ndarray:
    starts = np.flatnonzero(np.r_[True, rows_a[1:] != rows_a[:-1]])
    sums = np.add.reduceat(weights[cols_a], starts, axis=0)
    out = np.zeros((n, weights.shape[1]), dtype=np.float32)
    out[rows_a[starts]] = sums
    return out


def predictions(pages: list[Page], model: LinearModel, as_filled: bool = False) -> list[dict]:
    """Each control's predicted token, as ``benchmarks/fields.py`` scores it: Proffer's own tokens (the
    corpus labels none) as None and, with ``as_filled``, None wherever the safety rules refuse a value
    (invisible, secret, card, read-only...), so that fill precision counts only what would be filled."""
    out = []
    for page in pages:
        seen = understand(page.payload, model)
        tokens = {f.index: f.type for f in seen.fields}
        verdicts = assess_page(page.payload, tokens) if as_filled else {}
        for f in seen.fields:
            token = None if f.type in PROFFER_TOKENS else f.type
            if as_filled and not verdicts[f.index][0]:
                token = None
            out.append({"page": page.page, "doc_index": f.index, "prediction": token})
    return out


def score(corpus: Path, preds: list[dict]) -> dict:
    spec = importlib.util.spec_from_file_location("corpus_score", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = {(p["page"], p["doc_index"]): p["prediction"] for p in preds}
    return module.score(str(corpus), table)


def _summary(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "per_type"}


def fold_of(site: str, folds: int) -> int:
    return int(hashlib.sha256(site.encode()).hexdigest(), 16) % folds


def feature_stamp(args: argparse.Namespace) -> str:
    """What a fold model depends on besides the rules in classify.py: the feature code, the extracted
    descriptors and the training settings. Rules can be re-scored on saved fold models; nothing else can."""
    digest = hashlib.sha256()
    for path in (*FEATURE_CODE, args.descriptors):
        digest.update(path.read_bytes())
    settings = (args.folds, args.min_sites, args.l2, args.lr, args.iters, args.prune)
    digest.update(repr(settings).encode())
    return digest.hexdigest()


def fold_model(k: int, train_pages: list[Page], args: argparse.Namespace, stamp: str | None) -> LinearModel:
    """Fold k's model: trained here, or read from --folds-dir when saved there under the same ``stamp``."""
    if args.folds_dir is None or stamp is None:
        return LinearModel.from_json(train(samples_of(train_pages), args))
    path = args.folds_dir / f"fold-{k}-of-{args.folds}.json"
    if path.exists():
        saved = json.loads(path.read_text(encoding="utf-8"))
        if saved.get("feature_stamp") == stamp:
            print(f"fold {k}: saved model {path}", file=sys.stderr)
            return LinearModel.from_json(saved["model"])
        print(f"fold {k}: {path} was trained on other features; training again", file=sys.stderr)
    data = train(samples_of(train_pages), args)
    args.folds_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"feature_stamp": stamp, "model": data}), encoding="utf-8")
    return LinearModel.from_json(data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / ".cache/forms")
    ap.add_argument("--descriptors", type=Path, default=ROOT / ".cache/corpus-descriptors.jsonl")
    ap.add_argument("--out", type=Path, default=ROOT / "companion/fields/weights.json")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--min-sites", type=int, default=3)
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--iters", type=int, default=200)
    ap.add_argument("--prune", type=float, default=0.1)
    ap.add_argument("--threshold", type=float, default=0.6)
    ap.add_argument(
        "--predictions",
        type=Path,
        help="write the held-out predictions here (JSON Lines), and what would be filled beside it "
        "(NAME.as-filled.jsonl)",
    )
    ap.add_argument(
        "--sweep",
        type=lambda v: [float(t) for t in v.split(",")],
        default=[],
        help="also score the held-out folds at these thresholds (comma-separated), to choose one honestly",
    )
    ap.add_argument(
        "--folds-dir",
        type=Path,
        help="keep the fold models here and reuse them while the feature code is unchanged: a change to the "
        "rules in classify.py is then re-scored in seconds (e.g. .cache/folds)",
    )
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--cv-only", action="store_true", help="report held-out figures, write no weights")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    pages = load(args.corpus, args.descriptors)
    report: dict = {"pages": len(pages)}
    if not args.no_cv:
        thresholds = sorted({args.threshold, *args.sweep})
        held_out: dict[float, list[dict]] = {t: [] for t in thresholds}
        held_out_filled: dict[float, list[dict]] = {t: [] for t in thresholds}
        stamp = feature_stamp(args) if args.folds_dir else None  # once: it reads the whole descriptor dump
        for k in range(args.folds):
            train_pages = [p for p in pages if fold_of(p.site, args.folds) != k]
            test_pages = [p for p in pages if fold_of(p.site, args.folds) == k]
            model = fold_model(k, train_pages, args, stamp)
            for t in thresholds:
                at = dataclasses.replace(model, threshold=t)
                held_out[t].extend(predictions(test_pages, at))
                held_out_filled[t].extend(predictions(test_pages, at, as_filled=True))
        report["held_out_by_site"] = score(args.corpus, held_out[args.threshold])
        report["held_out_by_site_as_filled"] = score(args.corpus, held_out_filled[args.threshold])
        if args.sweep:
            report["threshold_sweep"] = {
                str(t): {
                    "typed": _summary(score(args.corpus, held_out[t])),
                    "as_filled": _summary(score(args.corpus, held_out_filled[t])),
                }
                for t in thresholds
            }
        if args.predictions:
            filled_path = args.predictions.with_name(args.predictions.stem + ".as-filled.jsonl")
            written = {args.predictions: held_out[args.threshold], filled_path: held_out_filled[args.threshold]}
            for path, rows in written.items():
                path.write_text("".join(json.dumps(p) + "\n" for p in rows), encoding="utf-8")
    if args.cv_only:
        print(json.dumps(report, indent=1) if args.json else report)
        return
    data = train(samples_of(pages), args)
    with tempfile.NamedTemporaryFile("w", dir=args.out.parent, delete=False, suffix=".tmp") as tmp:
        json.dump(data, tmp, separators=(",", ":"), ensure_ascii=False)
    Path(tmp.name).replace(args.out)
    final = LinearModel.from_json(data)
    report["in_sample"] = score(args.corpus, predictions(pages, final))
    report["in_sample_as_filled"] = score(args.corpus, predictions(pages, final, as_filled=True))
    report["weights"] = {"path": str(args.out), "bytes": args.out.stat().st_size, **data["trained_on"]}
    if args.json:
        print(json.dumps(report, indent=1))
        return
    for name in ("held_out_by_site", "held_out_by_site_as_filled", "in_sample", "in_sample_as_filled"):
        if name in report:
            s = report[name]
            print(
                f"{name:27s} lenient {s['lenient_accuracy']}  strict {s['strict_accuracy']}  "
                f"fill precision {s['fill_precision']}  false fills {s['false_fills_on_negatives']}/{s['negatives']}"
            )
    print(f"weights: {report['weights']}")


if __name__ == "__main__":
    main()
