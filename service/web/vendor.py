"""Front-end assets installed from npm (the bpmn-js viewer), served read-only from node_modules (the settings'
node_modules_dir, STO_NODE_MODULES). node_modules is never committed: `make install` runs `npm ci`, pinned by
package-lock.json; an installed package finds it where the operator put it."""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, request, send_from_directory, url_for

log = logging.getLogger(__name__)

# Only the ready-made bundles of these packages are reachable (folders inside node_modules); nothing else is.
PACKAGES: dict[str, Path] = {"bpmn-js": Path("bpmn-js") / "dist"}
TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
    ".svg": "image/svg+xml",
}
LONG_CACHE = 365 * 24 * 3600  # a URL carrying the installed version never changes
SHORT_CACHE = 3600

vendor = Blueprint("vendor", __name__, url_prefix="/vendor")


def bundle_dir(package: str) -> Path | None:
    """Where this app's node_modules holds the package's bundle (None: not a package served here)."""
    relative = PACKAGES.get(package)
    return current_app.extensions["sto"].settings.node_modules_dir / relative if relative else None


def installed_version(package: str) -> str | None:
    """The installed version of a package (from its package.json), or None when it is not installed."""
    dist = bundle_dir(package)
    return _version(dist) if dist else None


@cache
def _version(dist: Path) -> str | None:
    try:
        return str(json.loads((dist.parent / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def vendor_url(package: str, filename: str) -> str:
    """The URL of a vendored file, with the installed version so browsers may cache it for a year."""
    version = installed_version(package)
    return url_for("vendor.asset", package=package, filename=filename, **({"v": version} if version else {}))


@vendor.app_context_processor
def _vendor_helpers() -> dict[str, object]:
    return {"vendor_url": vendor_url}


@vendor.get("/<package>/<path:filename>")
def asset(package: str, filename: str) -> Response:
    dist = bundle_dir(package)
    if dist is None or Path(filename).suffix not in TYPES:
        return _not_found(f"No such front-end asset: {package}/{filename}\n")
    if not dist.is_dir():
        log.warning(
            "front-end assets missing: %s does not exist; run `make install` (npm ci) or set STO_NODE_MODULES", dist
        )
        return _not_found(
            f"The front-end package {package} is not installed. Run `make install` (npm ci), or set STO_NODE_MODULES "
            "to the folder where npm installed it.\n"
        )
    version = installed_version(package)
    pinned = version is not None and request.args.get("v") == version
    # send_from_directory refuses anything outside `dist` (.., absolute paths) with a 404 of its own.
    response = send_from_directory(
        dist, filename, mimetype=TYPES[Path(filename).suffix], max_age=LONG_CACHE if pinned else SHORT_CACHE
    )
    response.cache_control.public = True
    response.cache_control.immutable = pinned or None
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _not_found(message: str) -> Response:
    return Response(message, status=404, mimetype="text/plain")
