"""`proffer serve --detach`, `status` and `stop`, as a person runs them: real processes, real port."""

import json
import os
import socket
import subprocess
import sys

from tests.companion.conftest import free_port


def proffer(data_dir, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "companion", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env or dict(os.environ),
    )


def test_serve_detach_status_and_stop(tmp_path):
    data = tmp_path / "data"
    port = free_port()
    started = proffer(data, "serve", "--detach", "--port", str(port))
    try:
        assert started.returncode == 0, started.stderr
        assert f"http://127.0.0.1:{port}/" in started.stdout
        runtime = json.loads((data / "companion.json").read_text())
        assert runtime["port"] == port
        assert oct((data / "native-token").stat().st_mode & 0o777) == "0o600"
        assert oct(data.stat().st_mode & 0o777) == "0o700"
        status = proffer(data, "status", "--json")
        assert status.returncode == 0
        assert json.loads(status.stdout) | {"running": True, "vault": "absent"} == json.loads(status.stdout)
        again = proffer(data, "serve", "--detach", "--port", str(port))
        assert again.returncode == 0 and "already running" in again.stdout
    finally:
        stopped = proffer(data, "stop")
    assert stopped.returncode == 0 and "Stopped" in stopped.stdout
    assert not (data / "companion.json").exists()
    with socket.socket() as probe:  # "stopped" means the port is free for the next `proffer serve`
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    status = proffer(data, "status", "--json")
    assert status.returncode == 1 and json.loads(status.stdout)["running"] is False


def test_a_broken_config_is_a_clear_error(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.json").write_text('{"port": "eighty"}')
    result = proffer(data, "serve")
    assert result.returncode == 2
    assert "config.json" in result.stderr and "port" in result.stderr


def test_a_port_in_use_is_a_clear_error(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = proffer(tmp_path / "data", "serve", "--port", str(port))
    assert result.returncode == 1 and "in use" in result.stderr
