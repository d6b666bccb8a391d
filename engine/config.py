"""Settings, read once from the environment into one frozen object that fails closed."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from engine.errors import ConfigurationError


def _read_secret(env: Mapping[str, str], name: str) -> str | None:
    """A secret from NAME or from the file named by NAME_FILE (for production secret stores)."""
    value = env.get(name)
    path = env.get(f"{name}_FILE")
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError:
            raise ConfigurationError(f"{name}_FILE: cannot read {path}") from None
    return value or None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number") from None
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Defaults suit development; production must be explicit."""

    env: str = "development"
    instance: Path = Path("instance")
    database_url: str = ""
    keys_dir: Path | None = None
    smtp_url: str | None = None
    secret_key: str | None = None
    base_url: str = "http://127.0.0.1:5000"
    default_tenant: str = "default"
    timer_interval_seconds: int = 30
    timer_batch: int = 200
    mail_from: str = "probidad@localhost"
    state_cache_size: int = 256

    @property
    def production(self) -> bool:
        """True when PROBIDAD_ENV=production."""
        return self.env == "production"

    @property
    def database(self) -> str:
        """The database URL, defaulting to SQLite in the instance folder."""
        return self.database_url or f"sqlite:///{(self.instance / 'probidad.db').resolve()}"

    @property
    def keys_path(self) -> Path:
        """Where keyrings live (outside the database; in production, outside the instance too)."""
        return self.keys_dir or self.instance / "keys"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read PROBIDAD_* variables."""
        env = os.environ if env is None else env
        keys_dir = env.get("PROBIDAD_KEYS_DIR")
        settings = cls(
            env=env.get("PROBIDAD_ENV", "development"),
            instance=Path(env.get("PROBIDAD_INSTANCE", "instance")),
            database_url=env.get("PROBIDAD_DATABASE_URL", ""),
            keys_dir=Path(keys_dir) if keys_dir else None,
            smtp_url=env.get("PROBIDAD_SMTP_URL") or None,
            secret_key=_read_secret(env, "PROBIDAD_SECRET_KEY"),
            base_url=env.get("PROBIDAD_BASE_URL", "http://127.0.0.1:5000"),
            default_tenant=env.get("PROBIDAD_TENANT", "default"),
            timer_interval_seconds=int(env.get("PROBIDAD_TIMER_INTERVAL", "30")),
            mail_from=env.get("PROBIDAD_MAIL_FROM", "probidad@localhost"),
            state_cache_size=_int(env, "PROBIDAD_STATE_CACHE", 256),
        )
        settings.check()
        return settings

    def with_(self, **changes) -> Settings:
        """A copy with some settings changed (tests)."""
        return replace(self, **changes)

    def check(self) -> None:
        """Refuse unsafe production settings: explicit keys, secret and database are required."""
        if not self.production:
            return
        problems = []
        if self.keys_dir is None:
            problems.append("PROBIDAD_KEYS_DIR must be set explicitly in production")
        elif self.keys_dir.resolve().is_relative_to(self.instance.resolve()):
            problems.append("PROBIDAD_KEYS_DIR must not be inside the instance folder in production")
        if not self.secret_key or len(self.secret_key) < 32:
            problems.append("PROBIDAD_SECRET_KEY (or _FILE) must be set to at least 32 characters")
        if not self.database_url:
            problems.append("PROBIDAD_DATABASE_URL must be set in production")
        if problems:
            raise ConfigurationError("; ".join(problems))
