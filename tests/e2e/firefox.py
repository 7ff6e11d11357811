"""Debian's Firefox ESR for end-to-end tests: headless, in the person's own profile and HOME, with the unpacked
extension installed as a temporary add-on, driven through Marionette.

No geckodriver (Debian has none): ``marionette_driver`` talks to the Marionette server built into Firefox,
which listens on a port of its choosing (``marionette.port`` 0) and writes it to the profile's
``MarionetteActivePort``. Firefox reads native messaging host manifests from
``$HOME/.mozilla/native-messaging-hosts`` for every profile, so the person's HOME is where
``proffer install-host --browser firefox`` puts it, and the browser must run with that HOME.

The network fence: everything Firefox would fetch from elsewhere (updates, telemetry, safe browsing, remote
settings) is switched off, and what is left goes through a proxy on a 127.0.0.1 port nothing listens on.
Firefox never proxies 127.0.0.1, so the shop and the companion are reached directly.

Starting takes a few seconds, most of it before Marionette answers. The browser is stopped by its pid.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from marionette_driver.addons import Addons
from marionette_driver.by import By
from marionette_driver.errors import MarionetteException
from marionette_driver.marionette import Marionette

from companion.settings import GECKO_EXTENSION_IDS
from tests.e2e.harness import EXTENSION_DIR, Proffer, free_port, stop_process, wait_until

FIREFOX = os.environ.get("PROFFER_FIREFOX", "/usr/bin/firefox-esr")
GECKO_ID = GECKO_EXTENSION_IDS[0]
# Firefox gives an add-on a random moz-extension:// host in each profile. Pinning it makes Proffer's own pages
# openable by URL, as the manifest's key does for Chromium.
EXTENSION_HOST = "6f1d2c3b-0a9e-4d8c-b7a6-5e4f3d2c1b0a"
EXTENSION_ORIGIN = f"moz-extension://{EXTENSION_HOST}"
STARTUP_TIMEOUT = 90  # seconds; a few are usual, more while the machine is busy
# -remote-allow-system-access: Marionette may use the browser's own chrome, needed to open Proffer's pages in
# a tab (see Firefox.open_extension_page).
ARGS = ["-headless", "-no-remote", "-marionette", "-remote-allow-system-access"]


def user_prefs(dead_port: int) -> dict[str, object]:
    """Preferences for a quiet, fenced test profile."""
    nowhere = f"http://127.0.0.1:{dead_port}"
    return {
        "marionette.port": 0,  # any free port, written to MarionetteActivePort
        "extensions.webextensions.uuids": json.dumps({GECKO_ID: EXTENSION_HOST}),
        "app.update.disabledForTesting": True,
        "app.update.auto": False,
        "extensions.update.enabled": False,
        "extensions.getAddons.cache.enabled": False,
        "datareporting.policy.dataSubmissionEnabled": False,
        "datareporting.healthreport.uploadEnabled": False,
        "toolkit.telemetry.enabled": False,
        "toolkit.telemetry.server": nowhere,
        "browser.safebrowsing.malware.enabled": False,
        "browser.safebrowsing.phishing.enabled": False,
        "browser.safebrowsing.downloads.enabled": False,
        "browser.safebrowsing.update.enabled": False,
        # Honoured only with MOZ_REMOTE_SETTINGS_DEVTOOLS=1 in the environment.
        "services.settings.server": f"{nowhere}/v1",
        "network.captive-portal-service.enabled": False,
        "network.connectivity-service.enabled": False,
        "network.dns.disablePrefetch": True,
        "network.prefetch-next": False,
        "network.proxy.type": 1,  # manual
        "network.proxy.http": "127.0.0.1",
        "network.proxy.http_port": dead_port,
        "network.proxy.share_proxy_settings": True,
        "network.proxy.ssl": "127.0.0.1",
        "network.proxy.ssl_port": dead_port,
        "network.proxy.no_proxies_on": "",
        "network.proxy.allow_hijacking_localhost": False,  # 127.0.0.1 stays direct
        "browser.shell.checkDefaultBrowser": False,
        "browser.startup.page": 0,
        "browser.startup.homepage_override.mstone": "ignore",
        "browser.aboutwelcome.enabled": False,
        "browser.newtabpage.enabled": False,
        "toolkit.startup.max_resumed_crashes": -1,
        # Pages' and the extension's console, and manifest warnings, go to firefox.log beside the test's files.
        "devtools.console.stdout.content": True,
        "devtools.console.stdout.chrome": True,
    }


def write_user_js(profile: Path, prefs: dict[str, object]) -> None:
    lines = [f"user_pref({json.dumps(name)}, {json.dumps(value)});\n" for name, value in prefs.items()]
    (profile / "user.js").write_text("".join(lines))


@dataclass
class Firefox:
    """A running Firefox with Proffer installed; ``tab`` is the handle of the tab it started with."""

    marionette: Marionette
    tab: str

    def open_extension_page(self, path: str) -> str:
        """Open one of Proffer's pages in a new tab, switch to it and return its handle.

        WebDriver may not navigate a tab to a moz-extension:// URL, so the tab is opened from the browser's
        own chrome, as a click on the toolbar button would."""
        known = set(self.marionette.window_handles)
        with self.marionette.using_context(Marionette.CONTEXT_CHROME):
            self.marionette.execute_script(
                """
                const principal = Services.scriptSecurityManager.getSystemPrincipal();
                gBrowser.selectedTab = gBrowser.addTab(arguments[0], { triggeringPrincipal: principal });
                """,
                script_args=(f"{EXTENSION_ORIGIN}/{path}",),
            )
        return self.wait_for_window(path.split("?", 1)[0], known)

    def manifest_warnings(self) -> list[str]:
        """What Firefox said about Proffer's manifest when it installed it (properties it does not know)."""
        with self.marionette.using_context(Marionette.CONTEXT_CHROME):
            return self.marionette.execute_script(
                "return WebExtensionPolicy.getByID(arguments[0]).extension.warnings", script_args=(GECKO_ID,)
            )

    def wait_for_window(self, path: str, known: set[str], timeout: float = 30) -> str:
        """Switch to a tab or window not in ``known`` that shows Proffer's page ``path``; return its handle."""
        wanted = f"{EXTENSION_ORIGIN}/{path}"

        def find() -> str | None:
            for handle in self.marionette.window_handles:
                if handle in known:
                    continue
                self.marionette.switch_to_window(handle)
                if self.marionette.get_url().startswith(wanted):
                    return handle
            return None

        return wait_until(find, timeout=timeout, what=f"a window showing {path}")

    def wait_for_selector(self, selector: str, timeout: float = 30) -> object:
        """The first element matching ``selector`` in the current tab, once there is one."""
        return wait_until(
            lambda: next(iter(self.marionette.find_elements(By.CSS_SELECTOR, selector)), None),
            timeout=timeout,
            what=selector,
        )

    def value(self, selector: str) -> str:
        return self.marionette.find_element(By.CSS_SELECTOR, selector).get_property("value")


@contextmanager
def firefox(person: Proffer) -> Iterator[Firefox]:
    """Firefox ESR with Proffer as a temporary add-on, in the person's profile and HOME."""
    write_user_js(person.profile, user_prefs(free_port()))
    port_file = person.profile / "MarionetteActivePort"
    env = {**person.env, "MOZ_HEADLESS": "1", "MOZ_REMOTE_SETTINGS_DEVTOOLS": "1"}
    log_path = person.root / "firefox.log"
    log = open(log_path, "ab")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        [FIREFOX, *ARGS, "-profile", str(person.profile)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    marionette = None
    try:
        wait_until(
            lambda: (port_file.exists() and port_file.read_text().strip()) or process.poll() is not None,
            timeout=STARTUP_TIMEOUT,
            what="Firefox's Marionette port",
        )
        assert process.poll() is None, f"Firefox exited early:\n{log_path.read_text(errors='replace')[-3000:]}"
        marionette = Marionette(port=int(port_file.read_text()), startup_timeout=STARTUP_TIMEOUT)
        marionette.start_session()
        assert Addons(marionette).install(str(EXTENSION_DIR), temp=True) == GECKO_ID
        yield Firefox(marionette, marionette.current_window_handle)
    finally:
        if marionette is not None and marionette.session is not None:
            with suppress(OSError, MarionetteException):  # a browser that died mid-test is stopped below
                marionette.delete_session()
        stop_process(process)
        log.close()
