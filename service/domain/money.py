"""Amounts as Dutch readers write them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def format_euro(value: Any, *, symbol: bool = True) -> str:
    """EUR 7500.5 -> '€ 7.500,50' (Dutch notation)."""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    whole, cents = f"{amount:,.2f}".split(".")
    text = f"{whole.replace(',', '.')},{cents}"
    return f"€ {text}" if symbol else text
