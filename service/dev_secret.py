"""The development secret key kept under instance/, written by the entry points that need one across restarts
(`make run`'s launcher and `flask --app service setup`), never by reading settings or creating the app."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from .settings import DEV_SECRET_FILE

log = logging.getLogger(__name__)


def ensure_development_secret(environ: Mapping[str, str] | None = None, path: Path = DEV_SECRET_FILE) -> Path | None:
    """Keep a key in `path` outside production when STO_SECRET_KEY is not set, so a restart does not sign
    everyone out; returns the file, or None when the environment gives the key (or production requires it)."""
    env = os.environ if environ is None else environ
    if env.get("STO_SECRET_KEY") or env.get("STO_ENV") == "production":
        return None
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created with owner-only rights from the start: never readable by others, not even for a moment.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
        log.info("development secret key kept in %s (set STO_SECRET_KEY to choose one)", path)
    return path
