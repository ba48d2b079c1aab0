"""Placeholder: the logging set-up every entry point calls (replaced by the observability work at merge)."""

from __future__ import annotations

import logging


def configure_logging(*, json: bool | None = None) -> None:
    """Log INFO and up to stderr; SpiffWorkflow only from WARNING (it logs every task state change at INFO)."""
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("spiff").setLevel(logging.WARNING)
