"""`proffer fields PAGE [PAGE ...]`: how Proffer reads a page, field by field, and why it would or would not fill.

Each page (a file path, or a URL on 127.0.0.1) is loaded in headless Chromium and read by the extension's
own extraction code (companion.fields.runner), classified by the companion's classifier and judged by the
fill-safety rules: the very path a real fill takes, minus the vault. It doubles as the tool a person uses
to see why a site is or is not filled.

With --json, one line per page, in the order given:
    {"page": <as given>, "purpose": ..., "fields": [{"index", "id", "name", "type", "fillable", "reason"}]}
where index is the control's position in document.querySelectorAll('input, select, textarea') of the top
document; controls inside open shadow roots (web components) follow, numbered on after those (see
extension/content/controls.js). A child frame with controls adds
"frames": [{"url", "frame_origin", "purpose", "fields"}] (its own indexes), judged as a frame of another
origin unless --approve-frame names it. A page that could not be read is {"page": ..., "error": ...}; the
exit code is then 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

from companion.protocol.messages import FillRequestPayload

UNDERSTAND_MISSING = "the field classifier (companion.fields.classify.understand) is not available yet: {error}"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fields",
        parents=[subparsers.common_parent],
        help="show how Proffer reads a page's fields and which it would fill",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("pages", nargs="+", metavar="PAGE", help="a file path, or a URL on 127.0.0.1/localhost")
    parser.add_argument("--json", action="store_true", help="one JSON line per page")
    parser.add_argument(
        "--approve-frame",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="judge fields in frames of this origin as the person approved it (repeatable)",
    )
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds allowed per page (default 20)")
    parser.add_argument(
        "--settle-ms", type=int, default=0, help="extra wait after load, for pages that build forms late"
    )
    parser.set_defaults(func=run)


def load_understand() -> Callable[[FillRequestPayload], Any]:
    """The classifier's entry point, imported when needed so a missing classifier is a clear error."""
    try:
        from companion.fields.classify import understand
    except ImportError as exc:
        raise SystemExit(UNDERSTAND_MISSING.format(error=exc)) from exc
    return understand


def judge_payload(
    payload: FillRequestPayload,
    understand: Callable[[FillRequestPayload], Any],
    approved_frame_origins: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Classify and judge one document's fields: {"purpose", "fields": [...]} as `proffer fields` prints them."""
    from companion.fields.safety import assess_page

    understanding = understand(payload)
    seen = {f.index: f for f in understanding.fields}
    tokens = {index: f.type for index, f in seen.items()}
    verdicts = assess_page(payload, tokens, approved_frame_origins)
    fields = []
    for descriptor in payload.fields:
        found = seen.get(descriptor.index)
        fillable, refusal = verdicts[descriptor.index]
        fields.append(
            {
                "index": descriptor.index,
                "id": descriptor.id,
                "name": descriptor.name,
                "type": found.type if found else None,
                "fillable": fillable,
                # Why not, when refused; else the classifier's why.
                "reason": refusal if not fillable else (found.reason if found else None),
                "label": found.label if found else "",
            }
        )
    return {"purpose": understanding.purpose, "fields": fields}


def page_report(
    result: Any,  # runner.PageResult (imported lazily with playwright)
    understand: Callable[[FillRequestPayload], Any],
    approved_frame_origins: frozenset[str],
) -> dict[str, Any]:
    if result.payload is None:
        return {"page": result.target, "error": result.error or "could not read the page"}
    judged = judge_payload(result.payload, understand, approved_frame_origins)
    report: dict[str, Any] = {"page": result.target, "purpose": judged["purpose"], "fields": judged["fields"]}
    if result.status is not None and result.status >= 400:
        report["http_status"] = result.status  # shown in the table; not part of the JSON line
    frames = [
        {
            "url": frame.url,
            "frame_origin": frame.payload.page.frame_origin,
            **judge_payload(frame.payload, understand, approved_frame_origins),
        }
        for frame in result.frames
        if frame.payload.fields
    ]
    if frames:
        report["frames"] = frames
    return report


def _wire_fields(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = ("index", "id", "name", "type", "fillable", "reason")
    return [{key: f[key] for key in keys} for f in fields]


def to_json_line(report: dict[str, Any]) -> str:
    if "error" in report:
        return json.dumps(report, ensure_ascii=False)
    out: dict[str, Any] = {
        "page": report["page"],
        "purpose": report["purpose"],
        "fields": _wire_fields(report["fields"]),
    }
    if "frames" in report:
        out["frames"] = [{**frame, "fields": _wire_fields(frame["fields"])} for frame in report["frames"]]
    return json.dumps(out, ensure_ascii=False)


def _clip(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def print_table(report: dict[str, Any], out: TextIO) -> None:
    print(f"{report['page']}", file=out)
    if "error" in report:
        print(f"  could not read the page: {report['error']}", file=out)
        return
    if "http_status" in report:
        print(f"  the server answered HTTP {report['http_status']}: this may not be the page you meant", file=out)
    sections = [("", report["purpose"], report["fields"])]
    sections += [(f"frame {f['frame_origin']} ", f["purpose"], f["fields"]) for f in report.get("frames", [])]
    for prefix, purpose, fields in sections:
        fillable = sum(f["fillable"] for f in fields)
        print(f"  {prefix}purpose: {purpose}; {len(fields)} controls, {fillable} fillable", file=out)
        print(f"  {'#':>4}  {'fill':4}  {'type':<20} {'name / id':<28} {'label':<28} reason", file=out)
        for f in fields:
            name = f["name"] or (f"#{f['id']}" if f["id"] else "")
            print(
                f"  {f['index']:>4}  {'yes' if f['fillable'] else 'no':4}  {_clip(f['type'] or '-', 20):<20} "
                f"{_clip(name, 28):<28} {_clip(f['label'], 28):<28} {_clip(f['reason'], 60)}",
                file=out,
            )
    print(file=out)


def run(args: argparse.Namespace) -> int:
    from companion.fields.runner import PageRunner, RunnerError, run_pages

    understand = load_understand()
    approved = frozenset(args.approve_frame)
    failed = 0
    try:
        with PageRunner(timeout_s=args.timeout, settle_ms=args.settle_ms) as runner:
            for result in run_pages(args.pages, runner=runner, progress=len(args.pages) > 20):
                report = page_report(result, understand, approved)
                failed += "error" in report
                if args.json:
                    print(to_json_line(report), flush=True)
                else:
                    print_table(report, sys.stdout)
    except RunnerError as exc:
        print(f"proffer fields: {exc}", file=sys.stderr)
        return 2
    return 1 if failed else 0
