"""Register Proffer's native messaging host with the person's browsers.

Each browser looks for ``<host name>.json`` in its own folder (per user; per profile for Chromium-family
browsers started with ``--user-data-dir``). The manifest names an absolute ``path``; ours is a launcher
this module writes into the data dir, which runs the stdlib-only host with this installation's Python
(``-S``: no site-packages, the fastest start) and has the data dir baked in.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import native_host
from companion.settings import CHROMIUM_EXTENSION_IDS, GECKO_EXTENSION_IDS, NATIVE_HOST_NAME, DataDir
from companion.storage import atomic_write

LAUNCHER_NAME = "proffer-native-host"

# Per-user manifest folders, relative to HOME. Chromium-family browsers use allowed_origins, Firefox
# allowed_extensions.
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


class InstallError(Exception):
    """The request cannot be carried out; the message says why."""


@dataclass(frozen=True)
class Target:
    browser: str
    manifest: Path


def manifest_dirs(platform: str = sys.platform) -> dict[str, str]:
    if platform == "darwin":
        return MACOS_DIRS
    if platform.startswith("linux"):
        return LINUX_DIRS
    raise InstallError(f"installing the native host on {platform} is not supported yet (Linux and macOS are)")


def targets(browsers: list[str], user_data_dir: Path | None, home: Path, platform: str = sys.platform) -> list[Target]:
    unknown = sorted(set(browsers) - set(BROWSERS))
    if unknown:
        raise InstallError(f"unknown browser(s) {', '.join(unknown)}; choose from {', '.join(BROWSERS)}")
    chosen = browsers or list(BROWSERS)
    if user_data_dir is not None:
        if "firefox" in chosen:
            raise InstallError(
                "--user-data-dir is for Chromium-family profiles; Firefox reads native hosts from "
                "$HOME/.mozilla/native-messaging-hosts for every profile (omit --user-data-dir for Firefox)"
            )
        folder = user_data_dir.expanduser().resolve() / "NativeMessagingHosts"
        return [Target(b, folder / f"{NATIVE_HOST_NAME}.json") for b in chosen]
    dirs = manifest_dirs(platform)
    return [Target(b, home / dirs[b] / f"{NATIVE_HOST_NAME}.json") for b in chosen]


def launcher_text(data_dir: DataDir, python: str, extra_ids: tuple[str, ...]) -> str:
    package_root = Path(native_host.__file__).resolve().parent.parent
    return (
        f"#!{python} -S\n"
        "# Proffer's native messaging host, written by `proffer install-host`. The browser starts it; it relays\n"
        "# to the companion. Regenerate it with `proffer install-host` rather than editing it.\n"
        "import sys\n"
        f"sys.path.insert(0, {str(package_root)!r})\n"
        "from native_host.host import main\n"
        f"sys.exit(main(data_dir={str(data_dir.root)!r}, python={python!r}, extra_ids={extra_ids!r}))\n"
    )


def write_launcher(data_dir: DataDir, python: str, extra_ids: tuple[str, ...] = ()) -> Path:
    data_dir.ensure()
    path = data_dir.host_dir / LAUNCHER_NAME
    atomic_write(path, launcher_text(data_dir, python, extra_ids).encode(), mode=0o700)
    return path


def manifest_for(browser: str, launcher: Path, extra_ids: tuple[str, ...] = ()) -> dict:
    manifest = {
        "name": NATIVE_HOST_NAME,
        "description": "Proffer: share with shops only what you approve",
        "path": str(launcher),
        "type": "stdio",
    }
    if browser == "firefox":
        manifest["allowed_extensions"] = [*GECKO_EXTENSION_IDS, *(i for i in extra_ids if "@" in i)]
    else:
        ids = [*CHROMIUM_EXTENSION_IDS, *(i for i in extra_ids if "@" not in i)]
        manifest["allowed_origins"] = [f"chrome-extension://{i}/" for i in ids]
    return manifest


def install(
    data_dir: DataDir,
    browsers: list[str],
    user_data_dir: Path | None = None,
    extra_ids: tuple[str, ...] = (),
    home: Path | None = None,
    python: str | None = None,
) -> list[Path]:
    """Write the launcher and one manifest per browser; returns the manifests written."""
    home = home or Path.home()
    chosen = targets(browsers, user_data_dir, home)
    launcher = write_launcher(data_dir, python or sys.executable, extra_ids)
    written = []
    for target in chosen:
        body = json.dumps(manifest_for(target.browser, launcher, extra_ids), indent=2).encode() + b"\n"
        target.manifest.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target.manifest, body, mode=0o644)
        written.append(target.manifest)
    return written


def uninstall(
    data_dir: DataDir, browsers: list[str], user_data_dir: Path | None = None, home: Path | None = None
) -> list[Path]:
    """Remove the manifests that point at this data dir's launcher, and the launcher; returns what went."""
    launcher = data_dir.host_dir / LAUNCHER_NAME
    removed = []
    for target in targets(browsers, user_data_dir, home or Path.home()):
        try:
            manifest = json.loads(target.manifest.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            continue
        if manifest.get("path") == str(launcher):  # never remove another installation's registration
            target.manifest.unlink()
            removed.append(target.manifest)
    if launcher.exists() and not browsers and user_data_dir is None:
        launcher.unlink()
        removed.append(launcher)
    return removed
