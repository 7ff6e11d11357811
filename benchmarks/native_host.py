"""Native host speed: cold start and round trip, against a running real companion.

* cold start: from spawning the installed launcher (as a browser does, with the extension origin as
  argv[1]) to reading its answer to the first ``system.ping``; the companion is already running, so this
  is the host's own start plus one relay. Each run is a new process.
* round trip: ``system.ping`` over one open host process and its keep-alive connection, after a warm-up.

Also printed for context: a bare ``python -IS -c pass`` start on this machine, the floor under any
Python host, and the same launcher without ``-IS`` (site-packages and the editable-install finder
loaded), the figure behind the launcher's flags. Targets (issue 2): cold start median <= 60 ms, round
trip median <= 3 ms.

    python benchmarks/native_host.py [--cold-runs 30] [--round-trips 500] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from companion.client import CompanionUnavailable, send  # noqa: E402
from companion.hostinstall import install, launcher_path  # noqa: E402
from companion.settings import CHROMIUM_EXTENSION_IDS, DataDir  # noqa: E402

ORIGIN = f"chrome-extension://{CHROMIUM_EXTENSION_IDS[0]}/"
TARGET_COLD_MS = 60.0
TARGET_ROUND_TRIP_MS = 3.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ping_frame(n: int) -> bytes:
    body = json.dumps({"v": 1, "id": f"bench-{n}", "type": "system.ping", "payload": {}}).encode()
    return struct.pack("=I", len(body)) + body


def read_answer(stdout) -> dict:
    header = stdout.read(4)
    if len(header) < 4:
        raise RuntimeError("the host closed its stdout")
    (length,) = struct.unpack("=I", header)
    answer = json.loads(stdout.read(length))
    if not answer.get("ok"):
        raise RuntimeError(f"the host answered an error: {answer.get('error')}")
    return answer


def summary(samples_ms: list[float]) -> dict[str, float | int]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(p95, 3),
        "min_ms": round(ordered[0], 3),
    }


def cold_start(launcher: Path, n: int = 0) -> float:
    """Milliseconds from spawning the launcher to its answer to the first ping."""
    started = time.perf_counter()
    process = subprocess.Popen([str(launcher), ORIGIN], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    process.stdin.write(ping_frame(n))
    process.stdin.flush()
    read_answer(process.stdout)
    elapsed = (time.perf_counter() - started) * 1000
    process.stdin.close()
    process.wait(10)
    process.stdout.close()
    return elapsed


def bare_start() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-IS", "-c", "pass"], check=True)
    return (time.perf_counter() - started) * 1000


def interleaved(runs: int, **measures) -> dict[str, list[float]]:
    """Run each measure once per round, in turn, so a change in the machine's load hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            samples[name].append(measure())
    return samples


def round_trips(launcher: Path, count: int, warm_up: int = 20) -> list[float]:
    process = subprocess.Popen([str(launcher), ORIGIN], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    samples = []
    try:
        for n in range(warm_up + count):
            started = time.perf_counter()
            process.stdin.write(ping_frame(n))
            process.stdin.flush()
            read_answer(process.stdout)
            if n >= warm_up:
                samples.append((time.perf_counter() - started) * 1000)
    finally:
        process.stdin.close()
        process.wait(10)
        process.stdout.close()
    return samples


def without_isolation(launcher: Path) -> Path:
    """A copy of the launcher whose shebang drops ``-IS``."""
    first, rest = launcher.read_text().split("\n", 1)
    variant = launcher.with_name("launcher-without-IS")
    variant.write_text(first.removesuffix(" -IS") + "\n" + rest)
    variant.chmod(0o700)
    return variant


def start_companion(data_dir: DataDir, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "companion", "serve", "--data-dir", str(data_dir.root)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the companion exited at start (code {process.returncode})")
        try:
            send(data_dir, "system.ping", timeout=1)
            return process
        except CompanionUnavailable:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the companion did not answer within 60 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold-runs", type=int, default=30)
    parser.add_argument("--round-trips", type=int, default=500)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="proffer-bench-host-") as scratch:
        root = Path(scratch)
        data_dir = DataDir(root / "data")
        data_dir.ensure()
        data_dir.config_file.write_text(json.dumps({"port": free_port()}))
        (root / "home").mkdir()
        env = {**os.environ, "HOME": str(root / "home")}
        install(data_dir, ["chromium"], home=root / "home")
        launcher = launcher_path(data_dir)
        companion = start_companion(data_dir, env)
        try:
            for _ in range(3):  # the first runs write bytecode caches; not what a browser sees later
                cold_start(launcher)
            variant = without_isolation(launcher)
            cold = interleaved(
                args.cold_runs,
                bare_interpreter=bare_start,
                cold_start=lambda: cold_start(launcher),
                cold_start_without_IS=lambda: cold_start(variant),
            )
            results = {
                "peer": "real companion (python -m companion serve)",
                "python": sys.executable,
                "load_average_1m": round(os.getloadavg()[0], 2),
                **{name: summary(samples) for name, samples in cold.items()},
                "round_trip": summary(round_trips(launcher, args.round_trips)),
                "targets": {"cold_start_median_ms": TARGET_COLD_MS, "round_trip_median_ms": TARGET_ROUND_TRIP_MS},
            }
        finally:
            companion.send_signal(signal.SIGTERM)
            companion.wait(15)
    results["meets_targets"] = (
        results["cold_start"]["median_ms"] <= TARGET_COLD_MS
        and results["round_trip"]["median_ms"] <= TARGET_ROUND_TRIP_MS
    )
    if args.json:
        print(json.dumps(results))
    else:
        print(f"native host against the {results['peer']}; load average {results['load_average_1m']}")
        for key, label in (
            ("bare_interpreter", "bare python -IS start"),
            ("cold_start", "cold start to first ping"),
            ("cold_start_without_IS", "cold start without -IS"),
            ("round_trip", "round trip, open port"),
        ):
            r = results[key]
            print(f"  {label:<26} median {r['median_ms']:8.2f} ms   p95 {r['p95_ms']:8.2f} ms   (n={r['n']})")
        print(
            f"  targets: cold start median <= {TARGET_COLD_MS:.0f} ms, round trip median <= "
            f"{TARGET_ROUND_TRIP_MS:.0f} ms: {'met' if results['meets_targets'] else 'NOT met'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
