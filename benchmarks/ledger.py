"""Ledger benchmark: append cost, open, verify, memory and every dashboard view, at N entries.

    python3 benchmarks/ledger.py                                 # N = 1,000, 10,000 and 100,000 (a few minutes)
    python3 benchmarks/ledger.py --entries 1000                  # a quick run
    python3 benchmarks/ledger.py --entries 1000 10000 100000 --json

Targets (issue 6): append p95 <= 5 ms and every view <= 100 ms at 100,000 entries.
Open and verify are also given in CPU time, and the load average is printed: on a shared machine the wall
times say more about the neighbours than about the ledger.

How: the history is built with ``os.fdatasync`` stubbed out (building 100,000 entries with a real sync each
would take minutes and measure nothing new) and synced once, then ``--appends`` more entries are appended
with the real sync and timed — that is the append figure, measured at N. Every view is run ``--repeat``
times on the reopened ledger and reported as median and max (the first run of a page compiles its template).
The history is synthetic but shaped like years of use: a few hundred sites, ~25 field types, 1-6 fields per
entry, a mix of decisions, spread over three years. Some entries are consent boxes Proffer set by the person's
preference (a "never" with one box). And as in use, a few seconds after some of them comes the fill report's
correction, an "undelivered" entry: a page that did not take some of a release's values (a third of those
none), or would not let Proffer set a box. They are among the N entries, and counted in the output.

Memory, after the timings: the open ledger's index as ``tracemalloc`` sees it (what it holds once open, and the
peak while opening; traced apart from the timed open, which tracing would slow); both opened for writing, as the
companion opens it (a writer also keeps the open segment's summary in the making); the peak RSS of a fresh
process that does nothing but open the ledger, as the companion does on unlock, beside its RSS before the open
(the interpreter and the imports; ``VmHWM``, Linux only: Linux hands a started process its starter's
``ru_maxrss``); and this benchmark's own peak RSS (``resource.getrusage``), which includes the 64 MiB of the
vault's Argon2id, building the history and every smaller N run before.

Progress goes to stderr; the figures to stdout.

Two kinds of view figures: ``views`` are the ledger's own queries; ``pages`` are what a dashboard page costs
past the HTTP layer — its data function (``companion.dashboard.ledger_views``) and the rendering of its real
template — against a real vault (cheapest Argon2id the vault accepts) whose values the history released, a
few of them changed since. The 100 ms target is for the pages.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jinja2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's companion, not an installed one

from companion.dashboard import ledger_views  # noqa: E402
from companion.ledger.model import Decision, DisclosedField, LedgerDraft, LedgerEntry  # noqa: E402
from companion.ledger.store import Ledger  # noqa: E402
from companion.vault import Vault  # noqa: E402
from companion.vault.crypto import KdfParameters  # noqa: E402

FIELD_TYPES = [
    "email",
    "given-name",
    "family-name",
    "name",
    "tel",
    "tel-national",
    "street-address",
    "address-line1",
    "address-line2",
    "postal-code",
    "address-level2",
    "country",
    "bday",
    "bday-month",
    "organization",
    "organization-title",
    "honorific-prefix",
    "nickname",
    "x-proffer-membership-number",
    "x-proffer-marketing-consent",
    "x-proffer-loyalty-join",
    "sex",
    "url",
    "username",
]
PURPOSES = ("checkout", "account-signup", "loyalty-signup", "newsletter", "contact", "login")
DECISIONS = (Decision.ONCE,) * 5 + (Decision.ALWAYS,) * 3 + (Decision.DECLINED, Decision.UNTICKED, Decision.NEVER)
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 3 * 365 * 86400
CHANGED = ("email", "tel", "street-address")  # values the person changed in the vault half-way through
BOX_CHANGES = 0.06  # of the decisions: a consent box Proffer set by the person's preference
BOXES = (
    ("marketing-opt-in", "Send me offers and news"),
    ("marketing-opt-out", "Tick if you do not want our offers"),
    ("loyalty-enroll", "Join our rewards club"),
)
NOT_TAKEN = 0.05  # of the releases: the page did not take some of the values (a third of these, none of them)
BOX_NOT_DONE = 0.25  # of the box changes: the page would not let Proffer set the box
FIELD_REASONS = ("field_changed", "invisible", "document_gone", "value_not_accepted", "longer_than_field_allows")
BOX_REASONS = ("page_reverted_change", "detached", "disabled")
BOX_TYPES = frozenset(kind for kind, _ in BOXES)
REPORT_DELAY = timedelta(seconds=3)  # from a fill to its report (a report is accepted for a minute)
VCARD = """BEGIN:VCARD
VERSION:3.0
N:Bench;Beatrix;;Dr.;
FN:Dr. Beatrix Bench
NICKNAME:Bea
EMAIL;TYPE=INTERNET,HOME:beatrix@bench.example
EMAIL;TYPE=INTERNET,WORK:b.bench@work.example
TEL;TYPE=CELL:+44 7700 900123
TEL;TYPE=HOME:+44 1632 960456
ADR;TYPE=HOME:;;12 Bench Lane;Leeds;West Yorkshire;LS1 4AP;United Kingdom
ADR;TYPE=WORK:;Floor 3;1 Office Row;York;North Yorkshire;YO1 7HH;United Kingdom
ORG:Benchmarks Ltd
TITLE:Timekeeper
BDAY:1980-02-29
END:VCARD
"""

Values = dict[str, list[tuple[str, str, str]]]  # type -> [(value id, fingerprint now, fingerprint before)]


def make_vault(folder: Path) -> Vault:
    vault = Vault(folder, kdf_parameters=KdfParameters(memory_kib=64 * 1024, iterations=3, lanes=1))
    vault.create("benchmark passphrase, not a secret")
    vault.import_vcard(VCARD)
    return vault


def vault_values(vault: Vault) -> Values:
    return {
        t: [(o.value_id, vault.fingerprint(o.value), vault.fingerprint("old " + o.value)) for o in vault.offers(t)]
        for t in FIELD_TYPES
    }


def draft(rng: random.Random, sites: list[str], values: Values, before_change: bool) -> LedgerDraft:
    """One decision; released fields carry the vault's value ids and fingerprints (types the vault has no
    value for carry none), the old fingerprint for CHANGED types before the change. A box change is a "never"
    with the one box, as ``companion.prompts`` records it."""
    site = sites[min(int(rng.expovariate(1 / 40)), len(sites) - 1)]  # a few sites get most of the traffic
    fields = []
    if rng.random() < BOX_CHANGES:
        decision = Decision.NEVER
        kind, label = rng.choice(BOXES)
        fields.append(DisclosedField(type=kind, label=label))
    else:
        decision = rng.choice(DECISIONS)
        for t in rng.sample(FIELD_TYPES, rng.randint(1, 6)):
            value_id = fingerprint = None
            if values[t]:
                value_id, now, before = rng.choice(values[t])
                fingerprint = before if before_change and t in CHANGED else now
            fields.append(
                DisclosedField(type=t, label=f"Your {t.replace('-', ' ')}", value_id=value_id, fingerprint=fingerprint)
            )
    return LedgerDraft(
        site=site,
        origin=f"https://www.{site}",
        path=f"/{rng.choice(PURPOSES)}/step-{rng.randint(1, 3)}",
        frame_origin=f"https://www.{site}",
        purpose=rng.choice(PURPOSES),
        fields=tuple(fields),
        decision=decision,
        terms="approved once in the approval window",
        browser="chromium",
        request_id=f"req-{rng.getrandbits(64):016x}",
    )


def correction(rng: random.Random, entry: LedgerEntry) -> tuple[str, LedgerDraft] | None:
    """The fill report's "undelivered" entry for ``entry`` if its page did not take what it got, as
    ``companion.fill`` records it, with its kind: "field" (values not taken) or "box" (a box not set)."""
    if entry.released and rng.random() < NOT_TAKEN:
        count = len(entry.fields) if rng.random() < 1 / 3 else rng.randint(1, len(entry.fields))
        kind, places, reason = "field", sorted(rng.sample(range(len(entry.fields)), count)), rng.choice(FIELD_REASONS)
    elif entry.decision is Decision.NEVER and entry.fields[0].type in BOX_TYPES and rng.random() < BOX_NOT_DONE:
        kind, places, reason = "box", [0], rng.choice(BOX_REASONS)
    else:
        return None
    where = entry.model_dump(include={"site", "origin", "path", "frame_origin", "purpose", "browser", "request_id"})
    return kind, LedgerDraft(
        **where,
        fields=tuple(entry.fields[i].model_copy(update={"position": i, "reason": reason}) for i in places),
        decision=Decision.UNDELIVERED,
        terms="released, but not written into the page" if kind == "field" else "set, but the page did not keep it",
        release_id=entry.id,
    )


class History:
    """The synthetic history, one draft at a time: a decision in each time slot, and a few seconds after some
    of them the fill report's correction, in the next slot. ``kinds`` counts what was appended.

    ``corrections=False`` leaves the corrections out and nothing else: the same decisions, to see what the
    corrections cost."""

    def __init__(self, rng: random.Random, sites: list[str], values: Values, *, corrections: bool = True) -> None:
        self.rng, self.sites, self.values, self.corrections = rng, sites, values, corrections
        self.kinds: Counter[str] = Counter()
        self._report: tuple[str, LedgerDraft] | None = None
        self._last: datetime | None = None

    def next(self, slot: datetime, before_change: bool) -> tuple[LedgerDraft, datetime]:
        """The next draft and when it is appended."""
        if self._report is not None and self._last is not None:
            return self._report[1], self._last + REPORT_DELAY
        return draft(self.rng, self.sites, self.values, before_change), slot

    def appended(self, entry: LedgerEntry) -> None:
        self._last = entry.moment
        if entry.decision is Decision.UNDELIVERED and self._report is not None:
            self.kinds[f"{self._report[0]} corrections"] += 1
            self._report = None
        else:
            self.kinds["decisions"] += 1
            report = correction(self.rng, entry)  # drawn either way, so that the decisions are the same
            self._report = report if self.corrections else None


@contextmanager
def no_sync():
    real = os.fdatasync
    os.fdatasync = lambda fd: None
    try:
        yield
    finally:
        os.fdatasync = real


def flush(folder: Path) -> None:
    for path in folder.iterdir():
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def timed(fn, repeat: int) -> dict[str, float]:
    runs, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return {
        "median_ms": round(statistics.median(runs), 3),
        "max_ms": round(max(runs), 3),
        "cpu_median_ms": round(statistics.median(cpu), 3),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def templates() -> jinja2.Environment:
    """The dashboard's templates, set up as ``companion.app`` sets them up."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("companion.dashboard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def pages(ledger: Ledger, vault: Vault, busiest: str, email: str) -> dict:
    """Each ledger page of the dashboard: its data function, then its template rendered to HTML."""
    env = templates()
    last_site_page = -(-ledger.site(busiest).entries // ledger_views.PAGE_SIZE)

    def page(template: str, data: Callable[[], dict]) -> Callable[[], str]:
        return lambda: env.get_template(template).render(data())

    filtered = {
        "site": busiest,
        "field_type": "email",
        "decision": "once",
        "since": "2024-01-01",
        "until": "2025-06-30",
    }
    return {
        "timeline": page("ledger_timeline.html", lambda: ledger_views.timeline_data(ledger, {})),
        "timeline_filtered": page("ledger_timeline.html", lambda: ledger_views.timeline_data(ledger, filtered)),
        "timeline_last_page": page(
            "ledger_timeline.html", lambda: ledger_views.timeline_data(ledger, {"page": str(10**9)})
        ),
        "sites": page("ledger_sites.html", lambda: ledger_views.sites_data(ledger)),
        "site_busiest": page("ledger_site.html", lambda: ledger_views.site_data(ledger, busiest, [], {})),
        "site_busiest_last_page": page(
            "ledger_site.html", lambda: ledger_views.site_data(ledger, busiest, [], {"page": str(last_site_page)})
        ),
        # Built only when the person asks for it: every disclosure to the site, read back and listed.
        "site_request_busiest": page(
            "ledger_request.html",
            lambda: ledger_views.request_data(ledger, busiest, {"kind": "erasure", "to": f"dpo@{busiest}"}),
        ),
        "who_knows_what": page("ledger_grid.html", lambda: ledger_views.grid_data(ledger)),
        "search": page("ledger_search.html", lambda: ledger_views.search_data(ledger, vault, email)),
        "stale": page("ledger_stale.html", lambda: ledger_views.stale_data(ledger, vault)),
    }


def megabytes(size: int | None) -> float | None:
    return None if size is None else round(size / 1e6, 1)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss() -> int:
    """This process's peak resident set size in bytes (``ru_maxrss`` is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def traced_open(folder: Path, key: bytes) -> tuple[int, int]:
    """(bytes the open ledger holds, peak bytes while opening), as ``tracemalloc`` counts Python's allocations."""
    tracemalloc.start()
    try:
        ledger = Ledger.open(folder, key)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    ledger.close()
    return held, peak


def peak_rss_since_start() -> int | None:
    """This process's own peak RSS in bytes (``VmHWM``, Linux; None elsewhere). Not ``ru_maxrss`` in a process
    this benchmark starts: Linux carries the starting process's peak over into it."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(found[0]) * 1024 if found else None


def open_alone(folder: Path, key: bytes) -> dict[str, int | None]:
    """The RSS of a fresh process that opens the ledger and does nothing else (this script, ``--open-alone``)."""
    done = subprocess.run(
        [sys.executable, __file__, "--open-alone", str(folder)],
        input=key.hex(),  # the benchmark's own throwaway vault's key
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def open_alone_here(folder: Path) -> int:
    """``--open-alone``: the key on stdin; the RSS before the open (the interpreter and the imports) and the peak
    RSS once open, on stdout."""
    key = bytes.fromhex(sys.stdin.read())
    before = peak_rss_since_start()
    ledger = Ledger.open(folder, key)
    figures = {"entries": len(ledger), "rss_before_open": before, "peak_rss": peak_rss_since_start()}
    ledger.close()
    json.dump(figures, sys.stdout)
    return 0


def run(entries: int, appends: int, repeat: int, seed: int, corrections: bool) -> dict:
    rng = random.Random(seed)
    sites = [f"shop{i}.example" for i in range(300)]
    root = Path(tempfile.mkdtemp(prefix="proffer-bench-ledger-"))
    folder = root / "ledger"

    def slot(i: int) -> datetime:
        return START + timedelta(seconds=SPAN_SECONDS * i / entries)

    try:
        vault = make_vault(root / "vault")
        values = vault_values(vault)
        key = vault.subkey("ledger")
        history = History(rng, sites, values, corrections=corrections)
        ledger = Ledger.open(folder, key)
        progress(f"N={entries}: writing the history")
        t0 = time.perf_counter()
        step = max((entries - appends) // 10, 1)
        with no_sync():
            for i in range(entries - appends):
                d, when = history.next(slot(i), before_change=i < entries // 2)
                history.appended(ledger.append(d, now=when))
                if entries >= 20_000 and (i + 1) % step == 0:
                    progress(f"N={entries}: {i + 1:,} entries written ({time.perf_counter() - t0:.0f} s)")
        build_s = time.perf_counter() - t0
        flush(folder)  # the timed appends must not pay for writing back the unsynced history
        progress(f"N={entries}: {appends} appends timed, each synced")
        append_ms, append_cpu_ms = [], []
        for i in range(entries - appends, entries):
            d, when = history.next(slot(i), before_change=False)
            t, c = time.perf_counter(), time.process_time()
            entry = ledger.append(d, now=when)
            append_ms.append((time.perf_counter() - t) * 1000)
            append_cpu_ms.append((time.process_time() - c) * 1000)  # without the wait for the disk
            history.appended(entry)
        ledger.close()

        progress(f"N={entries}: open, verify")
        t0, c0 = time.perf_counter(), time.process_time()
        ledger = Ledger.open(folder, key)
        open_ms = (time.perf_counter() - t0) * 1000
        open_cpu_ms = (time.process_time() - c0) * 1000
        assert len(ledger) == entries, len(ledger)
        t0, c0 = time.perf_counter(), time.process_time()
        report = ledger.verify()
        verify_ms = (time.perf_counter() - t0) * 1000
        verify_cpu_ms = (time.process_time() - c0) * 1000
        assert report.ok, report.problem

        progress(f"N={entries}: views and pages, {repeat} runs each")
        some = ledger.query(limit=1).items[0]
        email = vault.offers("email")[0].value
        fingerprint = vault.fingerprint(email)
        busiest = max(ledger.sites(), key=lambda s: s.entries).site
        year = date(2024, 1, 1)
        current = {value_id: now for offers in values.values() for value_id, now, _ in offers}
        views = {
            "query_newest_page": lambda: ledger.query(limit=50),
            "query_deep_page": lambda: ledger.query(offset=entries // 2, limit=50),
            "query_site": lambda: ledger.query(site=busiest, limit=50),
            "query_field_type_decision": lambda: ledger.query(field_type="email", decision=Decision.ONCE),
            "query_all_filters": lambda: ledger.query(
                site=busiest, field_type="tel", purpose="checkout", decision="once", since=year, until=date(2025, 1, 1)
            ),
            "query_date_range": lambda: ledger.query(since=year, until=date(2024, 6, 30)),
            "sites": ledger.sites,
            "who_knows_what": ledger.who_knows_what,
            "search_fingerprint": lambda: ledger.search_fingerprint(fingerprint, limit=50),
            "activity_day": lambda: ledger.activity("day"),
            "activity_week": lambda: ledger.activity("week"),
            "activity_month": lambda: ledger.activity("month"),
            "entry": lambda: ledger.entry(some.id),
            "stale": lambda: ledger.stale(current),
        }
        view_times = {name: timed(fn, repeat) for name, fn in views.items()}
        page_times = {name: timed(fn, repeat) for name, fn in pages(ledger, vault, busiest, email).items()}
        busiest_entries = ledger.query(site=busiest, limit=0).total
        busiest_disclosures = ledger.site(busiest).released  # what its request lists, each read back
        ledger.close()

        progress(f"N={entries}: memory (open traced, then open in a process of its own)")
        held, traced_peak = traced_open(folder, key)
        alone = open_alone(folder, key)
        assert alone["entries"] == entries, alone
        vault.lock()
        size = sum(p.stat().st_size for p in folder.iterdir())
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {
        "entries": entries,
        "entries_by_kind": dict(history.kinds),
        "build_s": round(build_s, 2),
        "append_timed": appends,
        "append_p50_ms": round(percentile(append_ms, 0.5), 3),
        "append_p95_ms": round(percentile(append_ms, 0.95), 3),
        "append_max_ms": round(max(append_ms), 3),
        "append_cpu_p95_ms": round(percentile(append_cpu_ms, 0.95), 3),
        "open_ms": round(open_ms, 1),
        "open_cpu_ms": round(open_cpu_ms, 1),
        "verify_ms": round(verify_ms, 1),
        "verify_cpu_ms": round(verify_cpu_ms, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),  # this machine is shared: read wall times with it
        "disk_bytes": size,
        "index_held_mb": megabytes(held),  # what the open ledger holds, traced
        "open_traced_peak_mb": megabytes(traced_peak),
        "open_alone_rss_before_mb": megabytes(alone["rss_before_open"]),  # None where there is no VmHWM
        "open_alone_peak_rss_mb": megabytes(alone["peak_rss"]),
        "benchmark_peak_rss_mb": megabytes(peak_rss()),  # building the history included, and smaller Ns
        "views": view_times,
        "slowest_view_ms": max(v["max_ms"] for v in view_times.values()),
        "busiest_site_entries": busiest_entries,
        "busiest_site_disclosures": busiest_disclosures,
        "pages": page_times,
        "slowest_page_ms": max(v["max_ms"] for v in page_times.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--entries", type=int, nargs="+", action="extend", help="N, one or more; default 1000 10000 100000"
    )
    parser.add_argument("--appends", type=int, default=500, help="appends timed with a real fsync, at N")
    parser.add_argument("--repeat", type=int, default=7, help="runs per view")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--no-corrections", action="store_true", help="write no fill-report corrections: the same decisions alone"
    )
    parser.add_argument("--open-alone", metavar="FOLDER", help=argparse.SUPPRESS)  # the memory figure's process
    args = parser.parse_args()
    if args.open_alone:
        return open_alone_here(Path(args.open_alone))
    results = []
    for n in args.entries or [1_000, 10_000, 100_000]:
        results.append(run(n, min(args.appends, n), args.repeat, args.seed, not args.no_corrections))
        if not args.json:
            r = results[-1]
            kinds = r["entries_by_kind"]
            print(
                f"N={r['entries']:>7}: append p50 {r['append_p50_ms']} ms, p95 {r['append_p95_ms']} ms "
                f"(max {r['append_max_ms']}, cpu p95 {r['append_cpu_p95_ms']}); "
                f"open {r['open_ms']} ms (cpu {r['open_cpu_ms']}); "
                f"verify {r['verify_ms']} ms (cpu {r['verify_cpu_ms']}); load {r['load_average_1min']}; "
                f"slowest view {r['slowest_view_ms']} ms, slowest page {r['slowest_page_ms']} ms; "
                f"{r['disk_bytes'] / 1e6:.1f} MB on disk; busiest site {r['busiest_site_entries']} entries, "
                f"{r['busiest_site_disclosures']} disclosures"
            )
            print(
                f"    entries: {kinds.get('decisions', 0)} decisions, {kinds.get('field corrections', 0)} corrections "
                f"of values not taken, {kinds.get('box corrections', 0)} of boxes not set"
            )
            alone = (
                f"peak RSS {r['open_alone_peak_rss_mb']} MB, {r['open_alone_rss_before_mb']} MB of it before the open"
                if r["open_alone_peak_rss_mb"] is not None
                else "not measured (no /proc/self/status)"
            )
            print(
                f"    memory: the open index holds {r['index_held_mb']} MB (tracemalloc; peak "
                f"{r['open_traced_peak_mb']} MB while opening); a process that only opens it: {alone}; "
                f"this benchmark's peak RSS {r['benchmark_peak_rss_mb']} MB"
            )
            for kind in ("views", "pages"):
                for name, t in r[kind].items():
                    print(
                        f"    {kind[:-1]} {name:<28} median {t['median_ms']:>8} ms   max {t['max_ms']:>8} ms"
                        f"   cpu median {t['cpu_median_ms']:>8} ms"
                    )
    if args.json:
        json.dump({"results": results}, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
