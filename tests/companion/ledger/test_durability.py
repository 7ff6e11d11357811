"""SIGKILL during a stream of appends, in a real subprocess: no acknowledged entry is lost, the chain holds."""

import os
import select
import signal
import subprocess
import sys
import textwrap
import time

from companion.ledger.store import Ledger, verify_folder

WRITER = textwrap.dedent(
    """
    import sys
    from companion.ledger.model import Decision, DisclosedField, LedgerDraft
    from companion.ledger.store import Ledger

    ledger = Ledger.open(sys.argv[1], bytes.fromhex(sys.stdin.readline().strip()), segment_entries=7)
    draft = LedgerDraft(
        site="shop.example", origin="https://shop.example", path="/join", frame_origin="https://shop.example",
        purpose="loyalty-signup", fields=(DisclosedField(type="email", value_id="v1", fingerprint="f" * 64),),
        decision=Decision.ONCE,
    )
    while True:
        entry = ledger.append(draft)
        sys.stdout.write(f"{entry.seq} {entry.id}\\n")  # the acknowledgement, after append returned
        sys.stdout.flush()
    """
)


def run_until_killed(folder, key, acks_wanted, extra_delay):
    """Start a writer, collect its acknowledgements, SIGKILL it mid-stream; the acknowledged (seq, id)s."""
    acked = []
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        try:
            proc.stdin.write(key.hex().encode() + b"\n")
            proc.stdin.flush()
            buffer = b""
            deadline = time.monotonic() + 60
            while len(acked) < acks_wanted and time.monotonic() < deadline:
                ready, _, _ = select.select([proc.stdout], [], [], 1)
                if ready:
                    chunk = os.read(proc.stdout.fileno(), 65536)
                    assert chunk, proc.stderr.read().decode()
                    buffer += chunk
                    *complete, buffer = buffer.split(b"\n")
                    acked += [tuple(line.decode().split()) for line in complete]
            time.sleep(extra_delay)  # let it get somewhere inside the next append
            proc.send_signal(signal.SIGKILL)
            # What it wrote to the pipe before dying was acknowledged too.
            rest = buffer + proc.stdout.read()
            acked += [tuple(line.decode().split()) for line in rest.split(b"\n")[:-1]]
        finally:
            if proc.poll() is None:
                proc.kill()  # never leave the writer running, whatever failed
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(acked) >= acks_wanted
    return acked


def test_sigkill_during_appends_loses_no_acknowledged_entry(tmp_path):
    folder = tmp_path / "ledger"
    key = os.urandom(32)
    acknowledged = []
    for delay in (0, 0.0005, 0.002):
        acked = run_until_killed(folder, key, acks_wanted=40, extra_delay=delay)
        acknowledged += acked
        report = verify_folder(folder, key)
        assert report.ok, report.problem
        ledger = Ledger.open(folder, key, segment_entries=7)  # cuts a torn line, checkpoints a pending entry
        try:
            assert ledger.problem is None
            for seq, entry_id in acknowledged:
                entry = ledger.entry(entry_id)
                assert entry is not None and entry.seq == int(seq)
            assert len(ledger) >= int(acknowledged[-1][0])
            assert ledger.verify().ok
        finally:
            ledger.close()
