"""Configuration from environment variables (see README, "Konfiguration")."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_SQLITE_PATH = Path("mediathek.sqlite3")
# The page and e-mail templates and static files ship with the code, not with the data.
FRONTEND_DIR = Path(__file__).resolve().parent.parent / "frontend"
TEMPLATES_DIR = FRONTEND_DIR / "templates"
STATIC_DIR = FRONTEND_DIR / "static"


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} muss eine ganze Zahl sein, nicht {raw!r}.") from exc


ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(env: dict[str, str], name: str) -> tuple[ProxyNetwork, ...]:
    """Comma-separated addresses or networks (``10.0.0.5, 172.16.0.0/12``)."""
    out = []
    for item in env.get(name, "").replace(";", ",").split(","):
        if item.strip():
            try:
                out.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError as exc:
                raise ConfigurationError(
                    f"{name}: {item.strip()!r} ist keine IP-Adresse und kein Netz "
                    "(z. B. 10.0.0.5 oder 172.16.0.0/12)."
                ) from exc
    return tuple(out)


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    production: bool = False
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Europe/Berlin"
    data_dir: Path = Path("data")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: str = "none"  # none | starttls | tls
    smtp_timeout: int = 20
    mail_from: str = "Mediathek <mediathek@example.org>"

    # Footer links: the centre's own legal pages may live on the municipal website.
    imprint_url: str = "/impressum"
    privacy_url: str = "/datenschutz"
    accessibility_url: str = "/barrierefreiheit"

    # Barcode prefixes: copies and library cards are told apart by their first letters.
    copy_barcode_prefix: str = "M"
    card_barcode_prefix: str = "K"

    isbn_lookup_timeout: int = 5
    scheduler_enabled: bool = True
    reminder_time: str = "06:30"

    # Largest upload (catalogue import) in MB; larger requests are refused before they are read.
    max_upload_mb: int = 10
    # Reverse proxies whose X-Forwarded-For is believed; empty: the peer address counts.
    trusted_proxies: tuple[ProxyNetwork, ...] = ()
    # Personal API tokens stop working this many days after they were created.
    api_token_days: int = 90
    # Daily backup: how many daily backups to keep (0: none), where (default data_dir/backups),
    # and where pg_dump/pg_restore live if the ones on PATH do not match the server's version.
    backup_keep: int = 7
    backup_dir: Path | None = None
    pg_bin_dir: str = ""

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def backups_path(self) -> Path:
        return self.backup_dir or self.data_dir / "backups"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        production = _bool(env.get("MEDIATHEK_PRODUCTION"))
        secret = env.get("MEDIATHEK_SECRET_KEY", "")
        if production and len(secret) < 32:
            raise ConfigurationError(
                "MEDIATHEK_SECRET_KEY fehlt oder ist zu kurz (mindestens 32 Zeichen). "
                "Im Produktionsbetrieb ist ein fester geheimer Schlüssel nötig, z. B. "
                "erzeugt mit: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        security = env.get("MEDIATHEK_SMTP_SECURITY", "none").lower()
        if security not in {"none", "starttls", "tls"}:
            raise ConfigurationError(
                "MEDIATHEK_SMTP_SECURITY muss 'none', 'starttls' oder 'tls' sein."
            )
        database_url = env.get("MEDIATHEK_DATABASE_URL") or cls.database_url
        if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ConfigurationError(
                "MEDIATHEK_DATABASE_URL muss mit sqlite:/// oder postgresql:// beginnen."
            )
        kwargs: dict = {
            "database_url": database_url,
            "production": production,
            "base_url": env.get("MEDIATHEK_BASE_URL", cls.base_url).rstrip("/"),
            "timezone": env.get("MEDIATHEK_TIMEZONE", cls.timezone),
            "data_dir": Path(env.get("MEDIATHEK_DATA_DIR", str(cls.data_dir))),
            "smtp_host": env.get("MEDIATHEK_SMTP_HOST", cls.smtp_host),
            "smtp_port": _int(env, "MEDIATHEK_SMTP_PORT", cls.smtp_port),
            "smtp_username": env.get("MEDIATHEK_SMTP_USERNAME", ""),
            "smtp_password": env.get("MEDIATHEK_SMTP_PASSWORD", ""),
            "smtp_security": security,
            "smtp_timeout": _int(env, "MEDIATHEK_SMTP_TIMEOUT", cls.smtp_timeout),
            "mail_from": env.get("MEDIATHEK_MAIL_FROM", cls.mail_from),
            "imprint_url": env.get("MEDIATHEK_IMPRINT_URL", cls.imprint_url),
            "privacy_url": env.get("MEDIATHEK_PRIVACY_URL", cls.privacy_url),
            "accessibility_url": env.get("MEDIATHEK_ACCESSIBILITY_URL", cls.accessibility_url),
            "copy_barcode_prefix": env.get("MEDIATHEK_COPY_PREFIX", cls.copy_barcode_prefix),
            "card_barcode_prefix": env.get("MEDIATHEK_CARD_PREFIX", cls.card_barcode_prefix),
            "isbn_lookup_timeout": _int(env, "MEDIATHEK_ISBN_TIMEOUT", cls.isbn_lookup_timeout),
            "scheduler_enabled": _bool(env.get("MEDIATHEK_SCHEDULER"), True),
            "reminder_time": env.get("MEDIATHEK_REMINDER_TIME", cls.reminder_time),
            "trusted_proxies": _networks(env, "MEDIATHEK_TRUSTED_PROXIES"),
            "api_token_days": _int(env, "MEDIATHEK_API_TOKEN_DAYS", cls.api_token_days),
            "backup_keep": _int(env, "MEDIATHEK_BACKUP_KEEP", cls.backup_keep),
            "backup_dir": Path(env["MEDIATHEK_BACKUP_DIR"])
            if env.get("MEDIATHEK_BACKUP_DIR")
            else None,
            "pg_bin_dir": env.get("MEDIATHEK_PG_BIN_DIR", ""),
        }
        kwargs["max_upload_mb"] = _int(env, "MEDIATHEK_MAX_UPLOAD_MB", cls.max_upload_mb)
        if not 1 <= kwargs["max_upload_mb"] <= 1024:
            raise ConfigurationError("MEDIATHEK_MAX_UPLOAD_MB muss zwischen 1 und 1024 liegen.")
        if not 1 <= kwargs["api_token_days"] <= 3650:
            raise ConfigurationError("MEDIATHEK_API_TOKEN_DAYS muss zwischen 1 und 3650 liegen.")
        if kwargs["backup_keep"] < 0:
            raise ConfigurationError(
                "MEDIATHEK_BACKUP_KEEP darf nicht negativ sein (0 schaltet ab)."
            )
        if secret:
            kwargs["secret_key"] = secret
        try:
            ZoneInfo(kwargs["timezone"])
        except Exception as exc:
            raise ConfigurationError(f"Unbekannte Zeitzone {kwargs['timezone']!r}.") from exc
        return cls(**kwargs)
