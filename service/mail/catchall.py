"""Development without a mail server: a local SMTP server (aiosmtpd) that keeps every message it receives as a
.eml file under instance/mail/, where the page /dev/mail shows them. Never used in production."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from ..settings import INSTANCE_DIR, Settings

CATCHALL_DIR = INSTANCE_DIR / "mail"
CATCHALL_HOST = "127.0.0.1"
CATCHALL_PORT = 8025
_NAME_CHARS = set("0123456789abcdefghijklmnopqrstuvwxyz-.")


class _KeepAsFile:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
        temporary = self.directory / f".{name}.part"
        content = envelope.original_content or envelope.content
        temporary.write_bytes(content if isinstance(content, bytes) else content.encode())
        temporary.rename(self.directory / name)  # the page never sees half a file
        return "250 Message accepted for delivery"


def start_catchall(
    settings: Settings, *, port: int = CATCHALL_PORT, directory: Path = CATCHALL_DIR
) -> tuple[str, int, Callable[[], None]]:
    """Start the catch-all on 127.0.0.1 in a thread of its own; returns (host, port, stop).
    Refused in production, where mail must reach people."""
    if settings.is_production:
        raise RuntimeError("The mail catch-all is for development only; set STO_SMTP_HOST in production.")
    from aiosmtpd.controller import Controller  # only the scheduler process needs the server side

    controller = Controller(_KeepAsFile(directory), hostname=CATCHALL_HOST, port=port)
    controller.start()
    return CATCHALL_HOST, port, controller.stop


@dataclass(frozen=True)
class CaughtMail:
    """A message the catch-all kept, as the page shows it."""

    name: str
    received_at: datetime
    sender: str
    to: str
    subject: str
    text: str
    html: str


def list_caught(directory: Path = CATCHALL_DIR, limit: int = 200) -> list[CaughtMail]:
    """The newest messages first."""
    if not directory.is_dir():
        return []
    files = sorted(directory.glob("*.eml"), reverse=True)[:limit]
    return [_read(path) for path in files]


def find_caught(name: str, directory: Path = CATCHALL_DIR) -> CaughtMail | None:
    """One message by its file name (only plain names: nothing outside the directory can be read)."""
    if not name.endswith(".eml") or not set(name) <= _NAME_CHARS or name.startswith("."):
        return None
    path = directory / name
    return _read(path) if path.is_file() else None


def _read(path: Path) -> CaughtMail:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    stamp = path.name[:22]
    try:
        received = datetime.strptime(stamp, "%Y%m%d-%H%M%S-%f").replace(tzinfo=UTC)
    except ValueError:
        received = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return CaughtMail(
        name=path.name,
        received_at=received,
        sender=str(message.get("From", "")),
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        text=text.get_content() if text is not None else "",
        html=html.get_content() if html is not None else "",
    )
