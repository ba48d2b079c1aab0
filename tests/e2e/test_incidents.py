"""In a real browser: a request whose stored state is damaged shows the projectleider a Dutch page instead of an
error, becomes a storing that the administrator sees under 'Storingen', and 'Opnieuw proberen' clears it once the
state is repaired."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import update

from service.models import ProcessInstance
from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.seed import open_task_id, start_request
from tests.e2e.ui import main, sign_in

DAMAGED = '{"sto_format": 1, "workflow": {"tasks": ['  # cut off halfway, as after a bad restore


def _set_state(live_server: LiveServer, instance_id: int, state: str) -> None:
    with live_server.runtime.transaction(write=True) as session:
        session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id).values(state=state))


def _state(live_server: LiveServer, instance_id: int) -> str:
    with live_server.runtime.transaction(write=False) as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance is not None
        return instance.state


def test_a_damaged_request_is_a_storing_the_administrator_retries(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    instance_id = start_request(live_server.runtime)
    task_id = open_task_id(live_server.runtime, instance_id)
    good = _state(live_server, instance_id)
    _set_state(live_server, instance_id, DAMAGED)
    leider, admin = open_browser("projectleider").page, open_browser("beheerder").page
    sign_in(leider, "projectleider@demo.sto")
    sign_in(admin, "beheerder@demo.sto")

    response = leider.goto(f"/taken/{task_id}")

    assert response is not None and response.status == 503
    expect(main(leider)).to_contain_text("Dit verzoek kan niet worden geladen")
    expect(leider.get_by_text("Traceback")).to_have_count(0)
    shot(leider, "task-page-of-damaged-request")

    admin.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Storingen").click()
    expect(admin.get_by_role("heading", level=1, name="Storingen")).to_be_visible()
    row = admin.locator("tr", has=admin.get_by_role("link", name=f"#{instance_id}"))
    expect(row).to_contain_text("Dit verzoek kan niet worden geladen")
    expect(row).to_contain_text("Demo-regio")
    shot(admin, "storingen")

    row.get_by_role("button", name="Opnieuw proberen").click()
    expect(admin.get_by_role("alert").or_(admin.get_by_role("status"))).to_contain_text(
        "Opnieuw geprobeerd, maar het lukte nog niet"
    )
    expect(row).to_be_visible()  # still broken: still listed
    shot(admin, "retried-still-broken")

    _set_state(live_server, instance_id, good)
    row.get_by_role("button", name="Opnieuw proberen").click()

    expect(admin.get_by_role("status")).to_contain_text(f"Gelukt: verzoek {instance_id} loopt weer.")
    expect(main(admin)).to_contain_text("Geen storingen.")
    shot(admin, "retried-repaired")
    leider.goto(f"/taken/{task_id}")
    expect(leider.get_by_role("heading", level=1)).not_to_contain_text("kan niet")
    shot(leider, "task-page-after-repair")
