"""/metrics for Prometheus. A scraper is not a signed-in user: it may read when it asks from this machine
(127.0.0.1 or ::1, not through a proxy) or sends `Authorization: Bearer <STO_METRICS_TOKEN>`; anyone else gets 403."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, request

from ..observability.db_gauges import DatabaseGauges
from ..observability.exposition import CONTENT_TYPE, render
from .limits import limiter
from .runtime import runtime

metrics_endpoint = Blueprint("metrics_endpoint", __name__)
LOCAL = frozenset({"127.0.0.1", "::1"})
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


@metrics_endpoint.get("/metrics")
@limiter.exempt
def metrics() -> Response:
    if not _may_scrape():
        abort(403)
    rt = runtime()
    gauges = DatabaseGauges(lambda: rt.transaction(write=False), rt.clock)
    body = render(gauges, multiproc_dir=rt.settings.prometheus_multiproc_dir)
    return Response(body, content_type=CONTENT_TYPE)


def _may_scrape() -> bool:
    token = runtime().settings.metrics_token
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    # A request a local reverse proxy passed on comes from 127.0.0.1 too, but is not local: it names its client.
    proxied = any(request.headers.get(name) for name in PROXY_HEADERS)
    return request.remote_addr in LOCAL and not proxied
