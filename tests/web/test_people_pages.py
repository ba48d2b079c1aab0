"""'Mensen en rollen': administrators manage users, roles per region and regions in pages; nobody else may."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.domain import demo
from service.models import AuditEvent, Membership, Region, User
from service.web.runtime import Runtime
from tests.web.change_request import only_task, start
from tests.web.flow import count, inbox

ADMIN = demo.DEMO_ADMIN
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client: FlaskClient, email: str, password: str = demo.DEMO_PASSWORD) -> int:
    """Sign in through the sign-in page, as a browser would; returns the status of the POST."""
    page = client.get("/aanmelden")
    token = _CSRF.search(page.text).group(1)
    return client.post("/aanmelden", data={"email": email, "password": password, "csrf_token": token}).status_code


def post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """POST a form with the CSRF token of the current session (read from the inbox page)."""
    token = _CSRF.search(client.get("/").text).group(1)
    return client.post(path, data={**(data or {}), "csrf_token": token})


def user_row(runtime: Runtime, email: str) -> User:
    with runtime.transaction(write=False) as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
        _ = user.memberships  # loaded before the session closes
        return user


def audit(runtime: Runtime, action: str) -> list[tuple[str, str | None, str]]:
    """(actor, region, summary) of every audit event of one kind, oldest first."""
    with runtime.transaction(write=False) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        return [(e.actor_label, e.region_code, e.summary) for e in events]


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, ADMIN) == 302
    return client


def test_only_an_administrator_sees_the_menu_item(admin: FlaskClient, app: Flask) -> None:
    assert "Mensen en rollen" in admin.get("/").text
    other = app.test_client()
    sign_in(other, "projectleider@demo.sto")
    assert "Mensen en rollen" not in other.get("/").text


def test_the_list_shows_every_user_with_status_admin_and_roles_per_region(admin: FlaskClient) -> None:
    page = admin.get("/beheer/gebruikers")

    assert page.status_code == 200
    assert (
        page.text.count('data-user-id="') == 11
    )  # four roles in each of two regions, the administrator and two process owners
    row = _row(page.text, "penvoerder@noord.sto")
    assert "Penvoerder Regio Noord" in row and "Regio Noord: penvoerder" in row and "actief" in row
    assert "beheerder" in _row(page.text, ADMIN) and "geen rollen" in _row(page.text, ADMIN)


def test_the_list_can_be_searched_by_name_or_email(admin: FlaskClient) -> None:
    page = admin.get("/beheer/gebruikers?zoek=NOORD")
    assert (
        page.text.count('data-user-id="') == 5 and "projectleider@demo.sto" not in page.text
    )  # with Regio Noord's process owner


def test_a_new_user_gets_an_argon2_password_and_can_sign_in(admin: FlaskClient, app: Flask, runtime: Runtime) -> None:
    response = post(
        admin,
        "/beheer/gebruikers/nieuw",
        {"name": "Anna de Vries", "email": " Anna@Twente.nl", "password": "tulp-fiets-molen"},
    )

    created = user_row(runtime, "anna@twente.nl")
    assert response.status_code == 302 and response.location == f"/beheer/gebruikers/{created.id}"
    assert created.name == "Anna de Vries" and created.active and not created.is_admin
    assert created.password_hash.startswith("$argon2")
    assert "Gebruiker anna@twente.nl is aangemaakt" in admin.get(response.location).text
    assert audit(runtime, "user_created") == [(ADMIN, None, "Gebruiker anna@twente.nl aangemaakt")]
    assert sign_in(app.test_client(), "anna@twente.nl", "tulp-fiets-molen") == 302


def test_an_invalid_new_user_is_shown_again_with_dutch_messages_and_nothing_is_saved(
    admin: FlaskClient, runtime: Runtime
) -> None:
    users_before = count(runtime, User)

    response = post(admin, "/beheer/gebruikers/nieuw", {"name": "  ", "email": "anna-at-twente", "password": "ab"})

    assert response.status_code == 422
    assert _field(response.text, "name") == "Vul een naam in."
    assert _field(response.text, "email") == "Vul een geldig e-mailadres in."
    assert _field(response.text, "password") == "Het wachtwoord moet minstens 12 tekens lang zijn."
    assert 'value="anna-at-twente"' in response.text
    assert count(runtime, User) == users_before and audit(runtime, "user_created") == []


def test_an_email_that_is_taken_is_refused_next_to_the_field(admin: FlaskClient, runtime: Runtime) -> None:
    response = post(
        admin,
        "/beheer/gebruikers/nieuw",
        {"name": "Dubbel", "email": "penvoerder@demo.sto", "password": "tulp-fiets-molen"},
    )
    assert response.status_code == 422
    assert _field(response.text, "email") == "Er is al een gebruiker met dit e-mailadres."
    assert 'value="Dubbel"' in response.text
    assert user_row(runtime, "penvoerder@demo.sto").name == "Penvoerder Demo-regio"


def test_granting_and_revoking_a_role_changes_the_memberships_and_is_audited(
    admin: FlaskClient, runtime: Runtime
) -> None:
    person = user_row(runtime, "projectleider@demo.sto")
    path = f"/beheer/gebruikers/{person.id}/rollen"

    granted = post(admin, path, {"region": "noord", "role": "stuurgroep"})
    again = post(admin, path, {"region": "noord", "role": "stuurgroep"})

    assert granted.status_code == again.status_code == 302
    assert "Deze gebruiker had die rol al." in admin.get(again.location).text
    assert _roles(runtime, "projectleider@demo.sto") == {("demo", "projectleider"), ("noord", "stuurgroep")}
    assert audit(runtime, "role_granted") == [(ADMIN, "noord", "Rol stuurgroep gegeven aan projectleider@demo.sto")]

    revoked = post(admin, f"{path}/intrekken", {"region": "demo", "role": "projectleider"})

    assert revoked.status_code == 302
    assert _roles(runtime, "projectleider@demo.sto") == {("noord", "stuurgroep")}
    assert audit(runtime, "role_revoked") == [
        (ADMIN, "demo", "Rol projectleider ingetrokken bij projectleider@demo.sto")
    ]
    page = admin.get(f"/beheer/gebruikers/{person.id}")
    assert 'data-role="noord:stuurgroep"' in page.text and 'data-role="demo:projectleider"' not in page.text


def test_a_role_needs_a_known_region_and_role_and_keeps_the_choice(admin: FlaskClient, runtime: Runtime) -> None:
    person = user_row(runtime, "penvoerder@demo.sto")

    response = post(admin, f"/beheer/gebruikers/{person.id}/rollen", {"region": "atlantis", "role": "baas"})
    only_region = post(admin, f"/beheer/gebruikers/{person.id}/rollen", {"region": "", "role": "stuurgroep"})

    assert response.status_code == only_region.status_code == 422
    assert _field(response.text, "region") == "Kies een regio." and _field(response.text, "role") == "Kies een rol."
    assert _field(only_region.text, "region") == "Kies een regio." and _field(only_region.text, "role") is None
    assert '<option value="stuurgroep" selected>' in only_region.text
    assert _roles(runtime, "penvoerder@demo.sto") == {("demo", "penvoerder")}
    assert audit(runtime, "role_granted") == []


def test_revoking_a_role_releases_the_tasks_the_user_claimed_in_it(
    admin: FlaskClient, app: Flask, login, second_projectleider: str, runtime: Runtime
) -> None:
    first, second = login("projectleider@demo.sto"), login(second_projectleider)
    task = only_task(start(first))
    assert first.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    assert inbox(second) == []

    person = user_row(runtime, "projectleider@demo.sto")
    post(admin, f"/beheer/gebruikers/{person.id}/rollen/intrekken", {"region": "demo", "role": "projectleider"})

    assert [(t["id"], t["assignee"]) for t in inbox(second)] == [(task["id"], None)]
    assert audit(runtime, "task_unclaimed")[-1][0] == ADMIN


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in_until_reactivated(
    admin: FlaskClient, app: Flask, runtime: Runtime
) -> None:
    person = user_row(runtime, "stuurgroep@demo.sto")
    colleague = app.test_client()
    assert sign_in(colleague, "stuurgroep@demo.sto") == 302

    response = post(admin, f"/beheer/gebruikers/{person.id}/deactiveren")

    assert response.status_code == 302 and not user_row(runtime, "stuurgroep@demo.sto").active
    assert colleague.get("/").status_code == 302  # back to the sign-in page
    assert sign_in(app.test_client(), "stuurgroep@demo.sto") == 401
    assert "gedeactiveerd" in _row(admin.get("/beheer/gebruikers").text, "stuurgroep@demo.sto")

    post(admin, f"/beheer/gebruikers/{person.id}/heractiveren")

    assert sign_in(app.test_client(), "stuurgroep@demo.sto") == 302
    assert [a for a, _r, _s in audit(runtime, "user_deactivated") + audit(runtime, "user_reactivated")] == [ADMIN] * 2


def test_an_administrator_cannot_deactivate_themself(admin: FlaskClient, runtime: Runtime) -> None:
    me = user_row(runtime, ADMIN)
    assert "U kunt uzelf niet deactiveren." in admin.get(f"/beheer/gebruikers/{me.id}").text

    response = post(admin, f"/beheer/gebruikers/{me.id}/deactiveren")

    assert response.status_code == 403
    assert user_row(runtime, ADMIN).active and admin.get("/beheer/gebruikers").status_code == 200


def test_an_administrator_creates_a_region_with_a_unique_code(admin: FlaskClient, runtime: Runtime) -> None:
    created = post(admin, "/beheer/regios", {"code": " Twente ", "name": "STO Twente"})
    taken = post(admin, "/beheer/regios", {"code": "twente", "name": "Nog een Twente"})
    bad = post(admin, "/beheer/regios", {"code": "Regio Oost!", "name": ""})

    assert created.status_code == 302
    with runtime.transaction(write=False) as session:
        assert session.get(Region, "twente").name == "STO Twente"
    assert audit(runtime, "region_created") == [(ADMIN, "twente", "Regio STO Twente aangemaakt")]
    assert taken.status_code == bad.status_code == 422
    assert _field(taken.text, "code") == "Er is al een regio met deze code." and 'value="Nog een Twente"' in taken.text
    assert _field(bad.text, "code").startswith("Gebruik 2 tot 40 kleine letters")
    assert _field(bad.text, "name") == "Vul een naam in." and 'value="Regio Oost!"' in bad.text
    assert count(runtime, Region) == 3
    assert 'data-region="twente"' in admin.get("/beheer/regios").text


ACTIONS = [
    ("get", "/beheer/gebruikers"),
    ("get", "/beheer/gebruikers/nieuw"),
    ("post", "/beheer/gebruikers/nieuw"),
    ("get", "/beheer/gebruikers/{id}"),
    ("post", "/beheer/gebruikers/{id}/rollen"),
    ("post", "/beheer/gebruikers/{id}/rollen/intrekken"),
    ("post", "/beheer/gebruikers/{id}/deactiveren"),
    ("post", "/beheer/gebruikers/{id}/heractiveren"),
    ("get", "/beheer/regios"),
    ("post", "/beheer/regios"),
]
FORM = {"name": "Indringer", "email": "x@y.nl", "password": "tulp-fiets-molen", "region": "demo", "role": "stuurgroep"}


@pytest.mark.parametrize(("method", "path"), ACTIONS)
def test_anyone_but_an_administrator_is_refused_every_page_and_action(
    app: Flask, runtime: Runtime, method: str, path: str
) -> None:
    target = user_row(runtime, "penvoerder@demo.sto")
    client = app.test_client()
    sign_in(client, "coordinator@demo.sto")
    url = path.format(id=target.id)
    before = [count(runtime, model) for model in (User, Membership, Region, AuditEvent)]

    response = client.get(url) if method == "get" else post(client, url, {**FORM, "code": "nieuw"})

    assert response.status_code == 403
    assert "Alleen beheerders" in response.text
    assert _roles(runtime, "penvoerder@demo.sto") == {("demo", "penvoerder")}
    assert user_row(runtime, "penvoerder@demo.sto").active
    assert [count(runtime, model) for model in (User, Membership, Region, AuditEvent)] == before


@pytest.mark.parametrize("path", ["/beheer/gebruikers", "/beheer/regios"])
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and response.location.startswith("/aanmelden")


def test_a_form_without_the_csrf_token_is_refused(admin: FlaskClient, runtime: Runtime) -> None:
    response = admin.post("/beheer/regios", data={"code": "twente", "name": "STO Twente"})
    assert response.status_code == 400 and count(runtime, Region) == 2


def _row(html: str, email: str) -> str:
    """The table row (<tr>...</tr>) that mentions this email."""
    for row in html.split("<tr")[1:]:
        if f"<td>{email}</td>" in row:
            return row.split("</tr>")[0]
    raise AssertionError(f"no row for {email}")


def _field(html: str, name: str) -> str | None:
    """The error message shown next to a field, if any."""
    found = re.search(rf'<p class="error" id="fout-{name}">([^<]*)</p>', html)
    return found.group(1).replace("&#39;", "'") if found else None


def _roles(runtime: Runtime, email: str) -> set[tuple[str, str]]:
    with runtime.transaction(write=False) as session:
        rows = session.execute(
            select(Membership.region_code, Membership.role).join(User).where(User.email == email)
        ).all()
        return {(region, role) for region, role in rows}


def test_roles_read_as_people_write_them_on_the_people_pages(admin: FlaskClient) -> None:
    row = _row(admin.get("/beheer/gebruikers").text, "coordinator@demo.sto")
    assert "Demo-regio: coördinator" in row
    user_id = re.search(r'data-user-id="(\d+)"', row)
    assert user_id is not None
    page = admin.get(f"/beheer/gebruikers/{user_id[1]}").text
    assert '<option value="coordinator" >coördinator</option>' in page  # the value stays the code
    assert "<td>coördinator</td>" in page
