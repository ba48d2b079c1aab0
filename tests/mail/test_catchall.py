"""Development without a mail server: the catch-all keeps what the sender delivers, and /dev/mail shows it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.domain.demo import DEMO_ADMIN
from service.jobs.mail import send_outbox
from service.mail.catchall import start_catchall
from tests.mail.conftest import free_port
from tests.web.change_request import ZORGROBOTS, complete, only_task, start
from tests.web.pages import signed_in, text


def test_mail_sent_to_the_catch_all_can_be_read_in_the_browser(app, runtime, login, clock, tmp_path) -> None:
    runtime.settings = replace(runtime.settings, smtp_host="", env="development")
    app.config["STO_MAIL_CATCHALL_DIR"] = tmp_path
    projectleider = login("projectleider@demo.sto")
    complete(projectleider, only_task(start(projectleider))["id"], {**ZORGROBOTS, "titel": "<i>Robots</i>"})
    host, port, stop = start_catchall(runtime.settings, port=free_port(), directory=tmp_path)
    try:
        assert send_outbox(runtime, clock()) == 0  # no STO_SMTP_HOST: nothing goes anywhere by itself
        sent = send_outbox(runtime, clock(), host=host, port=port)
    finally:
        stop()
    assert sent >= 1 and len(list(tmp_path.glob("*.eml"))) == sent

    browser = signed_in(app, DEMO_ADMIN)
    listing = text(browser.get("/dev/mail"))
    assert "Nieuwe taak: Subsidieregels en begroting toetsen" in listing
    name = sorted(tmp_path.glob("*.eml"))[-1].name
    shown = browser.get(f"/dev/mail/{name}")
    assert shown.status_code == 200
    assert "https://sto.example.nl/taken/" in text(shown) and "<i>Robots</i>" not in text(shown)
    # The mail's HTML in its own sandboxed frame: styled inline as mail is, with a policy that allows no script.
    assert f'src="/dev/mail/{name}/html"' in shown.text and "srcdoc" not in shown.text
    frame = browser.get(f"/dev/mail/{name}/html")
    assert frame.status_code == 200 and "https://sto.example.nl/taken/" in frame.text
    policy = frame.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script" not in policy
    assert signed_in(app, "projectleider@demo.sto").get(f"/dev/mail/{name}/html").status_code == 403
    assert browser.get("/dev/mail/..%2Fsto_flow.sqlite").status_code == 404
    assert app.test_client().get("/dev/mail").status_code == 302  # sign in first


def test_no_catch_all_and_no_mail_page_in_production(app, runtime) -> None:
    with pytest.raises(RuntimeError):
        start_catchall(replace(runtime.settings, env="production"))
    browser = signed_in(app, DEMO_ADMIN)
    runtime.settings = replace(runtime.settings, env="production")
    assert browser.get("/dev/mail").status_code == 404
