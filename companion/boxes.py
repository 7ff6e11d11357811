"""How a value from the vault is written into the box that will hold it.

The approval window shows, the page receives and the ledger fingerprints the same string, so the value is
shaped here, in the companion, once, and never silently in the page. A value the box cannot hold is not
offered at all: the content script would refuse it anyway, after the person had approved it. A phone
number too long for its box is offered in its national form instead, which is how such boxes expect it.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.protocol.messages import FieldDescriptor


@dataclass(frozen=True)
class Box:
    """What a form control can hold: one line or several, and at most how many characters."""

    one_line: bool
    limit: int | None = None

    @classmethod
    def of(cls, field: FieldDescriptor) -> Box:
        limit = field.maxlength if field.maxlength and field.maxlength > 0 else None
        return cls(one_line=field.tag == "input", limit=limit)


def stand_ins(token: str) -> tuple[str, ...]:
    """The tokens whose values may go into a box asked for ``token``, best first: the token itself, then
    for a phone number its national form (a box of 11 takes "07700 900431" when "+447700900431" is too
    long). A stand-in is used only when no value of the token itself fits."""
    hints, _, field = token.rpartition(" ")
    if field == "tel":
        return token, f"{hints} tel-national".strip()
    return (token,)


def as_entered(value: str, box: Box) -> str | None:
    """The value as ``box`` will hold it, or None when it cannot hold it.

    A one-line box gets the lines of a street address joined by a comma, as people write an address on
    one line. Nothing is shortened to fit: a cut email address or street is a wrong one."""
    if box.one_line and "\n" in value:
        value = ", ".join(line.strip() for line in value.splitlines() if line.strip())
    if box.limit is not None and len(value) > box.limit:
        return None
    return value
