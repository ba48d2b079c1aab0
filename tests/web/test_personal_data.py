"""Personal data (AVG): an administrator downloads everything held about a person, and anonymises a person who
left without losing a row of the audit trail; nobody else may do either."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.models import AuditEvent, AuthSession, OutboxEmail, User
from service.web.runtime import Runtime
from tests.web.change_request import ZORGROBOTS, complete, only_task, start
from tests.web.test_people_pages import ADMIN, post, sign_in, user_row

LEAVER = "projectleider@demo.sto"


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, ADMIN) == 302
    return client


@pytest.fixture
def leaver_work(login: Any, runtime: Runtime) -> dict[str, Any]:
    """The leaver started a change request and submitted it: it now waits for the penvoerder."""
    leaver = login(LEAVER)
    started = start(leaver)
    submitted = complete(leaver, only_task(started)["id"], ZORGROBOTS)
    with runtime.transaction(write=True) as session:  # one mail to them went out, one still waits
        for status in ("sent", "pending"):
            session.add(
                OutboxEmail(
                    dedupe_key=f"test:{status}",
                    kind="test",
                    status=status,
                    recipient=LEAVER,
                    subject=f"Voor {LEAVER}",
                    body_text="Beste",
                    body_html="<p>Beste</p>",
                    created_at=runtime.clock(),
                )
            )
    return {"token": leaver.token, "instance_id": started["id"], "task_id": only_task(started)["id"], "next": submitted}


def _audit_rows(runtime: Runtime) -> int:
    with runtime.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_the_export_holds_their_tasks_requests_and_audit_but_no_password_hash_or_token(
    admin: FlaskClient, runtime: Runtime, leaver_work: dict[str, Any]
) -> None:
    person = user_row(runtime, LEAVER)

    response = post(admin, f"/beheer/gebruikers/{person.id}/gegevens")

    assert response.status_code == 200
    assert (
        "attachment" in response.headers["Content-Disposition"] and ".json" in response.headers["Content-Disposition"]
    )
    data = json.loads(response.data)
    assert data["account"]["email"] == LEAVER and data["account"]["name"] == person.name
    assert {(m["region"], m["role"]) for m in data["memberships"]} == {("demo", "projectleider")}
    assert leaver_work["task_id"] in {t["id"] for t in data["tasks"] if t["completed_by_them"]}
    assert [i["id"] for i in data["instances_started"]] == [leaver_work["instance_id"]]
    actions = {e["action"] for e in data["audit_events"] if e["instance_id"] == leaver_work["instance_id"]}
    assert {"instance_started", "task_completed"} <= actions, actions
    assert any(s["kind"] == "api" and s["ended_at"] is None for s in data["sessions"])
    assert {m["status"] for m in data["mail"] if m["kind"] == "test"} == {"sent", "pending"}
    body = response.data.decode()
    assert person.password_hash not in body and "password_hash" not in body and "$argon2" not in body
    assert leaver_work["token"] not in body and leaver_work["token"].split(".")[0] not in body
    with runtime.transaction(write=False) as session:  # the export itself is in the audit trail
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data_exported")).one()
        assert event.actor_label == ADMIN and event.details == {"user_id": person.id}


def test_anonymising_replaces_name_and_email_everywhere_and_keeps_every_audit_row(
    admin: FlaskClient, app: Flask, runtime: Runtime, leaver_work: dict[str, Any]
) -> None:
    person = user_row(runtime, LEAVER)
    with runtime.transaction(write=False) as session:
        about_them = session.scalar(select(func.count()).where(AuditEvent.actor_id == person.id))
    assert post(admin, f"/beheer/gebruikers/{person.id}/deactiveren").status_code == 302  # an event about them
    before = _audit_rows(runtime)
    confirm = admin.get(f"/beheer/gebruikers/{person.id}/anonimiseren")
    assert confirm.status_code == 200 and f"Oud-medewerker {person.id}" in confirm.text
    assert _audit_rows(runtime) == before  # looking at the confirmation changes nothing

    done = post(admin, f"/beheer/gebruikers/{person.id}/anonimiseren")

    assert done.status_code == 302
    assert _audit_rows(runtime) == before + 1  # nothing deleted; one event says it happened
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(func.count()).where(AuditEvent.actor_id == person.id)) == about_them
        texts = [
            f"{e.actor_label} {e.summary} {json.dumps(e.details, ensure_ascii=False)}"
            for e in session.scalars(select(AuditEvent))
        ]
        assert any(f"anoniem-{person.id}@invalid" in t for t in texts)
        assert not [t for t in texts if LEAVER in t or person.name in t]  # the audit text names nobody who left
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user_anonymised")).one()
        assert event.actor_label == ADMIN
        row = session.get(User, person.id)
        assert row is not None and row.anonymised_at is not None and not row.active and not row.memberships
        assert row.email == f"anoniem-{person.id}@invalid" and row.oidc_subject is None
        assert (
            session.scalar(select(func.count()).where(AuthSession.user_id == person.id, AuthSession.ended_at.is_(None)))
            == 0
        )
        mail = session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "test")).all()
        # The unsent one is dropped; the sent one stays as the record, addressed to the placeholder.
        assert [(m.status, m.recipient, m.subject) for m in mail] == [("sent", row.email, f"Voor {row.email}")]
    # They cannot sign in (neither page nor API), and their old token stopped working.
    assert sign_in(app.test_client(), LEAVER) == 401
    assert app.test_client().post("/api/v1/auth/token", json={"email": LEAVER, "password": "demo"}).status_code == 401
    token_call = app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {leaver_work['token']}"})
    assert token_call.status_code == 401
    # The request's history (seen by a colleague in the region) and the people pages show the placeholder only.
    colleague = app.test_client()
    assert sign_in(colleague, "penvoerder@demo.sto") == 302
    # The placeholder account is not brought back: no reactivation, no role, no invitation.
    assert "Weer actief maken" not in admin.get(f"/beheer/gebruikers/{person.id}").text
    refused = post(admin, f"/beheer/gebruikers/{person.id}/heractiveren")
    assert refused.status_code == 403 and "geanonimiseerd" in refused.text
    assert (
        post(admin, f"/beheer/gebruikers/{person.id}/rollen", {"region": "demo", "role": "penvoerder"}).status_code
        == 403
    )
    assert not user_row(runtime, f"anoniem-{person.id}@invalid").active
    history = colleague.get(f"/verzoeken/{leaver_work['instance_id']}")
    assert history.status_code == 200 and f"anoniem-{person.id}@invalid" in history.text
    pages = [history.text, admin.get("/beheer/gebruikers").text, admin.get(f"/beheer/gebruikers/{person.id}").text]
    for text in pages:
        assert LEAVER not in text and person.name not in text


def test_an_administrator_cannot_anonymise_themselves(admin: FlaskClient, runtime: Runtime) -> None:
    me = user_row(runtime, ADMIN)
    before = _audit_rows(runtime)

    response = post(admin, f"/beheer/gebruikers/{me.id}/anonimiseren")

    assert response.status_code == 302
    assert "U kunt uzelf niet anonimiseren." in admin.get(response.headers["Location"]).text
    assert user_row(runtime, ADMIN).anonymised_at is None and _audit_rows(runtime) == before


def test_the_last_active_administrator_cannot_be_anonymised(runtime: Runtime) -> None:
    """Through the pages the acting administrator always counts as active; the rule still guards any caller whose
    own account stopped being active (e.g. deactivated in the same transaction)."""
    from service.domain import demo
    from service.domain.personal_data import AnonymiseRefused, anonymise_user

    with runtime.transaction(write=True) as session:
        actor = session.scalar(select(User).where(User.email == ADMIN))
        assert actor is not None
        last = demo.create_demo_user(
            session, email="beheerder2@demo.sto", name="Tweede Beheerder", now=runtime.clock(), fast_hash=True
        )
        last.is_admin = True
        actor.active = False
        session.flush()
        with pytest.raises(AnonymiseRefused, match="laatste actieve beheerder"):
            anonymise_user(session, actor=actor, user_id=last.id, now=runtime.clock())
        assert last.anonymised_at is None and last.name == "Tweede Beheerder"


@pytest.mark.parametrize("method,suffix", [("post", "gegevens"), ("get", "anonimiseren"), ("post", "anonimiseren")])
def test_someone_who_is_not_an_administrator_gets_403(app: Flask, runtime: Runtime, method: str, suffix: str) -> None:
    client = app.test_client()
    assert sign_in(client, "coordinator@demo.sto") == 302
    target = user_row(runtime, LEAVER)
    before = _audit_rows(runtime)

    path = f"/beheer/gebruikers/{target.id}/{suffix}"
    response = client.get(path) if method == "get" else post(client, path)

    assert response.status_code == 403
    assert "persoonsgegevens" not in response.text.lower() or "{" not in response.text[:1]
    assert user_row(runtime, LEAVER).anonymised_at is None and _audit_rows(runtime) == before
