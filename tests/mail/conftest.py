"""A real SMTP server (aiosmtpd) on a free local port, and settings that point the sender at it. The server is
started only when a test asks for it: without it the port is closed, as when the mail server is down."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from service.models import OutboxEmail
from service.runtime import Runtime
from service.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP server received; `refuse` maps an address to the SMTP reply its RCPT gets."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


class SmtpServer:
    """Start and stop a real SMTP server on one port, as often as a test likes."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> Inbox:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self.inbox

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def settings(settings: Settings, smtp_port: int) -> Settings:
    return replace(settings, smtp_host="127.0.0.1", smtp_port=smtp_port, base_url="https://sto.example.nl")


@pytest.fixture
def smtp_server(smtp_port: int) -> Iterator[SmtpServer]:
    """A server that is down until the test calls start()."""
    server = SmtpServer(smtp_port)
    yield server
    server.stop()


@pytest.fixture
def smtp_inbox(smtp_server: SmtpServer) -> Inbox:
    """A running server's inbox."""
    return smtp_server.start()


def outbox_rows(runtime: Runtime, *where: Any) -> list[OutboxEmail]:
    with runtime.transaction(write=False) as session:
        return list(session.scalars(select(OutboxEmail).where(*where).order_by(OutboxEmail.id)))


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML of a received mail."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()
