"""Configuration read from environment variables, with development defaults that need nothing set."""

import os
import re
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _secret_key(production: bool) -> str:
    """SECRET_KEY from the environment; in development, generated once and kept under instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise RuntimeError("SECRET_KEY must be set when APP_ENV=production")
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Hosting services hand out postgres:// URLs; we talk to PostgreSQL through psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'app.db'}"


def _required_in_production(name: str, default: str, production: bool) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if production:
        # Notices without the sender's postal address and contact break 特定電子メール法.
        raise RuntimeError(f"{name} must be set when APP_ENV=production")
    return default


def _ratelimit_storage(production: bool) -> str:
    """Where rate-limit counters live: Redis (REDIS_URL) shared by every web process. In memory
    each gunicorn worker counts alone, so 4 workers allow 4x every limit (login lockout too)."""
    url = os.environ.get("REDIS_URL") or os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    if production and url.startswith("memory://"):
        raise RuntimeError(
            "REDIS_URL must be set when APP_ENV=production: rate limits kept in memory are counted "
            "per process, so every gunicorn worker would allow the whole limit again"
        )
    return url


def _webhook_allow_insecure(production: bool) -> bool:
    allow = _bool("WEBHOOK_ALLOW_INSECURE")
    if allow and production:
        # It would let an organizer's URL reach this server's own ports.
        raise RuntimeError("WEBHOOK_ALLOW_INSECURE must not be set when APP_ENV=production")
    return allow


def _bounce_domain() -> str:
    domain = os.environ.get("BOUNCE_DOMAIN", "").strip().lower()
    if domain and not re.fullmatch(
        r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+", domain
    ):
        # It goes into every envelope sender: anything but a plain domain would break them all.
        raise RuntimeError(f"BOUNCE_DOMAIN {domain!r} is not a domain name")
    return domain


def _inbound_smtp_host(production: bool) -> str:
    host = os.environ.get("INBOUND_SMTP_HOST", "127.0.0.1")
    if (
        production
        and host not in {"127.0.0.1", "::1", "localhost"}
        and not _bool("INBOUND_SMTP_PUBLIC")
    ):
        # The listener takes mail without authentication: only the local mail server may reach it.
        raise RuntimeError(
            "INBOUND_SMTP_HOST must be a loopback address when APP_ENV=production "
            "(set INBOUND_SMTP_PUBLIC=1 if a firewall keeps everyone but the mail server away)"
        )
    return host


def _imap_ssl(production: bool) -> bool:
    use_ssl = _bool("INBOUND_IMAP_SSL", True)
    if production and os.environ.get("INBOUND_IMAP_HOST") and not use_ssl:
        host = os.environ["INBOUND_IMAP_HOST"]
        if host not in {"127.0.0.1", "::1", "localhost"}:
            raise RuntimeError("INBOUND_IMAP_SSL must be on for a remote IMAP server in production")
    return use_ssl


def load() -> dict:
    """Build the configuration mapping for create_app()."""
    production = os.environ.get("APP_ENV", "development") == "production"
    materials_max_bytes = _int("MATERIALS_MAX_BYTES", 20 * 1024 * 1024)
    session_max_age = _int("SESSION_MAX_AGE_SECONDS", 12 * 3600)
    bounce_domain = _bounce_domain()
    return {
        "APP_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(production),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        # Room for the largest material upload plus the form around it; larger requests get 413.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", materials_max_bytes + 1024 * 1024),
        # Every other form (sign-up, join, contact, login, the console's): a body larger than
        # this is refused before it is read, so it cannot tie up a worker (app/body_limits.py).
        "FORM_MAX_BYTES": _int("FORM_MAX_BYTES", 256 * 1024),
        # werkzeug's method for organizer passwords; the tests use a cheap one to stay fast.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # A console session ends this long after sign-in, or after this long without a request.
        "SESSION_MAX_AGE_SECONDS": session_max_age,
        "SESSION_IDLE_SECONDS": _int("SESSION_IDLE_SECONDS", 2 * 3600),
        # Flask refuses a session cookie signed longer ago than this, whoever holds it.
        "PERMANENT_SESSION_LIFETIME": session_max_age,
        "WTF_CSRF_TIME_LIMIT": _int("WTF_CSRF_TIME_LIMIT", 3 * 3600),
        # Flask-Mail reads these names itself.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "全国自治体リスキリングネットワーク事務局 <no-reply@localhost>"
        ),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 30),
        # DKIM signing of every outgoing mail, when all three are set (see the README).
        "DKIM_PRIVATE_KEY_PATH": os.environ.get("DKIM_PRIVATE_KEY_PATH", ""),
        "DKIM_SELECTOR": os.environ.get("DKIM_SELECTOR", ""),
        "DKIM_DOMAIN": os.environ.get("DKIM_DOMAIN", ""),
        # Flask-Mail would silently skip sending under TESTING; the outbox decides what is sent.
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_DEV_DIR": str(INSTANCE_DIR / "mail"),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 20),
        "MAIL_BATCH_SIZE": _int("MAIL_BATCH_SIZE", 50),
        "WORKER_POLL_SECONDS": float(os.environ.get("WORKER_POLL_SECONDS", "1")),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "APP_TIMEZONE": os.environ.get("APP_TIMEZONE", "Asia/Tokyo"),
        "SECRETARIAT_NAME": os.environ.get(
            "SECRETARIAT_NAME", "全国自治体リスキリングネットワーク事務局"
        ),
        "SECRETARIAT_ADDRESS": _required_in_production(
            "SECRETARIAT_ADDRESS", "（住所未設定）", production
        ),
        "SECRETARIAT_CONTACT": _required_in_production(
            "SECRETARIAT_CONTACT", "no-reply@localhost", production
        ),
        # ORGANIZER of calendar invites: a monitored mailbox (see the README); default:
        # calendar@BOUNCE_DOMAIN when bounces are received here (replies come back to us), else
        # the sender's address.
        "CALENDAR_ORGANIZER_EMAIL": os.environ.get("CALENDAR_ORGANIZER_EMAIL")
        or (f"calendar@{bounce_domain}" if bounce_domain else ""),
        # Bounces: every message goes out with the envelope sender bounce+<id>.<mac>@BOUNCE_DOMAIN
        # (empty: MAIL_DEFAULT_SENDER's address, as before); `flask inbound` takes them back.
        "BOUNCE_DOMAIN": bounce_domain,
        "INBOUND_SMTP_HOST": _inbound_smtp_host(production),
        "INBOUND_SMTP_PORT": _int("INBOUND_SMTP_PORT", 2525),
        "INBOUND_MAX_BYTES": _int("INBOUND_MAX_BYTES", 10 * 1024 * 1024),
        # A mailbox to poll instead (hosts without their own MX); empty host: no polling.
        "INBOUND_IMAP_HOST": os.environ.get("INBOUND_IMAP_HOST", ""),
        "INBOUND_IMAP_PORT": _int("INBOUND_IMAP_PORT", 993),
        "INBOUND_IMAP_SSL": _imap_ssl(production),
        "INBOUND_IMAP_USERNAME": os.environ.get("INBOUND_IMAP_USERNAME", ""),
        "INBOUND_IMAP_PASSWORD": os.environ.get("INBOUND_IMAP_PASSWORD", ""),
        "INBOUND_IMAP_MAILBOX": os.environ.get("INBOUND_IMAP_MAILBOX", "INBOX"),
        "INBOUND_IMAP_INTERVAL_SECONDS": _int("INBOUND_IMAP_INTERVAL_SECONDS", 60),
        # This many soft bounces (4.x.x) within so many days keep bulk mail away as a hard one does.
        "SOFT_BOUNCE_LIMIT": _int("SOFT_BOUNCE_LIMIT", 3),
        "SOFT_BOUNCE_DAYS": _int("SOFT_BOUNCE_DAYS", 14),
        "CALENDAR_ALARM_MINUTES": _int("CALENDAR_ALARM_MINUTES", 30),
        "JOIN_OPENS_MINUTES_BEFORE": _int("JOIN_OPENS_MINUTES_BEFORE", 30),
        # Half-yearly notice: months and local time (first working day of each month given).
        "NOTICE_MONTHS": tuple(int(m) for m in os.environ.get("NOTICE_MONTHS", "4,10").split(",")),
        "NOTICE_TIME": os.environ.get("NOTICE_TIME", "10:00"),
        # A notice missed by downtime is still sent within this many days, never later.
        "NOTICE_CATCH_UP_DAYS": _int("NOTICE_CATCH_UP_DAYS", 14),
        "SCHEDULER_INTERVAL_SECONDS": _int("SCHEDULER_INTERVAL_SECONDS", 60),
        # Webhooks go out on a shorter beat than the sweep: receivers expect news within seconds.
        "WEBHOOK_INTERVAL_SECONDS": _int("WEBHOOK_INTERVAL_SECONDS", 5),
        # How often the leader worker looks for a large member import queued from the console.
        "MEMBER_IMPORT_INTERVAL_SECONDS": _int("MEMBER_IMPORT_INTERVAL_SECONDS", 5),
        # /readyz thresholds.
        "READY_WORKER_MAX_AGE_SECONDS": _int("READY_WORKER_MAX_AGE_SECONDS", 120),
        "READY_OUTBOX_MAX_BACKLOG": _int("READY_OUTBOX_MAX_BACKLOG", 5000),
        "READY_OUTBOX_MAX_AGE_SECONDS": _int("READY_OUTBOX_MAX_AGE_SECONDS", 900),
        # /metrics: a bearer token, or (when empty) requests from this machine only.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", ""),
        # Number of trusted reverse proxies in front (1 behind nginx); 0 trusts no X-Forwarded-*.
        "PROXY_FIX_HOPS": _int("PROXY_FIX_HOPS", 0),
        # Registrations of events that ended longer ago than this are anonymised.
        "RETENTION_MONTHS": _int("RETENTION_MONTHS", 24),
        # Materials (資料): uploaded files live here under random names, up to this size each.
        "MATERIALS_DIR": os.environ.get("MATERIALS_DIR", str(INSTANCE_DIR / "materials")),
        "MATERIALS_MAX_BYTES": materials_max_bytes,
        # Where inquiries (お問い合わせ) are mailed, comma-separated; empty: every active organizer.
        "INQUIRY_NOTIFY_ADDRESS": os.environ.get("INQUIRY_NOTIFY_ADDRESS", ""),
        # Public forms are limited on what they protect (see app/ratelimits.py). The client IP is
        # only a ceiling: a whole prefecture's offices can share one gateway address.
        "PUBLIC_FORM_RATE_LIMIT": os.environ.get("PUBLIC_FORM_RATE_LIMIT", "300 per minute"),
        "SIGNUP_RATE_LIMIT": os.environ.get("SIGNUP_RATE_LIMIT", "10 per minute"),
        "SIGNUP_ADDRESS_RATE_LIMIT": os.environ.get("SIGNUP_ADDRESS_RATE_LIMIT", "20 per minute"),
        "MAIL_REQUEST_RATE_LIMIT": os.environ.get("MAIL_REQUEST_RATE_LIMIT", "10 per hour"),
        # Counted in the outbox, whichever door asked: sign-up confirmations to one address, and
        # the mails anyone can ask for by typing an address (resend, membership, profile link).
        "SIGNUP_MAIL_LIMIT": os.environ.get("SIGNUP_MAIL_LIMIT", "10 per hour"),
        "REQUESTED_MAIL_LIMIT": os.environ.get("REQUESTED_MAIL_LIMIT", "3 per hour"),
        # JSON API: requests per minute for each organizer token.
        "API_TOKEN_RATE_LIMIT": os.environ.get("API_TOKEN_RATE_LIMIT", "300 per minute"),
        # Webhooks: tries before a delivery is marked failed, and seconds to wait for a receiver.
        "WEBHOOK_MAX_ATTEMPTS": _int("WEBHOOK_MAX_ATTEMPTS", 12),
        "WEBHOOK_TIMEOUT_SECONDS": _int("WEBHOOK_TIMEOUT_SECONDS", 10),
        "RATELIMIT_STORAGE_URI": _ratelimit_storage(production),
        # Said every time: Flask-Limiter keeps the last app's choice when the key is absent.
        "RATELIMIT_ENABLED": True,
        # Redis down: count in memory per process (logged) rather than answer every form with 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Development only: also allow http:// and this machine's own (loopback) addresses.
        "WEBHOOK_ALLOW_INSECURE": _webhook_allow_insecure(production),
    }
