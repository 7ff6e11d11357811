"""What the classifier reads about each field: a short list of named features.

A feature is a string such as ``h:postal-code`` (the field's human text names a postal code in some
language), ``i:zip`` (a word of its programmer name), ``ac:email`` (its autocomplete attribute),
``type:tel``, ``prev:given-name`` (the field before it speaks of a first name), ``x:tel`` (its label and its programmer
name both speak of a phone) or ``form:card``. The model
(``model.py``) weighs them; this module only reads the descriptors.

Design notes:
- Keyword kinds (``vocabulary.py``) carry meaning across languages; raw words of programmer names carry
  the conventions of shop software (``dwfrm``, ``street[1]``) that recur across sites. Raw words of human
  text are left out on purpose: they are language-specific, and learning them from one site's wording is
  memorising, not understanding.
- Neighbours matter: the field after a first name is usually the last name, the box after a phone
  prefix is the national number, two date selects after "Expiry" are the card's month and year.
  Neighbour features use only the neighbours' own evidence, so there is no feedback loop.
- A descriptor is hostile input: every string is cut before it is read, and absent optional attributes
  (the extraction may add more) are read with ``getattr`` defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from companion.fields import text, vocabulary
from companion.protocol.messages import FieldDescriptor, FillRequestPayload, FormDescriptor
from companion.tokens import parse_autocomplete

UNFILLABLE_INPUT_TYPES = frozenset(
    {"hidden", "submit", "button", "image", "reset", "file", "range", "color", "checkbox", "radio"}
)
_MONTH_WORDS = re.compile(
    r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|fevr|mars|avr|mai|juin|juil|aout|sept|"
    r"ene|abr|ago|dic|gen|mag|giu|lug|set|ott|mrt|okt|maj|sty|lut|kwi|cze|lip|sie|wrz|paz|lis|gru|"
    r"янв|фев|мар|апр|май|июн|июл|авг|сен|окт|ноя|дек|\d{1,2}\s*月)"
)
# A list of salutations ("Mr, Mrs, Ms", "Herr, Frau", "M., Mme") or of the sexes ("Male, Female") says what
# a select asks for when its label does not: a whole option, folded, in the corpus's languages.
_SALUTATION = re.compile(
    r"^(mr|mrs|ms|miss|mx|dr|herr|herrn|frau|m|mme|mlle|monsieur|madame|mademoiselle|sr|sra|srta|senor|"
    r"senora|sig|sigra|sig\.ra|signor|signora|dhr|mevr|mw|heer|mevrouw|pan|pani|hr|fru|herra|rouva|ur|"
    r"asszony|г-н|г-жа|господин|госпожа|пані|κος|κα|κυριος|κυρια|bay|bayan|bapak|ibu|tuan|nyonya)\.?$"
)
_SEX = re.compile(
    r"^(male|female|man|woman|masculino|femenino|masculin|feminin|mannlich|weiblich|mand|kvinde|mann|"
    r"kvinne|kvinna|maschio|femmina|uomo|donna|mezczyzna|kobieta|muz|zena|мужской|женский|ferfi|erkek|"
    r"kadın|ανδρας|γυναικα|laki-laki|perempuan|男|女|男性|女性|남|여|남성|여성|ذكر|انثى|أنثى)$"
)
_YEAR = re.compile(r"^(19|20)\d\d$")
# A calling code as a list shows it: "+49", "DE +49", "Deutschland (+49)", "\u202a(+93)\u202c". One to
# three digits after the plus, so a time zone's "GMT +0000" is not one.
_DIAL_CODE = re.compile(r"(?:^|[^\w+])\+ ?\d{1,3}(?!\d)")
_SMALL_NUMBER = re.compile(r"^0?\d{1,2}$")
# A box whose only text is a calling code ("+20", "(+49)", "00962") is the box that takes one, as plainly
# as if it said "country code". Beside other text ("+254" before "e.g. 700200100") the code is the
# national box's adornment, and says nothing.
_BARE_DIAL_CODE = re.compile(r"\(?(?:\+|00) ?[1-9]\d{0,2}\)?")  # no calling code starts with 0: "0000" is a mask
_WORD_LIMIT = 8
_CALLING_CODE = "tel-country-code"  # the kind a bare calling code names


def is_weighed(feature: str) -> bool:
    """Whether the model may learn a weight for a feature: not for the rules' own kinds
    (``vocabulary.RULE_ONLY_KINDS``), which the fields' evidence carries for the rules to read."""
    return feature.rpartition(":")[2] not in vocabulary.RULE_ONLY_KINDS


@dataclass(frozen=True)
class FieldEvidence:
    """One field's own evidence, before neighbours are taken into account."""

    own: tuple[str, ...]  # features from the field itself
    kinds: frozenset[str]  # keyword kinds named by its text or names (for its neighbours' features)
    human: str  # normalised human text, for the reason shown to the person
    hint_section: str | None  # "shipping"/"billing" from its autocomplete attribute


def _option_features(field: FieldDescriptor) -> list[str]:
    options = field.options
    if not options:
        return []
    listed = options[:60]
    texts = [text.fold(o.text.strip()) for o in listed]
    values = [o.value.strip() for o in listed]
    feats = ["opt:n" + _bucket(len(options), (3, 8, 14, 33, 80, 150))]
    if sum(bool(_YEAR.match(t) or _YEAR.match(v)) for t, v in zip(texts, values, strict=True)) >= 4:
        feats.append("opt:years")
    if sum(bool(_MONTH_WORDS.match(t)) for t in texts) >= 6:
        feats.append("opt:month-names")
    small = sum(bool(_SMALL_NUMBER.match(t)) for t in texts)
    if 11 <= small <= 13:
        feats.append("opt:1-12")
    elif small >= 28:
        feats.append("opt:1-31")
    two_letter = sum(len(v) == 2 and v.isalpha() for v in values)
    if two_letter >= 20:
        feats.append("opt:iso-codes")
    dial_codes = sum(bool(_DIAL_CODE.search(o.text) or _DIAL_CODE.search(o.value)) for o in listed)
    if dial_codes >= min(5, (len(options) + 1) // 2):  # a short list ("HU (+36)", "Other (+)") counts too
        feats.append("opt:dial-codes")
    if len(options) <= 12:
        if sum(bool(_SALUTATION.match(t)) for t in texts) >= 2:
            feats.append("opt:salutations")
        if sum(bool(_SEX.match(t)) for t in texts) >= 2:
            feats.append("opt:sexes")
    for kind in vocabulary.kinds_in_parts(text.human(t[:200]) for t in texts[:3]):
        feats.append("opt:" + kind)  # the placeholder option ("Select a country", "Monat")
    return feats


def _only_a_calling_code(*texts: str) -> bool:
    present = [t.strip() for t in texts if t and not t.isspace()]
    return bool(present) and all(len(t) <= 9 and _BARE_DIAL_CODE.fullmatch(t) for t in present)


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if n <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def field_evidence(field: FieldDescriptor) -> FieldEvidence:
    own: list[str] = [f"tag:{field.tag}", f"type:{field.type[:16].lower()}"]
    kinds: set[str] = set()

    hint = parse_autocomplete(field.autocomplete[:100]) if field.autocomplete else None
    if hint is not None:
        own.append("ac:" + hint.token)
    elif field.autocomplete.strip():
        own.append("ac:junk")  # "off", "nope", an id: the site fights autofill, a weak signal of its own

    human_kinds: set[str] = set()
    # Each text is read alone (a phrase may not run from the label into the placeholder), and once: a
    # label and an aria-label often say the same.
    human_parts = [text.human(p[:200]) for p in (field.label, field.aria_label, field.placeholder, field.title) if p]
    human_parts = list(dict.fromkeys(p for p in human_parts if p))
    human = " ".join(human_parts)
    if human:
        found = vocabulary.kinds_in_parts(human_parts)
        if _only_a_calling_code(field.label, field.aria_label, field.placeholder, field.title):
            found = (_CALLING_CODE,)  # not the "2" that ends "00962", read as a box's repeat ("email2")
        for kind in found:
            own.append("h:" + kind)
            kinds.add(kind)
            human_kinds.add(kind)
    else:
        own.append("h:none")
        raw_nearby = getattr(field, "nearby_text", "") or ""
        found = vocabulary.kinds_in(text.human(raw_nearby))
        if _only_a_calling_code(raw_nearby):
            found = (_CALLING_CODE,)
        for kind in found:
            own.append("near:" + kind)
            kinds.add(kind)

    names = " ".join(dict.fromkeys(text.identifier(n) for n in (field.name, field.id) if n))
    if names:
        words = names.split()
        name_kinds = vocabulary.kinds_in_words(words)
        for kind in sorted(name_kinds):
            own.append("i:" + kind)
            kinds.add(kind)
        # The label and the programmer's name saying the same thing is stronger than either alone.
        own.extend("x:" + kind for kind in sorted(human_kinds & name_kinds))
        own.extend("w:" + w for w in dict.fromkeys(words[-_WORD_LIMIT:]) if len(w) > 1)
    else:
        own.append("i:none")

    if field.maxlength is not None and 0 < field.maxlength < 1000:
        own.append("maxlen:" + _bucket(field.maxlength, (2, 4, 6, 10, 20, 50)))
    if field.inputmode:
        own.append("inputmode:" + field.inputmode[:16].lower())
    own.extend(_option_features(field))
    return FieldEvidence(
        own=tuple(dict.fromkeys(own)),
        kinds=frozenset(kinds),
        human=human,
        hint_section=hint.section if hint else None,
    )


def _form_features(form: FormDescriptor | None, members: list[FieldDescriptor]) -> list[str]:
    feats: list[str] = []
    passwords = sum(f.type == "password" for f in members)
    if passwords:
        feats.append("form:pw" + ("2+" if passwords >= 2 else "1"))
    feats.append("form:size" + _bucket(len(members), (1, 2, 4, 8, 16)))
    if form is not None:
        context = (text.human(part) for part in (form.heading, form.submit_text, form.name, form.id) if part)
        for kind in vocabulary.kinds_in_parts(context):
            feats.append("form:" + kind)
    return feats


def payload_features(payload: FillRequestPayload) -> list[tuple[FieldEvidence, list[str]]]:
    """Every field's evidence and its full feature list (own, neighbours', form's), in payload order."""
    fields = payload.fields
    evidence = [field_evidence(f) for f in fields]
    forms = {form.index: form for form in payload.forms}
    groups: dict[int | None, list[int]] = {}
    for position, f in enumerate(fields):
        if f.tag == "input" and f.type in UNFILLABLE_INPUT_TYPES:
            continue
        groups.setdefault(f.form_index, []).append(position)

    out: list[tuple[FieldEvidence, list[str]]] = [(e, list(e.own)) for e in evidence]
    for form_index, positions in groups.items():
        members = [fields[p] for p in positions]
        form_feats = _form_features(forms.get(form_index) if form_index is not None else None, members)
        for rank, position in enumerate(positions):
            feats = out[position][1]
            feats.extend(form_feats)
            if rank == 0:
                feats.append("pos:first")
            if rank > 0:
                before = evidence[positions[rank - 1]]
                feats.extend("prev:" + k for k in before.kinds)
                feats.append("prevtype:" + fields[positions[rank - 1]].type[:16])
            else:
                feats.append("prev:none")
            if rank + 1 < len(positions):
                after = evidence[positions[rank + 1]]
                feats.extend("next:" + k for k in after.kinds)
                feats.append("nexttype:" + fields[positions[rank + 1]].type[:16])
            else:
                feats.append("next:none")
    return out
