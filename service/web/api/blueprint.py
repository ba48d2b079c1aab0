"""The API's blueprint: every route under /api/v1 joins it, whichever module it is written in."""

from __future__ import annotations

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")
