"""`proffer install-host`: where each browser's manifest goes, what it says, the launcher it points at,
and an uninstall that removes only what this data dir wrote. Every test uses its own HOME."""

from __future__ import annotations

import json
import os
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from companion import cli
from companion.hostinstall import (
    BROWSERS,
    InstallError,
    allowed_ids,
    install,
    launcher_path,
    uninstall,
)
from companion.settings import CHROMIUM_EXTENSION_IDS, GECKO_EXTENSION_IDS, NATIVE_HOST_NAME, DataDir

MANIFEST = f"{NATIVE_HOST_NAME}.json"
LINUX = {
    "chromium": ".config/chromium/NativeMessagingHosts",
    "chrome": ".config/google-chrome/NativeMessagingHosts",
    "brave": ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    "edge": ".config/microsoft-edge/NativeMessagingHosts",
    "vivaldi": ".config/vivaldi/NativeMessagingHosts",
    "firefox": ".mozilla/native-messaging-hosts",
}
MACOS = {
    "chromium": "Library/Application Support/Chromium/NativeMessagingHosts",
    "chrome": "Library/Application Support/Google/Chrome/NativeMessagingHosts",
    "brave": "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    "edge": "Library/Application Support/Microsoft Edge/NativeMessagingHosts",
    "vivaldi": "Library/Application Support/Vivaldi/NativeMessagingHosts",
    "firefox": "Library/Application Support/Mozilla/NativeMessagingHosts",
}
OTHER_CHROMIUM_ID = "abcdefghijklmnopabcdefghijklmnop"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def data_dir(tmp_path) -> DataDir:
    return DataDir(tmp_path / "data")


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def ask_launcher(launcher: Path, argv: list[str], body: bytes | None = None) -> dict:
    """Start the launcher as a browser would, send one frame (a ping by default), return the answer."""
    body = body or json.dumps({"v": 1, "id": "probe", "type": "system.ping", "payload": {}}).encode()
    done = subprocess.run(
        [str(launcher), *argv], input=struct.pack("=I", len(body)) + body, capture_output=True, timeout=60
    )
    (length,) = struct.unpack("=I", done.stdout[:4])
    return json.loads(done.stdout[4 : 4 + length])


@pytest.mark.parametrize(("platform", "folders"), [("linux", LINUX), ("darwin", MACOS)])
def test_every_browser_gets_its_manifest_in_its_per_user_folder(data_dir, home, platform, folders):
    changes = install(data_dir, home=home, platform=platform)
    written = {c.note: c.path for c in changes if c.action == "wrote"}
    assert set(BROWSERS) == set(folders)
    for browser, folder in folders.items():
        assert written[browser] == home / folder / MANIFEST
        assert (home / folder / MANIFEST).is_file()


def test_chromium_family_manifest_names_the_pinned_origin(data_dir, home):
    install(data_dir, ["chrome"], home=home)
    manifest = read(home / LINUX["chrome"] / MANIFEST)
    assert manifest == {
        "name": NATIVE_HOST_NAME,
        "description": manifest["description"],
        "path": str(launcher_path(data_dir)),
        "type": "stdio",
        "allowed_origins": [f"chrome-extension://{CHROMIUM_EXTENSION_IDS[0]}/"],
    }
    assert Path(manifest["path"]).is_absolute()


def test_firefox_manifest_names_the_gecko_id(data_dir, home):
    install(data_dir, ["firefox"], home=home)
    manifest = read(home / LINUX["firefox"] / MANIFEST)
    assert manifest["allowed_extensions"] == list(GECKO_EXTENSION_IDS)
    assert "allowed_origins" not in manifest
    assert manifest["path"] == str(launcher_path(data_dir))


def test_launcher_is_executable_by_its_owner_only_and_uses_the_absolute_interpreter(data_dir, home):
    install(data_dir, ["chromium"], home=home, python=sys.executable)
    launcher = launcher_path(data_dir)
    assert stat.S_IMODE(launcher.stat().st_mode) == 0o700
    first_line = launcher.read_text().splitlines()[0]
    assert first_line == f"#!{sys.executable} -IS"
    assert str(data_dir.root) in launcher.read_text()


def test_installed_launcher_runs_and_checks_the_caller(data_dir, home):
    install(data_dir, ["chromium"], home=home)
    answer = ask_launcher(launcher_path(data_dir), ["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"])
    assert answer["error"]["code"] == "forbidden_origin"
    assert answer["id"] == "probe"


def test_interpreter_path_with_a_space_gets_a_shell_wrapper_that_works(data_dir, home, tmp_path):
    odd = tmp_path / "my python" / "python3"
    odd.parent.mkdir()
    odd.symlink_to(sys.executable)
    install(data_dir, ["chromium"], home=home, python=str(odd))
    launcher = launcher_path(data_dir)
    assert launcher.read_text().startswith("#!/bin/sh\n")
    assert ask_launcher(launcher, ["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"])["error"]["code"] == (
        "forbidden_origin"
    )


def test_extra_extension_ids_reach_the_manifests_and_the_launcher(data_dir, home):
    install(data_dir, ["chromium", "firefox"], extra_ids=[OTHER_CHROMIUM_ID, "dev@proffer.test"], home=home)
    assert f"chrome-extension://{OTHER_CHROMIUM_ID}/" in read(home / LINUX["chromium"] / MANIFEST)["allowed_origins"]
    assert "dev@proffer.test" in read(home / LINUX["firefox"] / MANIFEST)["allowed_extensions"]
    text = launcher_path(data_dir).read_text()
    assert OTHER_CHROMIUM_ID in text and "dev@proffer.test" in text
    # The launcher admits the extra id: a broken frame from it is judged as a frame (no companion needed),
    # where a refused caller would get forbidden_origin.
    answer = ask_launcher(launcher_path(data_dir), [f"chrome-extension://{OTHER_CHROMIUM_ID}/"], b"{broken")
    assert answer["error"]["code"] == "bad_frame"


@pytest.mark.parametrize(
    "bad", ["ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP", "short", "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", "x y@z"]
)
def test_malformed_extension_id_is_refused(bad):
    with pytest.raises(InstallError, match="neither a Chromium extension id"):
        allowed_ids([bad])


def test_user_data_dir_gets_one_manifest_in_the_profile(data_dir, home, tmp_path):
    profile = tmp_path / "profile"
    changes = install(data_dir, ["chromium"], user_data_dir=profile, home=home)
    manifest = profile / "NativeMessagingHosts" / MANIFEST
    assert read(manifest)["allowed_origins"] == [f"chrome-extension://{CHROMIUM_EXTENSION_IDS[0]}/"]
    assert [c.path for c in changes if c.action == "wrote"] == [launcher_path(data_dir), manifest]
    assert not (home / ".config").exists()


def test_user_data_dir_for_firefox_is_refused_with_the_reason(data_dir, home, tmp_path):
    with pytest.raises(InstallError, match="Firefox reads native hosts from one per-user folder"):
        install(data_dir, ["firefox"], user_data_dir=tmp_path / "profile", home=home)


def test_unknown_browser_and_unsupported_platform_are_refused(data_dir, home):
    with pytest.raises(InstallError, match="unknown browser opera"):
        install(data_dir, ["opera"], home=home)
    with pytest.raises(InstallError, match="win32 is not supported"):
        install(data_dir, home=home, platform="win32")


def test_uninstall_removes_every_recorded_manifest_and_the_launcher(data_dir, home, tmp_path):
    profile = tmp_path / "profile"
    install(data_dir, home=home)
    install(data_dir, ["chromium"], user_data_dir=profile, home=home)
    changes = uninstall(data_dir, home=home)
    removed = {c.path for c in changes if c.action == "removed"}
    assert profile / "NativeMessagingHosts" / MANIFEST in removed
    for folder in LINUX.values():
        assert home / folder / MANIFEST in removed
        assert not (home / folder / MANIFEST).exists()
    assert launcher_path(data_dir) in removed
    assert not launcher_path(data_dir).exists()


def test_partial_uninstall_keeps_the_launcher_for_the_other_browsers(data_dir, home):
    install(data_dir, ["chromium", "firefox"], home=home)
    uninstall(data_dir, ["firefox"], home=home)
    assert not (home / LINUX["firefox"] / MANIFEST).exists()
    assert (home / LINUX["chromium"] / MANIFEST).exists()
    assert launcher_path(data_dir).exists()
    uninstall(data_dir, ["chromium"], home=home)
    assert not launcher_path(data_dir).exists()


def test_uninstall_leaves_another_installations_manifest_alone(data_dir, home, tmp_path):
    other = DataDir(tmp_path / "other-data")
    install(data_dir, ["chromium"], home=home)
    install(other, ["chromium"], home=home)  # the same per-user file now points at the other launcher
    changes = uninstall(data_dir, home=home)
    manifest = home / LINUX["chromium"] / MANIFEST
    assert manifest.exists()
    assert read(manifest)["path"] == str(launcher_path(other))
    assert any(c.action == "kept" and c.path == manifest for c in changes)
    assert not launcher_path(data_dir).exists()


def test_cli_install_and_uninstall_report_what_they_did(data_dir, home, capsys, tmp_path):
    profile = tmp_path / "profile"
    argv = ["install-host", "--data-dir", str(data_dir.root), "--browser", "chromium", "--user-data-dir", str(profile)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert f"wrote {profile / 'NativeMessagingHosts' / MANIFEST}" in out
    assert f"wrote {launcher_path(data_dir)}" in out
    assert cli.main(["install-host", "--data-dir", str(data_dir.root), "--uninstall"]) == 0
    out = capsys.readouterr().out
    assert f"removed {profile / 'NativeMessagingHosts' / MANIFEST}" in out
    assert cli.main(["install-host", "--data-dir", str(data_dir.root), "--uninstall"]) == 0
    assert "Nothing to remove" in capsys.readouterr().out


def test_cli_explains_a_refusal_on_stderr(data_dir, home, capsys, tmp_path):
    argv = ["install-host", "--data-dir", str(data_dir.root), "--browser", "firefox", "--user-data-dir", str(tmp_path)]
    assert cli.main(argv) == 2
    assert "Firefox reads native hosts" in capsys.readouterr().err


def test_manifests_and_launcher_hold_no_secret(data_dir, home):
    token = data_dir.ensure_token()
    install(data_dir, home=home)
    for folder in LINUX.values():
        path = home / folder / MANIFEST
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # browsers must read it
        assert token not in path.read_text()
    assert token not in launcher_path(data_dir).read_text()  # the host reads the 0600 token file instead
    assert os.access(launcher_path(data_dir), os.X_OK)
