"""`flask --app service <command>` configures logging before the command runs (JSON in production), while
creating the app never does: tests and embedding servers keep their own logging."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask

from ..observability.logs import configure_logging


def log_cli_commands(app: Flask) -> None:
    for command in app.cli.commands.values():
        if command.callback is not None and not getattr(command.callback, "_sto_logs", False):
            command.callback = _with_logging(command.callback)


def _with_logging(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        configure_logging()
        return callback(*args, **kwargs)

    run._sto_logs = True  # type: ignore[attr-defined]
    return run
