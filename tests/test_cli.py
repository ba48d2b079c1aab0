"""The command line sets up a database and manages real regions, users and roles."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from service.domain import demo
from service.models import AuditEvent, Membership, ProcessDefinition, User
from service.web.app import create_app
from service.web.runtime import Runtime

from .conftest import empty_database


def _cli(runtime: Runtime, **settings_changes):  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(runtime.settings, **settings_changes)
    return create_app(runtime=dataclasses.replace(runtime, settings=settings)).test_cli_runner()


def test_region_user_and_role_created_from_the_command_line_can_sign_in(runtime, client) -> None:
    cli = _cli(runtime)
    region = cli.invoke(args=["create-region", "--code", "twente", "--name", "STO Twente"])
    assert region.exit_code == 0 and "known deadlines in its calendar" in region.output
    created = cli.invoke(
        args=["create-user", "--email", "Anna@Twente.nl", "--name", "Anna"], input="tulp-fiets-mol\ntulp-fiets-mol\n"
    )
    assert created.exit_code == 0, created.output
    granted = cli.invoke(args=["grant-role", "--email", "anna@twente.nl", "--region", "twente", "--role", "penvoerder"])
    assert granted.exit_code == 0 and "penvoerder in twente" in granted.output

    token = client.post("/api/v1/auth/token", json={"email": "anna@twente.nl", "password": "tulp-fiets-mol"})
    assert token.status_code == 200
    with runtime.transaction(write=False) as session:
        user = session.scalar(select(User).where(User.email == "anna@twente.nl"))
        assert user.password_hash.startswith("$argon2")
        assert [(m.region_code, m.role) for m in user.memberships] == [("twente", "penvoerder")]


def test_unknown_role_or_region_is_refused_with_a_clear_message(runtime) -> None:
    cli = _cli(runtime)
    bad_role = cli.invoke(args=["grant-role", "--email", "penvoerder@demo.sto", "--region", "demo", "--role", "baas"])
    assert bad_role.exit_code != 0 and "Onbekende rol" in bad_role.output
    bad_region = cli.invoke(
        args=["grant-role", "--email", "penvoerder@demo.sto", "--region", "x", "--role", "stuurgroep"]
    )
    assert bad_region.exit_code != 0 and "Onbekende regio" in bad_region.output
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Membership).where(Membership.role == "baas")) == 0


def test_setup_loads_demo_data_into_an_empty_database_only_outside_production(runtime) -> None:
    empty_database(runtime.db)
    production = _cli(runtime, env="production").invoke(args=["setup"])
    assert production.exit_code == 0, production.output
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
        deployed = set(session.scalars(select(ProcessDefinition.process_key)))
        assert deployed == {"nieuwe_partner", "partner_vertrek", "rapportage", "wijzigingsverzoek"}

    first = _cli(runtime).invoke(args=["setup"])
    again = _cli(runtime).invoke(args=["setup"])
    assert "demo data loaded" in first.output and "demo data loaded" not in again.output
    assert "deployed" not in again.output  # unchanged diagrams are not deployed again
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 11
        admins = session.scalars(select(User.email).where(User.is_admin)).all()
        assert admins == [demo.DEMO_ADMIN]


def test_make_admin_lets_a_user_manage_people_and_is_audited(runtime) -> None:
    cli = _cli(runtime)
    made = cli.invoke(args=["make-admin", "--email", " Penvoerder@Demo.sto"])
    again = cli.invoke(args=["make-admin", "--email", "penvoerder@demo.sto"])

    assert made.exit_code == 0 and "penvoerder@demo.sto is an administrator" in made.output
    assert again.exit_code == 0
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(User.is_admin).where(User.email == "penvoerder@demo.sto")) is True
        events = session.execute(select(AuditEvent.actor_label).where(AuditEvent.action == "admin_granted"))
        assert events.scalars().all() == ["systeem"]  # granted once, by the command line


def test_make_admin_refuses_an_unknown_email(runtime) -> None:
    result = _cli(runtime).invoke(args=["make-admin", "--email", "niemand@demo.sto"])
    assert result.exit_code != 0 and "Er is geen gebruiker met e-mailadres niemand@demo.sto" in result.output
    with runtime.transaction(write=False) as session:
        assert session.scalars(select(User.email).where(User.is_admin)).all() == [demo.DEMO_ADMIN]
