"""The native host as the browser sees it: a real process, real frames, a real HTTP peer behind it."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from companion.protocol.errors import ERROR_CODES
from native_host import framing, host, link
from tests.native_host.conftest import (
    CHROMIUM_ORIGIN,
    GECKO_ID,
    envelope,
    frame,
    peer_command,
    stop_pid,
    test_launcher,
    wait_for,
)

MIB = 1024 * 1024


# -- a working relay -------------------------------------------------------------------------------------


def test_ping_round_trip_through_the_installed_launcher(installed_launcher, start_peer, hosts):
    start_peer()
    answer = hosts(installed_launcher).ask(envelope(payload={"probe": "é 漢字"}, message_id="ping-1"))
    assert answer["ok"] is True, answer
    assert answer["id"] == "ping-1"
    assert answer["result"]["echo"] == {"probe": "é 漢字"}  # the envelope arrived as the browser sent it
    assert answer["result"]["browser"] == "chromium"


def test_many_messages_share_one_keep_alive_connection(installed_launcher, start_peer, hosts):
    start_peer()
    native = hosts(installed_launcher)
    answers = [native.ask(envelope(payload={"n": n}, message_id=f"m-{n}")) for n in range(20)]
    assert [a["id"] for a in answers] == [f"m-{n}" for n in range(20)]
    assert [a["result"]["echo"]["n"] for a in answers] == list(range(20))
    assert answers[-1]["result"]["requests"] == 20
    assert answers[-1]["result"]["connections"] == 1


def test_chunked_answers_are_reassembled(installed_launcher, start_peer, hosts):
    start_peer()
    answer = hosts(installed_launcher).ask(envelope("test.chunked", {"k": "v" * 100}, "chunky"))
    assert answer["ok"] is True and answer["id"] == "chunky"
    assert answer["result"]["echo"] == {"k": "v" * 100}


def test_firefox_caller_is_accepted_and_named(installed_launcher, start_peer, hosts, tmp_path):
    start_peer()
    manifest = tmp_path / "home" / ".mozilla" / "native-messaging-hosts" / "org.proffer.companion.json"
    answer = hosts(installed_launcher, [str(manifest), GECKO_ID]).ask(envelope())
    assert answer["ok"] is True
    assert answer["result"]["browser"] == "firefox"


def test_exits_cleanly_when_the_browser_closes_the_port(installed_launcher, start_peer, hosts):
    start_peer()
    native = hosts(installed_launcher)
    assert native.ask(envelope())["ok"] is True
    native.close_stdin()
    assert native.wait() == 0
    assert native.recv_raw() is None
    assert "Traceback" not in native.stderr()


def test_stale_keep_alive_connection_is_replaced_and_the_message_resent(installed_launcher, start_peer, hosts):
    start_peer(keepalive=0.2)  # the peer drops idle connections after 0.2 s
    native = hosts(installed_launcher)
    assert native.ask(envelope(message_id="before"))["result"]["connections"] == 1
    time.sleep(0.8)
    answer = native.ask(envelope(message_id="after"))
    assert answer["ok"] is True and answer["id"] == "after"
    assert answer["result"]["connections"] == 2
    assert answer["result"]["requests"] == 2  # sent once on the new connection, not twice


# -- the caller check --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([CHROMIUM_ORIGIN], "chromium"),
        ([CHROMIUM_ORIGIN, "--parent-window=0"], "chromium"),
        (["/home/u/.mozilla/native-messaging-hosts/org.proffer.companion.json", GECKO_ID], "firefox"),
        (["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"], None),
        ([CHROMIUM_ORIGIN.rstrip("/")], None),
        ([CHROMIUM_ORIGIN + "evil/"], None),
        ([CHROMIUM_ORIGIN.replace("chrome-extension", "moz-extension")], None),
        (["/some/manifest.json", "someone-else@example.org"], None),
        ([GECKO_ID], None),
        ([], None),
    ],
)
def test_identify_caller(argv, expected):
    assert host.identify_caller(argv, ("ikcpjlmgjjaclpjfbepdglpcamkpgehj",), (GECKO_ID,)) == expected


def test_unknown_origin_is_refused_without_reaching_or_starting_the_companion(data_dir, hosts, tmp_path):
    marker = tmp_path / "companion-was-started"
    launcher = test_launcher(data_dir, [sys.executable, "-c", f"open({str(marker)!r}, 'w')"])
    data_dir.ensure_token()
    native = hosts(launcher, ["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"])
    for n in range(3):
        answer = native.ask(envelope(message_id=f"x-{n}"))
        assert answer["ok"] is False
        assert answer["id"] == f"x-{n}"
        assert answer["error"]["code"] == "forbidden_origin"
    native.close_stdin()
    assert native.wait() == 1
    assert not marker.exists()


# -- bad input from the browser side ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"{not json", "not JSON"),
        (b'{"v": 1, "id": "\xff\xfe"}', "not UTF-8"),
        (b"[1, 2, 3]", "not an object"),
        (b"", "not JSON"),
    ],
)
def test_bad_frame_is_answered_and_the_stream_goes_on(installed_launcher, start_peer, hosts, body, why):
    start_peer()
    native = hosts(installed_launcher)
    native.send_raw(frame(body))
    answer = native.recv()
    assert answer == {"v": 1, "id": None, "ok": False, "error": answer["error"]}
    assert answer["error"]["code"] == "bad_frame"
    assert why in answer["error"]["message"]
    follow_up = native.ask(envelope(message_id="after-bad"))
    assert follow_up["ok"] is True and follow_up["id"] == "after-bad"
    assert follow_up["result"]["requests"] == 1  # the bad frame never reached the companion


@pytest.mark.parametrize("raw", [b"\x05\x00", struct.pack("=I", 50) + b'{"v": 1'], ids=["cut-in-length", "cut-in-body"])
def test_truncated_frame_is_answered_and_the_host_exits(installed_launcher, hosts, raw):
    native = hosts(installed_launcher)
    native.send_raw(raw)
    native.close_stdin()
    answer = native.recv()
    assert answer["error"]["code"] == "bad_frame"
    assert "ended inside" in answer["error"]["message"]
    assert native.wait() == 1
    assert "Traceback" not in native.stderr()


def test_oversized_inbound_message_is_refused_and_skipped(installed_launcher, start_peer, hosts):
    start_peer()
    native = hosts(installed_launcher)
    body = json.dumps(envelope(payload={"blob": "y" * MIB})).encode()
    assert len(body) > MIB
    native.send_raw(frame(body))
    answer = native.recv()
    assert answer["ok"] is False
    assert answer["error"]["code"] == "too_large"
    follow_up = native.ask(envelope(message_id="after-big"))  # the stream is still in step
    assert follow_up["ok"] is True and follow_up["id"] == "after-big"
    assert follow_up["result"]["requests"] == 1


def test_absurd_length_is_refused_and_the_host_exits(installed_launcher, hosts):
    native = hosts(installed_launcher)
    native.send_raw(struct.pack("=I", 0xFFFFFFF0))
    answer = native.recv()
    assert answer["error"]["code"] == "too_large"
    assert native.wait() == 1


def test_message_exactly_at_the_cap_is_relayed(installed_launcher, start_peer, hosts):
    start_peer()
    skeleton = json.dumps(envelope("test.quiet", {"blob": ""}, "cap")).encode()
    body = json.dumps(envelope("test.quiet", {"blob": "z" * (MIB - len(skeleton))}, "cap")).encode()
    assert len(body) == MIB
    native = hosts(installed_launcher)
    native.send_raw(frame(body))
    answer = native.recv()
    assert answer["ok"] is True and answer["id"] == "cap"
    assert answer["result"]["received_bytes"] == MIB


# -- oversized answers -------------------------------------------------------------------------------------


def test_oversized_answer_becomes_too_large_with_the_request_id(installed_launcher, start_peer, hosts):
    start_peer()
    native = hosts(installed_launcher)
    answer = native.ask(envelope("test.big", {"size": 2 * MIB}, "huge"))
    assert answer["ok"] is False
    assert answer["id"] == "huge"
    assert answer["error"]["code"] == "too_large"
    small = native.ask(envelope("test.big", {"size": MIB - 4096}, "just-under"))
    assert small["ok"] is True and small["id"] == "just-under"
    assert native.ask(envelope(message_id="still-fine"))["ok"] is True


# -- the token ---------------------------------------------------------------------------------------------


def test_wrong_token_is_answered_unauthorized_with_the_request_id(installed_launcher, start_peer, hosts, data_dir):
    start_peer()
    native = hosts(installed_launcher)
    assert native.ask(envelope())["ok"] is True
    native.close_stdin()
    native.wait()
    data_dir.token_file.write_text("a-token-the-companion-does-not-know")
    answer = hosts(installed_launcher).ask(envelope(message_id="forged"))
    assert answer["ok"] is False
    assert answer["id"] == "forged"
    assert answer["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o606])
def test_token_file_open_to_others_is_refused(installed_launcher, start_peer, hosts, data_dir, mode):
    start_peer()
    data_dir.token_file.chmod(mode)
    native = hosts(installed_launcher)
    answer = native.ask(envelope(message_id="loose"))
    assert answer["ok"] is False and answer["id"] == "loose"
    assert answer["error"]["code"] == "unauthorized"
    assert f"mode {mode:o}" in answer["error"]["message"]
    assert "chmod 600" in answer["error"]["message"]
    data_dir.token_file.chmod(0o600)
    fixed = native.ask(envelope(message_id="tight"))
    assert fixed["ok"] is True
    assert fixed["result"]["requests"] == 1  # the loose token was never sent


def test_token_file_that_is_a_symlink_is_refused(installed_launcher, start_peer, hosts, data_dir):
    start_peer()
    real = data_dir.root / "real-token"
    data_dir.token_file.rename(real)
    data_dir.token_file.symlink_to(real)
    answer = hosts(installed_launcher).ask(envelope())
    assert answer["error"]["code"] == "unauthorized"


# -- starting the companion --------------------------------------------------------------------------------


def test_companion_down_is_started_and_the_message_answered(data_dir, hosts, companion_started_by_host):
    assert data_dir.read_runtime() is None
    native = hosts(test_launcher(data_dir, peer_command(data_dir), start_timeout=15))
    answer = native.ask(envelope(message_id="wake-up"), timeout=30)
    assert answer["ok"] is True, answer
    assert answer["id"] == "wake-up"
    runtime = data_dir.read_runtime()
    assert runtime is not None
    native.close_stdin()
    assert native.wait() == 0
    os.kill(runtime["pid"], 0)  # the companion outlives the host: it runs in its own session


def test_dead_companion_is_restarted_between_messages(data_dir, hosts, companion_started_by_host):
    native = hosts(test_launcher(data_dir, peer_command(data_dir), start_timeout=15))
    assert native.ask(envelope(message_id="one"), timeout=30)["ok"] is True
    first_pid = data_dir.read_runtime()["pid"]
    stop_pid(first_pid)
    wait_for(lambda: data_dir.read_runtime() is None, what="the peer to clean up")
    answer = native.ask(envelope(message_id="two"), timeout=30)
    assert answer["ok"] is True and answer["id"] == "two"
    assert data_dir.read_runtime()["pid"] != first_pid


def test_losing_a_start_race_still_finds_the_winner(data_dir, hosts, companion_started_by_host, tmp_path):
    """Two browsers start two companions; the one that loses the port exits with an error. The host
    that started the loser must find the winner rather than report the companion unavailable."""
    loser = tmp_path / "loser.py"
    loser.write_text(
        "import os, subprocess, sys, time\n"
        f"subprocess.Popen({peer_command(data_dir)!r}, start_new_session=True)\n"
        # bounded, so that the loser never outlives the test if the winner's file comes and goes unseen
        "deadline = time.monotonic() + 30\n"
        f"while not os.path.exists({str(data_dir.runtime_file)!r}) and time.monotonic() < deadline:\n"
        "    time.sleep(0.02)\n"
        "sys.exit(1)  # as `proffer serve` does when the port is taken\n"
    )
    native = hosts(test_launcher(data_dir, [sys.executable, str(loser)], start_timeout=30))
    answer = native.ask(envelope(message_id="raced"), timeout=60)
    assert answer["ok"] is True, answer
    assert answer["id"] == "raced"


def test_companion_that_cannot_start_is_reported_quickly(data_dir, hosts):
    launcher = test_launcher(data_dir, [sys.executable, "-c", "import sys; sys.exit(3)"], start_timeout=30)
    started = time.monotonic()
    answer = hosts(launcher).ask(envelope(message_id="nobody-home"), timeout=30)
    assert time.monotonic() - started < 20  # it noticed the exit rather than waiting out the 30 s
    assert answer["ok"] is False and answer["id"] == "nobody-home"
    assert answer["error"]["code"] == "companion_unavailable"
    assert "code 3" in answer["error"]["message"]
    assert str(data_dir.log_file) in answer["error"]["message"]


def test_companion_that_never_listens_is_given_up_on(data_dir, hosts, tmp_path):
    pid_file = tmp_path / "sleeper.pid"
    script = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    launcher = test_launcher(data_dir, [sys.executable, "-c", script], start_timeout=0.5)
    try:
        answer = hosts(launcher).ask(envelope(message_id="slow"), timeout=30)
        assert answer["error"]["code"] == "companion_unavailable"
        assert "did not start within 0.5 s" in answer["error"]["message"]
    finally:
        wait_for(pid_file.exists, what="the sleeper's pid")
        stop_pid(int(wait_for(lambda: pid_file.read_text(), what="the sleeper's pid")))


def test_stale_runtime_file_is_not_trusted(data_dir, hosts, tmp_path):
    """A companion.json whose pid is dead means no companion: start one rather than use its port."""
    data_dir.ensure_token()
    data_dir.runtime_file.write_text(json.dumps({"port": 9, "pid": 2**22 + 12345}))
    marker = tmp_path / "started"
    launcher = test_launcher(data_dir, [sys.executable, "-c", f"open({str(marker)!r}, 'w')"], start_timeout=0.5)
    answer = hosts(launcher).ask(envelope())
    assert answer["error"]["code"] == "companion_unavailable"
    assert marker.exists()


# -- agreement with the companion's tables ------------------------------------------------------------------


def test_every_error_code_the_host_uses_is_in_the_protocol_table():
    assert set(host.HOST_ERROR_CODES) <= {code.value for code in ERROR_CODES}
    assert {framing.FrameError.code, framing.FrameTooLarge.code} <= set(host.HOST_ERROR_CODES)


def test_host_constants_match_the_companion():
    from companion.protocol import PROTOCOL_VERSION
    from companion.settings import LOOPBACK, MAX_MESSAGE_BYTES, DataDir

    layout = DataDir(Path("/x"))
    assert framing.MAX_MESSAGE_BYTES == link.MAX_ANSWER_BYTES == MAX_MESSAGE_BYTES
    assert host.PROTOCOL_VERSION == PROTOCOL_VERSION
    assert link.LOOPBACK == LOOPBACK
    assert layout.token_file.name == link.TOKEN_FILE
    assert layout.runtime_file.name == link.RUNTIME_FILE
    assert layout.log_file.name == link.COMPANION_LOG


def test_host_imports_nothing_outside_the_standard_library():
    root = str(Path(__file__).resolve().parents[2])
    probe = (
        f"import sys; sys.path.insert(0, {root!r}); before = set(sys.modules); import native_host.host; "
        "print('\\n'.join(sorted(set(sys.modules) - before)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-IS", "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "native_host.host" in loaded
    third_party = [m for m in loaded if m.split(".")[0] not in sys.stdlib_module_names | {"native_host"}]
    assert third_party == []
    assert "companion" not in {m.split(".")[0] for m in loaded}
    # The host's start-up budget: these cost more than the rest of the host (see native_host/fastjson.py).
    assert {"json", "re", "socket", "subprocess", "typing"}.isdisjoint(loaded)
