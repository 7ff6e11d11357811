"""The offline training tool (tools/train_fields.py, tools/fields_corpus.py) on a small made-up corpus.

The real corpus is third-party content and the full training takes minutes, so these tests build a few
label files by hand: they check that pages become the right training rows, that a feature one site alone
shows is never learned, that the trained weights load and read unseen sites right, and that saved fold
models are reused only under the same feature stamp.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("numpy", reason="the training tool needs the 'train' extra (numpy)")

TOOLS = Path(__file__).resolve().parents[2] / "tools"
sys.path.insert(0, str(TOOLS))

import fields_corpus  # noqa: E402
import train_fields  # noqa: E402

from companion.fields.model import LinearModel  # noqa: E402
from companion.protocol.messages import FillRequestPayload  # noqa: E402

SOURCE = "firefox-ai-form-autofill"


def _field(index: int, name: str, label: str, whatwg: str | None, mapping: str = "exact") -> dict:
    return {
        "doc_index": index,
        "form_index": 0,
        "tag": "input",
        "type": "text",
        "name": name,
        "id": "",
        "autocomplete_attr": "",
        "label_text": label,
        "whatwg": whatwg,
        "whatwg_candidates": [whatwg] if whatwg else [],
        "mapping": mapping,
        "original_label": whatwg or "unknown",
    }


def _write_page(corpus: Path, host: str, fields: list[dict], negatives: list[dict] = ()) -> None:
    stem = host.replace(".", "_")
    label = {
        "page": f"{SOURCE}/training/{stem}.html",
        "source": SOURCE,
        "original_url": f"https://www.{host}/checkout",
        "forms": [{"form_index": 0, "id": "checkout", "name": ""}],
        "fields": fields,
        "unlabelled_fillable_fields": list(negatives),
    }
    path = corpus / "labels" / SOURCE / "training" / f"{stem}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(label), encoding="utf-8")


def _shop(corpus: Path, host: str, *, odd_name: str = "extra") -> None:
    """One checkout: email, postcode, a voucher box nobody should fill, and a box named only on this site."""
    _write_page(
        corpus,
        host,
        [
            _field(0, "email", "Email address", "email"),
            _field(1, "postcode", "Postcode", "postal-code"),
            _field(3, odd_name, "Town", "address-level2"),
        ],
        negatives=[_field(2, "voucher", "Voucher code", None)],
    )


def _args(tmp_path: Path, **overrides) -> argparse.Namespace:
    settings = {
        "folds": 2,
        "min_sites": 2,
        "l2": 1e-4,
        "lr": 0.1,
        "iters": 60,
        "prune": 0.0,
        "threshold": 0.6,
        "folds_dir": None,
        "descriptors": tmp_path / "descriptors.jsonl",
    }
    settings.update(overrides)
    return argparse.Namespace(**settings)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "forms"
    for i, host in enumerate(("alpha-shop.de", "beta-store.fr", "gamma.co.uk", "delta.com")):
        _shop(root, host, odd_name=f"only_here_{i}")
    return root


def test_label_files_become_pages_with_gold_classes_and_negatives(corpus: Path) -> None:
    pages = fields_corpus.load(corpus)
    assert len(pages) == 4
    page = next(p for p in pages if p.site == "gamma.co.uk")  # a two-letter country domain keeps three parts
    assert isinstance(page.payload, FillRequestPayload)
    assert [f.index for f in page.payload.fields] == [0, 1, 2, 3]
    assert page.gold == {0: "email", 1: "postal-code", 3: "address-level2", 2: "none"}
    assert page.negatives == {2}
    assert page.candidates[1] == ["postal-code"]


def test_gold_class_reads_the_mapping() -> None:
    assert fields_corpus.gold_class({"mapping": "negative", "original_label": "unknown", "whatwg": None}) == "none"
    password = {"mapping": "ambiguous", "original_label": "password", "whatwg": None, "whatwg_candidates": []}
    assert fields_corpus.gold_class(password) == "password", "Proffer's own class: new or current is decided later"
    part = {"mapping": "component", "original_label": "entrance-code", "whatwg": None}
    assert fields_corpus.gold_class({**part, "whatwg_candidates": ["address-line2", "street-address"]}) == (
        "address-line2"
    )
    assert fields_corpus.gold_class({**part, "whatwg_candidates": []}) is None, "nothing to learn from"


def test_training_rows_skip_controls_that_hold_no_value(corpus: Path) -> None:
    pages = fields_corpus.load(corpus)
    page = pages[0]
    fields = list(page.payload.fields)
    fields[2] = fields[2].model_copy(update={"type": "hidden"})
    page.payload = page.payload.model_copy(update={"fields": fields})
    rows = train_fields.samples_of([page], augment=False)
    assert sorted(cls for _site, _feats, cls, _weight in rows) == ["address-level2", "email", "postal-code"]
    assert all(weight == 1.0 for *_row, weight in rows)
    augmented = train_fields.samples_of([page])
    assert len(augmented) > len(rows), "augmented copies are added"
    full = [(cls, set(feats)) for _site, feats, cls, _weight in rows]
    for _site, feats, cls, _weight in augmented:  # each copy is a row with some of its evidence left out
        assert any(cls == c and set(feats) <= whole for c, whole in full)
    # The copies of a row weigh no more than the row itself, together: each drops one group of evidence,
    # and none is chosen by the row's place in the corpus.
    copies = [row for row in augmented if row[3] < 1.0]
    assert copies and len(augmented) == len(rows) + len(copies)
    for _site, _feats, cls, _weight in rows:
        assert sum(w for *_rest, c, w in copies if c == cls) <= 1.0


def test_a_feature_one_site_shows_is_never_learned_and_other_sites_are_read(corpus: Path, tmp_path: Path) -> None:
    pages = fields_corpus.load(corpus)
    data = train_fields.train(train_fields.samples_of(pages), _args(tmp_path))
    assert data["format"] == 1 and data["threshold"] == 0.6
    assert not [f for f in data["weights"] if "only_here" in f], "a name seen on one site must be dropped"
    model = LinearModel.from_json(data)

    # A new site, worded the same way, is read from what the shops have in common.
    new = tmp_path / "new"
    _shop(new, "epsilon.it", odd_name="something_else")
    seen = train_fields.predictions(fields_corpus.load(new), model)
    assert {p["doc_index"]: p["prediction"] for p in seen}[0] == "email"
    assert {p["doc_index"]: p["prediction"] for p in seen}[1] == "postal-code"


def test_fold_models_are_reused_only_under_the_same_feature_stamp(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = fields_corpus.load(corpus)
    args = _args(tmp_path, folds_dir=tmp_path / "folds")
    first = train_fields.fold_model(0, pages, args, stamp="one")
    saved = tmp_path / "folds" / "fold-0-of-2.json"
    assert json.loads(saved.read_text())["feature_stamp"] == "one"

    def no_training(*_args, **_kwargs):
        raise AssertionError("trained again although the saved model is current")

    monkeypatch.setattr(train_fields, "train", no_training)
    again = train_fields.fold_model(0, pages, args, stamp="one")
    assert again.classes == first.classes and again.bias == first.bias

    with pytest.raises(AssertionError, match="trained again"):
        train_fields.fold_model(0, pages, args, stamp="two")


def test_the_stamp_changes_with_the_descriptors_and_the_settings(tmp_path: Path) -> None:
    args = _args(tmp_path)
    args.descriptors.write_text("{}\n", encoding="utf-8")
    stamp = train_fields.feature_stamp(args)
    assert train_fields.feature_stamp(args) == stamp
    assert train_fields.feature_stamp(_args(tmp_path, l2=1e-3)) != stamp
    args.descriptors.write_text('{"page": 1}\n', encoding="utf-8")
    assert train_fields.feature_stamp(args) != stamp


def test_sites_are_held_out_whole() -> None:
    assert train_fields.fold_of("shop.example", 5) == train_fields.fold_of("shop.example", 5)
    assert {train_fields.fold_of(f"site{i}.example", 5) for i in range(50)} == set(range(5))


def test_training_rows_leave_out_the_rules_own_kinds(tmp_path: Path) -> None:
    # "sign-in" decides purposes and passwords by rule; as a feature it would teach the corpus's habit of
    # calling a sign-in's email box a username (companion/fields/vocabulary.RULE_ONLY_KINDS).
    from companion.fields.features import payload_features

    root = tmp_path / "forms"
    _write_page(root, "alpha-shop.de", [_field(0, "login_email", "Email to sign in", "email")])
    (page,) = fields_corpus.load(root)
    assert any(f.endswith(":sign-in") for f in payload_features(page.payload)[0][1]), "the fields' evidence has it"
    rows = train_fields.samples_of([page])
    assert rows and not any(f.endswith(":sign-in") for _site, feats, _cls, _weight in rows for f in feats)


def test_a_company_box_duckduckgo_cannot_name_is_not_learned_as_nothing() -> None:
    # DuckDuckGo marks every company box "unknown": its scheme has no type for it. Such a box is left out
    # of training, while a box about the company that is not its name is still learned as nothing.
    origin = "https://shop.example"
    payload = FillRequestPayload.model_validate(
        {
            "page": {"url": "https://shop.example/join", "top_origin": origin, "frame_origin": origin},
            "forms": [{"index": 0}],
            "fields": [
                {"index": 0, "form_index": 0, "tag": "input", "type": "text", "name": "company", "label": "Company"},
                {"index": 1, "form_index": 0, "tag": "input", "type": "text", "name": "vat", "label": "Company VAT"},
                {"index": 2, "form_index": 0, "tag": "input", "type": "text", "name": "promo", "label": "Promo code"},
            ],
        }
    )
    gold = {0: "none", 1: "none", 2: "none"}
    duckduckgo = fields_corpus.Page("ddg-test-forms/shop_signup.html", "shop", "ddg-test-forms", payload, gold)
    mozilla = fields_corpus.Page(f"{SOURCE}/training/shop.html", "shop", SOURCE, payload, dict(gold))
    rows = train_fields.samples_of([duckduckgo], augment=False)
    assert len(rows) == 2 and all(cls == "none" for _site, _feats, cls, _weight in rows)
    assert not any("h:organization" in feats for _site, feats, _cls, _weight in rows)
    assert len(train_fields.samples_of([mozilla], augment=False)) == 3, "a labeller that can name it said nothing"
