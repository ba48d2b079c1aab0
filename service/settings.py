"""Settings, read from the environment once (STO_ prefix) and passed down; nothing reads os.environ elsewhere."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Everything the service can be configured with."""

    env: str = "development"
    database_url: str = f"sqlite:///{ROOT / 'instance' / 'sto_flow.sqlite'}"
    secret_key: str = field(default="", repr=False)
    bpmn_dir: Path = ROOT / "bpmn"
    forms_dir: Path = ROOT / "forms"
    token_max_age_seconds: int = 8 * 3600
    fast_password_hashing: bool = False  # tests only: cheap argon2 parameters
    login_rate_limit: str = "10 per minute"  # per client address, against password guessing
    max_upload_bytes: int = 10 * 1024 * 1024  # per file uploaded with a task form

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
            token_max_age_seconds=int(env.get("STO_TOKEN_MAX_AGE", defaults.token_max_age_seconds)),
            login_rate_limit=env.get("STO_LOGIN_RATE_LIMIT", defaults.login_rate_limit),
            max_upload_bytes=int(env.get("STO_MAX_UPLOAD_BYTES", defaults.max_upload_bytes)),
        )


def _development_secret() -> str:
    # Outside production a missing key would log everyone out on every restart; keep one beside the database.
    path = ROOT / "instance" / "dev-secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
