"""Talk SMTP with aiosmtplib: the only async code in the service. `deliver` sends a batch over one connection
and says per mail whether it went out, failed for good (5xx) or is worth another try (4xx, no connection)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage

import aiosmtplib

from ..settings import Settings
from .outbox import Result, domain_of

TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to deliver."""

    host: str
    port: int
    tls: str = "none"  # none, starttls or tls
    username: str = ""
    password: str = field(default="", repr=False)
    local_hostname: str = "localhost"

    @classmethod
    def from_settings(
        cls, settings: Settings, *, host: str | None = None, port: int | None = None
    ) -> SmtpTarget | None:
        """The configured server; an explicit host/port (the local catch-all) means plain SMTP without login.
        None when no server is configured."""
        helo = domain_of(settings.mail_from)
        if host:
            return cls(host=host, port=port or 25, local_hostname=helo)
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=port or settings.smtp_port,
            tls=settings.smtp_tls,
            username=settings.smtp_username,
            password=settings.smtp_password,
            local_hostname=helo,
        )


def deliver(target: SmtpTarget, messages: Sequence[tuple[int, EmailMessage]]) -> dict[int, Result]:
    """Send the messages (keyed by outbox id) and return the result of each."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_deliver(target, messages))
    # Called where an event loop already runs (e.g. next to Playwright's): use a thread of our own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _deliver(target, messages)).result()


async def _deliver(target: SmtpTarget, messages: Sequence[tuple[int, EmailMessage]]) -> dict[int, Result]:
    client = aiosmtplib.SMTP(
        hostname=target.host,
        port=target.port,
        use_tls=target.tls == "tls",
        start_tls=target.tls == "starttls",  # False, not None: never upgrade on our own when 'none' is asked
        username=target.username or None,
        password=target.password or None,
        local_hostname=target.local_hostname,
        timeout=TIMEOUT_SECONDS,
    )
    try:
        await client.connect()
    except (aiosmtplib.SMTPException, OSError) as err:
        # No server, or it refused us or our login: a matter of the server or the settings, so retry later.
        result = Result(ok=False, error=_describe(err, target))
        return dict.fromkeys((outbox_id for outbox_id, _ in messages), result)
    results: dict[int, Result] = {}
    try:
        for outbox_id, message in messages:
            try:
                await client.send_message(message)
                results[outbox_id] = Result(ok=True)
            except aiosmtplib.SMTPRecipientsRefused as err:
                codes = [refused.code for refused in err.recipients]
                permanent = bool(codes) and all(code >= 500 for code in codes)
                results[outbox_id] = Result(ok=False, error=_describe(err, target), permanent=permanent)
            except aiosmtplib.SMTPResponseException as err:
                results[outbox_id] = Result(ok=False, error=_describe(err, target), permanent=err.code >= 500)
            except (aiosmtplib.SMTPException, OSError) as err:
                # The connection broke: this and the rest go another time.
                broken = Result(ok=False, error=_describe(err, target))
                for later_id, _ in messages:
                    results.setdefault(later_id, broken)
                break
    finally:
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            client.close()
    return results


def _describe(err: Exception, target: SmtpTarget) -> str:
    """A short error for the administrator, without the password."""
    if isinstance(err, aiosmtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{r.code} {r.message}" for r in err.recipients)
    elif isinstance(err, aiosmtplib.SMTPResponseException):
        text = f"{err.code} {err.message}"
    else:
        text = f"{type(err).__name__}: {err}"
    if target.password:
        text = text.replace(target.password, "***")
    return f"{target.host}:{target.port}: {text}"[:500]
