"""JSON for the native host without importing the ``json`` package on every start.

``import json`` costs more than the rest of the host together: ``json.decoder`` and ``json.encoder``
import ``re``, which imports ``enum``, ``functools`` and ``collections`` (measured here: a bare
``python -IS`` start plus ~40 % for ``import json`` alone). The parsing itself is done by CPython's
``_json`` accelerator either way, so the host calls it directly:

* ``loads`` runs the C scanner that ``json.loads`` uses, with the same defaults, except that ``NaN`` and
  ``Infinity`` are refused (they are not JSON, and no browser sends them); when the scanner fails, the
  ``json`` package parses the text again and gives the verdict and the message (errors are rare);
* ``quote`` is the C string encoder ``json.dumps`` uses (non-ASCII kept as UTF-8).

``dumps`` (rare: rewriting an answer) imports the real ``json`` package when it is called. Where ``_json``
is missing (another Python implementation) everything falls back to the ``json`` package.
"""

from __future__ import annotations

try:
    from _json import encode_basestring as _c_quote
    from _json import make_scanner as _c_make_scanner
except ImportError:  # pragma: no cover - CPython always has it
    _c_make_scanner = None
    _c_quote = None

_WHITESPACE = " \t\n\r"


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


class _ScannerContext:
    """The attributes ``_json.make_scanner`` reads: the defaults of ``json.JSONDecoder``."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = staticmethod(_refuse_constant)


_scan = _c_make_scanner(_ScannerContext) if _c_make_scanner is not None else None


def _skip_whitespace(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def loads(text: str) -> object:
    """Parse one JSON document; ValueError (with a position, never the input) when it is not one."""
    if _scan is not None:
        start = _skip_whitespace(text, 0)
        try:
            value, end = _scan(text, start)
        except Exception:  # noqa: S110  (the json package below gives the verdict and the message)
            # On errors the C scanner expects json.decoder to be imported already (to raise its
            # JSONDecodeError) and raises SystemError or StopIteration when it is not.
            pass
        else:
            if _skip_whitespace(text, end) == len(text):
                return value
    return _slow_loads(text)


def _slow_loads(text: str) -> object:
    import json

    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} (character {exc.pos})") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def quote(text: str) -> str:
    """``text`` as a JSON string literal."""
    if _c_quote is None:  # pragma: no cover
        import json

        return json.dumps(text, ensure_ascii=False)
    return _c_quote(text)


def dumps(value: object) -> str:
    """Compact JSON for any value (imports the json package: for rare paths only)."""
    import json

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
