"""One home for the companion's defaults and for where its data lives.

The data dir is chosen, in order, by ``--data-dir``, the ``PROFFER_DATA_DIR`` environment variable, or the
platform's per-user data folder. Everything Proffer keeps lives below it, so two Proffers with two data
dirs never touch each other (the tests rely on that).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from companion.storage import atomic_write

DEFAULT_PORT = 47615
LOOPBACK = "127.0.0.1"
NATIVE_HOST_NAME = "org.proffer.companion"
# The id Chromium derives from the `key` in extension/manifest.json, and the Gecko id in the same manifest.
CHROMIUM_EXTENSION_IDS = ("ikcpjlmgjjaclpjfbepdglpcamkpgehj",)
GECKO_EXTENSION_IDS = ("proffer@proffer-vrm.org",)
MAX_MESSAGE_BYTES = 1024 * 1024


class ConfigError(Exception):
    """The data dir's config.json is not valid; the message says which key and why."""


class Settings(BaseModel):
    """The person's settings for one data dir, stored in ``config.json`` (no personal values in it)."""

    model_config = ConfigDict(extra="forbid")

    port: int = Field(default=DEFAULT_PORT, ge=1024, le=65535)
    autolock_minutes: int = Field(default=15, ge=0, le=24 * 60)  # 0 = never lock on idle


def default_data_dir() -> Path:
    env = os.environ.get("PROFFER_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir("proffer", appauthor=False))


class DataDir:
    """The layout of a data dir. Only this class knows the file names."""

    def __init__(self, root: Path) -> None:
        self.root = root.expanduser().resolve()

    @property
    def config_file(self) -> Path:
        return self.root / "config.json"

    @property
    def token_file(self) -> Path:
        return self.root / "native-token"

    @property
    def runtime_file(self) -> Path:
        """Written by a running companion: its port and process id, for the native host and the CLI."""
        return self.root / "companion.json"

    @property
    def log_file(self) -> Path:
        return self.root / "companion.log"

    @property
    def vault_dir(self) -> Path:
        return self.root / "vault"

    @property
    def decisions_file(self) -> Path:
        """The person's standing decisions (sealed)."""
        return self.root / "decisions.json"

    @property
    def ledger_dir(self) -> Path:
        return self.root / "ledger"

    @property
    def inbox_dir(self) -> Path:
        """Fill reports accepted while the vault was locked, sealed until it opens (``companion.ledger.inbox``)."""
        return self.root / "ledger-inbox"

    @property
    def host_dir(self) -> Path:
        """Where `proffer install-host` writes the native host's launcher."""
        return self.root / "native-host"

    def ensure(self) -> None:
        """Create the data dir readable by its owner only."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)

    def load_settings(self) -> Settings:
        if not self.config_file.exists():
            return Settings()
        try:
            return Settings.model_validate_json(self.config_file.read_text(encoding="utf-8"))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ConfigError(f"{self.config_file}: {problems}") from exc

    def save_settings(self, settings: Settings) -> None:
        self.ensure()
        atomic_write(self.config_file, settings.model_dump_json(indent=2).encode("utf-8") + b"\n")

    def read_token(self) -> str | None:
        try:
            return self.token_file.read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None

    def ensure_token(self) -> str:
        """The bearer token the native host presents; created once, readable by the owner only."""
        token = self.read_token()
        if token:
            os.chmod(self.token_file, 0o600)
            return token
        self.ensure()
        token = secrets.token_urlsafe(32)
        fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(token)
        return token

    def read_runtime(self) -> dict | None:
        try:
            return json.loads(self.runtime_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
