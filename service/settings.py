"""Settings, read from the environment once (STO_ prefix) and passed down; nothing reads os.environ elsewhere."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# An installed package (`pip install .`) carries bpmn/, forms/, migrations/ and alembic.ini in here (setup.py
# copies them at build time); a checkout has none of it and reads the top-level folders, so edits count at once.
BUNDLED = Path(str(resources.files(__package__ or "service") / "_bundled"))
INSTALLED = BUNDLED.is_dir()
# Where the development database, secret and caught mail live: beside the checkout, or (installed) in the
# directory the service was started from, never inside site-packages.
INSTANCE_DIR = Path("instance").resolve() if INSTALLED else ROOT / "instance"
DEV_SECRET_FILE = INSTANCE_DIR / "dev-secret-key"


def project_path(name: str) -> Path:
    """A top-level project file or folder (bpmn, forms, migrations, alembic.ini, package.json, package-lock.json),
    installed or in a checkout."""
    return BUNDLED / name if INSTALLED else ROOT / name


BPMN_DIR = project_path("bpmn")
FORMS_DIR = project_path("forms")
# An installed package has no node_modules of its own: STO_NODE_MODULES, or ./node_modules where it starts.
NODE_MODULES_DIR = Path("node_modules").resolve() if INSTALLED else ROOT / "node_modules"


@dataclass(frozen=True)
class Settings:
    """Everything the service can be configured with."""

    env: str = "development"
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'sto_flow.sqlite'}"
    secret_key: str = field(default="", repr=False)
    bpmn_dir: Path = BPMN_DIR
    forms_dir: Path = FORMS_DIR
    # Where npm installed bpmnlint (run under node on every diagram a person deploys) and the bpmn-js viewer.
    node_modules_dir: Path = NODE_MODULES_DIR
    token_max_age_seconds: int = 8 * 3600
    fast_password_hashing: bool = False  # tests only: cheap argon2 parameters
    login_rate_limit: str = "10 per minute"  # per client address, against password guessing
    max_upload_bytes: int = 10 * 1024 * 1024  # per file uploaded with a task form
    # Mail. Without smtp_host (development), `make run` delivers to a local catch-all readable in the browser.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_tls: str = "none"  # none, starttls or tls
    mail_from: str = "STO Flow <noreply@sto-flow.local>"
    base_url: str = "http://127.0.0.1:5000"  # for links in mail and the calendar feed
    mail_max_attempts: int = 8
    mail_catchall_port: int = 8025  # development only: where `make run` catches mail when smtp_host is empty
    # The scheduler looks for due work this often, besides waking up exactly at the next due timer.
    scheduler_poll_seconds: float = 1.0
    # Diagram code (scripts, conditions, decision tables, timers) runs in worker processes under these limits.
    engine_workers: int = 4  # per process; more than the cores, so one stopped script never leaves none free
    script_seconds: float = 1.0  # one engine call: the step and everything the engine runs after it
    script_memory_mb: int = 128  # what one engine call may allocate on top of the worker's own memory
    # Single sign-on with OpenID Connect, next to local accounts: off unless the issuer and client id are set.
    oidc_issuer: str = ""  # the provider's base URL; its discovery document is under /.well-known/
    oidc_client_id: str = ""
    oidc_client_secret: str = field(default="", repr=False)
    oidc_label: str = "Aanmelden met uw organisatie-account"  # the button on the sign-in page
    oidc_scopes: str = "openid email profile"
    # Where pg_dump and pg_restore are (backups of a PostgreSQL database); None: found on the PATH.
    pg_bin_dir: Path | None = None
    # Operations: the scheduler renews its heartbeat this often; /readyz fails when the newest is older than max age.
    heartbeat_seconds: float = 5.0
    heartbeat_max_age_seconds: float = 60.0
    # /metrics answers local requests, and others only with `Authorization: Bearer <metrics_token>` (empty: none).
    metrics_token: str = field(default="", repr=False)
    # prometheus-client's own variable: set (under gunicorn), /metrics adds up what every worker process recorded.
    prometheus_multiproc_dir: str = ""

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from STO_* variables; production refuses to run without a secret key."""
        env = dict(os.environ if environ is None else environ)
        mode = env.get("STO_ENV", "development")
        secret = env.get("STO_SECRET_KEY", "")
        if not secret:
            if mode == "production":
                raise RuntimeError("STO_SECRET_KEY must be set when STO_ENV=production")
            secret = _development_secret()
        defaults = cls()
        return cls(
            env=mode,
            database_url=env.get("STO_DATABASE_URL", defaults.database_url),
            secret_key=secret,
            bpmn_dir=Path(env.get("STO_BPMN_DIR", defaults.bpmn_dir)),
            forms_dir=Path(env.get("STO_FORMS_DIR", defaults.forms_dir)),
            node_modules_dir=Path(env.get("STO_NODE_MODULES", defaults.node_modules_dir)),
            token_max_age_seconds=int(env.get("STO_TOKEN_MAX_AGE", defaults.token_max_age_seconds)),
            login_rate_limit=env.get("STO_LOGIN_RATE_LIMIT", defaults.login_rate_limit),
            max_upload_bytes=int(env.get("STO_MAX_UPLOAD_BYTES", defaults.max_upload_bytes)),
            smtp_host=env.get("STO_SMTP_HOST", ""),
            smtp_port=int(env.get("STO_SMTP_PORT", defaults.smtp_port)),
            smtp_username=env.get("STO_SMTP_USERNAME", ""),
            smtp_password=env.get("STO_SMTP_PASSWORD", ""),
            smtp_tls=_choice(env.get("STO_SMTP_TLS", "none"), ("none", "starttls", "tls"), "STO_SMTP_TLS"),
            mail_from=env.get("STO_MAIL_FROM", defaults.mail_from),
            base_url=env.get("STO_BASE_URL", defaults.base_url).rstrip("/"),
            mail_max_attempts=int(env.get("STO_MAIL_MAX_ATTEMPTS", defaults.mail_max_attempts)),
            mail_catchall_port=int(env.get("STO_MAIL_CATCHALL_PORT", defaults.mail_catchall_port)),
            scheduler_poll_seconds=float(env.get("STO_SCHEDULER_POLL_SECONDS", defaults.scheduler_poll_seconds)),
            engine_workers=int(env.get("STO_ENGINE_WORKERS", defaults.engine_workers)),
            script_seconds=float(env.get("STO_SCRIPT_SECONDS", defaults.script_seconds)),
            script_memory_mb=int(env.get("STO_SCRIPT_MEMORY_MB", defaults.script_memory_mb)),
            **_oidc_settings(env, defaults),
            pg_bin_dir=Path(env["STO_PG_BIN_DIR"]) if env.get("STO_PG_BIN_DIR") else None,
            heartbeat_seconds=float(env.get("STO_HEARTBEAT_SECONDS", defaults.heartbeat_seconds)),
            heartbeat_max_age_seconds=float(
                env.get("STO_HEARTBEAT_MAX_AGE_SECONDS", defaults.heartbeat_max_age_seconds)
            ),
            metrics_token=env.get("STO_METRICS_TOKEN", ""),
            prometheus_multiproc_dir=env.get("PROMETHEUS_MULTIPROC_DIR", ""),
        )


def _oidc_settings(env: dict[str, str], defaults: Settings) -> dict[str, str]:
    # Half a configuration would show a button that can only fail: refuse to start instead, naming what is missing.
    issuer = env.get("STO_OIDC_ISSUER", "").strip().rstrip("/")
    client_id = env.get("STO_OIDC_CLIENT_ID", "").strip()
    scopes = " ".join(env.get("STO_OIDC_SCOPES", defaults.oidc_scopes).split())
    if bool(issuer) != bool(client_id):
        raise RuntimeError("STO_OIDC_ISSUER and STO_OIDC_CLIENT_ID must be set together (or neither)")
    if issuer and not issuer.startswith(("https://", "http://")):
        raise RuntimeError(f"STO_OIDC_ISSUER must be an http(s) URL (got {issuer!r})")
    if issuer and "openid" not in scopes.split():
        raise RuntimeError("STO_OIDC_SCOPES must include openid")
    return {
        "oidc_issuer": issuer,
        "oidc_client_id": client_id,
        "oidc_client_secret": env.get("STO_OIDC_CLIENT_SECRET", ""),
        "oidc_label": env.get("STO_OIDC_LABEL", "").strip() or defaults.oidc_label,
        "oidc_scopes": scopes,
    }


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise RuntimeError(f"{name} must be one of {', '.join(allowed)} (got {value!r})")
    return value


def _development_secret() -> str:
    """The key an entry point kept under instance/ (service/dev_secret.py), else a random one for this process
    only: reading settings never writes a file (sign-ins then end when the process does)."""
    try:
        kept = DEV_SECRET_FILE.read_text().strip()
    except OSError:
        kept = ""
    return kept or secrets.token_urlsafe(48)
