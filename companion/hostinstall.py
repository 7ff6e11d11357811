"""Register Proffer's native messaging host with the person's browsers, and unregister it.

Each browser looks for ``<host name>.json`` in a folder of its own: per user on Linux and macOS, or inside
the profile for a Chromium-family browser started with ``--user-data-dir`` (which then ignores the per-user
folder). Firefox has no per-profile folder: every profile reads ``~/.mozilla/native-messaging-hosts`` (Linux)
or ``~/Library/Application Support/Mozilla/NativeMessagingHosts`` (macOS).

The manifest's ``path`` must be absolute and is executed directly, so it points at a launcher written into
the data dir that bakes in what the host cannot look up quickly:

* the interpreter, by absolute path (``sys.executable``): going through ``#!/usr/bin/env python3`` and a
  version-manager shim costs ~120 ms per start; ``-I -S`` skips site-packages and the editable-install
  finder (most of a bare interpreter's start here) and ignores PYTHON* variables the browser passes on;
* the package root, put first on ``sys.path`` since ``-S`` leaves site-packages out;
* the data dir and the allowed extension ids, so the host needs neither settings nor the companion package.

What was written is recorded in ``native-host/installed.json``, so ``--uninstall`` finds manifests written
for a custom ``--user-data-dir`` too, and the launcher goes only once no manifest points at it. A manifest
that points at another data dir's launcher is never removed.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import native_host
from companion.settings import CHROMIUM_EXTENSION_IDS, GECKO_EXTENSION_IDS, NATIVE_HOST_NAME, DataDir
from companion.storage import atomic_write

LAUNCHER_NAME = "proffer-native-host"
RECORD_NAME = "installed.json"
DESCRIPTION = "Proffer: share with shops only what you approve, and keep the record"

# Per-user manifest folders, relative to HOME.
LINUX_DIRS = {
    "chromium": ".config/chromium/NativeMessagingHosts",
    "chrome": ".config/google-chrome/NativeMessagingHosts",
    "brave": ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    "edge": ".config/microsoft-edge/NativeMessagingHosts",
    "vivaldi": ".config/vivaldi/NativeMessagingHosts",
    "firefox": ".mozilla/native-messaging-hosts",
}
MACOS_DIRS = {
    "chromium": "Library/Application Support/Chromium/NativeMessagingHosts",
    "chrome": "Library/Application Support/Google/Chrome/NativeMessagingHosts",
    "brave": "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    "edge": "Library/Application Support/Microsoft Edge/NativeMessagingHosts",
    "vivaldi": "Library/Application Support/Vivaldi/NativeMessagingHosts",
    "firefox": "Library/Application Support/Mozilla/NativeMessagingHosts",
}
BROWSERS = tuple(LINUX_DIRS)
FIREFOX = "firefox"

# Chromium ids are 32 letters a-p; Gecko ids are email-like or a braced UUID.
CHROMIUM_ID = re.compile(r"^[a-p]{32}$")
GECKO_ID = re.compile(r"^([A-Za-z0-9._+-]+@[A-Za-z0-9.-]+|\{[0-9a-fA-F-]{36}\})$")
# A shebang line holds one interpreter path without spaces; anything else goes through /bin/sh.
SHEBANG_SAFE = re.compile(r"^/[^\s]+$")


class InstallError(Exception):
    """The request cannot be carried out; the message says why and what to do instead."""


@dataclass(frozen=True)
class Target:
    """One manifest location for one browser."""

    browser: str
    manifest: Path


@dataclass(frozen=True)
class Change:
    """One thing written or removed, for the command to report."""

    action: str  # "wrote", "removed" or "kept"
    path: Path
    note: str = ""


@dataclass(frozen=True)
class AllowedIds:
    chromium: tuple[str, ...]
    gecko: tuple[str, ...]


def allowed_ids(extra_ids: Sequence[str] = ()) -> AllowedIds:
    """The pinned ids plus ``extra_ids`` (each sorted into its family by its form)."""
    chromium, gecko = list(CHROMIUM_EXTENSION_IDS), list(GECKO_EXTENSION_IDS)
    for extension_id in extra_ids:
        if CHROMIUM_ID.match(extension_id):
            family = chromium
        elif GECKO_ID.match(extension_id):
            family = gecko
        else:
            raise InstallError(
                f"{extension_id!r} is neither a Chromium extension id (32 letters a-p) "
                "nor a Firefox add-on id (name@domain or {uuid})"
            )
        if extension_id not in family:
            family.append(extension_id)
    return AllowedIds(tuple(chromium), tuple(gecko))


def manifest_dirs(platform: str) -> dict[str, str]:
    if platform == "darwin":
        return MACOS_DIRS
    if platform.startswith("linux"):
        return LINUX_DIRS
    raise InstallError(f"installing the native host on {platform} is not supported yet (Linux and macOS are)")


def targets(
    browsers: Sequence[str], user_data_dir: Path | None, home: Path, platform: str = sys.platform
) -> list[Target]:
    """Where the manifests go for ``browsers`` (empty: all of them)."""
    unknown = sorted(set(browsers) - set(BROWSERS))
    if unknown:
        raise InstallError(f"unknown browser {', '.join(unknown)}; choose from {', '.join(BROWSERS)}")
    chosen = list(dict.fromkeys(browsers)) or list(BROWSERS)
    if user_data_dir is not None:
        if FIREFOX in browsers:
            raise InstallError(
                "--user-data-dir is for Chromium-family profiles; Firefox reads native hosts from one per-user "
                "folder for every profile (run once without --user-data-dir for Firefox)"
            )
        # One folder, whichever Chromium-family browser uses the profile: the manifest is the same.
        browser = browsers[0] if browsers else "chromium"
        folder = user_data_dir.expanduser().resolve() / "NativeMessagingHosts"
        return [Target(browser, folder / f"{NATIVE_HOST_NAME}.json")]
    dirs = manifest_dirs(platform)
    return [Target(b, home / dirs[b] / f"{NATIVE_HOST_NAME}.json") for b in chosen]


def launcher_path(data_dir: DataDir) -> Path:
    return data_dir.host_dir / LAUNCHER_NAME


def launcher_text(data_dir: DataDir, python: str, ids: AllowedIds) -> str:
    """A Python script the browser can execute directly (see the module notes)."""
    package_root = Path(native_host.__file__).resolve().parent.parent
    call = (
        f"main(data_dir={str(data_dir.root)!r}, python={python!r}, "
        f"chromium_ids={ids.chromium!r}, gecko_ids={ids.gecko!r})"
    )
    return (
        f"#!{python} -IS\n"
        "# Proffer's native messaging host launcher, written by `proffer install-host`: the browser starts it\n"
        "# and it relays to the companion. Run `proffer install-host` again rather than editing it.\n"
        "import sys\n"
        f"sys.path.insert(0, {str(package_root)!r})\n"
        "from native_host.host import main\n"
        f"sys.exit({call})\n"
    )


def write_launcher(data_dir: DataDir, python: str, ids: AllowedIds) -> Path:
    """Write the launcher (and, for an interpreter path a shebang cannot hold, a /bin/sh wrapper)."""
    if not Path(python).is_absolute():
        raise InstallError(f"the interpreter path must be absolute, got {python!r}")
    data_dir.ensure()
    data_dir.host_dir.mkdir(mode=0o700, exist_ok=True)
    script = launcher_text(data_dir, python, ids).encode()
    path = launcher_path(data_dir)
    if SHEBANG_SAFE.match(python) and len(python) < 120:  # older kernels cut shebangs at 127 bytes
        atomic_write(path, script, mode=0o700)
        return path
    atomic_write(path.with_suffix(".py"), script, mode=0o600)
    wrapper = f'#!/bin/sh\nexec {_sh_quote(python)} -IS {_sh_quote(str(path.with_suffix(".py")))} "$@"\n'
    atomic_write(path, wrapper.encode(), mode=0o700)
    return path


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def manifest_for(browser: str, launcher: Path, ids: AllowedIds) -> dict[str, object]:
    manifest: dict[str, object] = {
        "name": NATIVE_HOST_NAME,
        "description": DESCRIPTION,
        "path": str(launcher),
        "type": "stdio",
    }
    if browser == FIREFOX:
        manifest["allowed_extensions"] = list(ids.gecko)
    else:
        manifest["allowed_origins"] = [f"chrome-extension://{i}/" for i in ids.chromium]
    return manifest


def _record_path(data_dir: DataDir) -> Path:
    return data_dir.host_dir / RECORD_NAME


def _read_record(data_dir: DataDir) -> list[str]:
    try:
        record = json.loads(_record_path(data_dir).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return []
    manifests = record.get("manifests") if isinstance(record, dict) else None
    return [m for m in manifests if isinstance(m, str)] if isinstance(manifests, list) else []


def _write_record(data_dir: DataDir, manifests: list[str]) -> None:
    body = json.dumps({"manifests": sorted(set(manifests))}, indent=2).encode() + b"\n"
    atomic_write(_record_path(data_dir), body, mode=0o600)


def install(
    data_dir: DataDir,
    browsers: Sequence[str] = (),
    user_data_dir: Path | None = None,
    extra_ids: Sequence[str] = (),
    *,
    home: Path | None = None,
    python: str | None = None,
    platform: str = sys.platform,
) -> list[Change]:
    """Write the launcher and one manifest per chosen browser (all when ``browsers`` is empty)."""
    ids = allowed_ids(extra_ids)
    chosen = targets(browsers, user_data_dir, home or Path.home(), platform)
    launcher = write_launcher(data_dir, python or sys.executable, ids)
    changes = [Change("wrote", launcher, "launcher")]
    for target in chosen:
        body = json.dumps(manifest_for(target.browser, launcher, ids), indent=2).encode() + b"\n"
        target.manifest.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target.manifest, body, mode=0o644)  # browsers read it; it holds no secret
        changes.append(Change("wrote", target.manifest, target.browser))
    _write_record(data_dir, [*_read_record(data_dir), *(str(t.manifest) for t in chosen)])
    return changes


def uninstall(
    data_dir: DataDir,
    browsers: Sequence[str] = (),
    user_data_dir: Path | None = None,
    *,
    home: Path | None = None,
    platform: str = sys.platform,
) -> list[Change]:
    """Remove this data dir's manifests for the chosen browsers (all recorded ones when none are chosen),
    then the launcher once no recorded manifest is left."""
    launcher = launcher_path(data_dir)
    recorded = _read_record(data_dir)
    everything = not browsers and user_data_dir is None
    candidates = [Path(m) for m in recorded] if everything else []
    candidates += [t.manifest for t in targets(browsers, user_data_dir, home or Path.home(), platform)]
    changes: list[Change] = []
    for manifest in dict.fromkeys(candidates):
        try:
            points_at = json.loads(manifest.read_text(encoding="utf-8")).get("path")
        except FileNotFoundError:
            recorded = [m for m in recorded if m != str(manifest)]
            continue
        except (ValueError, AttributeError):
            changes.append(Change("kept", manifest, "not a manifest Proffer can read; left alone"))
            continue
        if points_at != str(launcher):
            changes.append(Change("kept", manifest, f"belongs to another installation ({points_at})"))
            recorded = [m for m in recorded if m != str(manifest)]
            continue
        manifest.unlink()
        recorded = [m for m in recorded if m != str(manifest)]
        changes.append(Change("removed", manifest))
    if recorded:
        _write_record(data_dir, recorded)
        return changes
    for path in (launcher, launcher.with_suffix(".py"), _record_path(data_dir)):
        if path.exists():
            path.unlink()
            if path != _record_path(data_dir):
                changes.append(Change("removed", path))
    return changes
