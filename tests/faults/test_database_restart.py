"""PostgreSQL restarted in the middle of a load: clients get a clear 503 (never a 500) while it is away, the
service serves again once it is back, and what the clients were told matches what the database holds."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from .api_load import ApiClient, Load, api_token, start_requests
from .ledger import check_against_database, read_completions
from .private_postgres import PrivateCluster
from .service_processes import WebServer, service_env

CLIENTS = 4
OUTAGE_SECONDS = 4.0


def sign_in_cookie(port: int, email: str) -> str:
    """A web session, through the sign-in form with its CSRF token."""
    client = ApiClient(port)
    client.connection.request("GET", "/aanmelden")
    response = client.connection.getresponse()
    page = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    form = f"csrf_token={token.group(1)}&email={email}&password=demo&next=/"
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    client.connection.request("POST", "/aanmelden", body=form, headers=headers)
    response = client.connection.getresponse()
    response.read()
    assert response.status == 302, response.status
    return (response.getheader("Set-Cookie") or "").split(";")[0]


def get_page(port: int, cookie: str, path: str) -> tuple[int, str, str | None]:
    client = ApiClient(port)
    client.connection.request("GET", path, headers={"Cookie": cookie})
    response = client.connection.getresponse()
    return response.status, response.read().decode(errors="replace"), response.getheader("Retry-After")


def test_requests_during_a_database_restart_get_503_and_nothing_is_lost_or_doubled(
    private_postgres: PrivateCluster, fault_database: Callable[[], str], tmp_path: Path
) -> None:
    url = fault_database()
    with WebServer(service_env(url), workers=2, log_path=tmp_path / "gunicorn.log") as server:
        token = api_token(server.port, "projectleider@demo.sto")
        cookie = sign_in_cookie(server.port, "projectleider@demo.sto")
        waiting = start_requests(server.port, token, 40)
        with Load(server.port, token, waiting, clients=CLIENTS) as load:
            time.sleep(3)
            private_postgres.stop()
            stopped_at = time.monotonic()
            try:
                time.sleep(1)
                page_status, page, page_retry = get_page(server.port, cookie, "/")
                api = ApiClient(server.port, token)
                api_status, api_body, api_response = api.call("GET", "/api/v1/tasks")
                time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped_at)))
            finally:
                private_postgres.start()
            back_at = time.monotonic()
            deadline = back_at + 30
            while load.answered_since(back_at) < 20 and time.monotonic() < deadline:
                time.sleep(0.2)
        after_page_status, _after_page, _ = get_page(server.port, cookie, "/")

    outcomes = load.outcomes
    statuses = Counter(o.status for o in outcomes)
    during = Counter(o.status for o in outcomes if stopped_at <= o.began <= back_at - 0.5)
    print(f"\nrestart: {len(outcomes)} requests, statuses {dict(statuses)}, during the outage {dict(during)}")

    # While PostgreSQL was away: a Dutch page and a JSON error, both 503 with Retry-After.
    assert page_status == 503 and page_retry, page[:300]
    assert "Even niet bereikbaar" in page and "database even niet bereiken" in page
    assert api_status == 503 and api_response.getheader("Retry-After")
    assert api_body["error"] == "database_unavailable" and "database" in api_body["message"]

    assert statuses[500] == 0, [o for o in outcomes if o.status == 500][:3]
    assert set(statuses) <= {200, 201, 503}, statuses  # no broken connection, no other error
    assert during[503] >= 1 and set(during) <= {503}, during  # the clients did hit the outage, and saw only 503
    assert all(o.retry_after for o in outcomes if o.status == 503)
    # The pool recovered: requests begun after the restart succeed again, pages too.
    assert load.answered_since(back_at) >= 20
    assert after_page_status == 200

    assert check_against_database(url, outcomes) == []
    unanswered = [int(o.key) for o in outcomes if o.kind == "complete" and o.status == 503]
    engine = create_engine(url)
    with Session(engine) as session:
        stored = read_completions(session, unanswered)
    engine.dispose()
    print(
        f"restart: of {len(unanswered)} completions answered 503, {sum(c.whole for c in stored.values())} were "
        f"applied whole (the connection broke at COMMIT), {sum(c.untouched for c in stored.values())} not at all"
    )
