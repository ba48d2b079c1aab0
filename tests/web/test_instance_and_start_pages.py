"""Starting a request, following it on its page, and the friendly pages when something is off."""

from __future__ import annotations

import re

from .change_request import ZORGROBOTS, complete, only_task, start
from .pages import post_form, signed_in, text


def test_only_the_starting_role_is_offered_the_start_button(app) -> None:
    leider = text(signed_in(app, "projectleider@demo.sto").get("/nieuw"))
    assert "Wijzigingsverzoek" in leider and '<option value="demo">Demo-regio</option>' in leider
    penvoerder = text(signed_in(app, "penvoerder@demo.sto").get("/nieuw"))
    assert "de rol om dit proces te starten" in penvoerder and 'name="regio"' not in penvoerder


def test_starting_in_a_region_i_do_not_belong_to_is_not_found(app) -> None:
    client = signed_in(app, "projectleider@demo.sto")
    response = post_form(client, "/nieuw", {"proces": "wijzigingsverzoek", "regio": "noord"})
    assert response.status_code == 404 and "Niet gevonden" in text(response)


def test_instance_page_shows_status_current_step_and_the_audit_trail(app, login) -> None:
    leider = login("projectleider@demo.sto")
    instance = complete(
        leider, only_task(start(leider))["id"], {**ZORGROBOTS, "omschrijving": "<script>alert(1)</script> zorgrobots"}
    )
    page = text(signed_in(app, "coordinator@demo.sto").get(f"/verzoeken/{instance['id']}"))
    assert "<h1>Zorgrobots in de praktijk</h1>" in page and 'data-status="running"' in page
    assert "Subsidieregels en begroting toetsen" in page and "nog niet opgepakt" in page
    assert "projectleider@demo.sto" in page and "Taak afgerond: Wijzigingsverzoek indienen" in page
    assert "<dt>Bedrag (euro)</dt><dd>€ 7.500,00</dd>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; zorgrobots" in page and "<script>alert(1)" not in page
    # what the table decided, under the names its columns have
    assert "<dt>Stuurgroep beslist</dt><dd>Ja</dd>" in page and "Beslistabel: Route bepalen" in page
    assert "stuurgroep_beslist" not in page.split('<table class="audit">', 1)[1]
    assert 'id="diagram"' in page


def test_users_of_another_region_get_not_found_for_tasks_and_instances(app, login) -> None:
    leider = login("projectleider@demo.sto")
    instance = start(leider)
    noord = signed_in(app, "coordinator@noord.sto")
    for path in (f"/verzoeken/{instance['id']}", f"/taken/{only_task(instance)['id']}"):
        response = noord.get(path)
        assert response.status_code == 404
        assert "Niet gevonden" in text(response) and "Wijzigingsverzoek indienen" not in text(response)


def test_completing_a_task_someone_else_finished_explains_and_links_to_the_instance(app, login) -> None:
    leider = login("projectleider@demo.sto")
    instance = start(leider)
    task_id = only_task(instance)["id"]
    client = signed_in(app, "projectleider@demo.sto")
    form_token_page = f"/taken/{task_id}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(client.get(form_token_page))).group(1)
    complete(leider, task_id, ZORGROBOTS)  # someone else (here: the API) was first
    response = client.post(form_token_page, data={"titel": "Later", "csrf_token": token})
    page = text(response)
    assert response.status_code == 409
    assert "Iemand was u voor" in page and "al afgerond door iemand anders" in page
    assert f'href="/verzoeken/{instance["id"]}"' in page


def test_unknown_page_is_a_friendly_dutch_404(app) -> None:
    response = signed_in(app, "penvoerder@demo.sto").get("/bestaat-niet")
    assert response.status_code == 404 and "Niet gevonden" in text(response) and "Naar mijn taken" in text(response)
