"""Per request: an id (a well-formed X-Request-ID from the caller, else a new one; echoed in the response) on
every log line made meanwhile, one access log line, and the request latency metric.

The access line names the route (the URL rule, e.g. /taken/<int:task_id>), never the path or query string: some
paths and query strings carry tokens (personal links, calendar feeds, password links). Nothing from forms,
Authorization or Cookie headers is logged."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from ..observability import metrics
from ..observability.logs import request_id_var

log = logging.getLogger("service.access")
HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,99}")  # what a proxy or client would send; nothing to inject
UNMATCHED = "<unmatched>"  # a 404 has no rule: one label for every unknown path keeps the metric's labels bounded


def init_request_log(app: Flask) -> None:
    """Register the hooks; call before any other before_request hook so every later log line has the id."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_finish)
    app.teardown_request(_end)


def _begin() -> None:
    incoming = request.headers.get(HEADER, "")
    request_id = incoming if WELL_FORMED.fullmatch(incoming) else uuid.uuid4().hex
    g.request_id = request_id
    g.request_token = request_id_var.set(request_id)
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:  # the request ended before our first hook (e.g. a routing error handled early)
        _begin()
        started = g.request_started
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
    response.headers[HEADER] = g.request_id
    metrics.observe_request(route=route, method=request.method, status=response.status_code, seconds=seconds)
    log.info(
        "%s %s %s %.1f ms",
        request.method,
        route,
        response.status_code,
        seconds * 1000,
        extra={
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "user_id": _user_id(),
        },
    )
    return response


def _end(_error: BaseException | None) -> None:
    token = g.pop("request_token", None)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (a test client may copy it): just clear it
            request_id_var.set(None)


def _user_id() -> int | None:
    """Who was signed in: a page's user (session_auth) or an API caller (api.auth)."""
    user = g.get("user")
    if user is not None and isinstance(getattr(user, "id", None), int):
        return user.id
    api_user = g.get("api_user_id")
    return api_user if isinstance(api_user, int) else None
